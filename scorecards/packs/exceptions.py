"""The board pack's opening part: a summary table of every indicator's SPC icons, as NHS boards read them,
then the exception report (the rows whose ``attention`` is not empty).

Presentation only, never a query: the items are the exception report page's (``core.attention``), with the
charts as data: URLs, which WeasyPrint reads far faster than inline SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

from scorecards.core.attention import AttentionItem, attention_items
from scorecards.rows import Scorecard, ScorecardRow


@dataclass(frozen=True)
class PackException:
    item: AttentionItem
    thumbnail: str  # a data: URL

    @property
    def row(self) -> ScorecardRow:
        return self.item.row


@dataclass(frozen=True)
class ExceptionReport:
    #: every row, in scorecard order, as pairs for a two-column table (the right one None when odd)
    summary: list[tuple[ScorecardRow, ScorecardRow | None]]
    exceptions: list[PackException]

    @property
    def has_forecast(self) -> bool:
        return any(exception.item.forecast for exception in self.exceptions)


def exception_report(scorecard: Scorecard, *, data_url) -> ExceptionReport:
    """The summary pairs and the exceptions; ``data_url`` turns an SVG into a data: URL (``pdf.svg_data_url``)."""
    rows = scorecard.rows
    half = (len(rows) + 1) // 2
    summary = list(zip_longest(rows[:half], rows[half:]))
    exceptions = [PackException(item, data_url(str(item.thumbnail))) for item in attention_items(scorecard)]
    return ExceptionReport(summary=summary, exceptions=exceptions)
