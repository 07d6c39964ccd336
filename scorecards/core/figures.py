"""Reads of stored figures, each as the reader may see it: one rule for where figures come from.

People who enter data (``include_drafts=True``, asked for explicitly) read the working figures (``MonthlyValue``);
everyone else reads what an approver signed off, each month from its latest snapshot (``SnapshotFigure``), and
never the working figures. The window's figures and the SPC series both go through ``figure_rows``, so a series
can never show a board member a month the scorecard itself withholds.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Lead, RowNumber

from authorities.models import Authority
from scorecards.models import FIGURE, MonthlyValue, MonthSnapshot, SnapshotFigure
from scorecards.spc import MAX_POINTS
from scorecards.spc_signal import LATEST_VALUES, SeriesSums

#: Before any figure: the start of an SPC series, which has no lower bound but its 60 points.
BEGINNING = datetime.date(1900, 1, 1)


class Figure(NamedTuple):
    """One stored figure as a reader may see it: working (officers) or as approved (everyone else)."""

    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    commentary: str


def latest_snapshots(*, authority: Authority, start: datetime.date, end: datetime.date):
    """Each month's latest approved snapshot between start and end (a queryset of ``MonthSnapshot``)."""
    newer = MonthSnapshot.objects.filter(
        authority=OuterRef("authority"), period=OuterRef("period"), revision__gt=OuterRef("revision")
    )
    return MonthSnapshot.objects.filter(authority=authority, period__gte=start, period__lte=end).filter(
        ~Exists(newer)
    )


def figure_rows(
    *, authority: Authority, start: datetime.date, end: datetime.date, include_drafts: bool
) -> tuple[QuerySet, str]:
    """The headline figures (no cohorts) a reader may see between two months, and the name of their month."""
    if include_drafts:
        rows = MonthlyValue.objects.filter(authority=authority, period__gte=start, period__lte=end)
        return rows.filter(cohort=""), "period"
    rows = SnapshotFigure.objects.filter(
        snapshot__in=latest_snapshots(authority=authority, start=start, end=end), cohort=""
    )
    return rows, "snapshot__period"


def figures_fetch(
    *,
    authority: Authority,
    start: datetime.date,
    end: datetime.date,
    include_drafts: bool,
    look_back: tuple[datetime.date, list[int]] | None = None,
) -> dict[int, dict[datetime.date, Figure]]:
    """Every headline figure (no cohorts) of the authority between two months, by indicator and month, in one
    query.

    ``look_back`` (an earlier start and some indicators) reaches further back for those indicators only, e.g.
    the headline tiles' two years. Without ``include_drafts`` the figures come from the approved snapshots.
    """
    by_indicator: dict[int, dict[datetime.date, Figure]] = defaultdict(dict)
    earliest = look_back[0] if look_back and look_back[1] else start
    rows, period_field = figure_rows(
        authority=authority, start=earliest, end=end, include_drafts=include_drafts
    )
    if earliest < start:
        rows = rows.filter(Q(**{f"{period_field}__gte": start}) | Q(indicator_id__in=look_back[1]))
    # No ORDER BY: the figures are filed by indicator and month, and the models' default orderings would join
    # the authority and the catalogue only to sort.
    rows = rows.order_by().values_list(
        "indicator_id", period_field, "value", "numerator", "denominator", "status", "commentary"
    )
    for indicator_id, period, *figure in rows:
        by_indicator[indicator_id][period] = Figure(*figure)
    return by_indicator


def series_fetch(
    *, authority: Authority, end: datetime.date, include_drafts: bool, points: int = MAX_POINTS
) -> dict[int, list[tuple[datetime.date, Decimal]]]:
    """Each indicator's SPC series in one query: its latest ``points`` months up to ``end`` that have a value,
    oldest first (shared/CONTRACT.md, "Signal and noise"). Only the value is read: numerators, statuses and
    commentary belong to the window, which ``figures_fetch`` reads.

    Counting values, not months, means a series with gaps still reaches back to its 60 values; the database
    numbers each indicator's values newest first and returns only the first ``points``.
    """
    rows, period_field = figure_rows(
        authority=authority, start=BEGINNING, end=end, include_drafts=include_drafts
    )
    newest_first = Window(RowNumber(), partition_by=[F("indicator_id")], order_by=F(period_field).desc())
    rows = (
        rows.filter(value__isnull=False)
        .annotate(newest=newest_first)
        .filter(newest__lte=points)
        .order_by()
        .values_list("indicator_id", period_field, "value")
    )
    series: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for indicator_id, period, value in rows:
        series[indicator_id].append((period, value))
    for points_of_one in series.values():
        points_of_one.sort()
    return series


#: Figures are stored to FIGURE's decimal places, so in these units every figure is an exact whole number.
SCALE = 10 ** FIGURE["decimal_places"]


def series_sums_fetch(
    *, authority: Authority, end: datetime.date, include_drafts: bool
) -> dict[int, SeriesSums]:
    """Each indicator's SPC series reduced to what the grid's icons need (``spc_signal.SeriesSums``), in one
    query: the database counts and adds the latest 60 values and hands over only the 6 newest, as exact whole
    numbers of ten-thousandths, instead of 60 values per indicator. The series is ``series_fetch``'s: the same
    rows, from ``figure_rows``. Approved series are read from their summaries, kept at approval.
    """
    if not include_drafts:
        # Approved figures change only at approval, which keeps their sums (``scorecards.core.series``).
        from scorecards.core.series import approved_series_sums  # it reads the figures this module defines

        return approved_series_sums(authority=authority, end=end)
    return series_sums_live(authority=authority, end=end, include_drafts=include_drafts)


def series_sums_live(
    *, authority: Authority, end: datetime.date, include_drafts: bool
) -> dict[int, SeriesSums]:
    """``series_sums_fetch`` worked out from the figures themselves, working or approved."""
    rows, period_field = figure_rows(
        authority=authority, start=BEGINNING, end=end, include_drafts=include_drafts
    )
    newest_first = {"partition_by": [F("indicator_id")], "order_by": F(period_field).desc()}
    # One pass numbers the values newest first and pairs each with the one before it in time (the next rank).
    series = (
        rows.filter(value__isnull=False)
        .annotate(newest=Window(RowNumber(), **newest_first), earlier=Window(Lead("value"), **newest_first))
        .filter(newest__lte=MAX_POINTS)
        .order_by()
        .values_list("indicator_id", "newest", "value", "earlier")
    )
    inner, params = series.query.sql_with_params()
    # PostgreSQL adds its exact numerics as they are; SQLite keeps REAL, so each figure becomes a whole number
    # of ten-thousandths first (exact: figures have 4 decimal places) and the sums stay exact.
    if connection.vendor == "postgresql":
        value, earlier = "value", "earlier"
    else:
        value, earlier = (f"CAST(ROUND({name} * {SCALE}) AS INTEGER)" for name in ("value", "earlier"))
    latest = ", ".join(
        f"MAX(CASE WHEN newest = {rank} THEN {value} END)" for rank in range(1, LATEST_VALUES + 1)
    )
    # The oldest of the 60 is paired with a 61st value, outside the series: its moving range does not count.
    sql = (
        f"SELECT indicator_id, COUNT(*), SUM({value}), SUM(CASE WHEN newest < {MAX_POINTS} "  # noqa: S608
        f"THEN ABS({value} - {earlier}) END), {latest} FROM ({inner}) AS series GROUP BY indicator_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return {
        indicator_id: SeriesSums(
            points,
            _whole(total),
            _whole(moving or 0),
            tuple(_whole(v) for v in latest if v is not None),
            SCALE,
        )
        for indicator_id, points, total, moving, *latest in found
    }


def _whole(figure: int | Decimal) -> int:
    """A sum as a whole number of ten-thousandths: SQLite's already are; PostgreSQL's exact numerics scale."""
    return figure if isinstance(figure, int) else int(figure * SCALE)
