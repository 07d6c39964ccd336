"""How the rows of ``rows.py`` name their periods, movements, counts, cohorts and comparator groups.

Mixins of the row types, kept apart so that ``rows.py`` stays a list of types: a column is a month
(``2020-11``) or a quarter (``2019-20-Q4``, held as its last month), and every page, export and pack names it
through these properties, never by formatting a date itself. No queries, no Django.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from scorecards import rating
from scorecards.formatting import format_number, format_value
from scorecards.quarters import Quarter

#: The arrow says which way the figure moved; the word beside it (and its colour) says whether that is better.
MOVEMENT_SYMBOLS = {
    rating.Direction.UP: "↑",
    rating.Direction.DOWN: "↓",
    rating.Direction.SAME: "→",
    rating.Direction.NONE: "–",
}
#: The comparator range when a benchmark names no group: the statistical neighbours'.
DEFAULT_RANGE_GROUP = "statistical neighbours"


def counts_text(numerator: Decimal | None, denominator: Decimal | None) -> str:
    """E.g. "463/503"; empty unless both are given."""
    if numerator is None or denominator is None:
        return ""
    return f"{format_count(numerator)}/{format_count(denominator)}"


def format_count(number: Decimal) -> str:
    """A count as written: 1,234, with decimals only when it has them."""
    if number == number.to_integral_value():
        return format_number(number, 0)
    return f"{number.normalize():,f}"


def figure_text(value: Decimal | None, unit: str, decimals: int, numerator=None, denominator=None) -> str:
    """A figure as the page writes it, a percentage with its counts beside it: "92% (463/503)"."""
    text = format_value(value, unit, decimals)
    counts = counts_text(numerator, denominator) if value is not None and unit == "percent" else ""
    return f"{text} ({counts})" if counts else text


def period_key(period: datetime.date, quarterly: bool) -> str:
    """The period as the JSON export and the addresses write it: 2020-11, or 2019-20-Q4 for a quarter."""
    return Quarter.of(period).label if quarterly else f"{period:%Y-%m}"


def period_name(period: datetime.date, quarterly: bool) -> str:
    """E.g. "November 2020", or "Q4 2019/20 (January to March 2020)"."""
    return Quarter.of(period).name if quarterly else f"{period:%B %Y}"


def period_short(period: datetime.date, quarterly: bool) -> str:
    """E.g. "Nov 2020", or "Q4 2019/20"."""
    return Quarter.of(period).short if quarterly else f"{period:%b %Y}"


def period_column(period: datetime.date, quarterly: bool) -> str:
    """A column heading: "Nov 20", or "Q4 19/20"."""
    if not quarterly:
        return f"{period:%b %y}"
    quarter = Quarter.of(period)
    return f"Q{quarter.number} {quarter.year % 100:02d}/{(quarter.year + 1) % 100:02d}"


class CellLabels:
    """Names of a ``MonthCell``'s period; ``label`` is set (the quarter's) when the cell is a quarter."""

    __slots__ = ()

    @property
    def quarterly(self) -> bool:
        return bool(self.label)

    @property
    def key(self) -> str:
        return self.label or f"{self.period:%Y-%m}"

    @property
    def name(self) -> str:
        return period_name(self.period, self.quarterly)

    @property
    def short(self) -> str:
        return period_short(self.period, self.quarterly)

    @property
    def counts(self) -> str:
        return counts_text(self.numerator, self.denominator)


class RowLabels:
    """What a ``ScorecardRow`` says beyond its figures: its movement, its latest period, its comparator group."""

    @property
    def quarterly(self) -> bool:
        return bool(self.cells) and self.cells[0].quarterly

    @property
    def movement(self) -> rating.Direction:
        """Which way the figure moved (up, down, same), whatever its polarity: the arrow, never the verdict."""
        if self.latest is None or self.previous is None:
            return rating.Direction.NONE
        return rating.direction(
            self.latest.value,
            self.previous.value,
            polarity=rating.Polarity.NEUTRAL,
            decimals=self.indicator.decimals,
        )

    @property
    def movement_symbol(self) -> str:
        return MOVEMENT_SYMBOLS[self.movement]

    @property
    def latest_when(self) -> str:
        """The latest figure's month or quarter, e.g. "Nov 2020"; empty without one."""
        return period_short(self.latest.period, self.quarterly) if self.latest else ""

    @property
    def latest_name(self) -> str:
        """E.g. "November 2020", or "Q4 2019/20 (January to March 2020)"."""
        return period_name(self.latest.period, self.quarterly) if self.latest else ""

    @property
    def previous_when(self) -> str:
        return period_short(self.previous.period, self.quarterly) if self.previous else ""

    @property
    def latest_text(self) -> str:
        """The latest figure with its counts, e.g. "92% (463/503)"; the dash without one."""
        cell = self.latest_cell
        return cell.text if cell is not None else format_value(None, self.indicator.unit, 0)

    @property
    def latest_or_status(self) -> str:
        """The latest figure; else why there is none: a status ("Not available") or "No figure" (no row)."""
        if self.latest is not None:
            return self.latest_text
        status = next((cell.status_label for cell in reversed(self.cells) if cell.status), "")
        return status or "No figure"

    @property
    def range_group(self) -> str:
        """Whose range sn_min and sn_max are: the group the benchmark names, else the statistical neighbours."""
        return self.benchmark.range_group or DEFAULT_RANGE_GROUP

    @property
    def sn_range_label(self) -> str:
        """E.g. "Range of good and outstanding neighbours"; "Statistical-neighbour range" without a group."""
        return f"Range of {self.range_group}" if self.benchmark.range_group else "Statistical-neighbour range"

    @property
    def sn_range_short(self) -> str:
        """As a chart's legend names the range: "SN range", or the group's when one is named."""
        return f"Range of {self.range_group}" if self.benchmark.range_group else "SN range"

    @property
    def has_range(self) -> bool:
        return self.benchmark.sn_min is not None and self.benchmark.sn_max is not None

    @property
    def target_when(self) -> str:
        """What the target is: "for 2021/22", or "for Dec 2021 (trajectory to 2021/22)"."""
        if self.target is None:
            return ""
        if self.target_month is not None:
            return f"for {self.target_month:%b %Y} (trajectory to {self.target[0]})"
        return f"for {self.target[0]}"

    @property
    def has_trajectory(self) -> bool:
        """Whether the target steps (interim targets, or later years' targets), rather than staying one line."""
        return len({value for _, value in self.trajectory if value is not None}) > 1

    @property
    def cohorts_with_values(self) -> tuple:
        return tuple(cohort for cohort in self.cohorts if cohort.latest_cell is not None)


class ScorecardLabels:
    """How a ``Scorecard`` names its period and columns: months or quarters."""

    @property
    def period_key(self) -> str:
        return period_key(self.period, self.quarterly)

    @property
    def period_name(self) -> str:
        return period_name(self.period, self.quarterly)

    @property
    def period_short(self) -> str:
        return period_short(self.period, self.quarterly)

    @property
    def first_month(self) -> datetime.date:
        """The first month the window covers (a quarter's first month)."""
        first = self.months[0] if self.months else self.period
        return Quarter.of(first).first_month if self.quarterly else first

    @property
    def first_name(self) -> str:
        return period_name(self.months[0], self.quarterly) if self.months else ""

    @property
    def unit_word(self) -> str:
        """ "months" or "quarters", for "6 months to November 2020"."""
        return "quarters" if self.quarterly else "months"

    @property
    def window_text(self) -> str:
        """E.g. "6 months to November 2020", or "5 quarters to Q4 2019/20 (January to March 2020)"."""
        count = len(self.months)
        word = self.unit_word if count != 1 else self.unit_word[:-1]
        return f"{count} {word} to {self.period_name}"

    @property
    def column_heads(self) -> list[tuple[str, str, str]]:
        """(heading, full name, sign-off note) of each column of the window."""
        notes = self.month_notes or ("",) * len(self.months)
        return [
            (period_column(month, self.quarterly), period_name(month, self.quarterly), note)
            for month, note in zip(self.months, notes, strict=True)
        ]

    @property
    def detail_route(self) -> str:
        """The URL name of this scorecard's page: a month's or a quarter's."""
        return "scorecards:quarter" if self.quarterly else "scorecards:detail"

    @property
    def indicator_route(self) -> str:
        return "scorecards:quarter_indicator" if self.quarterly else "scorecards:indicator"

    @property
    def default_window(self) -> int:
        return 5 if self.quarterly else 6

    @property
    def common_range_group(self) -> str:
        """The comparator group most rows' SN ranges are of: the grid names it once, in its header."""
        groups = [row.range_group for row in self.rows if row.has_range]
        return max(set(groups), key=groups.count) if groups else DEFAULT_RANGE_GROUP

    @property
    def has_region(self) -> bool:
        """Whether any row has a region figure: only then do the pages give the region a column."""
        return any(row.benchmark.region is not None for row in self.rows)
