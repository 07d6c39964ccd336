"""Reads about board packs: a month's approval as a pack records it, what data a pack draws on, who sees which."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q, QuerySet

from authorities.access import DRAFT_ROLES
from authorities.models import Authority
from scorecards import rating
from scorecards.models import BoardPack, ChangeRecord, MonthlyValue, PackState, ScorecardMonth, SignOffState

ACTIVE_STATES = (PackState.QUEUED, PackState.RENDERING)


@dataclass(frozen=True)
class Approval:
    state: str
    revision: int | None

    @property
    def draft(self) -> bool:
        return self.state != SignOffState.APPROVED


def approval_for(*, authority: Authority, period: datetime.date) -> Approval:
    """Approved if the month's sign-off says so; anything else, or no sign-off yet, is a draft."""
    month = (
        ScorecardMonth.objects.filter(authority=authority, period=period).only("state", "revision").first()
    )
    if month is not None and month.state == SignOffState.APPROVED:
        return Approval(SignOffState.APPROVED, month.revision)
    return Approval(SignOffState.DRAFT, month.revision if month else None)


def pack_data_as_of(*, authority: Authority, period: datetime.date, months: int) -> datetime.datetime | None:
    """The newest change to any data the pack draws on: values, benchmarks, targets, indicators, sign-off."""
    window = rating.month_window(period, months)
    earliest = min(
        window[0], datetime.date(period.year - 2, period.month, 1)
    )  # headline tiles look back 2 years
    candidates = [
        MonthlyValue.objects.filter(authority=authority, period__gte=earliest, period__lte=period).aggregate(
            newest=Max("updated_at")
        )["newest"],
        ChangeRecord.objects.filter(
            Q(authority=authority, kind__in=["benchmark", "target", "value"]) | Q(kind="indicator")
        ).aggregate(newest=Max("at"))["newest"],
        ScorecardMonth.objects.filter(authority=authority, period=period).aggregate(newest=Max("updated_at"))[
            "newest"
        ],
    ]
    present = [moment for moment in candidates if moment is not None]
    return max(present) if present else None


def packs_visible(*, authority: Authority, role) -> QuerySet[BoardPack]:
    """The packs a role may see: people who enter data see drafts; board members only approved months' packs."""
    visible = BoardPack.objects.filter(authority=authority)
    if role not in DRAFT_ROLES:
        visible = visible.filter(approval_state=SignOffState.APPROVED)
    return visible


def board_pack_filename(pack: BoardPack) -> str:
    """The name a downloaded pack gets, e.g. board-pack-838-2020-11.pdf; drafts say so."""
    draft = "-draft" if pack.approval_state != SignOffState.APPROVED else ""
    return f"board-pack-{pack.authority.code}-{pack.period:%Y-%m}{draft}.pdf"
