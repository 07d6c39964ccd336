"""Who may see or change which authority (the one helper), and signing in: lock-out, expiry, redirects."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.http import Http404
from django.utils import timezone

from authorities.access import (
    APPROVE_ROLES,
    DRAFT_ROLES,
    ENTER_ROLES,
    READ_ROLES,
    authorities_for,
    authority_for_user,
    role_in,
)
from authorities.models import Role
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


# The roles of the contract -----------------------------------------------------------------------------


def test_the_roles_are_those_add_user_names():
    assert {role.value for role in Role} == {"board_member", "officer", "approver", "administrator"}


def test_what_each_role_may_do():
    assert set(Role) == READ_ROLES
    assert {Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR} == ENTER_ROLES
    assert {Role.APPROVER, Role.ADMINISTRATOR} == APPROVE_ROLES
    assert DRAFT_ROLES == ENTER_ROLES  # board members see approved months only


# authority_for_user --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "role"),
    [
        ("board_member", Role.BOARD_MEMBER),
        ("officer", Role.OFFICER),
        ("approver", Role.APPROVER),
        ("administrator", Role.ADMINISTRATOR),
    ],
)
def test_a_member_gets_the_authority_and_their_role(request, home_authority, persona, role):
    user = request.getfixturevalue(persona)
    assert authority_for_user(user, "838") == (home_authority, role)
    assert role_in(user, home_authority) == role


def test_another_councils_user_gets_404_exactly_as_for_a_missing_authority(
    other_council_user, home_authority
):
    with pytest.raises(Http404) as other:
        authority_for_user(other_council_user, "838")
    with pytest.raises(Http404) as missing:
        authority_for_user(other_council_user, "999")
    assert str(other.value) == str(missing.value)
    assert role_in(other_council_user, home_authority) is None


def test_a_role_without_the_right_gets_404(board_member, officer):
    with pytest.raises(Http404):
        authority_for_user(board_member, "838", roles=ENTER_ROLES)
    with pytest.raises(Http404):
        authority_for_user(officer, "838", roles=APPROVE_ROLES)
    assert authority_for_user(officer, "838", roles=ENTER_ROLES)[1] == Role.OFFICER


def test_anonymous_visitors_get_nothing(home_authority):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    with pytest.raises(Http404):
        authority_for_user(anonymous, "838")
    assert list(authorities_for(anonymous)) == []
    assert role_in(anonymous, home_authority) is None


def test_an_inactive_user_sees_nothing(officer, home_authority):
    officer.is_active = False
    officer.save()
    with pytest.raises(Http404):
        authority_for_user(officer, "838")
    assert role_in(officer, home_authority) is None
    assert list(authorities_for(officer)) == []


def test_an_inactive_user_is_signed_out_of_every_page(client, officer):
    client.force_login(officer)
    officer.is_active = False
    officer.save()
    for url in ("/", "/scorecards/838/", "/scorecards/838/2020-11/enter/", "/scorecards/838/upload/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?next="), url


def test_a_user_of_several_authorities_sees_each_in_name_order(make_user, home_authority, other_authority):
    user = make_user("both", "board_member", home_authority, other_authority)
    assert [a.code for a in authorities_for(user)] == ["839", "838"]  # Bournemouth..., then Dorset
    assert authority_for_user(user, "839")[0] == other_authority


def test_a_user_with_no_authority_sees_none(client, make_user, home_authority):
    user = make_user("nobody")
    assert list(authorities_for(user)) == []
    client.force_login(user)
    assert client.get("/scorecards/838/").status_code == 404
    assert client.get("/").status_code == 200  # the list of their councils, empty


# Signing in ----------------------------------------------------------------------------------------------


def sign_in(client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_the_sign_in_page_answers_anonymous_visitors(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in response.content.decode()


def test_a_signed_in_user_is_taken_past_the_sign_in_page(client, officer):
    client.force_login(officer)
    assert client.get(LOGIN).status_code == 302


def test_a_right_password_signs_in(client, officer):
    response = sign_in(client, "officer", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/scorecards/"
    assert client.get("/scorecards/838/").status_code == 200  # no figures yet: the "no data" page


def test_a_wrong_password_is_an_error_on_the_page(client, officer):
    response = sign_in(client, "officer", "wrong-password")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failed_sign_ins_lock_the_account_even_with_the_right_password(client, officer, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(4):
        assert sign_in(client, "officer", "wrong-password").status_code == 200
    response = sign_in(client, "officer", "wrong-password")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    response = sign_in(client, "officer", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lock_out_is_for_that_account_only(client, officer, approver):
    for _attempt in range(5):
        sign_in(client, "officer", "wrong-password")
    assert sign_in(client, "approver", PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(client, officer):
    for _attempt in range(4):
        sign_in(client, "officer", "wrong-password")
    assert sign_in(client, "officer", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _attempt in range(4):
        sign_in(client, "officer", "wrong-password")
    assert sign_in(client, "officer", PASSWORD).status_code == 302


def test_an_inactive_user_cannot_sign_in(client, officer):
    officer.is_active = False
    officer.save()
    response = sign_in(client, "officer", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out_is_post_only(client, officer):
    client.force_login(officer)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/scorecards/838/")["Location"].startswith(LOGIN)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "https:evil.example", "http://testserver.evil.example/"],
)
def test_sign_in_never_redirects_off_the_site(client, officer, target):
    page = client.get(LOGIN, {"next": target})
    assert "evil.example" not in page.content.decode()
    response = sign_in(client, "officer", PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == "/scorecards/"


def test_sign_in_returns_to_the_page_asked_for(client, officer):
    response = client.get("/scorecards/838/2020-11/")
    assert response["Location"] == f"{LOGIN}?next=/scorecards/838/2020-11/"
    page = client.get(response["Location"])
    assert 'name="next" value="/scorecards/838/2020-11/"' in page.content.decode()
    response = sign_in(client, "officer", PASSWORD, next="/scorecards/838/2020-11/")
    assert response["Location"] == "/scorecards/838/2020-11/"


# Passwords and sessions ----------------------------------------------------------------------------------


def test_password_rules_are_set(settings):
    names = {validator["NAME"].rsplit(".", 1)[1] for validator in settings.AUTH_PASSWORD_VALIDATORS}
    assert names >= {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    minimum = next(
        v for v in settings.AUTH_PASSWORD_VALIDATORS if v["NAME"].endswith("MinimumLengthValidator")
    )
    assert minimum["OPTIONS"]["min_length"] >= 12


def test_sessions_expire(settings, client, officer):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    sign_in(client, "officer", PASSWORD)
    assert client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE


def test_an_expired_session_means_signing_in_again(client, officer):
    sign_in(client, "officer", PASSWORD)
    assert client.get("/scorecards/838/").status_code == 200  # no figures yet: the "no data" page
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/scorecards/838/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
