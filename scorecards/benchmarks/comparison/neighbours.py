"""The comparison page: the authority's published figure beside its neighbours, region and England; its trend."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.db.models import BooleanField, Case, Q, Value, When

from authorities.models import Authority, StatisticalNeighbour
from scorecards.formatting import MISSING, format_value
from scorecards.models import Benchmark, BenchmarkSource, Indicator
from scorecards.rating import benchmark_year_for, parse_financial_year

from .common import PUBLICATION, PublishedYear, Quartiled, better_first, measure_fields, years_sorted


class AreaKind(StrEnum):
    AUTHORITY = "authority"
    NEIGHBOUR = "neighbour"
    SN_AVERAGE = "sn_average"
    REGION = "region"
    ENGLAND = "england"


@dataclass(frozen=True)
class AreaFigure(Quartiled):
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


@dataclass(frozen=True)
class Comparison(PublishedYear):
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
    #: (position from the lowest figure, authorities of the region with a figure) in the latest year
    region_rank: tuple[int, int] | None = None

    @property
    def region_position(self) -> str:
        """E.g. "lowest of the 14 authorities in the South West with a figure": by the figure, not a verdict."""
        if self.region_rank is None or not self.authority.region:
            return ""
        position, count = self.region_rank
        region = self.authority.region
        if count == 1:
            return f"the only authority in the {region} with a figure"
        if position == 1:
            where = "lowest"
        elif position == count:
            where = "highest"
        elif position <= (count + 1) // 2:
            where = f"{_ordinal(position)} lowest"
        else:
            where = f"{_ordinal(count - position + 1)} highest"
        return f"{where} of the {count} authorities in the {region} with a figure"

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
        return better_first(areas, self.indicator.polarity)

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
    common = {"authority": authority, "indicator": indicator, **measure_fields(indicator)}

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
    # The same query brings the authority's region's figures, for its place in the region.
    in_region = (
        Q(authority__region=authority.region, authority__is_current=True)
        if authority.region
        else Q(pk__in=[])
    )
    rows = list(
        Benchmark.objects.filter(indicator=indicator, source=BenchmarkSource.DFE)
        .filter(Q(authority_id__in=ids) | in_region)
        .annotate(
            in_region=Case(
                When(in_region, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
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
    )
    benchmarks: dict[tuple[int, str], Benchmark] = {
        (benchmark.authority_id, benchmark.year): benchmark
        for benchmark in rows
        if benchmark.authority_id in ids
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
    if not years_with_figures:
        return Comparison(year=None, **common)
    year = years_sorted(years_with_figures)[-1]

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
        for trend_year in years_sorted(own_rows)
        for row in [own_rows[trend_year]]
    )
    return Comparison(
        year=year,
        region_rank=_region_rank(
            [b.own for b in rows if b.in_region and b.year == year and b.own is not None], own=own.value
        ),
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


def _region_rank(figures: list[Decimal], *, own: Decimal | None) -> tuple[int, int] | None:
    """Where the authority's figure stands among its region's, lowest first (ties share a place)."""
    if own is None or not figures:
        return None
    if own not in figures:
        figures.append(own)
    return sum(1 for figure in figures if figure < own) + 1, len(figures)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"
