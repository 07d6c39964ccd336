"""How a row's signal and noise is written for people: its SPC icons, their words, its interval and why a board
should look at it (shared/CONTRACT.md, "Signal and noise"). A mixin of ``rows.ScorecardRow``, which holds the
``signal`` (the latest point's variation and the assurance), the ``interval`` and the rating; no queries.
"""

from __future__ import annotations

from scorecards import spc
from scorecards.formatting import (
    ASSURANCE_ICONS,
    ASSURANCE_SHORT,
    VARIATION_SHORT,
    format_value,
    variation_icon,
)


class SignalLabels:
    """Needs ``signal``, ``interval``, ``indicator``, ``target``, ``rag`` and ``direction`` on the row."""

    @property
    def attention(self) -> list[spc.Attention]:
        """Why a board should look at this row, in the contract's order; empty if nothing calls for it."""
        return spc.attention(
            rag=self.rag,
            direction=self.direction,
            variation=self.signal.variation,
            assurance=self.signal.assurance,
        )

    @property
    def interval_text(self) -> str:
        """E.g. "28% to 57%"; empty without an interval."""
        return f"{self._interval_ends[0]} to {self._interval_ends[1]}" if self.interval else ""

    @property
    def interval_between(self) -> str:
        """E.g. "between 28% and 57%"; empty without an interval."""
        return f"between {self._interval_ends[0]} and {self._interval_ends[1]}" if self.interval else ""

    @property
    def _interval_ends(self) -> tuple[str, str]:
        unit, decimals = self.indicator.unit, self.indicator.decimals
        return format_value(self.interval[0], unit, decimals), format_value(self.interval[1], unit, decimals)

    @property
    def too_few_points(self) -> bool:
        return self.signal.points < spc.MIN_POINTS_FOR_LIMITS

    @property
    def variation_icon(self) -> str:
        return variation_icon(self.signal.variation, self.indicator.polarity)

    @property
    def variation_short(self) -> str:
        return VARIATION_SHORT[self.signal.variation]

    @property
    def variation_reason(self) -> str:
        variation = self.signal.variation
        return f"{spc.VARIATION_LABELS[variation]}: {spc.VARIATION_EXPLANATIONS[variation]}"

    @property
    def assurance_icon(self) -> str:
        return ASSURANCE_ICONS[self.signal.assurance]

    @property
    def assurance_short(self) -> str:
        if self.signal.assurance == spc.Assurance.NONE and self.too_few_points:
            return VARIATION_SHORT[spc.Variation.NONE]
        return ASSURANCE_SHORT[self.signal.assurance]

    @property
    def assurance_reason(self) -> str:
        assurance = self.signal.assurance
        if assurance == spc.Assurance.NONE and self.target is not None and self.too_few_points:
            return f"No assurance yet: {spc.VARIATION_EXPLANATIONS[spc.Variation.NONE]}"
        return f"{spc.ASSURANCE_LABELS[assurance]}: {spc.ASSURANCE_EXPLANATIONS[assurance]}"
