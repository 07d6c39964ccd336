"""Reads about board packs: a month's (or quarter's) approval as a pack records it, what data a pack draws on,
who sees which, and how a pack names its month or quarter."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet

from authorities.access import DRAFT_ROLES
from authorities.models import Authority
from scorecards import rating
from scorecards.models import BoardPack, ChangeRecord, MonthlyValue, PackState, ScorecardMonth, SignOffState
from scorecards.quarters import Quarter

ACTIVE_STATES = (PackState.QUEUED, PackState.RENDERING)


@dataclass(frozen=True)
class Approval:
    state: str
    revision: int | None

    @property
    def draft(self) -> bool:
        return self.state != SignOffState.APPROVED


def approval_for(*, authority: Authority, period: datetime.date | Quarter) -> Approval:
    """Approved if the month's sign-off says so; anything else, or no sign-off yet, is a draft."""
    if isinstance(period, Quarter):
        return _quarter_approval(authority=authority, quarter=period)
    month = (
        ScorecardMonth.objects.filter(authority=authority, period=period).only("state", "revision").first()
    )
    if month is not None and month.state == SignOffState.APPROVED:
        return Approval(SignOffState.APPROVED, month.revision)
    return Approval(SignOffState.DRAFT, month.revision if month else None)


def _quarter_approval(*, authority: Authority, quarter: Quarter) -> Approval:
    """A quarter has no sign-off of its own, so its pack records what its months say: approved when every month
    of the quarter that has figures or a sign-off is approved (one at least), as its figures are then all
    approved ones; a draft otherwise. A month still to come adds nothing, as it adds nothing to the quarter.
    No revision is recorded: three months' revisions make no one number (the pack's ``data_as_of`` moves with
    each month's sign-off instead)."""
    states = dict(
        ScorecardMonth.objects.filter(authority=authority, period__in=quarter.months).values_list(
            "period", "state"
        )
    )
    with_figures = MonthlyValue.objects.filter(authority=authority, period__in=quarter.months).order_by()
    concerned = set(states) | set(with_figures.values_list("period", flat=True).distinct())
    if concerned and all(states.get(month) == SignOffState.APPROVED for month in concerned):
        return Approval(SignOffState.APPROVED, None)
    return Approval(SignOffState.DRAFT, None)


def pack_data_as_of(
    *, authority: Authority, period: datetime.date | Quarter, months: int
) -> datetime.datetime | None:
    """The newest change to any data the pack draws on: values, benchmarks, targets, indicators, sign-off.

    For a quarter ``months`` counts quarters, and the sign-off of each of the quarter's months counts.
    """
    if isinstance(period, Quarter):
        first, signed_from, end = (
            period.shifted(1 - months).first_month,
            period.first_month,
            period.last_month,
        )
    else:
        first, signed_from, end = rating.month_window(period, months)[0], period, period
    earliest = min(first, datetime.date(end.year - 2, end.month, 1))  # headline tiles look back 2 years
    candidates = [
        MonthlyValue.objects.filter(authority=authority, period__gte=earliest, period__lte=end).aggregate(
            newest=Max("updated_at")
        )["newest"],
        ChangeRecord.objects.filter(
            Q(authority=authority, kind__in=["benchmark", "target", "value"]) | Q(kind="indicator")
        ).aggregate(newest=Max("at"))["newest"],
        ScorecardMonth.objects.filter(
            authority=authority, period__gte=signed_from, period__lte=end
        ).aggregate(newest=Max("updated_at"))["newest"],
    ]
    present = [moment for moment in candidates if moment is not None]
    return max(present) if present else None


def packs_visible(*, authority: Authority, role) -> QuerySet[BoardPack]:
    """The packs a role may see: people who enter data see drafts; board members only approved months' (and
    quarters') packs."""
    visible = BoardPack.objects.filter(authority=authority)
    if role not in DRAFT_ROLES:
        visible = visible.filter(approval_state=SignOffState.APPROVED)
    return visible


def pack_period(pack: BoardPack) -> datetime.date | Quarter:
    """What the pack is of: its month, or its quarter (whose last month ``period`` holds)."""
    return Quarter.parse(pack.quarter) if pack.quarter else pack.period


def pack_key(pack: BoardPack) -> str:
    """The month or quarter as addresses and file names write it: 2020-11, or 2020-21-Q3."""
    return pack.quarter or f"{pack.period:%Y-%m}"


def pack_label(pack: BoardPack) -> str:
    """The month or quarter as people read it: "November 2020", or "Quarter 3 2020/21"."""
    return Quarter.parse(pack.quarter).title if pack.quarter else f"{pack.period:%B %Y}"


def board_pack_filename(pack: BoardPack) -> str:
    """The name a downloaded pack gets, e.g. board-pack-838-2020-11.pdf or board-pack-838-2020-21-Q3.pdf;
    drafts say so."""
    draft = "-draft" if pack.approval_state != SignOffState.APPROVED else ""
    return f"board-pack-{pack.authority.code}-{pack_key(pack)}{draft}.pdf"
