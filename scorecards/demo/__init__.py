"""The demonstration data set: Dorset's November 2020 corporate parenting data set and a second council.

Dorset's figures (authority 838) are transcribed from its public board paper; the commentary is our own
illustration. Bournemouth, Christchurch and Poole (839) carries a synthetic series made for the demo so that
switching council is real: it is not BCP's data. The files use the upload format of shared/CONTRACT.md and are
loaded through the same import service officers use.
"""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path

from django.db import transaction

from authorities.models import Authority, Role
from authorities.services import user_add
from scorecards.entry.signoff import month_approve, month_submit
from scorecards.imports import import_file
from scorecards.models import ChangeRoute, ScorecardMonth, SignOffState

from .plans import ILLUSTRATIVE_PLANS, plans_load  # noqa: F401 - the pages name the illustrative plans

DEMO_DIR = Path(__file__).resolve().parent
KINDS = ("authorities", "indicators", "values", "benchmarks", "targets")
#: More files of a kind, loaded after its own: the synthetic council's history (``synthetic_history.py``).
MORE_FILES = {"values": ("values_839_history.csv", "breakdowns.csv")}
DEMO_PASSWORD = "scorecard-demo-2020"
#: Central Bedfordshire (823), Northumberland (929) and Devon (878) bring a plan each, and no figures.
PLAN_COUNCILS = ("823", "929", "878")
DEMO_USERS = (
    ("board", "board_member", ("838", "839", *PLAN_COUNCILS)),
    ("officer", "officer", ("838", "839", *PLAN_COUNCILS)),
    ("approver", "approver", ("838",)),
    ("admin", "administrator", ("838", "839", *PLAN_COUNCILS)),
)
#: The demo's sign-off story: Dorset's months are approved; BCP's newest month awaits approval, and its
#: synthetic history from December 2017 is approved, so board members see its SPC charts.
APPROVED = {
    "838": [f"2020-{month:02d}" for month in range(3, 12)],
    "839": ["2017-12"]
    + [f"{year}-{m:02d}" for year in (2018, 2019) for m in range(1, 13)]
    + [f"2020-{m:02d}" for m in range(1, 11)],
    # Devon's one month: school attendance of its children in care, with cohorts (``breakdowns.csv``).
    "878": ["2020-05"],
}
SUBMITTED = {"839": ["2020-11"]}


@transaction.atomic
def demo_load() -> str:
    """Load (or refresh) every demo file and the demo logins; safe to run again."""
    parts = []
    for kind in KINDS:
        for name in (f"{kind}.csv", *MORE_FILES.get(kind, ())):
            path = DEMO_DIR / name
            with path.open("rb") as handle:
                summary = import_file(kind, handle, path.name, route=ChangeRoute.COMMAND)
            parts.append(f"{kind} {summary}" if name == f"{kind}.csv" else f"{name} {summary}")
    users = {}
    for username, role, codes in DEMO_USERS:
        users[username], _ = user_add(
            username=username, password=DEMO_PASSWORD, role=role, authority_codes=list(codes)
        )
    for code, months in APPROVED.items():
        authority = Authority.objects.get(code=code)
        for month in months:
            _sign_off(authority, month, users, approve=True)
    for code, months in SUBMITTED.items():
        authority = Authority.objects.get(code=code)
        for month in months:
            _sign_off(authority, month, users, approve=False)
    parts.extend(plans_load(users))
    return "; ".join(parts)


def _sign_off(authority: Authority, month: str, users: dict, *, approve: bool) -> None:
    period = datetime.date(int(month[:4]), int(month[5:]), 1)
    state = (
        ScorecardMonth.objects.filter(authority=authority, period=period)
        .values_list("state", flat=True)
        .first()
    )
    # The demo's sign-offs carry the dates a council would have made them: submitted on the 10th and
    # approved on the 15th of the month after, at noon in London.
    following = (period.replace(day=28) + datetime.timedelta(days=7)).replace(day=1)
    london = zoneinfo.ZoneInfo("Europe/London")
    submitted_at = datetime.datetime.combine(following.replace(day=10), datetime.time(12), tzinfo=london)
    approved_at = datetime.datetime.combine(following.replace(day=15), datetime.time(12), tzinfo=london)
    if state in (None, SignOffState.DRAFT):
        month_submit(
            authority=authority,
            period=period,
            user=users["officer"],
            role=Role.OFFICER,
            confirm_missing=True,
            at=submitted_at,
        )
        state = SignOffState.SUBMITTED
    if approve and state == SignOffState.SUBMITTED:
        month_approve(
            authority=authority, period=period, user=users["admin"], role=Role.ADMINISTRATOR, at=approved_at
        )
