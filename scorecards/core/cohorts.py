"""Reads: the cohorts of a figure (breakdowns such as "in Devon schools"), shown beside it and never rated.

shared/CONTRACT.md: a row lists the cohorts that have a value in the window, in the order each cohort was first
imported for that indicator (row order within a file). Figures come from where the reader may see them (working
figures for people who enter data, approved snapshots for everyone else); the order is when each cohort was
first stored, which reads no working figure, only the order in which cohorts arrived.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from authorities.models import Authority
from scorecards.core.figures import Figure, latest_snapshots
from scorecards.formatting import format_value
from scorecards.labels import figure_text, format_count
from scorecards.models import Indicator, MonthlyValue, SnapshotFigure
from scorecards.quarters import Quarter, quarter_figure
from scorecards.rows import MonthCell

#: Cohort figures of one authority: indicator id -> cohort -> month -> figure, cohorts in their order.
CohortFigures = dict[int, dict[str, dict[datetime.date, Figure]]]


@dataclass(frozen=True)
class CohortRow:
    """One cohort of an indicator across the window: its cells, as the headline row's."""

    cohort: str
    cells: tuple[MonthCell, ...]
    unit: str = ""
    decimals: int = 0

    @property
    def latest_cell(self) -> MonthCell | None:
        return next((cell for cell in reversed(self.cells) if cell.value is not None), None)

    @property
    def latest_text(self) -> str:
        """The latest figure alone (its counts have their own columns), e.g. "17%"."""
        cell = self.latest_cell
        return format_value(cell.value if cell else None, self.unit, self.decimals)

    @property
    def size_text(self) -> str:
        """The cohort's size: the latest figure's denominator."""
        cell = self.latest_cell
        return format_count(cell.denominator) if cell and cell.denominator is not None else "–"

    @property
    def number_text(self) -> str:
        """How many of the cohort the figure counts: the latest figure's numerator."""
        cell = self.latest_cell
        return format_count(cell.numerator) if cell and cell.numerator is not None else "–"


def cohorts_fetch(
    *,
    authority: Authority,
    start: datetime.date,
    end: datetime.date,
    include_drafts: bool,
    indicator_ids: list[int] | None = None,
) -> CohortFigures:
    """Every cohort figure of the authority between two months, in one query, cohorts in import order."""
    first_stored = (
        MonthlyValue.objects.filter(
            authority=authority, indicator_id=OuterRef("indicator_id"), cohort=OuterRef("cohort")
        )
        .order_by("pk")
        .values("pk")[:1]
    )
    if include_drafts:
        rows = MonthlyValue.objects.filter(authority=authority, period__gte=start, period__lte=end)
        period_field = "period"
    else:
        rows = SnapshotFigure.objects.filter(
            snapshot__in=latest_snapshots(authority=authority, start=start, end=end)
        )
        period_field = "snapshot__period"
    rows = rows.exclude(cohort="")
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=indicator_ids)
    rows = (
        rows.annotate(first_stored=Subquery(first_stored))
        .order_by()
        .values_list(
            "indicator_id", "cohort", period_field, "value", "numerator", "denominator", "status",
            "commentary", "first_stored",
        )
    )  # fmt: skip
    order: dict[tuple[int, str], tuple] = {}
    figures: dict[tuple[int, str], dict[datetime.date, Figure]] = defaultdict(dict)
    for indicator_id, cohort, period, *figure, first in rows:
        figures[(indicator_id, cohort)][period] = Figure(*figure)
        # A cohort whose working rows are gone keeps a place after the others, by its earliest month.
        rank = (first is None, first or 0, period)
        order[(indicator_id, cohort)] = min(order.get((indicator_id, cohort), rank), rank)
    result: CohortFigures = defaultdict(dict)
    for indicator_id, cohort in sorted(order, key=order.__getitem__):
        result[indicator_id][cohort] = figures[(indicator_id, cohort)]
    return dict(result)


def cohort_rows(
    indicator: Indicator,
    window: list[datetime.date],
    cohorts: dict[str, dict[datetime.date, Figure]],
    *,
    quarterly: bool = False,
) -> tuple[CohortRow, ...]:
    """The indicator's cohorts with a value in the window (months, or quarters by the indicator's rule)."""
    rows = []
    for cohort, by_month in cohorts.items():
        if quarterly:
            cells = tuple(_quarter_cell(indicator, Quarter.of(end), by_month) for end in window)
        else:
            cells = tuple(_month_cell(indicator, month, by_month.get(month)) for month in window)
        if any(cell.value is not None for cell in cells):
            rows.append(CohortRow(cohort, cells, indicator.unit, indicator.decimals))
    return tuple(rows)


def _month_cell(indicator: Indicator, month: datetime.date, figure: Figure | None) -> MonthCell:
    if figure is None:
        return MonthCell(month, None, "", "–")
    text = figure_text(figure.value, indicator.unit, indicator.decimals, figure.numerator, figure.denominator)
    return MonthCell(
        month, figure.value, figure.status, text, figure.commentary,
        numerator=figure.numerator, denominator=figure.denominator,
    )  # fmt: skip


def _quarter_cell(indicator: Indicator, quarter: Quarter, by_month: dict) -> MonthCell:
    made = quarter_figure(indicator.quarter_rule, indicator.unit, quarter, by_month)
    text = figure_text(made.value, indicator.unit, indicator.decimals, made.numerator, made.denominator)
    return MonthCell(
        quarter.last_month, made.value, made.status if made.value is None else "", text, made.commentary,
        numerator=made.numerator, denominator=made.denominator, label=quarter.label,
    )  # fmt: skip
