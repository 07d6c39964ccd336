"""The SPC sums of each approved series, kept in ``SeriesSummary``: rewritten at approval, read by the grid.

A board member's grid shows every indicator's variation and assurance icons, which need its series of up to
60 approved values reduced to a few sums (``spc_signal.SeriesSums``). Worked out from the snapshots on every
page, that is the page's most expensive query at England scale (120 months × 60 indicators sorted and
windowed: about 18 ms of a 95 ms page). Approved figures change only when a month is approved, so the sums
are worked out then, for every value from the approved month onwards, in the approval's transaction, and a
page reads one row per indicator. People who see drafts read the working figures, whose sums are worked out
live (``figures.series_sums_fetch``); tests check that both give the same sums for the same approved figures.
"""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Exists, OuterRef

from authorities.models import Authority
from scorecards.models import MonthSnapshot, SeriesSummary, SnapshotFigure
from scorecards.spc import MAX_POINTS
from scorecards.spc_signal import LATEST_VALUES, SeriesSums

#: Figures are stored to 4 decimal places, so in ten-thousandths every figure is an exact whole number.
SCALE = 10_000
NEWEST = [f"newest_{rank}" for rank in range(1, LATEST_VALUES + 1)]


def series_summaries_refresh(*, authority_id: int | None, start: datetime.date) -> None:
    """Rewrite the summaries of one authority's series (every authority's with None) that end at a value of
    ``start`` or later, from each month's latest approved snapshot, in two statements.

    The series ending at a value is that value and the ones before it, at most 60 (``MAX_POINTS``): the database
    counts and adds them with window functions over the values in time order, and pairs each value with the one
    before it for the moving ranges (the oldest of 60 is paired with a 61st, outside the series, so the moving
    ranges' window is one shorter).
    """
    summary = connection.ops.quote_name(SeriesSummary._meta.db_table)
    figure = connection.ops.quote_name(SnapshotFigure._meta.db_table)
    snapshot = connection.ops.quote_name(MonthSnapshot._meta.db_table)
    one = "AND s.authority_id = %s" if authority_id is not None else ""
    one_summary = "AND authority_id = %s" if authority_id is not None else ""
    scaled = f"CAST(ROUND(f.value * {SCALE}) AS BIGINT)"
    in_order = "PARTITION BY authority_id, indicator_id ORDER BY period"
    lags = ", ".join(f"LAG(v, {rank - 1}) OVER ({in_order})" for rank in range(2, LATEST_VALUES + 1))
    insert = f"""
        INSERT INTO {summary} (authority_id, indicator_id, period, points, total, moving, {", ".join(NEWEST)})
        SELECT * FROM (
            SELECT authority_id, indicator_id, period,
                   COUNT(*) OVER ({in_order} ROWS BETWEEN {MAX_POINTS - 1} PRECEDING AND CURRENT ROW),
                   SUM(v) OVER ({in_order} ROWS BETWEEN {MAX_POINTS - 1} PRECEDING AND CURRENT ROW),
                   COALESCE(SUM(mr) OVER ({in_order} ROWS BETWEEN {MAX_POINTS - 2} PRECEDING AND CURRENT ROW), 0),
                   v, {lags}
              FROM (
                SELECT s.authority_id, f.indicator_id, s.period, {scaled} AS v,
                       ABS({scaled} - LAG({scaled}) OVER (
                           PARTITION BY s.authority_id, f.indicator_id ORDER BY s.period)) AS mr
                  FROM {figure} f JOIN {snapshot} s ON s.id = f.snapshot_id
                 WHERE f.cohort = '' AND f.value IS NOT NULL {one}
                   AND NOT EXISTS (SELECT 1 FROM {snapshot} n
                                    WHERE n.authority_id = s.authority_id AND n.period = s.period
                                      AND n.revision > s.revision)
              ) AS series_values
        ) AS sums
        WHERE period >= %s
    """  # noqa: S608 - names from the models' metadata, quoted; numbers are constants; values as parameters
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {summary} WHERE period >= %s {one_summary}",  # noqa: S608 - as above
            [start, authority_id] if authority_id is not None else [start],
        )
        cursor.execute(insert, [authority_id, start] if authority_id is not None else [start])


def approved_series_sums(*, authority: Authority, end: datetime.date) -> dict[int, SeriesSums]:
    """Each indicator's approved series at ``end`` (the summary of its latest value at or before it), in one
    query of one row per indicator."""
    rows = SeriesSummary.objects.filter(authority=authority, period__lte=end)
    if connection.features.can_distinct_on_fields:
        rows = rows.order_by("indicator_id", "-period").distinct("indicator_id")
    else:
        later = SeriesSummary.objects.filter(
            authority=authority,
            indicator=OuterRef("indicator"),
            period__gt=OuterRef("period"),
            period__lte=end,
        )
        rows = rows.filter(~Exists(later)).order_by()
    return {
        indicator_id: SeriesSums(
            points, total, moving, tuple(value for value in newest if value is not None), SCALE
        )
        for indicator_id, points, total, moving, *newest in rows.values_list(
            "indicator_id", "points", "total", "moving", *NEWEST
        )
    }
