"""Quarters of the financial year, and how an indicator's quarter value is made from its months.

shared/CONTRACT.md, "Quarters, cohorts, comparator groups and trajectories": a quarter is written
``YYYY-YY-Qn`` (Q1 April to June ... Q4 January to March of the second year) and an indicator's
``quarter_rule`` says how the quarter's value comes from the months' stored values:

- ``end``: the value of the latest month of the quarter that has one (its numerator and denominator with it);
- ``sum``: the sum of the three monthly values, only when all three exist;
- ``pooled``: the sum of the numerators over the sum of the denominators (times the unit's multiplier), only
  when all three months have both.

Otherwise the quarter has no value. Plain Python like ``rating.py``: no Django, tested without a database. A
quarter is represented elsewhere by its last month (a first-of-month ``date``), which is the month that
decides its benchmark year, target and baseline, so the rating rules apply unchanged.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

#: The URL converter's pattern; a year pair that does not follow on (2020-22-Q1) is refused by ``parse``.
QUARTER_REGEX = r"[0-9]{4}-[0-9]{2}-Q[1-4]"
QUARTER_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})-Q([0-9])")
DEFAULT_QUARTERS = 5
#: Quarter values are kept at the stored precision of a monthly figure.
STORED_PLACES = Decimal("0.0001")

END, SUM, POOLED = "end", "sum", "pooled"
RULES = (END, SUM, POOLED)
#: A pooled value is the ratio times this, by unit, as an import computes a month's value.
MULTIPLIERS = {"percent": Decimal(100), "rate_per_10k": Decimal(10_000)}
#: Units whose figures are counts of something, never ratios: ``pooled`` cannot apply to them.
COUNT_UNITS = ("count",)

BAD_QUARTER = "{value!r} is not a quarter written YYYY-YY-Qn, such as 2019-20-Q4 (n from 1 to 4)"
BAD_QUARTER_YEARS = "{value!r} is not a quarter: {start}- must be followed by {expected:02d}"
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")  # fmt: skip


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter ``number`` (1-4) of the financial year that starts in April of ``year``."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``2019-20-Q4`` -> Quarter(2019, 4); ValueError, saying why, for anything else."""
        match = QUARTER_PATTERN.fullmatch(text or "")
        if not match or not 1 <= int(match.group(3)) <= 4:
            raise ValueError(BAD_QUARTER.format(value=text))
        start, second = int(match.group(1)), int(match.group(2))
        if second != (start + 1) % 100:
            raise ValueError(BAD_QUARTER_YEARS.format(value=text, start=start, expected=(start + 1) % 100))
        return cls(start, int(match.group(3)))

    @classmethod
    def of(cls, month: datetime.date) -> Quarter:
        """The quarter that holds a month."""
        year = month.year if month.month >= 4 else month.year - 1
        return cls(year, (month.month - 4) % 12 // 3 + 1)

    @property
    def label(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}-Q{self.number}"

    def __str__(self) -> str:
        return self.label

    @property
    def months(self) -> tuple[datetime.date, datetime.date, datetime.date]:
        return _months_of(self.year, self.number)

    @property
    def first_month(self) -> datetime.date:
        return self.months[0]

    @property
    def last_month(self) -> datetime.date:
        """The month that decides the quarter's benchmark year, target and baseline."""
        return self.months[-1]

    @property
    def financial_year(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"

    @property
    def span(self) -> str:
        """E.g. "January to March 2020"."""
        first, last = self.first_month, self.last_month
        return f"{MONTH_NAMES[first.month - 1]} to {MONTH_NAMES[last.month - 1]} {last.year}"

    @property
    def name(self) -> str:
        """E.g. "Q4 2019/20 (January to March 2020)"."""
        return f"Q{self.number} {self.financial_year} ({self.span})"

    @property
    def title(self) -> str:
        """E.g. "Quarter 4 2019/20", as the list of board packs names a quarter's pack."""
        return f"Quarter {self.number} {self.financial_year}"

    @property
    def short(self) -> str:
        """E.g. "Q4 2019/20", as a column or a chart axis names it."""
        return f"Q{self.number} {self.financial_year}"

    def shifted(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.number - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)


@functools.cache
def _months_of(year: int, number: int) -> tuple[datetime.date, datetime.date, datetime.date]:
    """The three first-of-month dates of a quarter (cached: a scorecard asks for them thousands of times)."""
    first = 4 + (number - 1) * 3
    return tuple(  # type: ignore[return-value]
        datetime.date(year + (month > 12), (month - 1) % 12 + 1, 1) for month in range(first, first + 3)
    )


def quarter_window(quarter: Quarter, count: int) -> list[Quarter]:
    """The ``count`` quarters ending with ``quarter``, oldest first."""
    return [quarter.shifted(-offset) for offset in reversed(range(count))]


def is_quarter(text: str) -> bool:
    try:
        Quarter.parse(text)
    except ValueError:
        return False
    return True


def label_of(month: datetime.date) -> str:
    """The quarter label of the quarter whose last month (or any month) this is."""
    return Quarter.of(month).label


# The quarter's value ---------------------------------------------------------------------------------------


class MonthFigure(Protocol):
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    status: str
    commentary: str


@dataclass(frozen=True)
class QuarterFigure:
    """A quarter's figure made by its indicator's rule; ``value`` None when the rule cannot make one."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    #: a status of the quarter's latest month that has one, when no month has a value ("data not available")
    status: str = ""
    #: the months whose figures made it (``end``: the one month used)
    months: tuple[datetime.date, ...] = ()
    #: months of the quarter that have a value, when the rule needed more than it had
    incomplete: int = 0
    #: each month's commentary, newest first, with the month's name
    commentary: str = ""


def quarter_figure(
    rule: str, unit: str, quarter: Quarter, figures: Mapping[datetime.date, MonthFigure]
) -> QuarterFigure:
    """The quarter's value, numerator and denominator from its months' figures, by the indicator's rule."""
    months = [figures.get(month) for month in quarter.months]
    present = [(month, figure) for month, figure in zip(quarter.months, months, strict=True) if figure]
    valued = [(month, figure) for month, figure in present if figure.value is not None]
    commentary = "\n\n".join(
        f"{MONTH_NAMES[month.month - 1]} {month.year}: {figure.commentary}"
        for month, figure in reversed(present)
        if figure.commentary
    )
    status = next((figure.status for _, figure in reversed(present) if figure.status), "")
    if not valued:
        return QuarterFigure(None, status=status, commentary=commentary)
    if rule == SUM:
        if len(valued) < 3:
            return QuarterFigure(None, incomplete=len(valued), commentary=commentary)
        return QuarterFigure(
            sum(figure.value for _, figure in valued),
            _sum_all([figure.numerator for _, figure in valued]),
            _sum_all([figure.denominator for _, figure in valued]),
            months=quarter.months,
            commentary=commentary,
        )
    if rule == POOLED:
        pooled = [
            (month, figure)
            for month, figure in valued
            if figure.numerator is not None and figure.denominator is not None
        ]
        denominator = _sum_all([figure.denominator for _, figure in pooled])
        if len(pooled) < 3 or not denominator:
            return QuarterFigure(None, incomplete=len(pooled), commentary=commentary)
        numerator = _sum_all([figure.numerator for _, figure in pooled])
        value = (numerator / denominator * MULTIPLIERS.get(unit, Decimal(1))).quantize(
            STORED_PLACES, rounding=ROUND_HALF_UP
        )
        return QuarterFigure(value, numerator, denominator, months=quarter.months, commentary=commentary)
    month, figure = valued[-1]
    return QuarterFigure(
        figure.value, figure.numerator, figure.denominator, months=(month,), commentary=commentary
    )


def _sum_all(numbers: Sequence[Decimal | None]) -> Decimal | None:
    """The sum when there are three numbers and none is missing; else None (the contract's rule)."""
    if len(numbers) < 3 or any(number is None for number in numbers):
        return None
    return sum(numbers, Decimal(0))


def rule_problem(rule: str, unit: str) -> str:
    """Why a quarter rule cannot apply to an indicator of this unit, or "" when it can."""
    if rule not in RULES:
        return f"{rule!r} is not a quarter rule; expected one of: {', '.join(RULES)}"
    if rule == POOLED and unit in COUNT_UNITS:
        return (
            "pooled sums numerators over denominators, which a count does not have; "
            "use sum (a flow, such as children who came into care) or end (a stock, such as children in care)"
        )
    return ""
