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

from authorities.models import Authority
from scorecards import rating
from scorecards.core.cohorts import cohort_rows, cohorts_fetch
from scorecards.core.figures import Figure, figure_rows, figures_fetch
from scorecards.core.selectors import (
    HEADLINE_SECTION,
    benchmarks_fetch,
    indicators_in_catalogue_order,
    row_rate,
)
from scorecards.core.targets import NO_TARGETS, targets_fetch
from scorecards.labels import figure_text
from scorecards.models import Indicator, ScorecardMonth, SignOffState, ValueStatus
from scorecards.quarters import DEFAULT_QUARTERS, Quarter, QuarterFigure, quarter_figure, quarter_window
from scorecards.rows import HeadlineTile, MonthCell, Scorecard
from scorecards.spc import MAX_POINTS

QUARTER_WINDOW_CHOICES = (4, 5, 8)
#: What a quarter cell says when its rule needed more months than it had, e.g. "2 of 3 months".
INCOMPLETE = "{count} of 3 months"
#: The grid's column note for a quarter with a month not yet approved (people who enter data only).
DRAFT_NOTE = "draft"
EMPTY = QuarterFigure(None)


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
    # The SPC series reaches back to 60 quarters; their months before the window are read values only.
    history_start = quarter.shifted(-(MAX_POINTS - 1)).first_month
    sign_offs = {
        month.period: month
        for month in ScorecardMonth.objects.filter(
            authority=authority, period__gte=first_month, period__lte=period
        )
    }
    indicator_query = Indicator.objects.all()
    if indicator_codes is not None:
        indicator_query = indicator_query.filter(code__in=indicator_codes)
    indicators = indicators_in_catalogue_order(list(indicator_query))
    figures = figures_fetch(authority=authority, start=first_month, end=period, include_drafts=include_drafts)
    earlier = _history_fetch(
        authority=authority, start=history_start, before=first_month, include_drafts=include_drafts
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
    every_quarter = quarter_window(quarter, MAX_POINTS)

    rows, headlines = [], []
    for indicator in indicators:
        by_month = {**earlier.get(indicator.pk, {}), **figures.get(indicator.pk, {})}
        # Quarters before the indicator's first figure have no value: they cost nothing.
        first = Quarter.of(min(by_month)) if by_month else quarter.shifted(1)
        made = {
            each: quarter_figure(indicator.quarter_rule, indicator.unit, each, by_month)
            if each >= first
            else EMPTY
            for each in every_quarter
        }
        cells = [
            _cell(indicator, each, made[each], sign_offs, include_drafts=include_drafts)
            for each in window_quarters
        ]
        points = [
            (each.last_month, made[each].value) for each in every_quarter if made[each].value is not None
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


def _history_fetch(
    *, authority: Authority, start: datetime.date, before: datetime.date, include_drafts: bool
) -> dict[int, dict[datetime.date, Figure]]:
    """The figures of the months before the window, values only (no commentary), in one query."""
    by_indicator: dict[int, dict[datetime.date, Figure]] = defaultdict(dict)
    if start >= before:
        return by_indicator
    end = rating.month_window(before, 2)[0]
    rows, period_field = figure_rows(authority=authority, start=start, end=end, include_drafts=include_drafts)
    for indicator_id, period, value, numerator, denominator, status in rows.values_list(
        "indicator_id", period_field, "value", "numerator", "denominator", "status"
    ):
        by_indicator[indicator_id][period] = Figure(value, numerator, denominator, status, "")
    return by_indicator


def _cell(
    indicator: Indicator,
    quarter: Quarter,
    made: QuarterFigure,
    sign_offs: dict[datetime.date, ScorecardMonth],
    *,
    include_drafts: bool,
) -> MonthCell:
    """One quarter of one row: its figure by the indicator's rule, marked draft or awaiting approval."""
    # Months not approved (or changed since): their figures are drafts to officers, and withheld from others.
    unsettled = [
        month
        for month in quarter.months
        if month not in sign_offs or sign_offs[month].state != SignOffState.APPROVED
    ]
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
        draft=include_drafts and bool(made.months) and any(month in unsettled for month in made.months),
        withheld=not include_drafts
        and made.value is None
        and any(month in sign_offs and sign_offs[month].approved_at is None for month in unsettled),
        label=quarter.label,
    )
