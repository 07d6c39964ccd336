"""Reads for sign-off: what an approver must see before approving a month."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from authorities.models import Authority
from scorecards.audit import audit_text
from scorecards.core.selectors import indicators_in_catalogue_order
from scorecards.models import Indicator, MonthlyValue, MonthSnapshot, SnapshotFigure

REVIEWED_FIELDS = ("value", "numerator", "denominator", "status", "commentary")


@dataclass(frozen=True)
class FieldChange:
    indicator: Indicator
    field: str
    old: str
    new: str
    #: the cohort whose figure changed; empty for the headline figure
    cohort: str = ""


@dataclass(frozen=True)
class MonthReview:
    """A month as it would be approved: its changes since the last approval and what has no figure."""

    period: datetime.date
    last_approved: MonthSnapshot | None
    changes: list[FieldChange]
    missing: list[Indicator]
    total: int

    @property
    def present(self) -> int:
        return self.total - len(self.missing)


def month_review(*, authority: Authority, period: datetime.date) -> MonthReview:
    """Every field changed since the last approved revision (or every figure, if never approved), and the
    indicators with neither a figure nor a reason for none; four queries. Each figure is an indicator's
    headline or one of its cohorts, listed after the headline in the order they were stored."""
    indicators = indicators_in_catalogue_order(list(Indicator.objects.all()))
    working = _figures(MonthlyValue.objects.filter(authority=authority, period=period))
    last = MonthSnapshot.objects.filter(authority=authority, period=period).order_by("-revision").first()
    approved = _figures(SnapshotFigure.objects.filter(snapshot=last)) if last is not None else {}
    cohorts: dict[int, list[str]] = {}
    for indicator_id, cohort in dict.fromkeys([*approved, *working]):
        if cohort:
            cohorts.setdefault(indicator_id, []).append(cohort)
    empty = (None,) * 3 + ("", "")
    changes = [
        FieldChange(indicator, name, audit_text(old), audit_text(new), cohort)
        for indicator in indicators
        for cohort in ("", *cohorts.get(indicator.pk, ()))
        for name, old, new in zip(
            REVIEWED_FIELDS,
            approved.get((indicator.pk, cohort), empty),
            working.get((indicator.pk, cohort), empty),
            strict=True,
        )
        if audit_text(old) != audit_text(new)
    ]
    missing = [indicator for indicator in indicators if (indicator.pk, "") not in working]
    return MonthReview(
        period=period, last_approved=last, changes=changes, missing=missing, total=len(indicators)
    )


def _figures(rows) -> dict[tuple[int, str], tuple]:
    """The reviewed fields of each figure, by (indicator id, cohort), in the order they were stored."""
    return {
        (row[0], row[1]): row[2:]
        for row in rows.order_by("pk").values_list("indicator_id", "cohort", *REVIEWED_FIELDS)
    }
