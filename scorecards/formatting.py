"""How figures and ratings are written for people: units, arrows and the reason behind a RAG.

Plain Python like ``rating.py``: the page, the PDF and the exports all write a figure the same way.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from scorecards.rating import Basis, Comparison, Direction, Outcome, Polarity, Rag, Rating, round_half_up
from scorecards.spc import Assurance, Variation

MISSING = "–"

RAG_LABELS = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red", Rag.NONE: "Not rated"}
#: Shapes as well as colours, so the status reads in greyscale print and to people who cannot tell colours apart.
RAG_SYMBOLS = {Rag.GREEN: "●", Rag.AMBER: "◆", Rag.RED: "▲", Rag.NONE: "○"}

DIRECTION_LABELS = {
    # The word judges the movement; the arrow beside it (rows.py) only says which way the figure moved, so a
    # rising rate where lower is better reads "↑ Worse".
    Direction.IMPROVED: "Better",
    Direction.WORSENED: "Worse",
    Direction.UNCHANGED: "Unchanged",
    Direction.UP: "Up",
    Direction.DOWN: "Down",
    Direction.SAME: "Same",
    Direction.NONE: "No trend",
}
DIRECTION_SYMBOLS = {
    Direction.IMPROVED: "↑",
    Direction.WORSENED: "↓",
    Direction.UNCHANGED: "→",
    Direction.UP: "↑",
    Direction.DOWN: "↓",
    Direction.SAME: "→",
    Direction.NONE: "–",
}

UNIT_SUFFIX = {"percent": "%", "days": " days"}
SINGULAR_SUFFIX = {"days": " day"}


@functools.lru_cache(maxsize=8192)
def format_number(value: Decimal | None, decimals: int) -> str:
    """A figure rounded half-up, with thousands separators; the dash for missing."""
    if value is None:
        return MISSING
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0" on a board paper
    return f"{rounded:,.{decimals}f}"


@functools.lru_cache(maxsize=8192)
def format_value(value: Decimal | None, unit: str, decimals: int) -> str:
    """A figure as a board paper writes it, e.g. 42%, 70.1, 1 day; memoised: a scorecard repeats figures."""
    if value is None:
        return MISSING
    number = format_number(value, decimals)
    suffix = SINGULAR_SUFFIX.get(unit) if number == "1" else None
    return f"{number}{suffix or UNIT_SUFFIX.get(unit, '')}"


def format_period(period: datetime.date) -> str:
    return f"{period:%b %Y}"


def _gap_words(comparison: Comparison, unit: str, decimals: int) -> str:
    gap = abs(comparison.difference)
    if gap == 0:
        return "equals"
    side = "above" if comparison.difference > 0 else "below"
    if unit == "percent":
        amount = f"{format_number(gap, decimals)} point{'s' if gap != 1 else ''}"
    else:
        amount = format_value(gap, unit, decimals)
    return f"is {amount} {side}"


def describe_comparison(comparison: Comparison, unit: str, decimals: int) -> str:
    """E.g. "42% is 43 points below England 85% (2018/19)"."""
    comparator = comparison.comparator
    year = f" ({comparator.year})" if comparator.year else ""
    return (
        f"{format_value(comparison.latest, unit, decimals)} {_gap_words(comparison, unit, decimals)} "
        f"{comparator.label} {format_value(comparison.compared_value, unit, decimals)}{year}"
    )


def explain_rating(rating: Rating, *, unit: str, decimals: int, polarity: Polarity | str) -> str:
    """The sentence behind a RAG cell, e.g. "Red: 42% is 43 points below England 85% (2018/19)"."""
    label = RAG_LABELS[rating.rag]
    if rating.basis == Basis.NEUTRAL:
        return f"{label}: this indicator has no better direction, so it is shown for context only"
    if rating.basis == Basis.NO_VALUE:
        return f"{label}: no value in the months shown"
    if rating.basis == Basis.NO_COMPARATOR:
        return f"{label}: no target, England or statistical-neighbour figure to compare with"
    better = "higher" if Polarity(polarity) == Polarity.HIGHER_IS_BETTER else "lower"
    parts = [describe_comparison(c, unit, decimals) for c in rating.comparisons]
    sentence = f"{label}: " + "; ".join(parts)
    if len(rating.comparisons) == 1:
        comparison = rating.comparisons[0]
        if comparison.outcome == Outcome.WITHIN_TOLERANCE:
            sentence += (
                f", within the amber tolerance of {format_number(comparison.tolerance, max(decimals, 2))}"
            )
        elif comparison.outcome == Outcome.WORSE and comparison.tolerance is not None:
            sentence += (
                f", beyond the amber tolerance of {format_number(comparison.tolerance, max(decimals, 2))}"
            )
    return f"{sentence} ({better} is better)"


# Signal and noise ------------------------------------------------------------------------------------------
# Icons as NHS boards read them ("Making Data Count"): a letter in a coloured circle, always beside words, so
# that neither the colour nor the letter carries the meaning alone.

VARIATION_SHORT = {
    Variation.COMMON_CAUSE: "Usual variation",
    Variation.IMPROVEMENT: "Real change: better",
    Variation.CONCERN: "Real change: worse",
    Variation.NEITHER_HIGH: "Real change: higher",
    Variation.NEITHER_LOW: "Real change: lower",
    Variation.NONE: "Too few figures",
}
ASSURANCE_SHORT = {
    Assurance.PASS: "Consistently met",
    Assurance.FAIL: "Consistently missed",
    Assurance.HIT_AND_MISS: "Hit and miss",
    Assurance.NONE: "Not assessed",
}
ASSURANCE_ICONS = {Assurance.PASS: "P", Assurance.FAIL: "F", Assurance.HIT_AND_MISS: "?", Assurance.NONE: "–"}
#: How a rating's comparator is named in a sentence about the interval.
COMPARATOR_NAMES = {
    "target": "the target of",
    "England": "England's",
    "SN average": "the statistical-neighbour average of",
}


def variation_icon(variation: Variation, polarity: Polarity | str) -> str:
    """The icon's letter: H or L for the side of a real change (above or below the usual), ~ for noise."""
    if variation in (Variation.COMMON_CAUSE, Variation.NONE):
        return "~" if variation == Variation.COMMON_CAUSE else "–"
    if variation in (Variation.NEITHER_HIGH, Variation.NEITHER_LOW):
        return "H" if variation == Variation.NEITHER_HIGH else "L"
    higher_is_better = Polarity(polarity) == Polarity.HIGHER_IS_BETTER
    return "H" if (variation == Variation.IMPROVEMENT) == higher_is_better else "L"


def describe_interval_doubt(
    rating: Rating,
    interval: tuple[Decimal, Decimal] | None,
    *,
    numerator: Decimal | None,
    denominator: Decimal | None,
    unit: str,
    decimals: int,
) -> str:
    """What the rating cannot say: the comparators inside the latest figure's 95% interval, or "".

    E.g. "but with 16 of 38 the figure is likely between 28% and 57%, so it cannot be told apart from
    England's 45%". The rating itself is unchanged: this only says how sure it is.
    """
    if interval is None or numerator is None or denominator is None or rating.rag == Rag.NONE:
        return ""
    low, high = interval
    close = [c.comparator for c in rating.comparisons if low <= c.comparator.value <= high]
    if not close:
        return ""
    names = " or ".join(
        f"{COMPARATOR_NAMES.get(c.label, c.label)} {format_value(c.value, unit, decimals)}" for c in close
    )
    return (
        f"but with {format_number(numerator, 0)} of {format_number(denominator, 0)} the figure is likely "
        f"between {format_value(low, unit, decimals)} and {format_value(high, unit, decimals)}, so it cannot "
        f"be told apart from {names}"
    )
