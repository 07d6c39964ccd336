"""The league: every authority DfE published a figure for in one year, in the stored rank order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from authorities.models import Authority, StatisticalNeighbour
from scorecards.formatting import MISSING, format_value
from scorecards.models import Benchmark, BenchmarkSource, Indicator

from .common import PublishedYear, Quartiled, better_first, measure_fields, years_sorted


@dataclass(frozen=True)
class LeagueRow(Quartiled):
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


@dataclass(frozen=True)
class League(PublishedYear):
    """Every authority DfE published a figure for in one year, best first."""

    indicator: Indicator
    year: str | None
    years: tuple[str, ...]
    rows: tuple[LeagueRow, ...] = ()
    measure_note: str = ""
    file_name: str = ""

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
    return years_sorted(
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
    common = {"indicator": indicator, **measure_fields(indicator)}
    years = league_years(indicator=indicator)
    if not years:
        return League(year=None, years=years, **common)
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
        present = better_first(present, indicator.polarity)
    missing = sorted((row for row in rows if row.value is None), key=lambda row: row.name)
    return League(year=year, years=years, rows=tuple(present + missing), **common)
