"""The rating rules of shared/CONTRACT.md, in plain Python.

Every RAG status, direction of travel, benchmark year, target and baseline shown anywhere in the product
(page, table, chart, exports, PDF) is decided here, from ``Decimal | None`` inputs. Missing data is a result
(``none``), never an exception. This module must not import Django: it is tested without a database, and
other councils can read it as the statement of the rules.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import EnumType, StrEnum

DEFAULT_TOLERANCE_SHARE = Decimal("0.05")
FINANCIAL_YEAR_PATTERN = re.compile(r"([0-9]{4})/([0-9]{2})")


class _LabelledChoicesType(EnumType):
    """Gives a labelled enum the class attributes Django's choices have, without importing Django."""

    @property
    def values(cls) -> list[str]:
        return [member.value for member in cls]

    @property
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class LabelledChoice(StrEnum, metaclass=_LabelledChoicesType):
    """A string enum whose members carry a label for people, as Django's ``TextChoices`` do.

    The models use these enums as their field choices, so each value and its label are written once, here.
    """

    label: str

    def __new__(cls, value: str, label: str) -> LabelledChoice:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class Unit(LabelledChoice):
    PERCENT = "percent", "Percent"
    RATE_PER_10K = "rate_per_10k", "Rate per 10,000 children"
    COUNT = "count", "Count"
    DAYS = "days", "Days"
    SCORE = "score", "Score"


class Polarity(LabelledChoice):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    NEUTRAL = "neutral", "Neutral (no better direction)"


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"


class Direction(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCHANGED = "unchanged"
    UP = "up"
    DOWN = "down"
    SAME = "same"
    NONE = "none"


class Outcome(StrEnum):
    """How the latest figure stands against one comparator."""

    AS_GOOD = "as_good"
    WITHIN_TOLERANCE = "within_tolerance"
    WORSE = "worse"


class Basis(StrEnum):
    """Why a rating is what it is."""

    TARGET = "target"
    BENCHMARKS = "benchmarks"
    NEUTRAL = "neutral"
    NO_VALUE = "no_value"
    NO_COMPARATOR = "no_comparator"


@dataclass(frozen=True)
class Observation:
    period: datetime.date
    value: Decimal


@dataclass(frozen=True)
class Comparator:
    """A figure the latest value is judged against: a target, England or the statistical-neighbour average."""

    label: str
    value: Decimal
    year: str | None = None


@dataclass(frozen=True)
class Comparison:
    comparator: Comparator
    latest: Decimal
    compared_value: Decimal
    #: latest minus comparator after rounding; positive means numerically higher.
    difference: Decimal
    outcome: Outcome
    #: the amber tolerance applied; None when two comparators are used (no tolerance then).
    tolerance: Decimal | None


@dataclass(frozen=True)
class Rating:
    rag: Rag
    basis: Basis
    comparisons: tuple[Comparison, ...] = ()


def round_half_up(value: Decimal | None, decimals: int) -> Decimal | None:
    """Round half away from zero at ``decimals`` places, as people do on paper (2.5 -> 3, -2.5 -> -3)."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# Months and financial years -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def parse_financial_year(year: str) -> int:
    """Return the first calendar year of a financial year written ``YYYY/YY`` (``2019/20`` -> 2019).

    Remembered: a scorecard asks for the same few years a thousand times (an error is not remembered).
    """
    match = FINANCIAL_YEAR_PATTERN.fullmatch(year or "")
    if not match:
        raise ValueError(f"{year!r} is not a financial year written YYYY/YY, such as 2019/20")
    start = int(match.group(1))
    if int(match.group(2)) != (start + 1) % 100:
        raise ValueError(
            f"{year!r} is not a financial year: {start}/ must be followed by {(start + 1) % 100:02d}"
        )
    return start


def financial_year_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def financial_year_of(period: datetime.date) -> str:
    """The financial year (April to March) that holds ``period``."""
    return financial_year_label(period.year if period.month >= 4 else period.year - 1)


@functools.lru_cache(maxsize=512)
def financial_year_end(year: str) -> datetime.date:
    """31 March that ends the financial year."""
    return datetime.date(parse_financial_year(year) + 1, 3, 31)


def month_window(period: datetime.date, months: int) -> list[datetime.date]:
    """The ``months`` first-of-month dates ending with ``period``, oldest first."""
    window = []
    year, month = period.year, period.month
    for _ in range(months):
        window.append(datetime.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(window))


# Which figures apply --------------------------------------------------------------------------------------


def latest_two(
    series: Sequence[tuple[datetime.date, Decimal | None]],
) -> tuple[Observation | None, Observation | None]:
    """The most recent observation in the window that has a value, and the one before it that has a value."""
    present = sorted((period, value) for period, value in series if value is not None)
    latest = Observation(*present[-1]) if present else None
    previous = Observation(*present[-2]) if len(present) > 1 else None
    return latest, previous


def benchmark_year_for(period: datetime.date, years: Iterable[str]) -> str | None:
    """The latest benchmark year that ended (31 March) before the period's month starts."""
    eligible = [year for year in years if financial_year_end(year) < period]
    return max(eligible, key=parse_financial_year, default=None)


def target_for(
    period: datetime.date,
    targets: Mapping[str, Decimal],
    interim: Mapping[datetime.date, Decimal] | None = None,
) -> tuple[str, Decimal] | None:
    """The target of the period's month: its interim target, else the latest interim target before it in the
    same financial year (a trajectory), else the year rule, which looks only at targets without a month: the
    target for the financial year holding the period, else the nearest later one, else none.

    ``interim`` maps the first day of a month to its interim target; the year returned with an interim target
    is the financial year it belongs to.
    """
    chosen = interim_target_for(period, interim or {})
    if chosen is not None:
        return financial_year_of(chosen[0]), chosen[1]
    current = parse_financial_year(financial_year_of(period))
    later = sorted(
        (parse_financial_year(year), year) for year in targets if parse_financial_year(year) >= current
    )
    if not later:
        return None
    year = later[0][1]
    return year, targets[year]


def interim_target_for(
    period: datetime.date, interim: Mapping[datetime.date, Decimal]
) -> tuple[datetime.date, Decimal] | None:
    """The interim target of the period's month, else the latest one before it in the same financial year."""
    year = financial_year_of(period)
    earlier = [month for month in interim if month <= period and financial_year_of(month) == year]
    if not earlier:
        return None
    month = max(earlier)
    return month, interim[month]


def baseline_for(period: datetime.date, baselines: Mapping[str, Decimal]) -> tuple[str, Decimal] | None:
    """The latest baseline whose financial year ended before the period."""
    year = benchmark_year_for(period, baselines)
    return (year, baselines[year]) if year is not None else None


# Direction and RAG -----------------------------------------------------------------------------------------


def _largest_first(value: Decimal) -> Decimal:
    return value.copy_negate()


def _smallest_first(value: Decimal) -> Decimal:
    return value


def better_first_key(polarity: Polarity | str) -> Callable[[Decimal], Decimal]:
    """The sort key that puts the better figure first: the one ordering of ratings, ranks, quartiles, league.

    Smallest first when lower is better, largest first when higher is better. A neutral indicator has no
    better figure, so it is never rated, ranked or banded; where its figures are listed they read largest
    first.
    """
    return _smallest_first if Polarity(polarity) == Polarity.LOWER_IS_BETTER else _largest_first


def is_better(a: Decimal, b: Decimal, polarity: Polarity | str) -> bool:
    """Whether ``a`` comes before ``b`` in ``better_first_key``'s order: strictly better, never equal."""
    key = better_first_key(polarity)
    return key(a) < key(b)


def direction(
    latest: Decimal | None, previous: Decimal | None, *, polarity: Polarity | str, decimals: int
) -> Direction:
    """Compare the latest value with the previous one in the window, after rounding both."""
    polarity = Polarity(polarity)
    if latest is None or previous is None:
        return Direction.NONE
    now, before = round_half_up(latest, decimals), round_half_up(previous, decimals)
    if polarity == Polarity.NEUTRAL:
        if now == before:
            return Direction.SAME
        return Direction.UP if now > before else Direction.DOWN
    if now == before:
        return Direction.UNCHANGED
    return Direction.IMPROVED if is_better(now, before, polarity) else Direction.WORSENED


def compare(
    latest: Decimal,
    comparator: Comparator,
    *,
    polarity: Polarity,
    decimals: int,
    amber_tolerance: Decimal | None,
    use_tolerance: bool,
) -> Comparison:
    now = round_half_up(latest, decimals)
    against = round_half_up(comparator.value, decimals)
    tolerance = None
    if use_tolerance:
        tolerance = amber_tolerance if amber_tolerance is not None else DEFAULT_TOLERANCE_SHARE * abs(against)
    if now == against or is_better(now, against, polarity):
        outcome = Outcome.AS_GOOD
    elif tolerance is not None and abs(now - against) <= tolerance:
        outcome = Outcome.WITHIN_TOLERANCE
    else:
        outcome = Outcome.WORSE
    return Comparison(comparator, now, against, now - against, outcome, tolerance)


def rate(
    latest: Decimal | None,
    *,
    polarity: Polarity | str,
    decimals: int,
    target: Comparator | None = None,
    england: Comparator | None = None,
    sn_average: Comparator | None = None,
    amber_tolerance: Decimal | None = None,
) -> Rating:
    """Rate the latest value: against the target if there is one, otherwise England and the SN average."""
    polarity = Polarity(polarity)
    if polarity == Polarity.NEUTRAL:
        return Rating(Rag.NONE, Basis.NEUTRAL)
    if latest is None:
        return Rating(Rag.NONE, Basis.NO_VALUE)
    if target is not None:
        basis, comparators = Basis.TARGET, [target]
    else:
        basis, comparators = Basis.BENCHMARKS, [c for c in (england, sn_average) if c is not None]
    if not comparators:
        return Rating(Rag.NONE, Basis.NO_COMPARATOR)
    single = len(comparators) == 1
    comparisons = tuple(
        compare(
            latest,
            c,
            polarity=polarity,
            decimals=decimals,
            amber_tolerance=amber_tolerance,
            use_tolerance=single,
        )
        for c in comparators
    )
    as_good = sum(1 for c in comparisons if c.outcome == Outcome.AS_GOOD)
    if single:
        rag = {Outcome.AS_GOOD: Rag.GREEN, Outcome.WITHIN_TOLERANCE: Rag.AMBER, Outcome.WORSE: Rag.RED}[
            comparisons[0].outcome
        ]
    else:
        rag = {2: Rag.GREEN, 1: Rag.AMBER, 0: Rag.RED}[as_good]
    return Rating(rag, basis, comparisons)
