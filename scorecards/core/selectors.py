"""Reads: the scorecard, built once with a fixed number of queries and already rated.

The page, the table, the charts, the CSV/JSON/XLSX exports and the PDF all draw from ``scorecard_build``,
so they can never disagree about a figure, a direction or a RAG status.

Who reads what: people who enter data (``include_drafts=True``, asked for explicitly) read the working figures;
everyone else reads the figures an approver signed off, from each month's latest snapshot, and never the
working figures. Drafts are shown only when asked for.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Exists, F, Max, OuterRef, Q, Window

from authorities.models import Authority
from scorecards import rating
from scorecards.formatting import format_value
from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    ChangeRecord,
    Indicator,
    MonthlyValue,
    MonthSnapshot,
    ScorecardMonth,
    SignOffState,
    SnapshotFigure,
    Target,
    TargetKind,
    ValueStatus,
)
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
    if include_drafts:
        period_field = "period"
        rows = MonthlyValue.objects.filter(authority=authority, period__gte=earliest, period__lte=end)
    else:
        period_field = "snapshot__period"
        rows = SnapshotFigure.objects.filter(
            snapshot__in=latest_snapshots(authority=authority, start=earliest, end=end)
        )
    if earliest < start:
        rows = rows.filter(Q(**{f"{period_field}__gte": start}) | Q(indicator_id__in=look_back[1]))
    rows = rows.filter(cohort="").values_list(
        "indicator_id", period_field, "value", "numerator", "denominator", "status", "commentary"
    )
    for indicator_id, period, *figure in rows:
        by_indicator[indicator_id][period] = Figure(*figure)
    return by_indicator


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
        return format_value(figure.value, indicator.unit, indicator.decimals)
    return ValueStatus(figure.status).label if figure.status else "–"


def scorecard_build(
    *,
    authority: Authority,
    period: datetime.date,
    months: int = DEFAULT_MONTHS,
    indicator_codes: list[str] | None = None,
    include_drafts: bool = False,
) -> Scorecard:
    """The rated scorecard of one authority at one month, in a fixed number of queries whatever its size.

    With ``include_drafts`` (people who enter data) the working figures, drafts marked; without it the figures
    as approved, each month from its latest snapshot, and months never approved shown as awaiting approval.
    """
    window = rating.month_window(period, months)
    earliest = min(window[0], _headline_earliest(period))
    # Sign-offs of the months the page can show: the window and the headline tiles' look-back, not every year.
    sign_offs = {
        month.period: month
        for month in ScorecardMonth.objects.filter(
            authority=authority, period__gte=earliest, period__lte=period
        )
    }
    indicator_query = Indicator.objects.all()
    if indicator_codes is not None:
        indicator_query = indicator_query.filter(code__in=indicator_codes)
    indicators = indicators_in_catalogue_order(list(indicator_query))
    headline_ids = [indicator.pk for indicator in indicators if indicator.section == HEADLINE_SECTION]
    figures = figures_fetch(
        authority=authority,
        start=window[0],
        end=period,
        include_drafts=include_drafts,
        look_back=(earliest, headline_ids),
    )
    # When working figures last changed marks drafts and revisions; only months not (or no longer) approved
    # can have such marks, so a fully approved window costs no query for it.
    unsettled = [
        month for month in window if month not in sign_offs or sign_offs[month].state != SignOffState.APPROVED
    ]
    changed = (
        _working_changes(authority=authority, start=min(unsettled), end=max(unsettled)) if unsettled else {}
    )

    # Only each indicator's benchmark year (the latest that ended before the month), both sources of it; not
    # every year. Years written YYYY/YY sort as text, so the database can pick the latest.
    benchmarks = _merge_benchmarks(
        list(
            Benchmark.objects.filter(authority=authority, year__lte=_latest_ended_year(period))
            .annotate(year_in_use=Window(Max("year"), partition_by=[F("indicator_id")]))
            .filter(year=F("year_in_use"))
            .order_by()
        )
    )
    years_by_indicator: dict[int, list[str]] = defaultdict(list)
    for indicator_id, year in benchmarks:
        years_by_indicator[indicator_id].append(year)

    targets: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(dict)
    for target in Target.objects.filter(authority=authority).only("indicator_id", "kind", "year", "value"):
        targets[(target.indicator_id, target.kind)][target.year] = target.value

    rows = []
    headlines = []
    for indicator in indicators:
        stored = figures.get(indicator.pk, {})
        cells = [
            _cell(indicator, month, stored.get(month), sign_offs.get(month), changed.get((indicator.pk, month)),
                  include_drafts=include_drafts)
            for month in window
        ]  # fmt: skip
        latest, previous = rating.latest_two([(cell.period, cell.value) for cell in cells])
        year = rating.benchmark_year_for(period, years_by_indicator.get(indicator.pk, []))
        benchmark = benchmarks.get((indicator.pk, year)) if year else None
        benchmark = benchmark or BenchmarkFigures(year=None)
        target = rating.target_for(period, targets.get((indicator.pk, TargetKind.TARGET), {}))
        baseline = rating.baseline_for(period, targets.get((indicator.pk, TargetKind.BASELINE), {}))
        result = rating.rate(
            latest.value if latest else None,
            polarity=indicator.polarity,
            decimals=indicator.decimals,
            target=_comparator("target", target[1], target[0]) if target else None,
            england=_comparator("England", benchmark.england, benchmark.year),
            sn_average=_comparator("SN average", benchmark.sn_average, benchmark.year),
            amber_tolerance=indicator.amber_tolerance,
        )
        rows.append(
            ScorecardRow(
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
    else:
        periods = MonthSnapshot.objects.filter(authority=authority, figures__isnull=False).values_list(
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


def _merge_benchmarks(rows: list[Benchmark]) -> dict[tuple[int, str], BenchmarkFigures]:
    """Per indicator and year, every figure from the council's own entry if present, else from DfE."""
    grouped: dict[tuple[int, str], list[Benchmark]] = defaultdict(list)
    for benchmark in rows:
        grouped[(benchmark.indicator_id, benchmark.year)].append(benchmark)
    merged = {}
    for key, candidates in grouped.items():
        candidates.sort(key=lambda b: 0 if b.source == BenchmarkSource.ENTERED else 1)
        figures: dict[str, object] = {}
        sources: dict[str, str] = {}
        for name in BENCHMARK_FIELDS:
            for benchmark in candidates:
                value = getattr(benchmark, name)
                if value is not None:
                    figures[name], sources[name] = value, benchmark.source
                    break
        note = next((b.note for b in candidates if b.note), "")
        merged[key] = BenchmarkFigures(year=key[1], note=note, sources=sources, **figures)
    return merged


def _comparator(label: str, value: Decimal | None, year: str | None) -> rating.Comparator | None:
    return rating.Comparator(label, value, year) if value is not None else None


def scorecard_heading(
    *, authority: Authority, period: datetime.date, months: int = DEFAULT_MONTHS, include_drafts: bool = False
) -> Scorecard:
    """The scorecard without rows: enough for the page around a cached grid (the sign-off banner and
    actions), in one query."""
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


def _latest_ended_year(period: datetime.date) -> str:
    """The latest financial year that ended (31 March) before the period's month starts."""
    return rating.financial_year_label(period.year - 1 if period.month >= 4 else period.year - 2)
