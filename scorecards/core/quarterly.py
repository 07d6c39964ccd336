"""Reads: the scorecard of a quarter, rated by the monthly rules with the quarter in place of the month.

shared/CONTRACT.md, "Quarters": each column is a quarter (``2019-20-Q4``, held as its last month, the month
that decides the benchmark year, the target, interim targets included, and the baseline); each indicator's
quarter value comes from its months by its ``quarter_rule`` (``scorecards.quarters``); the window counts
quarters (default 5); the SPC series is the quarters' values and the interval uses the quarter's numerator
and denominator. The same row builder as a month's (``selectors.row_rate``) rates every row, so a quarter
can never be rated by other rules. A fixed number of queries whatever the catalogue's size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from authorities.models import Authority
from scorecards import rating
from scorecards.core import selectors
from scorecards.core.cohorts import cohort_rows, cohorts_fetch
from scorecards.core.figures import figure_rows, figures_fetch
from scorecards.core.selectors import (
    HEADLINE_SECTION,
    benchmarks_fetch,
    row_rate,
)
from scorecards.core.targets import NO_TARGETS, targets_fetch
from scorecards.labels import figure_text
from scorecards.models import Indicator, ScorecardMonth, SignOffState, ValueStatus
from scorecards.quarters import (
    DEFAULT_QUARTERS,
    MULTIPLIERS,
    POOLED,
    STORED_PLACES,
    SUM,
    Quarter,
    QuarterFigure,
    quarter_figure,
    quarter_window,
)
from scorecards.rows import HeadlineTile, MonthCell, Scorecard
from scorecards.spc import MAX_POINTS

QUARTER_WINDOW_CHOICES = (4, 5, 8)
#: What a quarter cell says when its rule needed more months than it had, e.g. "2 of 3 months".
INCOMPLETE = "{count} of 3 months"
#: The grid's column note for a quarter with a month not yet approved (people who enter data only).
DRAFT_NOTE = "draft"
EMPTY = QuarterFigure(None)
#: A month's indicator, month, value, numerator and denominator: all a quarter before the window needs.
MonthValues = tuple[int, datetime.date, Decimal, Decimal | None, Decimal | None]


def quarter_scorecard_build(
    *,
    authority: Authority,
    quarter: Quarter,
    quarters: int = DEFAULT_QUARTERS,
    indicator_codes: list[str] | None = None,
    include_drafts: bool = False,
    with_cohorts: bool = True,
) -> Scorecard:
    """The rated scorecard of one authority at one quarter, with a window of ``quarters`` quarters."""
    window_quarters = quarter_window(quarter, quarters)
    window = [each.last_month for each in window_quarters]
    period, first_month = quarter.last_month, window_quarters[0].first_month
    sign_offs = selectors.sign_offs_fetch(authority=authority, start=first_month, end=period)
    indicators = selectors.catalogue_fetch(indicator_codes)
    figures = figures_fetch(authority=authority, start=first_month, end=period, include_drafts=include_drafts)
    # The SPC series reaches back to 60 quarters; the months of those before the window are read values only.
    earlier = _history_fetch(
        authority=authority,
        quarters=quarter_window(window_quarters[0].shifted(-1), MAX_POINTS - len(window_quarters)),
        include_drafts=include_drafts,
    )
    benchmarks, years_by_indicator = benchmarks_fetch(authority=authority, period=period)
    targets = targets_fetch(authority=authority)
    cohorts = (
        cohorts_fetch(
            authority=authority,
            start=first_month,
            end=period,
            include_drafts=include_drafts,
            indicator_ids=[indicator.pk for indicator in indicators] if indicator_codes is not None else None,
        )
        if with_cohorts
        else {}
    )
    columns = [_Column(each, sign_offs) for each in window_quarters]

    rows, headlines = [], []
    for indicator in indicators:
        by_month = figures.get(indicator.pk, {})
        made = [
            quarter_figure(indicator.quarter_rule, indicator.unit, column.quarter, by_month)
            if any(month in by_month for month in column.quarter.months)
            else EMPTY
            for column in columns
        ]
        cells = [
            _cell(indicator, column, figure, include_drafts=include_drafts)
            for column, figure in zip(columns, made, strict=True)
        ]
        # The quarters before the window give their values only: their cells are not shown.
        points = _history_points(indicator, earlier.get(indicator.pk, {})) + [
            (cell.period, cell.value) for cell in cells if cell.value is not None
        ]
        rows.append(
            row_rate(
                indicator,
                cells,
                period=period,
                benchmarks=benchmarks,
                years=years_by_indicator.get(indicator.pk, []),
                targets=targets.get(indicator.pk, NO_TARGETS),
                points=points[-MAX_POINTS:],
                cohorts=cohort_rows(indicator, window, cohorts.get(indicator.pk, {}), quarterly=True),
            )
        )
        if indicator.section == HEADLINE_SECTION:
            headlines.append(HeadlineTile(indicator, *rating.latest_two(points), quarterly=True))
    return Scorecard(
        authority=authority,
        period=period,
        months=window,
        rows=rows,
        headlines=headlines,
        include_drafts=include_drafts,
        month_notes=tuple(
            DRAFT_NOTE if any(row.cells[index].draft for row in rows) else "" for index in range(len(window))
        ),
        quarterly=True,
    )


class _Column:
    """A quarter of the window and what its months' sign-offs say of every cell in it."""

    def __init__(self, quarter: Quarter, sign_offs: dict[datetime.date, ScorecardMonth]) -> None:
        self.quarter = quarter
        # Months not approved (or changed since): their figures are drafts to officers, withheld from others.
        self.unsettled = frozenset(
            month
            for month in quarter.months
            if month not in sign_offs or sign_offs[month].state != SignOffState.APPROVED
        )
        self.awaiting = any(
            month in sign_offs and sign_offs[month].approved_at is None for month in self.unsettled
        )


def _history_fetch(
    *, authority: Authority, quarters: list[Quarter], include_drafts: bool
) -> dict[int, dict[datetime.date, list[MonthValues]]]:
    """The months of the quarters before the window that have a value, by indicator and quarter (its last
    month), in one query: values, numerators and denominators only, as they alone make a quarter's value."""
    by_indicator: dict[int, dict[datetime.date, list[MonthValues]]] = defaultdict(lambda: defaultdict(list))
    if not quarters:
        return by_indicator
    quarter_end = {month: each.last_month for each in quarters for month in each.months}
    rows, period_field = figure_rows(
        authority=authority,
        start=quarters[0].first_month,
        end=quarters[-1].last_month,
        include_drafts=include_drafts,
    )
    # No ORDER BY: the models' default orderings would join the authority and the catalogue only to sort.
    rows = rows.filter(value__isnull=False).order_by()
    for row in rows.values_list("indicator_id", period_field, "value", "numerator", "denominator"):
        by_indicator[row[0]][quarter_end[row[1]]].append(row)
    return by_indicator


def _history_points(
    indicator: Indicator, by_quarter: dict[datetime.date, list[MonthValues]]
) -> list[tuple[datetime.date, Decimal]]:
    """The values of the quarters before the window, oldest first, each held as its last month."""
    points = []
    for last_month in sorted(by_quarter):
        value = quarter_value(indicator.quarter_rule, indicator.unit, by_quarter[last_month])
        if value is not None:
            points.append((last_month, value))
    return points


def quarter_value(rule: str, unit: str, months: list[MonthValues]) -> Decimal | None:
    """``quarters.quarter_figure``'s value, from the quarter's months that have a value (in any order): the
    same rule without the quarter's commentary, status and counts, which only its cell shows. A quarter of the
    SPC series costs a fraction of a full quarter figure (tests check that the two always agree)."""
    if not months:
        return None
    if rule == SUM:
        return sum(value for _, _, value, _, _ in months) if len(months) == 3 else None
    if rule == POOLED:
        pairs = [(numerator, denominator) for _, _, _, numerator, denominator in months]
        if len(pairs) < 3 or any(
            numerator is None or denominator is None for numerator, denominator in pairs
        ):
            return None
        denominator = sum((denominator for _, denominator in pairs), Decimal(0))
        if not denominator:
            return None
        numerator = sum((numerator for numerator, _ in pairs), Decimal(0))
        return (numerator / denominator * MULTIPLIERS.get(unit, Decimal(1))).quantize(
            STORED_PLACES, rounding=ROUND_HALF_UP
        )
    _, _, latest, _, _ = max(months)  # end: the latest month's value
    return latest


def _cell(indicator: Indicator, column: _Column, made: QuarterFigure, *, include_drafts: bool) -> MonthCell:
    """One quarter of one row: its figure by the indicator's rule, marked draft or awaiting approval."""
    quarter = column.quarter
    if made.value is not None:
        text = figure_text(made.value, indicator.unit, indicator.decimals, made.numerator, made.denominator)
    elif made.status:
        text = ValueStatus(made.status).label
    elif made.incomplete:
        text = INCOMPLETE.format(count=made.incomplete)
    else:
        text = "–"
    return MonthCell(
        quarter.last_month,
        made.value,
        made.status if made.value is None else "",
        text,
        made.commentary,
        numerator=made.numerator,
        denominator=made.denominator,
        draft=include_drafts and any(month in column.unsettled for month in made.months),
        withheld=not include_drafts and made.value is None and column.awaiting,
        label=quarter.label,
    )
