"""Reads for the comparison pages: an indicator's published figures beside neighbours, region, England, all.

Only ``dfe`` benchmarks are used here. A council's typed benchmarks have no neighbours or league to sit in,
and setting them beside DfE's figures would compare unlike things. Ranks, ``rank_of`` and quartiles are the
ones stored when the release was loaded (computed once over every authority with a published figure), never
recomputed per request. A missing published figure stays missing: it is shown as missing and sorted last,
never drawn or ranked as zero.

Each selector runs a fixed number of queries, however many neighbours, authorities or years there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist

from authorities.models import Authority, StatisticalNeighbour
from scorecards.formatting import MISSING, format_value
from scorecards.models import Benchmark, BenchmarkSource, Indicator, Polarity
from scorecards.rating import benchmark_year_for, parse_financial_year

PUBLICATION = "DfE, Children looked after in England including adoptions"
ONLY_PUBLISHED = (
    "Only figures derived from DfE's published statistics are used on this page. Benchmarks your council "
    "entered itself, and its monthly figures, are not."
)
NO_PUBLISHED_DATA = (
    "DfE's published statistics give no figures for this indicator, so there is nothing to compare."
)


def source_label(year: str | None) -> str:
    """E.g. "DfE, Children looked after in England including adoptions, year ending 31 March 2025"."""
    if not year:
        return PUBLICATION
    return f"{PUBLICATION}, year ending 31 March {parse_financial_year(year) + 1}"


def _years_sorted(years) -> tuple[str, ...]:
    return tuple(sorted(set(years), key=parse_financial_year))


def published_indicator_get(*, code: str) -> Indicator | None:
    """The indicator with this code and its published-measure mapping (one query); None if unknown."""
    return Indicator.objects.select_related("published_measure").filter(code=code).first()


def _measure(indicator: Indicator):
    try:
        return indicator.published_measure
    except ObjectDoesNotExist:
        return None


class AreaKind(StrEnum):
    AUTHORITY = "authority"
    NEIGHBOUR = "neighbour"
    SN_AVERAGE = "sn_average"
    REGION = "region"
    ENGLAND = "england"


@dataclass(frozen=True)
class AreaFigure:
    """One bar of the comparison: an authority, a neighbour, or an average (SN, region, England)."""

    kind: AreaKind
    name: str
    value: Decimal | None
    text: str
    code: str = ""
    sn_rank: int | None = None
    closeness: str = ""
    rank: int | None = None
    rank_of: int | None = None
    quartile: str = ""
    #: e.g. "mean of 10 neighbours" for the SN average
    detail: str = ""

    @property
    def is_authority(self) -> bool:
        return self.kind == AreaKind.AUTHORITY

    @property
    def is_average(self) -> bool:
        return self.kind in (AreaKind.SN_AVERAGE, AreaKind.REGION, AreaKind.ENGLAND)

    @property
    def rank_text(self) -> str:
        if self.rank is None:
            return MISSING
        return f"{self.rank} of {self.rank_of}" if self.rank_of else str(self.rank)

    @property
    def quartile_text(self) -> str:
        return self.quartile or MISSING


@dataclass(frozen=True)
class TrendYear:
    """One published year of the authority's figure and its comparators."""

    year: str
    own: Decimal | None
    sn_average: Decimal | None
    region: Decimal | None
    england: Decimal | None
    own_text: str
    sn_average_text: str
    region_text: str
    england_text: str
    sn_count: int | None = None
    rank: int | None = None
    rank_of: int | None = None
    quartile: str = ""

    @property
    def rank_text(self) -> str:
        return f"{self.rank} of {self.rank_of}" if self.rank is not None else MISSING


def _better_first(figures, polarity: str, value=lambda figure: figure.value):
    """Best first by the indicator's polarity (largest first for neutral ones); missing values last."""
    present = [figure for figure in figures if value(figure) is not None]
    missing = [figure for figure in figures if value(figure) is None]
    present.sort(key=value, reverse=polarity != Polarity.LOWER_IS_BETTER)
    return present + missing


@dataclass(frozen=True)
class Comparison:
    """The latest published year of the authority, its neighbours, region and England; and the trend."""

    authority: Authority
    indicator: Indicator
    year: str | None
    own: AreaFigure | None = None
    neighbours: tuple[AreaFigure, ...] = ()
    sn_average: AreaFigure | None = None
    region: AreaFigure | None = None
    england: AreaFigure | None = None
    trend: tuple[TrendYear, ...] = ()
    measure_note: str = ""
    file_name: str = ""

    @property
    def has_data(self) -> bool:
        return self.year is not None

    @property
    def source(self) -> str:
        return source_label(self.year)

    @property
    def years(self) -> tuple[str, ...]:
        return tuple(point.year for point in self.trend)

    @property
    def trend_source(self) -> str:
        if not self.trend:
            return PUBLICATION
        first, last = self.trend[0].year, self.trend[-1].year
        return (
            f"{PUBLICATION}, years ending 31 March {parse_financial_year(first) + 1} "
            f"to {parse_financial_year(last) + 1}"
        )

    @property
    def averages(self) -> tuple[AreaFigure, ...]:
        return tuple(area for area in (self.sn_average, self.region, self.england) if area is not None)

    @property
    def bars(self) -> list[AreaFigure]:
        """Every area of the latest year, best first, the ones with no published figure last."""
        areas = ([self.own] if self.own else []) + list(self.neighbours) + list(self.averages)
        return _better_first(areas, self.indicator.polarity)

    @property
    def neighbours_missing(self) -> list[AreaFigure]:
        return [neighbour for neighbour in self.neighbours if neighbour.value is None]

    def scorecard_year(self, period: datetime.date) -> str | None:
        """The year the scorecard of ``period`` rates against (the latest that ended before the month)."""
        return benchmark_year_for(period, self.years)


def comparison_build(*, authority: Authority, indicator: Indicator) -> Comparison:
    """The authority beside its ranked neighbours, region and England for the latest published year, and
    its trend over every published year. Two queries (three if the mapping was not loaded with the
    indicator), whatever the number of neighbours or years.
    """
    measure = _measure(indicator)

    def text(value: Decimal | None) -> str:
        return format_value(value, indicator.unit, indicator.decimals)

    neighbours = list(
        StatisticalNeighbour.objects.filter(authority=authority)
        .select_related("neighbour")
        .only(
            "rank",
            "neighbour_code",
            "closeness",
            "neighbour__name",
            "neighbour__code",
            "neighbour__is_current",
        )
        .order_by("rank")
    )
    ids = {authority.pk} | {sn.neighbour_id for sn in neighbours if sn.neighbour_id}
    benchmarks: dict[tuple[int, str], Benchmark] = {
        (benchmark.authority_id, benchmark.year): benchmark
        for benchmark in Benchmark.objects.filter(
            indicator=indicator, source=BenchmarkSource.DFE, authority_id__in=ids
        )
        .order_by()
        .only(
            "authority_id",
            "year",
            "england",
            "region",
            "sn_average",
            "sn_count",
            "own",
            "rank",
            "rank_of",
            "quartile",
        )
    }
    own_rows = {
        year: benchmark
        for (authority_id, year), benchmark in benchmarks.items()
        if authority_id == authority.pk
    }
    years_with_figures = [
        year
        for (_, year), benchmark in benchmarks.items()
        if any(
            v is not None for v in (benchmark.own, benchmark.england, benchmark.region, benchmark.sn_average)
        )
    ]
    common = {
        "authority": authority,
        "indicator": indicator,
        "measure_note": measure.note if measure else "",
        "file_name": measure.file_name if measure else "",
    }
    if not years_with_figures:
        return Comparison(year=None, **common)
    year = _years_sorted(years_with_figures)[-1]

    def figure_of(benchmark: Benchmark | None, **fields) -> AreaFigure:
        value = benchmark.own if benchmark else None
        return AreaFigure(
            value=value,
            text=text(value),
            rank=benchmark.rank if benchmark else None,
            rank_of=benchmark.rank_of if benchmark else None,
            quartile=benchmark.quartile if benchmark else "",
            **fields,
        )

    mine = own_rows.get(year)
    own = figure_of(mine, kind=AreaKind.AUTHORITY, name=authority.name, code=authority.code)
    neighbour_figures = []
    for sn in neighbours:
        linked = sn.neighbour
        neighbour_figures.append(
            figure_of(
                benchmarks.get((sn.neighbour_id, year)) if linked else None,
                kind=AreaKind.NEIGHBOUR,
                name=linked.name if linked else f"Authority {sn.neighbour_code} (not in the reference data)",
                code=sn.neighbour_code,
                sn_rank=sn.rank,
                closeness=sn.closeness,
            )
        )

    def average(kind: AreaKind, name: str, value: Decimal | None, detail: str = "") -> AreaFigure:
        return AreaFigure(kind=kind, name=name, value=value, text=text(value), detail=detail)

    sn_count = mine.sn_count if mine else None
    region_name = f"{authority.region} (region)" if authority.region else "Region"
    trend = tuple(
        TrendYear(
            year=trend_year,
            own=row.own,
            sn_average=row.sn_average,
            region=row.region,
            england=row.england,
            own_text=text(row.own),
            sn_average_text=text(row.sn_average),
            region_text=text(row.region),
            england_text=text(row.england),
            sn_count=row.sn_count,
            rank=row.rank,
            rank_of=row.rank_of,
            quartile=row.quartile,
        )
        for trend_year in _years_sorted(own_rows)
        for row in [own_rows[trend_year]]
    )
    return Comparison(
        year=year,
        own=own,
        neighbours=tuple(neighbour_figures),
        sn_average=average(
            AreaKind.SN_AVERAGE,
            "Statistical-neighbour average",
            mine.sn_average if mine else None,
            f"mean of the {sn_count} neighbours with a figure" if sn_count else "",
        ),
        region=average(AreaKind.REGION, region_name, mine.region if mine else None),
        england=average(AreaKind.ENGLAND, "England", mine.england if mine else None),
        trend=trend,
        **common,
    )


# The league table -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeagueRow:
    """One authority's published figure in one year, with its stored rank and quartile."""

    code: str
    name: str
    region: str
    value: Decimal | None
    text: str
    rank: int | None
    tied: bool
    quartile: str
    rank_of: int | None = None
    is_reader: bool = False
    #: the place of this authority in the reader's statistical-neighbour list, if it is there
    neighbour_rank: int | None = None
    is_current: bool = True

    @property
    def rank_text(self) -> str:
        if self.rank is None:
            return MISSING
        return f"{self.rank}=" if self.tied else str(self.rank)

    @property
    def quartile_text(self) -> str:
        return self.quartile or MISSING


@dataclass(frozen=True)
class League:
    """Every authority DfE published a figure for in one year, best first."""

    indicator: Indicator
    year: str | None
    years: tuple[str, ...]
    rows: tuple[LeagueRow, ...] = ()
    measure_note: str = ""
    file_name: str = ""

    @property
    def has_data(self) -> bool:
        return self.year is not None

    @property
    def source(self) -> str:
        return source_label(self.year)

    @property
    def ranked(self) -> tuple[LeagueRow, ...]:
        return tuple(row for row in self.rows if row.value is not None)

    @property
    def missing(self) -> tuple[LeagueRow, ...]:
        return tuple(row for row in self.rows if row.value is None)

    @property
    def reader_row(self) -> LeagueRow | None:
        return next((row for row in self.rows if row.is_reader), None)

    @property
    def is_ranked(self) -> bool:
        return any(row.rank is not None for row in self.rows)


def league_years(*, indicator: Indicator) -> tuple[str, ...]:
    """Years in which DfE published at least one authority's figure for the indicator, oldest first."""
    return _years_sorted(
        Benchmark.objects.filter(indicator=indicator, source=BenchmarkSource.DFE, own__isnull=False)
        .order_by()
        .values_list("year", flat=True)
        .distinct()
    )


def league_build(
    *, indicator: Indicator, year: str | None = None, authority: Authority | None = None
) -> League:
    """Every authority's published figure for ``year`` (the latest if it is not a published year), ranked.

    Ranks and quartiles are the stored ones: tied authorities share a rank and a quartile. Authorities with
    no published figure that year follow, in name order, shown as missing. ``authority`` is the reader's:
    its row is highlighted and its statistical neighbours are marked. Three queries.
    """
    measure = _measure(indicator)
    years = league_years(indicator=indicator)
    common = {
        "indicator": indicator,
        "years": years,
        "measure_note": measure.note if measure else "",
        "file_name": measure.file_name if measure else "",
    }
    if not years:
        return League(year=None, **common)
    if year not in years:
        year = years[-1]
    neighbour_ranks: dict[str, int] = {}
    if authority is not None:
        neighbour_ranks = dict(
            StatisticalNeighbour.objects.filter(authority=authority).values_list("neighbour_code", "rank")
        )
    records = list(
        Benchmark.objects.filter(indicator=indicator, source=BenchmarkSource.DFE, year=year)
        .order_by()
        .values_list(
            "authority__code",
            "authority__name",
            "authority__region",
            "authority__is_current",
            "own",
            "rank",
            "rank_of",
            "quartile",
        )
    )
    rank_counts: dict[int, int] = {}
    for *_, rank, _rank_of, _quartile in records:
        if rank is not None:
            rank_counts[rank] = rank_counts.get(rank, 0) + 1
    rows = [
        LeagueRow(
            code=code,
            name=name,
            region=region,
            value=value,
            text=format_value(value, indicator.unit, indicator.decimals),
            rank=rank if value is not None else None,
            tied=rank is not None and rank_counts.get(rank, 0) > 1,
            quartile=quartile if value is not None else "",
            rank_of=rank_of if value is not None else None,
            is_reader=authority is not None and code == authority.code,
            neighbour_rank=neighbour_ranks.get(code),
            is_current=is_current,
        )
        for code, name, region, is_current, value, rank, rank_of, quartile in records
    ]
    present = sorted((row for row in rows if row.value is not None), key=lambda row: row.name)
    if any(row.rank is not None for row in present):
        # The stored ranks decide; tied authorities stay in name order.
        present.sort(key=lambda row: (row.rank is None, row.rank or 0))
    else:
        # A neutral indicator has no ranks: largest first, for reading only.
        present = _better_first(present, indicator.polarity)
    missing = sorted((row for row in rows if row.value is None), key=lambda row: row.name)
    return League(year=year, rows=tuple(present + missing), **common)
