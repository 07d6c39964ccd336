"""The fast path of ``spc.spc_analyse``: only the latest point's variation and the assurance, for the grid.

A scorecard page shows every indicator's variation and assurance icons but draws no chart. Those need the
limits, from three sums over the series (its count, its total and its moving ranges), and the latest point's
flags, which depend on its 6 latest values at most (a run of 6, a trend of 6, two of the last three, the last
one outside). So the database can hand over the sums and 6 values instead of 60 values per indicator, and a
page of 60 indicators × 60 months costs a fraction of the full analysis, which charts, exports and packs still
get from ``spc_analyse`` (tests check that the two always agree). Plain Python, exact whole numbers, no Django.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import NamedTuple

from scorecards.rating import Polarity
from scorecards.spc import (
    LIMIT_FACTOR,
    MAX_POINTS,
    MIN_POINTS_FOR_LIMITS,
    RUN_LENGTH,
    TWO_SIGMA_FACTOR,
    Assurance,
    Value,
    Variation,
    _assurance,
    _ratio,
    _series,
    _variation,
)

#: How many of the latest values decide the latest point's flags: a shift or a trend of RUN_LENGTH.
LATEST_VALUES = RUN_LENGTH


class Signal(NamedTuple):
    """What the latest point and the target mean: ``spc_analyse``'s points, variation and assurance."""

    points: int
    variation: Variation
    assurance: Assurance


class SeriesSums(NamedTuple):
    """A series as whole numbers of ``1/scale``: its length, total, sum of moving ranges and latest values."""

    points: int
    total: int
    moving: int
    #: up to LATEST_VALUES values, newest first
    latest: tuple[int, ...]
    scale: int = 1


def _sign(difference: int) -> int:
    return (difference > 0) - (difference < 0)


def _leading(signs: list[int]) -> int:
    """How many signs at the start equal the first one."""
    count = 1
    while count < len(signs) and signs[count] == signs[0]:
        count += 1
    return count


def spc_signal(
    points: Sequence[tuple[datetime.date, Value]], *, polarity: Polarity | str, target: Value
) -> Signal:
    """The variation and assurance ``spc_analyse`` gives for the same series, without flagging every point."""
    series = _series(points, _ratio)[-MAX_POINTS:]
    if len(series) < MIN_POINTS_FOR_LIMITS:
        return Signal(len(series), Variation.NONE, Assurance.NONE)
    scale = math.lcm(*{denominator for _, (_, denominator) in series})
    values = [numerator * (scale // denominator) for _, (numerator, denominator) in series]
    moving = sum(abs(b - a) for a, b in zip(values, values[1:], strict=False))
    sums = SeriesSums(len(values), sum(values), moving, tuple(values[: -LATEST_VALUES - 1 : -1]), scale)
    return signal_from_sums(sums, polarity=polarity, target=target)


def signal_from_sums(sums: SeriesSums, *, polarity: Polarity | str, target: Value) -> Signal:
    """The variation and assurance of a series given as its sums and latest values (see SeriesSums)."""
    polarity = Polarity(polarity)
    n = sums.points
    if n < MIN_POINTS_FOR_LIMITS:
        return Signal(n, Variation.NONE, Assurance.NONE)
    # As in spc_analyse: everything times n(n - 1) and the factors' denominator is a whole number.
    unit = math.lcm(LIMIT_FACTOR.denominator, TWO_SIGMA_FACTOR.denominator)
    grow = unit * n * (n - 1)
    mean = unit * (n - 1) * sums.total
    limit = int(LIMIT_FACTOR * unit) * n * sums.moving
    two_sigma = int(TWO_SIGMA_FACTOR * unit) * n * sums.moving
    latest = [value * grow for value in sums.latest]  # newest first
    last, sides = latest[0], set()
    side = _sign(last - mean)
    if last > mean + limit or last < mean - limit:
        sides.add(side)
    # Shift: a run of RUN_LENGTH on the latest point's side of the mean, counted back from it.
    run = _leading([_sign(value - mean) for value in latest])
    if side and run >= RUN_LENGTH:
        sides.add(side)
    # Trend: RUN_LENGTH points (RUN_LENGTH - 1 steps) rising, or falling, to the latest point.
    steps = [_sign(a - b) for a, b in zip(latest, latest[1:], strict=False)]
    if steps[0] and _leading(steps) + 1 >= RUN_LENGTH:
        sides.add(steps[0])
    # Two of three: the one window that holds the latest point, which must itself be beyond the line.
    beyond = [(value - (mean + side * two_sigma)) * side > 0 for value in latest[:3]]
    if side and run >= 3 and beyond[0] and sum(beyond) >= 2:
        sides.add(side)
    goal = _ratio(target)
    denominator = sums.scale * grow
    assurance = (
        Assurance.NONE
        if goal is None or polarity == Polarity.NEUTRAL
        else _assurance(goal[0] * denominator, (mean - limit) * goal[1], (mean + limit) * goal[1], polarity)
    )
    return Signal(n, _variation(sides, polarity), assurance)
