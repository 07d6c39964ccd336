"""The exception report: the rows a board should look at, why in words, and where each figure is heading.

Presentation only, never a query: the page ``scorecards:attention`` and the board pack's first part draw the
same items from the rows of ``selectors.scorecard_build``, so they cannot disagree with the scorecard.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString

from scorecards import rating, spc
from scorecards.core.spc_charts import describe_spc, spc_thumbnail_svg, summarise_spc
from scorecards.rows import Scorecard, ScorecardRow

VERDICT_WORDS = {
    spc.Verdict.LIKELY: "is likely to be met",
    spc.Verdict.POSSIBLE: "may or may not be met",
    spc.Verdict.UNLIKELY: "is unlikely to be met",
}
#: Units whose figures cannot fall below zero (or, for percentages, rise above 100): a forecast range is
#: written within them, as no year-end figure can fall outside.
NON_NEGATIVE_UNITS = {"percent", "rate_per_10k", "count", "days"}


@dataclass(frozen=True)
class ForecastView:
    """A year-end forecast with the sentence that states it."""

    forecast: spc.Forecast
    sentence: str
    method: str = spc.METHOD

    @property
    def verdict(self) -> str:
        return str(self.forecast.verdict)


def forecast_for(row: ScorecardRow) -> ForecastView | None:
    """Where the figure is heading at the end of the financial year that holds the period, for an indicator
    with a target for that year (not a later strategy's); None when there is nothing to forecast."""
    if row.target is None or row.target[0] != rating.financial_year_of(row.period):
        return None
    year_end = datetime.date(rating.parse_financial_year(row.target[0]) + 1, 3, 1)
    forecast = spc.forecast_year_end(
        row.series, polarity=row.indicator.polarity, target=row.target[1], year_end=year_end
    )
    if forecast is None:
        return None
    low, high = forecast.lower, forecast.upper
    if row.indicator.unit in NON_NEGATIVE_UNITS:
        low, high = max(low, Decimal(0)), max(high, Decimal(0))
    if row.indicator.unit == "percent":
        low, high = min(low, Decimal(100)), min(high, Decimal(100))
    # A quarter's series is its quarters' values, so its trend is told in quarters.
    points = f"{forecast.points} {'quarters' if row.quarterly else 'months'}"
    sentence = (
        f"If the trend of the last {points} carries on, the figure for {year_end:%B %Y} will "
        f"be about {row.fmt(forecast.projected)} (likely between {row.fmt(low)} and {row.fmt(high)}): the "
        f"target of {row.fmt(row.target[1])} for {row.target[0]} {VERDICT_WORDS[forecast.verdict]}."
    )
    return ForecastView(forecast, sentence)


@dataclass(frozen=True)
class AttentionItem:
    """One row of the exception report."""

    row: ScorecardRow
    #: (label, explanation) per reason, in the contract's order
    reasons: tuple[tuple[str, str], ...]
    thumbnail: SafeString
    #: the chart in words: in full (``description``, the thumbnail's text alternative) and in one line
    description: str
    summary: str
    forecast: ForecastView | None

    @property
    def latest_commentary(self):
        commentary = self.row.commentary
        return commentary[0] if commentary else None


def attention_items(scorecard: Scorecard) -> list[AttentionItem]:
    """The rows whose ``attention`` is not empty, in the scorecard's order."""
    items = []
    for row in scorecard.rows:
        reasons = row.attention
        if not reasons:
            continue
        items.append(
            AttentionItem(
                row=row,
                reasons=tuple((spc.ATTENTION_LABELS[r], spc.ATTENTION_EXPLANATIONS[r]) for r in reasons),
                thumbnail=spc_thumbnail_svg(row),
                description=describe_spc(row),
                summary=summarise_spc(row),
                forecast=forecast_for(row),
            )
        )
    return items
