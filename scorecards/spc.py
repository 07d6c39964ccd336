"""Signal and noise (shared/CONTRACT.md): SPC charts, Wilson intervals, attention reasons and forecasts.

Plain Python, like ``scorecards.rating``: inputs are ``Decimal | float | None``, missing data is a result
(``none`` or ``None``), never an exception, and Django is never imported, so the rules can be tested without a
database and read by other councils. Limits, flags and assurance are decided on exact fractions, so a target
that equals a limit, or a point that sits exactly on one, always gives the same answer.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from itertools import groupby

from scorecards.rating import Polarity

MAX_POINTS = 60
MIN_POINTS_FOR_LIMITS = 13
RUN_LENGTH = 6
LIMIT_FACTOR = Fraction("2.66")
TWO_SIGMA_FACTOR = Fraction(2, 3) * LIMIT_FACTOR
WILSON_Z = Decimal("1.959964")
FORECAST_POINTS = 12
FORECAST_MIN_POINTS = 6
JSON_DECIMALS = 6
RULES = ("outside", "shift", "trend", "two_of_three")
#: A point's flags as bits, one per rule and side (+1 high, -1 low), in the order of RULES, high before low.
_BIT = {(rule, side): 1 << len(RULES) * (side < 0) + n for n, rule in enumerate(RULES) for side in (1, -1)}
_SIDE = {side: sum(bit for (_, s), bit in _BIT.items() if s == side) for side in (1, -1)}
_NAMES = [
    tuple(f"{r}:{'high' if s > 0 else 'low'}" for (r, s), b in _BIT.items() if m & b) for m in range(256)
]
# Enough digits that a Decimal shown from an exact fraction never disagrees with it at any displayed precision.
_CONTEXT = Context(prec=28)

# Two-sided 95% (0.975 quantile) of Student's t by degrees of freedom; a table avoids depending on scipy.
# fmt: off
T_975 = dict(enumerate(map(Decimal, (
    "12.7062", "4.3027", "3.1824", "2.7764", "2.5706", "2.4469", "2.3646", "2.3060", "2.2622", "2.2281",
    "2.2010", "2.1788", "2.1604", "2.1448", "2.1314", "2.1199", "2.1098", "2.1009", "2.0930", "2.0860",
    "2.0796", "2.0739", "2.0687", "2.0639", "2.0595", "2.0555", "2.0518", "2.0484", "2.0452", "2.0423",
)), start=1))
# fmt: on

Value = Decimal | float | int | Fraction | None


class Variation(StrEnum):
    COMMON_CAUSE = "common_cause"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    NEITHER_HIGH = "neither_high"
    NEITHER_LOW = "neither_low"
    NONE = "none"


class Assurance(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    HIT_AND_MISS = "hit_and_miss"
    NONE = "none"


class Attention(StrEnum):
    RED_AND_WORSENED = "red_and_worsened"
    SPECIAL_CAUSE_CONCERN = "special_cause_concern"
    FAILING_TARGET = "failing_target"


class Verdict(StrEnum):
    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"


VARIATION_LABELS = {
    Variation.COMMON_CAUSE: "Common cause variation",
    Variation.IMPROVEMENT: "Special cause of improvement",
    Variation.CONCERN: "Special cause of concern",
    Variation.NEITHER_HIGH: "Special cause: unusually high",
    Variation.NEITHER_LOW: "Special cause: unusually low",
    Variation.NONE: "Not enough data",
}
VARIATION_EXPLANATIONS = {
    Variation.COMMON_CAUSE: "The latest figure moves up and down within the usual range: this is noise, not a real change.",
    Variation.IMPROVEMENT: "The latest figure is part of a real change for the better, too large or too steady to be noise.",
    Variation.CONCERN: "The latest figure is part of a real change for the worse, too large or too steady to be noise.",
    Variation.NEITHER_HIGH: "The latest figure is part of a real rise, but this measure has no better or worse direction.",
    Variation.NEITHER_LOW: "The latest figure is part of a real fall, but this measure has no better or worse direction.",
    Variation.NONE: "At least 13 monthly figures are needed before real change can be told apart from noise.",
}
ASSURANCE_LABELS = {
    Assurance.PASS: "Consistently meets the target",
    Assurance.FAIL: "Consistently misses the target",
    Assurance.HIT_AND_MISS: "Meets the target some months, misses it others",
    Assurance.NONE: "No assurance",
}
ASSURANCE_EXPLANATIONS = {
    Assurance.PASS: "The whole usual range of figures is on the right side of the target, so it should keep being met.",
    Assurance.FAIL: "The whole usual range of figures is on the wrong side of the target: it will not be met without a change in how things are done.",
    Assurance.HIT_AND_MISS: "The target lies inside the usual range of figures, so whether a month meets it is down to chance.",
    Assurance.NONE: "There is no target, the measure has no better direction, or there are fewer than 13 monthly figures.",
}
ATTENTION_LABELS = {
    Attention.RED_AND_WORSENED: "Red and getting worse",
    Attention.SPECIAL_CAUSE_CONCERN: "Real change for the worse",
    Attention.FAILING_TARGET: "Consistently missing the target",
}
ATTENTION_EXPLANATIONS = {
    Attention.RED_AND_WORSENED: "The latest figure is rated red and is worse than the one before it.",
    Attention.SPECIAL_CAUSE_CONCERN: "The chart shows a change for the worse that is too large or too steady to be noise.",
    Attention.FAILING_TARGET: "The usual range of figures is entirely on the wrong side of the target.",
}
METHOD = (
    "A straight line is fitted through the latest 12 monthly figures (or as many as there are, at least 6), "
    "by least squares, with months missing from the series left as gaps. The line is continued to the last "
    "month of the financial year. The range around that forecast is where the year-end figure should fall 95 "
    "times in 100 if the recent trend and the month-to-month scatter around it carry on. The target is likely "
    "to be met when the whole range meets it, unlikely when none of the range does, and possible otherwise."
)


def _exact(value: Value) -> Fraction | None:
    """The exact fraction a figure stands for; a float is read as the decimal it prints as (0.1 is 1/10)."""
    if value is None:
        return None
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal) and not value.is_finite():
        return None  # NaN or infinity is no figure at all: treat it as a missing month
    return Fraction(value)


def _decimal(value: Fraction | None) -> Decimal | None:
    return None if value is None else _quotient(value.numerator, value.denominator)


def _quotient(numerator: int, denominator: int) -> Decimal:
    return _CONTEXT.divide(Decimal(numerator), Decimal(denominator))


def _json_number(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value), JSON_DECIMALS)


def _ratio(value: Value) -> tuple[int, int] | None:
    """The exact figure as (numerator, denominator), fast for Decimals: a scorecard charts thousands of them."""
    if isinstance(value, Decimal):
        return value.as_integer_ratio() if value.is_finite() else None
    exact = _exact(value)
    return None if exact is None else (exact.numerator, exact.denominator)


def _series(points: Sequence[tuple[datetime.date, Value]], convert: Callable = _exact) -> list[tuple]:
    """Months with a value, oldest first; a duplicated month is a caller's bug, so it raises."""
    present = sorted((period, exact) for period, value in points if (exact := convert(value)) is not None)
    if len({period for period, _ in present}) != len(present):
        raise ValueError("each period may appear only once in an SPC series")
    return present


def _month_index(period: datetime.date) -> int:
    return period.year * 12 + period.month - 1


@dataclass(frozen=True)
class SpcResult:
    """An XmR chart of one indicator: limits, flagged points, and what the latest point and target mean."""

    points: int
    mean: Decimal | None = None
    mr: Decimal | None = None
    lower: Decimal | None = None
    upper: Decimal | None = None
    lower_2sigma: Decimal | None = None
    upper_2sigma: Decimal | None = None
    variation: Variation = Variation.NONE
    assurance: Assurance = Assurance.NONE
    #: only flagged periods, each with ``rule:side`` strings in the order of RULES, high before low.
    flags: dict[datetime.date, tuple[str, ...]] = field(default_factory=dict)

    def as_json(self, period_label: Callable[[datetime.date], str]) -> dict:
        """The contract's ``spc`` object, numbers rounded to 6 decimal places, flags keyed by period label."""
        return {
            "points": self.points,
            "mean": _json_number(self.mean),
            "lower": _json_number(self.lower),
            "upper": _json_number(self.upper),
            "variation": str(self.variation),
            "assurance": str(self.assurance),
            "flags": {period_label(period): list(found) for period, found in sorted(self.flags.items())},
        }


def _runs(signs: Sequence[int]) -> list[tuple[int, int, int]]:
    """Maximal runs of equal non-zero signs as (start, length, sign); a zero ends a run."""
    runs, start = [], 0
    for sign, group in groupby(signs):
        length = len(list(group))
        if sign:
            runs.append((start, length, sign))
        start += length
    return runs


def _flags(values: list[int], mean: int, limit: int, two_sigma: int) -> list[int]:
    """Every rule each point meets, as bits of ``_BIT``; whole numbers (see spc_analyse), for speed."""
    found = [0] * len(values)
    lower, upper = mean - limit, mean + limit
    lower_2s, upper_2s = mean - two_sigma, mean + two_sigma
    for i, value in enumerate(values):
        if value > upper or value < lower:
            found[i] |= _BIT["outside", 1 if value > upper else -1]
    sides = [(v > mean) - (v < mean) for v in values]
    for start, length, sign in _runs(sides):
        if length >= RUN_LENGTH:
            for i in range(start, start + length):
                found[i] |= _BIT["shift", sign]
    # Differences: steps[k] compares point k+1 with point k, so a run of 5 steps spans 6 points.
    steps = [(b > a) - (b < a) for a, b in zip(values, values[1:], strict=False)]
    for start, length, sign in _runs(steps):
        if length + 1 >= RUN_LENGTH:
            for i in range(start, start + length + 1):
                found[i] |= _BIT["trend", sign]
    # +1 beyond the upper 2-sigma line, -1 beyond the lower: always on that side of the mean too.
    beyond = [(v > upper_2s) - (v < lower_2s) for v in values]
    windows = zip(sides, sides[1:], sides[2:], beyond, beyond[1:], beyond[2:], strict=False)
    for start, (a, b, c, x, y, z) in enumerate(windows):
        # All three on one side of the mean (so only that side's line can count), two or three beyond it.
        if a and a == b == c and (x == a) + (y == a) + (z == a) >= 2:
            for i, side in ((start, x), (start + 1, y), (start + 2, z)):
                if side == a:
                    found[i] |= _BIT["two_of_three", a]
    return found


def _variation(sides: set[int], polarity: Polarity) -> Variation:
    if not sides:
        return Variation.COMMON_CAUSE
    if polarity == Polarity.NEUTRAL:
        return Variation.NEITHER_HIGH if 1 in sides else Variation.NEITHER_LOW
    good = 1 if polarity == Polarity.HIGHER_IS_BETTER else -1
    # A point flagged both ways counts as improvement, as the contract says.
    return Variation.IMPROVEMENT if good in sides else Variation.CONCERN


def _assurance(target: int, lower: int, upper: int, polarity: Polarity) -> Assurance:
    if polarity == Polarity.HIGHER_IS_BETTER:
        passes, fails = target <= lower, target >= upper
    else:
        passes, fails = target >= upper, target <= lower
    # Pass is checked first: with mR = 0 both hold and the contract says pass.
    if passes:
        return Assurance.PASS
    return Assurance.FAIL if fails else Assurance.HIT_AND_MISS


def spc_analyse(
    points: Sequence[tuple[datetime.date, Value]], *, polarity: Polarity | str, target: Value
) -> SpcResult:
    """Chart the series as the contract's "Signal and noise" says: limits, flags, variation and assurance.

    ``points`` are (period, value) pairs, normally the caller's at most 60 latest months in time order. They
    are sorted by period, months without a value (None, NaN) are left out, and when more than 60 remain only
    the latest 60 are used, so a longer history gives the same answer as the caller's selection would.
    """
    polarity = Polarity(polarity)
    series = _series(points, _ratio)[-MAX_POINTS:]
    n = len(series)
    if not n:
        return SpcResult(points=0)
    # Whole numbers over one denominator, exact and far faster than Fractions (a page charts 60 x 60); times
    # n(n - 1) and the factors' denominator, the mean, limits and 2-sigma lines are whole numbers too.
    scale = math.lcm(*{denominator for _, (_, denominator) in series})
    values = [numerator * (scale // denominator) for _, (numerator, denominator) in series]
    total = sum(values)
    if n < MIN_POINTS_FOR_LIMITS:
        return SpcResult(points=n, mean=_quotient(total, n * scale))
    moving = sum(abs(b - a) for a, b in zip(values, values[1:], strict=False))
    unit = math.lcm(LIMIT_FACTOR.denominator, TWO_SIGMA_FACTOR.denominator)
    denominator = scale * unit * n * (n - 1)
    mean = unit * (n - 1) * total
    limit = int(LIMIT_FACTOR * unit) * n * moving
    two_sigma = int(TWO_SIGMA_FACTOR * unit) * n * moving
    found = _flags([value * unit * n * (n - 1) for value in values], mean, limit, two_sigma)
    goal = _ratio(target)
    assurance = (
        Assurance.NONE
        if goal is None or polarity == Polarity.NEUTRAL  # below: both sides over both denominators
        else _assurance(goal[0] * denominator, (mean - limit) * goal[1], (mean + limit) * goal[1], polarity)
    )
    return SpcResult(
        points=n,
        mean=_quotient(mean, denominator),
        mr=_quotient(moving, (n - 1) * scale),
        lower=_quotient(mean - limit, denominator),
        upper=_quotient(mean + limit, denominator),
        lower_2sigma=_quotient(mean - two_sigma, denominator),
        upper_2sigma=_quotient(mean + two_sigma, denominator),
        variation=_variation({sign for sign in (1, -1) if found[-1] & _SIDE[sign]}, polarity),
        assurance=assurance,
        flags={period: _NAMES[f] for (period, _), f in zip(series, found, strict=True) if f},
    )


def wilson_interval(
    numerator: Value, denominator: Value, z: Decimal = WILSON_Z
) -> tuple[Decimal, Decimal] | None:
    """The 95% Wilson score interval of x out of n, in percent; None when x/n is not a proportion."""
    x, n = _exact(numerator), _exact(denominator)
    if x is None or n is None or n <= 0 or x < 0 or x > n:
        return None
    x, n = _decimal(x), _decimal(n)
    with localcontext(_CONTEXT):  # the caller's Decimal precision must not change the answer
        z2 = z * z
        spread = z * (z2 + 4 * x * (1 - x / n)).sqrt()
        scale = 2 * (n + z2)
        # Rounding in the last digit could push an end a hair past 0% or 100%, which no reader should see.
        lower = max(Decimal(0), (2 * x + z2 - spread) / scale * 100)
        upper = min(Decimal(100), (2 * x + z2 + spread) / scale * 100)
    return lower, upper


def attention(*, rag: str, direction: str, variation: str, assurance: str) -> list[Attention]:
    """The reasons, in the contract's order, that a board should look at a row; empty if none."""
    reasons = []
    if rag == "red" and direction == "worsened":
        reasons.append(Attention.RED_AND_WORSENED)
    if variation == Variation.CONCERN:
        reasons.append(Attention.SPECIAL_CAUSE_CONCERN)
    if assurance == Assurance.FAIL:
        reasons.append(Attention.FAILING_TARGET)
    return reasons


@dataclass(frozen=True)
class Forecast:
    """Where the straight-line trend puts the financial year end, with a 95% prediction interval."""

    year_end: datetime.date
    points: int
    #: change per month of the fitted line.
    slope: Decimal
    projected: Decimal
    lower: Decimal
    upper: Decimal
    verdict: Verdict


def forecast_year_end(
    points: Sequence[tuple[datetime.date, Value]],
    *,
    polarity: Polarity | str,
    target: Value,
    year_end: datetime.date,
) -> Forecast | None:
    """Project the least-squares line through the latest 12 points to the year-end month (see METHOD).

    None when there is no target, the measure is neutral, fewer than 6 months have a value, or the year end
    falls before the latest month (the year is over: there is nothing to forecast).
    """
    polarity = Polarity(polarity)
    goal = _exact(target)
    series = _series(points)[-FORECAST_POINTS:]
    if goal is None or polarity == Polarity.NEUTRAL or len(series) < FORECAST_MIN_POINTS:
        return None
    origin = _month_index(series[0][0])
    xs = [Fraction(_month_index(period) - origin) for period, _ in series]
    ys = [value for _, value in series]
    at = Fraction(_month_index(year_end) - origin)
    if at < xs[-1] or len(set(xs)) < 2:  # two days of one month would leave no slope to fit
        return None
    n = len(xs)
    x_bar, y_bar = sum(xs) / n, sum(ys) / n
    sxx = sum((x - x_bar) ** 2 for x in xs)
    slope = sum((x - x_bar) * (y - y_bar) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = y_bar - slope * x_bar
    residual_ss = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    projected = intercept + slope * at
    # Prediction (not confidence) interval: it covers one future month's figure, scatter included.
    variance = residual_ss / (n - 2) * (1 + Fraction(1, n) + (at - x_bar) ** 2 / sxx)
    centre = _decimal(projected)
    with localcontext(_CONTEXT):
        half_width = T_975[n - 2] * _decimal(variance).sqrt()
        lower, upper = centre - half_width, centre + half_width
    # "Met" means as good as the target, equal included, as in the scorecard's RAG rules.
    if polarity == Polarity.HIGHER_IS_BETTER:
        worst_meets, best_meets = Fraction(lower) >= goal, Fraction(upper) >= goal
    else:
        worst_meets, best_meets = Fraction(upper) <= goal, Fraction(lower) <= goal
    verdict = Verdict.LIKELY if worst_meets else Verdict.POSSIBLE if best_meets else Verdict.UNLIKELY
    return Forecast(year_end, n, _decimal(slope), centre, lower, upper, verdict)
