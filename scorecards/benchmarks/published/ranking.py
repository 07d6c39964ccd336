"""Computing one year's benchmarks from its published figures: ranks, quartile bands and the SN average.

Which figure is better is ``scorecards.rating``'s one ordering (``better_first_key``, ``is_better``), the one
the ratings and the league use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from scorecards.rating import Polarity, better_first_key, is_better

from .files import YearFigures

#: Benchmark figures are stored with four decimal places (``FIGURE``); averages are rounded half-up to them.
STORED_PLACES = Decimal("0.0001")
QUARTILES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class BenchmarkFigures:
    england: Decimal | None
    region: Decimal | None
    sn_average: Decimal | None
    sn_min: Decimal | None
    sn_max: Decimal | None
    sn_count: int | None
    own: Decimal | None
    rank: int | None
    rank_of: int | None
    quartile: str


def competition_ranks(values: Mapping[str, Decimal], polarity: str) -> dict[str, int]:
    """Rank every authority with a value, 1 the best by polarity; ties share the best rank (1, 2, 2, 4).

    A neutral indicator has no better direction, so no ranks.
    """
    if polarity == Polarity.NEUTRAL:
        return {}
    better_first = better_first_key(polarity)
    ordered = sorted(values.items(), key=lambda item: better_first(item[1]))
    ranks: dict[str, int] = {}
    previous, previous_rank = None, 0
    for position, (code, value) in enumerate(ordered, start=1):
        rank = previous_rank if value == previous else position
        ranks[code] = rank
        previous, previous_rank = value, rank
    return ranks


def quartile_thresholds(values: Iterable[Decimal]) -> tuple[Decimal, Decimal, Decimal] | None:
    """The lower quartile, median and upper quartile as R's ``quantile()`` computes them by default (type 7).

    Sorted values x[0..n-1]; the p quantile sits at h = (n - 1) * p and interpolates linearly between
    x[floor(h)] and x[floor(h) + 1]. In Decimal, so exact for published figures.
    """
    ordered = sorted(values)
    if not ordered:
        return None

    def quantile(p: Decimal) -> Decimal:
        h = (len(ordered) - 1) * p
        low = int(h)
        fraction = h - low
        if fraction == 0 or low + 1 >= len(ordered):
            return ordered[low]
        return ordered[low] + fraction * (ordered[low + 1] - ordered[low])

    return quantile(Decimal("0.25")), quantile(Decimal("0.5")), quantile(Decimal("0.75"))


def quartile_band(
    value: Decimal | None, thresholds: tuple[Decimal, Decimal, Decimal] | None, polarity: str
) -> str:
    """LAIT's quartile band, A (best) to D (worst); empty for a missing value or a neutral indicator.

    The rule of DfE's Local Authority Interactive Tool (``calculate_quartile_band`` in
    dfe-analytical-services/local-authority-interactive-tool, ``R/fn_analysis.R``): with Q1, the median and Q3
    of every authority's value that year (see ``quartile_thresholds``), a value up to and including Q1 is in
    the lowest band, above Q1 up to and including the median the next, above the median up to and including
    Q3 the next, above Q3 the highest. Lower is better: lowest band A, highest D. Higher is better: lowest
    band D, highest A. Bands are by value, not by rank, so tied authorities always share a band.
    """
    if value is None or thresholds is None or polarity == Polarity.NEUTRAL:
        return ""
    lower, median, upper = thresholds
    band = 0 if value <= lower else 1 if value <= median else 2 if value <= upper else 3
    # The bands are cut by value, as LAIT's "<=" has it; the polarity only says which end of them is A.
    lowest_is_best = is_better(Decimal(0), Decimal(1), polarity)
    return QUARTILES[band] if lowest_is_best else QUARTILES[len(QUARTILES) - 1 - band]


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)


def compute_benchmarks(
    figures: YearFigures, *, polarity: str, neighbours: Mapping[str, Sequence[str]], codes: Iterable[str]
) -> dict[str, BenchmarkFigures]:
    """Each listed authority's benchmarks for one measure and year, from that year's published figures.

    The rank and the quartiles are among every authority with a published value (authorities that have since
    been replaced included, while DfE still publishes their figures). The SN average is the mean of the
    neighbours that have a value; ``sn_count`` says how many that was.
    """
    published = {code: value for code, (value, _) in figures.authorities.items() if value is not None}
    ranks = competition_ranks(published, polarity)
    thresholds = quartile_thresholds(published.values()) if polarity != Polarity.NEUTRAL else None
    benchmarks = {}
    for code in codes:
        own, region_code = figures.authorities.get(code, (None, ""))
        neighbour_values = [published[other] for other in neighbours.get(code, ()) if other in published]
        count = len(neighbour_values)
        benchmarks[code] = BenchmarkFigures(
            england=_stored(figures.england),
            region=_stored(figures.regions.get(region_code)),
            sn_average=_stored(sum(neighbour_values) / count) if count else None,
            sn_min=_stored(min(neighbour_values)) if count else None,
            sn_max=_stored(max(neighbour_values)) if count else None,
            sn_count=count if neighbours.get(code) else None,
            own=_stored(own),
            rank=ranks.get(code),
            rank_of=len(published) if code in ranks else None,
            quartile=quartile_band(own, thresholds, polarity),
        )
    return benchmarks
