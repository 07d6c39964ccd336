"""Builders with sensible defaults, and the fixed personas every page is tested with."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SHARED_DATA = SHARED / "data"
DORSET_REFERENCE = SHARED / "reference" / "dorset-2020-11"
PASSWORD = "correct-horse-battery-staple"


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """Skip, saying why, when the shared reference data is not beside the project.

    In CI (CI=true) the data is required: the test runs and fails loudly if the folder is missing.
    """
    required = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    return pytest.mark.skipif(
        not required and not path.exists(),
        reason=f"{path} is absent: clone the project beside ../shared to run this test",
    )


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory) -> None:
    """On SQLite the test database is a file, not memory, as the real one is.

    Django hands a live server's threads the test's own connection to an in-memory database, so two requests
    at once would share one transaction; with a file each has its own connection and meets SQLite's real
    locking (tests/scorecards/entry/test_concurrency.py).
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture
def make_authority(db):
    from authorities.models import Authority

    counter = iter(range(100, 1000))

    def make(**overrides):
        code = overrides.pop("code", None) or f"{next(counter):03d}"
        defaults = {"name": f"Authority {code}", "region": "South West", "gss_code": ""}
        defaults.update(overrides)
        return Authority.objects.create(code=code, **defaults)

    return make


@pytest.fixture
def make_indicator(db):
    from scorecards.models import Indicator

    counter = iter(range(1, 10_000))

    def make(**overrides):
        number = next(counter)
        defaults = {
            "code": f"indicator_{number}",
            "section": "Health",
            "name": f"Indicator {number}",
            "unit": "percent",
            "polarity": "higher_is_better",
            "decimals": 0,
            "position": number,
        }
        defaults.update(overrides)
        return Indicator.objects.create(**defaults)

    return make


@pytest.fixture
def make_value(db):
    from scorecards.models import MonthlyValue

    def make(authority, indicator, period: str | datetime.date, value=None, **overrides):
        if isinstance(period, str):
            year, month = period.split("-")
            period = datetime.date(int(year), int(month), 1)
        if value is not None and not isinstance(value, Decimal):
            value = Decimal(str(value))
        return MonthlyValue.objects.create(
            authority=authority, indicator=indicator, period=period, value=value, **overrides
        )

    return make


@pytest.fixture
def make_user(db):
    from django.contrib.auth import get_user_model

    from authorities.models import Membership

    def make(username: str, role: str | None = None, *authorities, **overrides):
        user = get_user_model().objects.create_user(username=username, password=PASSWORD, **overrides)
        for authority in authorities:
            Membership.objects.create(user=user, authority=authority, role=role)
        return user

    return make


@pytest.fixture
def home_authority(make_authority):
    return make_authority(code="838", name="Dorset", gss_code="E06000059")


@pytest.fixture
def other_authority(make_authority):
    return make_authority(code="839", name="Bournemouth, Christchurch and Poole", gss_code="E06000058")


@pytest.fixture
def board_member(make_user, home_authority):
    return make_user("board", "board_member", home_authority)


@pytest.fixture
def officer(make_user, home_authority):
    return make_user("officer", "officer", home_authority)


@pytest.fixture
def approver(make_user, home_authority):
    return make_user("approver", "approver", home_authority)


@pytest.fixture
def administrator(make_user, home_authority):
    return make_user("administrator", "administrator", home_authority)


@pytest.fixture
def other_council_user(make_user, other_authority):
    return make_user("outsider", "board_member", other_authority)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the scorecard grids), as the database starts empty."""
    from django.core.cache import caches

    caches["default"].clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing is deliberately slow; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def approve_month(db):
    """Mark a month approved as an approver would leave it: the sign-off and the snapshot of its figures."""
    from django.utils import timezone

    from scorecards.entry.signoff import snapshot_take
    from scorecards.models import ScorecardMonth, SignOffState

    def approve(authority, period: datetime.date, *, at=None, user=None):
        month, _ = ScorecardMonth.objects.update_or_create(
            authority=authority,
            period=period,
            defaults={"state": SignOffState.APPROVED, "approved_at": at or timezone.now()},
        )
        snapshot_take(month, user=user)
        return month

    return approve
