"""Reads: the scorecard, built once with a fixed number of queries and already rated.

The page, the table, the charts, the CSV/JSON/XLSX exports and the PDF all draw from ``scorecard_build``,
so they can never disagree about a figure, a direction or a RAG status.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, Max, OuterRef, Q, Window

from authorities.models import Authority
from scorecards import rating
from scorecards.formatting import (
    DIRECTION_LABELS,
    DIRECTION_SYMBOLS,
    RAG_LABELS,
    RAG_SYMBOLS,
    explain_rating,
    format_value,
)
from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    ChangeRecord,
    Indicator,
    MonthlyValue,
    ScorecardMonth,
    SignOffState,
    Target,
    TargetKind,
    ValueStatus,
)

DEFAULT_MONTHS = 6
WINDOW_CHOICES = (6, 12, 13)
HEADLINE_SECTION = "Headline"
BENCHMARK_FIELDS = ("england", "region", "sn_average", "sn_min", "sn_max", "sn_count", "own")
STATUS_ABBREVIATIONS = {
    ValueStatus.NOT_AVAILABLE: "n/a",
    ValueStatus.NOT_YET_REPORTED: "due",
    ValueStatus.SUPPRESSED: "supp.",
}
SOURCE_LABELS = {
    BenchmarkSource.ENTERED: "entered by the council",
    BenchmarkSource.DFE: "DfE published statistics",
}


@dataclass(frozen=True)
class MonthCell:
    period: datetime.date
    value: Decimal | None
    status: str
    text: str
    commentary: str = ""
    #: the month is not approved (only people who enter data see such figures, marked as drafts)
    draft: bool = False
    #: the figure changed after the month was last approved, on this date
    revised_since: datetime.datetime | None = None
    #: a figure exists but the reader may not see it until the month is approved
    withheld: bool = False

    @property
    def status_label(self) -> str:
        return ValueStatus(self.status).label if self.status else ""

    @property
    def status_abbr(self) -> str:
        return STATUS_ABBREVIATIONS.get(self.status, "")


@dataclass(frozen=True)
class BenchmarkFigures:
    """One benchmark year's comparators, merged: figures the council entered win over DfE's."""

    year: str | None
    england: Decimal | None = None
    region: Decimal | None = None
    sn_average: Decimal | None = None
    sn_min: Decimal | None = None
    sn_max: Decimal | None = None
    sn_count: int | None = None
    own: Decimal | None = None
    note: str = ""
    sources: dict[str, str] = field(default_factory=dict)

    def source_of(self, name: str) -> str:
        return SOURCE_LABELS.get(self.sources.get(name, ""), "")


@dataclass(frozen=True)
class ScorecardRow:
    indicator: Indicator
    cells: tuple[MonthCell, ...]
    latest: rating.Observation | None
    previous: rating.Observation | None
    benchmark: BenchmarkFigures
    target: tuple[str, Decimal] | None
    baseline: tuple[str, Decimal] | None
    direction: rating.Direction
    rating: rating.Rating
    period: datetime.date

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def rag(self) -> rating.Rag:
        return self.rating.rag

    @property
    def rag_label(self) -> str:
        return RAG_LABELS[self.rag]

    @property
    def rag_symbol(self) -> str:
        return RAG_SYMBOLS[self.rag]

    @property
    def rag_reason(self) -> str:
        return explain_rating(
            self.rating,
            unit=self.indicator.unit,
            decimals=self.indicator.decimals,
            polarity=self.indicator.polarity,
        )

    @property
    def direction_label(self) -> str:
        return DIRECTION_LABELS[self.direction]

    @property
    def direction_symbol(self) -> str:
        return DIRECTION_SYMBOLS[self.direction]

    @property
    def direction_reason(self) -> str:
        if self.direction == rating.Direction.NONE:
            return "No trend: fewer than two months with a value"
        assert self.latest and self.previous
        return (
            f"{self.direction_label}: {self.fmt(self.latest.value)} in {self.latest.period:%b %Y} "
            f"against {self.fmt(self.previous.value)} in {self.previous.period:%b %Y}"
        )

    @property
    def latest_is_lagged(self) -> bool:
        return self.latest is not None and self.latest.period != self.period

    def fmt(self, value: Decimal | None) -> str:
        return format_value(value, self.indicator.unit, self.indicator.decimals)

    @property
    def england_text(self) -> str:
        return self.fmt(self.benchmark.england)

    @property
    def sn_average_text(self) -> str:
        return self.fmt(self.benchmark.sn_average)

    @property
    def sn_range_text(self) -> str:
        low, high = self.benchmark.sn_min, self.benchmark.sn_max
        if low is None or high is None:
            return ""
        return f"{self.fmt(low)} to {self.fmt(high)}"

    @property
    def region_text(self) -> str:
        return self.fmt(self.benchmark.region)

    @property
    def own_text(self) -> str:
        return self.fmt(self.benchmark.own)

    @property
    def fmt_latest(self) -> str:
        return self.fmt(self.latest.value if self.latest else None)

    @property
    def england_source(self) -> str:
        return self.benchmark.source_of("england")

    @property
    def own_source(self) -> str:
        return self.benchmark.source_of("own")

    @property
    def region_source(self) -> str:
        return self.benchmark.source_of("region")

    @property
    def sn_average_source(self) -> str:
        count = self.benchmark.sn_count
        source = self.benchmark.source_of("sn_average")
        # The neighbour count describes the DfE computation; a typed average says nothing of how it was made.
        same_source = self.benchmark.sources.get("sn_count") == self.benchmark.sources.get("sn_average")
        return f"{source}; mean of {count} neighbours" if count and source and same_source else source

    @property
    def sn_range_source(self) -> str:
        return self.benchmark.source_of("sn_min")

    @property
    def target_text(self) -> str:
        return self.fmt(self.target[1]) if self.target else "–"

    @property
    def baseline_text(self) -> str:
        return self.fmt(self.baseline[1]) if self.baseline else "–"

    @property
    def commentary(self) -> list[MonthCell]:
        return [cell for cell in reversed(self.cells) if cell.commentary]


@dataclass(frozen=True)
class HeadlineTile:
    indicator: Indicator
    latest: rating.Observation | None
    previous: rating.Observation | None

    @property
    def change(self) -> Decimal | None:
        if self.latest is None or self.previous is None:
            return None
        return self.latest.value - self.previous.value

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return "no earlier figure"
        if change == 0:
            return f"no change since {self.previous.period:%b %Y}"
        word = "up" if change > 0 else "down"
        amount = format_value(abs(change), self.indicator.unit, self.indicator.decimals)
        return f"{word} {amount} since {self.previous.period:%b %Y}"

    @property
    def change_symbol(self) -> str:
        change = self.change
        if change is None or change == 0:
            return "→" if change == 0 else ""
        return "↑" if change > 0 else "↓"


@dataclass(frozen=True)
class Scorecard:
    authority: Authority
    period: datetime.date
    months: list[datetime.date]
    rows: list[ScorecardRow]
    headlines: list[HeadlineTile]
    sign_off: ScorecardMonth | None = None
    include_drafts: bool = True
    #: per month of the window, what a column header says of its sign-off ("" when approved and unchanged)
    month_notes: tuple[str, ...] = ()

    @property
    def month_columns(self) -> list[tuple[datetime.date, str]]:
        return list(zip(self.months, self.month_notes or [""] * len(self.months), strict=True))

    @property
    def is_approved(self) -> bool:
        return self.sign_off is not None and self.sign_off.state == SignOffState.APPROVED

    @property
    def state_label(self) -> str:
        if self.sign_off is None:
            return "Draft"
        if self.sign_off.state != SignOffState.APPROVED and self.sign_off.approved_at:
            revision = self.sign_off.revision
            return f"{self.sign_off.get_state_display()} (revision {revision}, changed since approval)"
        return self.sign_off.get_state_display()

    @property
    def has_revisions(self) -> bool:
        return any(cell.revised_since for row in self.rows for cell in row.cells)

    @property
    def sections(self) -> list[tuple[str, list[ScorecardRow]]]:
        grouped: dict[str, list[ScorecardRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.indicator.section, []).append(row)
        return list(grouped.items())

    def row(self, indicator_code: str) -> ScorecardRow | None:
        return next((row for row in self.rows if row.indicator.code == indicator_code), None)

    @property
    def rag_counts(self) -> dict[str, int]:
        counts = {rag.value: 0 for rag in rating.Rag}
        for row in self.rows:
            counts[row.rag.value] += 1
        return counts


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


def scorecard_build(
    *,
    authority: Authority,
    period: datetime.date,
    months: int = DEFAULT_MONTHS,
    indicator_codes: list[str] | None = None,
    include_drafts: bool = True,
) -> Scorecard:
    """The rated scorecard of one authority at one month, in six queries whatever the catalogue's size.

    With ``include_drafts`` false (board members), figures of months never approved are withheld, and the
    ratings use only what the reader may see.
    """
    window = rating.month_window(period, months)
    # Sign-offs of the months the page can show: the window and the headline tiles' look-back, not every year.
    sign_offs = {
        month.period: month
        for month in ScorecardMonth.objects.filter(
            authority=authority, period__gte=min(window[0], _headline_earliest(period)), period__lte=period
        )
    }
    approved_periods = {p for p, month in sign_offs.items() if month.approved_at is not None}
    approved_figures = {} if include_drafts else _approved_figures(authority=authority, sign_offs=sign_offs)
    indicator_query = Indicator.objects.all()
    if indicator_codes is not None:
        indicator_query = indicator_query.filter(code__in=indicator_codes)
    indicators = indicators_in_catalogue_order(list(indicator_query))

    # Named tuples, not model instances: building hundreds of instances was a third of the page's time.
    cells_by_indicator: dict[int, dict[datetime.date, tuple]] = defaultdict(dict)
    for monthly_value in MonthlyValue.objects.filter(
        authority=authority, period__gte=window[0], period__lte=period
    ).values_list("indicator_id", "period", "value", "status", "commentary", "updated_at", named=True):
        cells_by_indicator[monthly_value.indicator_id][monthly_value.period] = monthly_value

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

    headline_history = _headline_history(
        authority=authority,
        period=period,
        indicators=indicators,
        visible=None if include_drafts else approved_periods,
        approved_figures=approved_figures,
    )

    rows = []
    for indicator in indicators:
        stored = cells_by_indicator.get(indicator.pk, {})
        cells = []
        for month in window:
            monthly_value = stored.get(month)
            sign_off = sign_offs.get(month)
            if monthly_value is not None and not include_drafts and month not in approved_periods:
                cells.append(MonthCell(month, None, "", "–", withheld=True))
                continue
            value = monthly_value.value if monthly_value else None
            status = monthly_value.status if monthly_value else ""
            commentary = monthly_value.commentary if monthly_value else ""
            approved = approved_figures.get((indicator.pk, month))
            if approved is not None:
                value, status, commentary = approved.figure(value, status, commentary)
            if value is not None:
                text = format_value(value, indicator.unit, indicator.decimals)
            elif status:
                text = ValueStatus(status).label
            else:
                text = "–"
            revised = (
                sign_off.approved_at
                if monthly_value is not None
                and sign_off is not None
                and sign_off.approved_at is not None
                and monthly_value.updated_at > sign_off.approved_at
                else None
            )
            cells.append(
                MonthCell(
                    month,
                    value,
                    status,
                    text,
                    commentary,
                    draft=monthly_value is not None
                    and (sign_off is None or sign_off.state != SignOffState.APPROVED),
                    revised_since=revised,
                )
            )
        latest, previous = rating.latest_two([(cell.period, cell.value) for cell in cells])
        year = rating.benchmark_year_for(period, years_by_indicator.get(indicator.pk, []))
        figures = benchmarks.get((indicator.pk, year)) if year else None
        figures = figures or BenchmarkFigures(year=None)
        target = rating.target_for(period, targets.get((indicator.pk, TargetKind.TARGET), {}))
        baseline = rating.baseline_for(period, targets.get((indicator.pk, TargetKind.BASELINE), {}))
        result = rating.rate(
            latest.value if latest else None,
            polarity=indicator.polarity,
            decimals=indicator.decimals,
            target=_comparator("target", target[1], target[0]) if target else None,
            england=_comparator("England", figures.england, figures.year),
            sn_average=_comparator("SN average", figures.sn_average, figures.year),
            amber_tolerance=indicator.amber_tolerance,
        )
        rows.append(
            ScorecardRow(
                indicator=indicator,
                cells=tuple(cells),
                latest=latest,
                previous=previous,
                benchmark=figures,
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
    headlines = [
        HeadlineTile(indicator, *headline_history.get(indicator.pk, (None, None)))
        for indicator in indicators
        if indicator.section == HEADLINE_SECTION
    ]
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


def scorecard_heading(
    *, authority: Authority, period: datetime.date, months: int = DEFAULT_MONTHS, include_drafts: bool = True
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


@dataclass(frozen=True)
class ApprovedFigure:
    """A figure changed since its month was approved, as it stood at the approval (audit texts by field)."""

    fields: dict[str, str]

    def figure(self, value: Decimal | None, status: str, commentary: str) -> tuple[Decimal | None, str, str]:
        """(value, status, commentary) at approval: each changed field's first old text, the rest as now."""
        if "value" in self.fields:
            value = Decimal(self.fields["value"]) if self.fields["value"] else None
        return value, self.fields.get("status", status), self.fields.get("commentary", commentary)


def _approved_figures(
    *, authority: Authority, sign_offs: dict[datetime.date, ScorecardMonth]
) -> dict[tuple[int, datetime.date], ApprovedFigure]:
    """For months changed since their last approval, each changed figure as approved (one query, or none).

    Board members see only what was signed off: until the month is approved again they read the approved
    figure, marked as revised since. The audit trail records every change with its old value; the first
    change of a field after the approval holds the approved text. A figure changed without a record (never
    through the application) cannot be rebuilt and is shown as it is.
    """
    revised = {
        period: month.approved_at
        for period, month in sign_offs.items()
        if month.approved_at is not None and month.state != SignOffState.APPROVED
    }
    if not revised:
        return {}
    since_approval = Q()
    for period, approved_at in revised.items():
        since_approval |= Q(period=period, at__gt=approved_at)
    fields: dict[tuple[int, datetime.date], dict[str, str]] = defaultdict(dict)
    for indicator_id, period, name, old in (
        ChangeRecord.objects.filter(
            since_approval, authority=authority, kind="value", indicator__isnull=False
        )
        .order_by("at", "pk")
        .values_list("indicator_id", "period", "field", "old")
    ):
        fields[(indicator_id, period)].setdefault(name, old)
    return {key: ApprovedFigure(changed) for key, changed in fields.items()}


def _headline_history(
    *,
    authority: Authority,
    period: datetime.date,
    indicators: list[Indicator],
    visible: set[datetime.date] | None,
    approved_figures: dict[tuple[int, datetime.date], ApprovedFigure] | None = None,
) -> dict[int, tuple[rating.Observation | None, rating.Observation | None]]:
    """Latest and previous reported figure of each headline indicator, however far back (one query)."""
    headline_ids = [i.pk for i in indicators if i.section == HEADLINE_SECTION]
    if not headline_ids:
        return {}
    series: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    earliest = _headline_earliest(period)
    for indicator_id, month, value in MonthlyValue.objects.filter(
        authority=authority,
        indicator_id__in=headline_ids,
        period__lte=period,
        period__gte=earliest,
    ).values_list("indicator_id", "period", "value"):
        approved = (approved_figures or {}).get((indicator_id, month))
        if approved is not None:
            value = approved.figure(value, "", "")[0]
        if value is not None and (visible is None or month in visible):
            series[indicator_id].append((month, value))
    return {indicator_id: rating.latest_two(points) for indicator_id, points in series.items()}


def _values_visible(*, authority: Authority, include_drafts: bool):
    values = MonthlyValue.objects.filter(authority=authority)
    if not include_drafts:
        approved = ScorecardMonth.objects.filter(authority=authority, approved_at__isnull=False)
        values = values.filter(period__in=approved.values("period"))
    return values


def periods_with_data(*, authority: Authority, include_drafts: bool = True) -> list[datetime.date]:
    """Months the reader may see that have any figure, newest first, for the month picker."""
    return list(
        _values_visible(authority=authority, include_drafts=include_drafts)
        .order_by("-period")
        .values_list("period", flat=True)
        .distinct()
    )


def newest_period(*, authority: Authority, include_drafts: bool = True) -> datetime.date | None:
    """The newest month the reader may see that has a figure."""
    return _values_visible(authority=authority, include_drafts=include_drafts).aggregate(
        newest=Max("period")
    )["newest"]


def indicator_history(
    *, authority: Authority, indicator: Indicator, limit: int = 100, include_drafts: bool = True
) -> list[ChangeRecord]:
    """The newest changes to this indicator's figures, benchmarks and targets for the authority.

    Without ``include_drafts`` (board members), changes to figures not yet approved (months never approved,
    or changed since their approval) are left out, as the scorecard does not show those figures either.
    """
    records = ChangeRecord.objects.filter(authority=authority, indicator=indicator)
    if not include_drafts:
        approved = ScorecardMonth.objects.filter(
            authority=authority, period=OuterRef("period"), approved_at__gte=OuterRef("at")
        )
        records = records.filter(~Q(kind="value") | Exists(approved))
    return list(records.order_by("-at", "-pk")[:limit])
