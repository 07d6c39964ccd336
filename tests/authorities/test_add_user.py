"""``manage.py add_user USERNAME --password P --role ROLE --authority CODE ...`` (shared/CONTRACT.md)."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from authorities.models import Membership
from authorities.services import NO_AUTHORITY, UNKNOWN_AUTHORITIES, UserError, user_add

STRONG = "a-long-enough-passphrase-2020"


def add_user(*args: str) -> str:
    out = io.StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def memberships(username: str) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user__username=username).values_list("authority__code", "role"))


@pytest.fixture
def councils(home_authority, other_authority):
    return home_authority, other_authority


@pytest.mark.parametrize("role", ["board_member", "officer", "approver", "administrator"])
def test_it_creates_a_user_with_one_role_in_an_authority(councils, role):
    out = add_user("alice", "--password", STRONG, "--role", role, "--authority", "838")
    label = {"board_member": "board member"}.get(role, role)
    assert out == f"created alice: {label} of 838\n"
    user = get_user_model().objects.get(username="alice")
    assert user.check_password(STRONG) and user.is_active
    assert memberships("alice") == {("838", role)}
    # Administrators look after their councils' data in the admin site; nobody else is staff.
    assert user.is_staff == (role == "administrator")
    assert not user.is_superuser


def test_a_user_may_belong_to_several_authorities(councils):
    out = add_user(
        "bob", "--password", STRONG, "--role", "board_member", "--authority", "839", "--authority", "838"
    )
    assert out == "created bob: board member of 838, 839\n"
    assert memberships("bob") == {("838", "board_member"), ("839", "board_member")}


def test_running_it_again_updates_the_role_password_and_replaces_the_memberships(councils):
    add_user(
        "carol", "--password", STRONG, "--role", "administrator", "--authority", "838", "--authority", "839"
    )
    out = add_user(
        "carol", "--password", "another-long-passphrase-21", "--role", "officer", "--authority", "839"
    )
    assert out == "updated carol: officer of 839\n"
    user = get_user_model().objects.get(username="carol")
    assert memberships("carol") == {("839", "officer")}
    assert user.check_password("another-long-passphrase-21")
    assert not user.is_staff
    assert get_user_model().objects.filter(username="carol").count() == 1


def test_an_unknown_authority_is_refused_and_nothing_is_written(councils):
    with pytest.raises(CommandError) as raised:
        add_user(
            "dave", "--password", STRONG, "--role", "officer", "--authority", "838", "--authority", "999"
        )
    assert raised.value.returncode == 1
    assert str(raised.value) == UNKNOWN_AUTHORITIES.format(codes="999")
    assert not get_user_model().objects.filter(username="dave").exists()


def test_an_unknown_authority_leaves_an_existing_user_as_they_were(councils):
    add_user("erin", "--password", STRONG, "--role", "approver", "--authority", "838")
    with pytest.raises(CommandError):
        add_user("erin", "--password", STRONG, "--role", "officer", "--authority", "998")
    assert memberships("erin") == {("838", "approver")}


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pw", "too short"),
        ("password1234", "too common"),
        ("839203948572193", "entirely numeric"),
        ("frankfrankfrank", "too similar to the username"),
    ],
)
def test_a_weak_password_is_refused(councils, password, reason):
    with pytest.raises(CommandError) as raised:
        add_user("frankfrankfrank", "--password", password, "--role", "officer", "--authority", "838")
    assert str(raised.value).startswith("password rejected:")
    assert reason in str(raised.value)
    assert not get_user_model().objects.filter(username="frankfrankfrank").exists()


def test_a_weak_password_leaves_an_existing_password_as_it_was(councils):
    add_user("grace", "--password", STRONG, "--role", "officer", "--authority", "838")
    with pytest.raises(CommandError):
        add_user("grace", "--password", "short", "--role", "officer", "--authority", "838")
    assert get_user_model().objects.get(username="grace").check_password(STRONG)


def test_an_unknown_role_is_refused(councils):
    with pytest.raises(CommandError, match="invalid choice"):
        add_user("heidi", "--password", STRONG, "--role", "superuser", "--authority", "838")


def test_the_service_needs_an_authority(councils):
    with pytest.raises(UserError, match=NO_AUTHORITY):
        user_add(username="ivan", password=STRONG, role="officer", authority_codes=[])


def test_a_user_made_by_the_command_signs_in_and_sees_their_council(client, councils):
    add_user("judy", "--password", STRONG, "--role", "board_member", "--authority", "838")
    response = client.post("/accounts/login/", {"username": "judy", "password": STRONG})
    assert response.status_code == 302
    assert client.get("/scorecards/838/").status_code == 200
    assert client.get("/scorecards/839/").status_code == 404


def test_the_real_command_line_exits_1_with_the_message(tmp_path):
    database = tmp_path / "users.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": ""}

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own manage.py, with arguments we chose
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert manage("migrate", "--verbosity", "0").returncode == 0
    result = manage("add_user", "kim", "--password", STRONG, "--role", "officer", "--authority", "838")
    assert result.returncode == 1
    assert UNKNOWN_AUTHORITIES.format(codes="838") in result.stderr
    assert result.stdout == ""
