"""The rated rows every page, export and pack draws from: types only, no queries.

``scorecards.core.selectors.scorecard_build`` fills them once, already rated, so the page, the table, the
charts, the CSV/JSON/XLSX exports and the PDF can never disagree about a figure, a direction or a RAG status.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from authorities.models import Authority
from scorecards import rating
from scorecards.formatting import (
    DIRECTION_LABELS,
    DIRECTION_SYMBOLS,
    RAG_LABELS,
    RAG_SYMBOLS,
    explain_rating,
    format_value,
)
from scorecards.models import BenchmarkSource, Indicator, ScorecardMonth, SignOffState, ValueStatus

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
class MonthCell:
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

    def source_of(self, name: str) -> str:
        return SOURCE_LABELS.get(self.sources.get(name, ""), "")


@dataclass(frozen=True)
class ScorecardRow:
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
        return explain_rating(
            self.rating,
            unit=self.indicator.unit,
            decimals=self.indicator.decimals,
            polarity=self.indicator.polarity,
        )

    @property
    def direction_label(self) -> str:
        return DIRECTION_LABELS[self.direction]

    @property
    def direction_symbol(self) -> str:
        return DIRECTION_SYMBOLS[self.direction]

    @property
    def direction_reason(self) -> str:
        if self.direction == rating.Direction.NONE:
            return "No trend: fewer than two months with a value"
        assert self.latest and self.previous
        return (
            f"{self.direction_label}: {self.fmt(self.latest.value)} in {self.latest.period:%b %Y} "
            f"against {self.fmt(self.previous.value)} in {self.previous.period:%b %Y}"
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
            return f"no change since {self.previous.period:%b %Y}"
        word = "up" if change > 0 else "down"
        amount = format_value(abs(change), self.indicator.unit, self.indicator.decimals)
        return f"{word} {amount} since {self.previous.period:%b %Y}"

    @property
    def change_symbol(self) -> str:
        change = self.change
        if change is None or change == 0:
            return "→" if change == 0 else ""
        return "↑" if change > 0 else "↓"


@dataclass(frozen=True)
class Scorecard:
    authority: Authority
    period: datetime.date
    months: list[datetime.date]
    rows: list[ScorecardRow]
    headlines: list[HeadlineTile]
    sign_off: ScorecardMonth | None = None
    include_drafts: bool = False
    #: per month of the window, what a column header says of its sign-off ("" when approved and unchanged)
    month_notes: tuple[str, ...] = ()

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
