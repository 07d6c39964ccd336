"""Reads: the scorecard, built once with a fixed number of queries and already rated.

The page, the table, the charts, the CSV/JSON/XLSX exports and the PDF all draw from ``scorecard_build``,
so they can never disagree about a figure, a direction or a RAG status.

Who reads what: people who enter data (``include_drafts=True``, asked for explicitly) read the working figures;
everyone else reads the figures an approver signed off, from each month's latest snapshot, and never the
working figures. Drafts are shown only when asked for.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from authorities.models import Authority
from scorecards import rating, spc
from scorecards.core.benchmark_figures import benchmarks_fetch, merge_benchmarks  # noqa: F401
from scorecards.core.cohorts import cohort_rows, cohorts_fetch
from scorecards.core.figures import (  # noqa: F401 - Figure and latest_snapshots are read from here too
    Figure,
    figures_fetch,
    latest_snapshots,
    series_fetch,
    series_sums_fetch,
)
from scorecards.core.targets import NO_TARGETS, IndicatorTargets, targets_fetch
from scorecards.labels import figure_text
from scorecards.models import (
    ChangeRecord,
    Indicator,
    MonthlyValue,
    MonthSnapshot,
    ScorecardMonth,
    SignOffState,
    SnapshotFigure,
    ValueStatus,
)
from scorecards.quarters import Quarter, quarter_window
from scorecards.rows import (  # noqa: F401 - the window constants are part of this module's interface
    BENCHMARK_FIELDS,
    DEFAULT_MONTHS,
    HEADLINE_SECTION,
    WINDOW_CHOICES,
    BenchmarkFigures,
    HeadlineTile,
    MonthCell,
    Scorecard,
    ScorecardRow,
)
from scorecards.spc_signal import SeriesSums, signal_from_sums, spc_signal

NO_SUMS = SeriesSums(0, 0, 0, ())


def _working_changes(
    *, authority: Authority, start: datetime.date, end: datetime.date
) -> dict[tuple[int, datetime.date], datetime.datetime]:
    """When each working figure was last changed (not its value): enough to mark drafts and revisions."""
    return {
        (indicator_id, period): updated_at
        for indicator_id, period, updated_at in MonthlyValue.objects.filter(
            authority=authority, period__gte=start, period__lte=end
        ).values_list("indicator_id", "period", "updated_at")
    }


def _cell_text(figure: Figure | None, indicator: Indicator) -> str:
    if figure is None:
        return "–"
    if figure.value is not None:
        return figure_text(
            figure.value, indicator.unit, indicator.decimals, figure.numerator, figure.denominator
        )
    return ValueStatus(figure.status).label if figure.status else "–"


def scorecard_build(
    *,
    authority: Authority,
    period: datetime.date | Quarter,
    months: int = DEFAULT_MONTHS,
    indicator_codes: list[str] | None = None,
    include_drafts: bool = False,
    with_cohorts: bool = True,
    with_series: bool = True,
) -> Scorecard:
    """The rated scorecard of one authority at one month, in a fixed number of queries whatever its size.

    With ``include_drafts`` (people who enter data) the working figures, drafts marked; without it the figures
    as approved, each month from its latest snapshot, and months never approved shown as awaiting approval.
    A ``Quarter`` period gives the quarter's scorecard, ``months`` then counting quarters
    (``scorecards.core.quarterly``). Without ``with_cohorts`` (the grid, which shows none) no cohort is read.
    Without ``with_series`` (the grid, which draws no chart) each row has its SPC icons but not its series.
    """
    if isinstance(period, Quarter):
        from scorecards.core.quarterly import quarter_scorecard_build  # it builds on this module

        return quarter_scorecard_build(
            authority=authority,
            quarter=period,
            quarters=months,
            indicator_codes=indicator_codes,
            include_drafts=include_drafts,
            with_cohorts=with_cohorts,
        )
    window = rating.month_window(period, months)
    earliest = min(window[0], _headline_earliest(period))
    # Sign-offs of the months the page can show: the window and the headline tiles' look-back, not every year.
    sign_offs = sign_offs_fetch(authority=authority, start=earliest, end=period)
    indicators = catalogue_fetch(indicator_codes)
    headline_ids = [indicator.pk for indicator in indicators if indicator.section == HEADLINE_SECTION]
    figures = figures_fetch(
        authority=authority,
        start=window[0],
        end=period,
        include_drafts=include_drafts,
        look_back=(earliest, headline_ids),
    )
    # The SPC series reach back to 60 values each, in one more query whatever the catalogue's size; the grid's
    # icons need only the sums and 6 latest values of each, which the database hands over instead.
    if with_series:
        series, sums = series_fetch(authority=authority, end=period, include_drafts=include_drafts), None
    else:
        series, sums = {}, series_sums_fetch(authority=authority, end=period, include_drafts=include_drafts)
    # When working figures last changed marks drafts and revisions; only months not (or no longer) approved
    # can have such marks, so a fully approved window costs no query for it.
    unsettled = [
        month for month in window if month not in sign_offs or sign_offs[month].state != SignOffState.APPROVED
    ]
    changed = (
        _working_changes(authority=authority, start=min(unsettled), end=max(unsettled)) if unsettled else {}
    )

    benchmarks, years_by_indicator = benchmarks_fetch(authority=authority, period=period)
    targets = targets_fetch(authority=authority)
    cohorts = (
        cohorts_fetch(
            authority=authority,
            start=window[0],
            end=period,
            include_drafts=include_drafts,
            indicator_ids=[indicator.pk for indicator in indicators] if indicator_codes is not None else None,
        )
        if with_cohorts
        else {}
    )

    rows = []
    headlines = []
    for indicator in indicators:
        stored = figures.get(indicator.pk, {})
        cells = [
            _cell(indicator, month, stored.get(month), sign_offs.get(month), changed.get((indicator.pk, month)),
                  include_drafts=include_drafts)
            for month in window
        ]  # fmt: skip
        rows.append(
            row_rate(
                indicator,
                cells,
                period=period,
                benchmarks=benchmarks,
                years=years_by_indicator.get(indicator.pk, []),
                targets=targets.get(indicator.pk, NO_TARGETS),
                points=series.get(indicator.pk, []) if sums is None else None,
                sums=sums.get(indicator.pk, NO_SUMS) if sums is not None else None,
                cohorts=cohort_rows(indicator, window, cohorts.get(indicator.pk, {})),
            )
        )
        if indicator.section == HEADLINE_SECTION:
            history = [(month, figure.value) for month, figure in stored.items() if figure.value is not None]
            headlines.append(HeadlineTile(indicator, *rating.latest_two(history)))
    return Scorecard(
        authority=authority,
        period=period,
        months=window,
        rows=rows,
        headlines=headlines,
        sign_off=sign_offs.get(period),
        include_drafts=include_drafts,
        month_notes=tuple(_month_note(sign_offs.get(month), include_drafts) for month in window),
    )


def sign_offs_fetch(*, authority: Authority, start: datetime.date, end: datetime.date) -> dict:
    """The sign-offs of the months between start and end, by month (no ORDER BY: a dict needs none)."""
    months = ScorecardMonth.objects.filter(authority=authority, period__gte=start, period__lte=end)
    return {month.period: month for month in months.order_by()}


def catalogue_fetch(indicator_codes: list[str] | None) -> list[Indicator]:
    """The catalogue, or the indicators named, in catalogue order."""
    query = Indicator.objects.all()
    if indicator_codes is not None:
        query = query.filter(code__in=indicator_codes)
    return indicators_in_catalogue_order(list(query))


def row_rate(
    indicator: Indicator,
    cells: list[MonthCell],
    *,
    period: datetime.date,
    benchmarks: dict[tuple[int, str], BenchmarkFigures],
    years: list[str],
    targets: IndicatorTargets,
    points: list[tuple[datetime.date, Decimal]] | None,
    sums: SeriesSums | None = None,
    cohorts: tuple = (),
) -> ScorecardRow:
    """One indicator's rated row from its cells (months, or quarters held as their last month).

    The SPC icons come from the series ``points`` or, for the grid, from its ``sums`` (then the row has no
    series: ``points`` is None).
    """
    latest, previous = rating.latest_two([(cell.period, cell.value) for cell in cells])
    year = rating.benchmark_year_for(period, years)
    benchmark = benchmarks.get((indicator.pk, year)) if year else None
    benchmark = benchmark or BenchmarkFigures(year=None)
    target = targets.target(period)
    baseline = targets.baseline(period)
    result = rating.rate(
        latest.value if latest else None,
        polarity=indicator.polarity,
        decimals=indicator.decimals,
        target=_comparator("target", target[1], target[0]) if target else None,
        england=_comparator("England", benchmark.england, benchmark.year),
        sn_average=_comparator("SN average", benchmark.sn_average, benchmark.year),
        amber_tolerance=indicator.amber_tolerance,
    )
    return ScorecardRow(
        indicator=indicator,
        cells=tuple(cells),
        latest=latest,
        previous=previous,
        benchmark=benchmark,
        target=target,
        baseline=baseline,
        direction=rating.direction(
            latest.value if latest else None,
            previous.value if previous else None,
            polarity=indicator.polarity,
            decimals=indicator.decimals,
        ),
        rating=result,
        period=period,
        series=tuple(points) if points is not None else None,
        # The icons' variation and assurance; the full chart (``row.spc``) is worked out when something draws it.
        signal=spc_signal(points, polarity=indicator.polarity, target=target[1] if target else None)
        if sums is None
        else signal_from_sums(sums, polarity=indicator.polarity, target=target[1] if target else None),
        interval=_interval(indicator, latest, cells),
        # The steps a chart draws; the grid (no series) draws no chart.
        trajectory=targets.trajectory([cell.period for cell in cells]) if points is not None else (),
        target_month=targets.interim_month(period) if target else None,
        cohorts=cohorts,
    )


def _interval(
    indicator: Indicator, latest: rating.Observation | None, cells: list[MonthCell]
) -> tuple[Decimal, Decimal] | None:
    """The 95% Wilson interval of the latest value, when it is a percent with a numerator and denominator."""
    if latest is None or indicator.unit != "percent":
        return None
    cell = next(cell for cell in cells if cell.period == latest.period)
    return spc.wilson_interval(cell.numerator, cell.denominator)


def _cell(
    indicator: Indicator,
    month: datetime.date,
    figure: Figure | None,
    sign_off: ScorecardMonth | None,
    changed_at: datetime.datetime | None,
    *,
    include_drafts: bool,
) -> MonthCell:
    """One month of one row: the figure the reader may see, marked draft, revised or awaiting approval."""
    approved_at = sign_off.approved_at if sign_off is not None else None
    if figure is None and changed_at is not None and not include_drafts and approved_at is None:
        return MonthCell(month, None, "", "–", withheld=True)
    revised = (
        approved_at
        if changed_at is not None and approved_at is not None and changed_at > approved_at
        else None
    )
    return MonthCell(
        month,
        figure.value if figure else None,
        figure.status if figure else "",
        _cell_text(figure, indicator),
        figure.commentary if figure else "",
        numerator=figure.numerator if figure else None,
        denominator=figure.denominator if figure else None,
        draft=include_drafts
        and figure is not None
        and (sign_off is None or sign_off.state != SignOffState.APPROVED),
        revised_since=revised,
    )


def periods_with_data(*, authority: Authority, include_drafts: bool = False) -> list[datetime.date]:
    """Months the reader may see that have any figure, newest first, for the month picker."""
    if include_drafts:
        periods = MonthlyValue.objects.filter(authority=authority).values_list("period", flat=True)
        return list(periods.order_by("-period").distinct())
    # A month counts once an approved snapshot of it holds a figure: ask for one per snapshot, not every figure.
    has_figure = SnapshotFigure.objects.filter(snapshot=OuterRef("pk"))
    periods = MonthSnapshot.objects.filter(Exists(has_figure), authority=authority).values_list(
        "period", flat=True
    )
    return list(periods.order_by("-period").distinct())


def newest_period(*, authority: Authority, include_drafts: bool = False) -> datetime.date | None:
    """The newest month the reader may see that has a figure."""
    periods = periods_with_data(authority=authority, include_drafts=include_drafts)
    return periods[0] if periods else None


def indicator_history(
    *, authority: Authority, indicator: Indicator, limit: int = 100, include_drafts: bool = False
) -> list[ChangeRecord]:
    """The newest changes to this indicator's figures, benchmarks and targets for the authority.

    Without ``include_drafts`` (board members), changes to figures not yet approved (months never approved,
    or changed since their approval) are left out, as the scorecard does not show those figures either.
    """
    records = ChangeRecord.objects.filter(authority=authority, indicator=indicator)
    if not include_drafts:
        approved = MonthSnapshot.objects.filter(
            authority=authority, period=OuterRef("period"), approved_at__gte=OuterRef("at")
        )
        records = records.filter(~Q(kind="value") | Exists(approved))
    return list(records.order_by("-at", "-pk")[:limit])


def indicators_in_catalogue_order(indicators: list[Indicator]) -> list[Indicator]:
    """Sections in the order of their first indicator, indicators in catalogue order within a section."""
    by_section: dict[str, list[Indicator]] = {}
    for indicator in sorted(indicators, key=lambda i: (i.position, i.code)):
        by_section.setdefault(indicator.section, []).append(indicator)
    return [indicator for section in by_section.values() for indicator in section]


def _comparator(label: str, value: Decimal | None, year: str | None) -> rating.Comparator | None:
    return rating.Comparator(label, value, year) if value is not None else None


def scorecard_heading(
    *,
    authority: Authority,
    period: datetime.date | Quarter,
    months: int = DEFAULT_MONTHS,
    include_drafts: bool = False,
) -> Scorecard:
    """The scorecard without rows: enough for the page around a cached grid (the sign-off banner and
    actions), in one query; none for a quarter, which has no sign-off of its own."""
    if isinstance(period, Quarter):
        window = [quarter.last_month for quarter in quarter_window(period, months)]
        return Scorecard(
            authority=authority,
            period=period.last_month,
            months=window,
            rows=[],
            headlines=[],
            include_drafts=include_drafts,
            quarterly=True,
        )
    sign_off = (
        ScorecardMonth.objects.select_related("approved_by")
        .filter(authority=authority, period=period)
        .first()
    )
    return Scorecard(
        authority=authority,
        period=period,
        months=rating.month_window(period, months),
        rows=[],
        headlines=[],
        sign_off=sign_off,
        include_drafts=include_drafts,
    )


def _month_note(sign_off: ScorecardMonth | None, include_drafts: bool) -> str:
    if sign_off is None:
        return "draft" if include_drafts else ""
    if sign_off.state == SignOffState.APPROVED:
        return ""
    if not include_drafts:
        return "revised" if sign_off.approved_at else ""
    if sign_off.approved_at:
        return "revised"
    return "submitted" if sign_off.state == SignOffState.SUBMITTED else "draft"


def _headline_earliest(period: datetime.date) -> datetime.date:
    """How far back a headline tile looks for its latest and previous figures: two years."""
    return datetime.date(period.year - 2, period.month, 1)
