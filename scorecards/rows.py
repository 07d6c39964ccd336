"""The rated rows every page, export and pack draws from: types only, no queries.

``scorecards.core.selectors.scorecard_build`` fills them once, already rated, so the page, the table, the
charts, the CSV/JSON/XLSX exports and the PDF can never disagree about a figure, a direction or a RAG status.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal

from authorities.models import Authority
from scorecards import rating, spc
from scorecards.formatting import (
    DIRECTION_LABELS,
    RAG_LABELS,
    RAG_SYMBOLS,
    describe_interval_doubt,
    explain_rating,
    format_value,
)
from scorecards.labels import CellLabels, RowLabels, ScorecardLabels, period_name, period_short
from scorecards.models import BenchmarkSource, Indicator, ScorecardMonth, SignOffState, ValueStatus
from scorecards.signal_labels import SignalLabels
from scorecards.spc_signal import Signal

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


@dataclass(slots=True)
class MonthCell(CellLabels):
    """One month of a row (not frozen: a grid builds hundreds, and frozen slots cost a call per field)."""

    period: datetime.date
    value: Decimal | None
    status: str
    text: str
    commentary: str = ""
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    #: the month is not approved (only people who enter data see such figures, marked as drafts)
    draft: bool = False
    #: the figure changed after the month was last approved, on this date
    revised_since: datetime.datetime | None = None
    #: a figure exists but the reader may not see it until the month is approved
    withheld: bool = False
    #: the quarter (``2019-20-Q4``) when the cell is a quarter, held as its last month; empty for a month
    label: str = ""

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
    #: the group behind sn_min and sn_max (e.g. good and outstanding neighbours); empty: the neighbours'
    range_group: str = ""

    def source_of(self, name: str) -> str:
        return SOURCE_LABELS.get(self.sources.get(name, ""), "")


@dataclass(frozen=True)
class ScorecardRow(RowLabels, SignalLabels):
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
    #: Signal and noise (shared/CONTRACT.md): the SPC series (month, value), oldest first, at most 60 values
    #: (None when built for the grid, which needs only the icons);
    series: tuple[tuple[datetime.date, Decimal], ...] | None = ()
    #: the latest point's variation and the assurance (the full chart is ``spc``, worked out when needed);
    signal: Signal = Signal(0, spc.Variation.NONE, spc.Assurance.NONE)
    #: and the 95% Wilson interval of the latest value, in percent, when it has a numerator and denominator.
    interval: tuple[Decimal, Decimal] | None = None
    #: the target of each column of the window, then each month ahead where it changes (month, target);
    trajectory: tuple[tuple[datetime.date, Decimal | None], ...] = ()
    #: the month of the interim target in use, when the row's target is one;
    target_month: datetime.date | None = None
    #: and the breakdowns of the figure (``scorecards.core.cohorts.CohortRow``), never rated.
    cohorts: tuple = ()

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
        reason = explain_rating(
            self.rating,
            unit=self.indicator.unit,
            decimals=self.indicator.decimals,
            polarity=self.indicator.polarity,
        )
        cell = self.latest_cell
        doubt = describe_interval_doubt(
            self.rating,
            self.interval,
            numerator=cell.numerator if cell else None,
            denominator=cell.denominator if cell else None,
            unit=self.indicator.unit,
            decimals=self.indicator.decimals,
        )
        return f"{reason}; {doubt}" if doubt else reason

    @functools.cached_property
    def spc(self) -> spc.SpcResult:
        """The XmR chart of the series, with every point's flags: for charts and exports, not the grid."""
        if self.series is None:
            raise LookupError("this row was built without its series (scorecard_build's with_series)")
        target = self.target[1] if self.target else None
        return spc.spc_analyse(self.series, polarity=self.indicator.polarity, target=target)

    @property
    def latest_cell(self) -> MonthCell | None:
        if self.latest is None:
            return None
        return next((cell for cell in self.cells if cell.period == self.latest.period), None)

    @property
    def direction_label(self) -> str:
        return DIRECTION_LABELS[self.direction]

    @property
    def direction_symbol(self) -> str:
        return self.movement_symbol

    @property
    def direction_reason(self) -> str:
        if self.direction == rating.Direction.NONE:
            return f"No trend: fewer than two {'quarters' if self.quarterly else 'months'} with a value"
        assert self.latest and self.previous
        return (
            f"{self.direction_label}: {self.fmt(self.latest.value)} in {self.latest_when} "
            f"against {self.fmt(self.previous.value)} in {self.previous_when}"
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
    #: the figures are quarters' (each held as its last month)
    quarterly: bool = False

    @property
    def latest_name(self) -> str:
        return period_name(self.latest.period, self.quarterly) if self.latest else ""

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
            return f"no change since {period_short(self.previous.period, self.quarterly)}"
        word = "up" if change > 0 else "down"
        amount = format_value(abs(change), self.indicator.unit, self.indicator.decimals)
        return f"{word} {amount} since {period_short(self.previous.period, self.quarterly)}"

    @property
    def change_symbol(self) -> str:
        change = self.change
        if change is None or change == 0:
            return "→" if change == 0 else ""
        return "↑" if change > 0 else "↓"


@dataclass(frozen=True)
class Scorecard(ScorecardLabels):
    authority: Authority
    period: datetime.date
    months: list[datetime.date]
    rows: list[ScorecardRow]
    headlines: list[HeadlineTile]
    sign_off: ScorecardMonth | None = None
    include_drafts: bool = False
    #: per month of the window, what a column header says of its sign-off ("" when approved and unchanged)
    month_notes: tuple[str, ...] = ()
    #: the columns are quarters (each held as its last month) and ``period`` is the quarter's last month
    quarterly: bool = False

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
