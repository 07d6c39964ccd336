"""How figures and ratings are written for people, checked without a database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from scorecards.formatting import (
    DIRECTION_LABELS,
    DIRECTION_SYMBOLS,
    MISSING,
    RAG_LABELS,
    RAG_SYMBOLS,
    explain_rating,
    format_number,
    format_period,
    format_value,
)
from scorecards.rating import Comparator, Direction, Polarity, Rag, rate

HIGHER = Polarity.HIGHER_IS_BETTER
LOWER = Polarity.LOWER_IS_BETTER
NEUTRAL = Polarity.NEUTRAL


def D(value: str | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def england(value, year: str | None = "2018/19") -> Comparator:
    return Comparator("England", D(value), year)


def sn_average(value, year: str | None = "2018/19") -> Comparator:
    return Comparator("SN average", D(value), year)


def explain(latest, *, unit: str, decimals: int, polarity, **rate_arguments) -> str:
    """Rate as the scorecard does, then write the reason, so the sentence matches the rules."""
    rating = rate(D(latest), polarity=polarity, decimals=decimals, **rate_arguments)
    return explain_rating(rating, unit=unit, decimals=decimals, polarity=polarity)


# Numbers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        pytest.param("42", 0, "42", id="whole-number"),
        pytest.param("42", 1, "42.0", id="whole-number-at-1dp"),
        pytest.param("999", 0, "999", id="no-separator-below-1000"),
        pytest.param("1234", 0, "1,234", id="thousands-separator"),
        pytest.param("1234567.891", 2, "1,234,567.89", id="millions-at-2dp"),
        pytest.param("1234.5", 0, "1,235", id="half-up-with-separator"),
        pytest.param("999.5", 0, "1,000", id="rounding-up-gains-a-separator"),
        pytest.param("-1234.5", 0, "-1,235", id="negative-half-away-from-zero-with-separator"),
        pytest.param("2.5", 0, "3", id="half-up-0dp"),
        pytest.param("84.5", 0, "85", id="84.5-is-85"),
        pytest.param("-1.225", 2, "-1.23", id="negative-half-up-2dp"),
        pytest.param("2.675", 2, "2.68", id="2.675-is-2.68"),
        pytest.param("0.0005", 3, "0.001", id="half-up-3dp"),
        pytest.param("0.1", 3, "0.100", id="pads-to-3dp"),
        pytest.param("0", 2, "0.00", id="zero"),
        pytest.param("1E+3", 0, "1,000", id="exponent-form-decimal"),
    ],
)
def test_it_formats_a_number_rounded_half_up_with_thousands_separators(value, decimals, expected):
    assert format_number(D(value), decimals) == expected


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_it_writes_a_dash_for_a_missing_number(decimals):
    assert format_number(None, decimals) == MISSING == "–"


# Values with units ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "expected"),
    [
        pytest.param("42", "percent", 0, "42%", id="percent"),
        pytest.param("42.25", "percent", 1, "42.3%", id="percent-1dp-half-up"),
        pytest.param("12", "days", 0, "12 days", id="days"),
        pytest.param("1234", "days", 0, "1,234 days", id="days-thousands"),
        pytest.param("45.67", "rate_per_10k", 1, "45.7", id="rate-per-10k-has-no-suffix"),
        pytest.param("1234", "count", 0, "1,234", id="count-has-no-suffix"),
        pytest.param("-1.225", "score", 2, "-1.23", id="negative-score-has-no-suffix"),
    ],
)
def test_it_writes_a_value_with_its_unit(value, unit, decimals, expected):
    assert format_value(D(value), unit, decimals) == expected


@pytest.mark.parametrize("unit", ["percent", "rate_per_10k", "count", "days", "score"])
def test_it_writes_a_bare_dash_for_a_missing_value_whatever_the_unit(unit):
    assert format_value(None, unit, 0) == "–"


def test_it_writes_a_period_as_short_month_and_year():
    assert format_period(datetime.date(2020, 11, 1)) == "Nov 2020"


# Labels and symbols -----------------------------------------------------------------------------------------


def test_it_has_a_label_and_a_distinct_shape_for_every_rag():
    assert set(RAG_LABELS) == set(Rag)
    assert set(RAG_SYMBOLS) == set(Rag)
    assert len(set(RAG_SYMBOLS.values())) == len(Rag)


def test_it_has_a_label_and_a_symbol_for_every_direction():
    assert set(DIRECTION_LABELS) == set(Direction)
    assert set(DIRECTION_SYMBOLS) == set(Direction)


# The sentence behind a RAG ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "polarity", "expected"),
    [
        pytest.param(
            "42",
            HIGHER,
            "Red: 42% is 43 points below England 85% (2018/19), beyond the amber tolerance of 4.25 "
            "(higher is better)",
            id="red",
        ),
        pytest.param(
            "81",
            HIGHER,
            "Amber: 81% is 4 points below England 85% (2018/19), within the amber tolerance of 4.25 "
            "(higher is better)",
            id="amber",
        ),
        pytest.param(
            "84",
            HIGHER,
            "Amber: 84% is 1 point below England 85% (2018/19), within the amber tolerance of 4.25 "
            "(higher is better)",
            id="amber-one-point-singular",
        ),
        pytest.param(
            "90",
            HIGHER,
            "Green: 90% is 5 points above England 85% (2018/19) (higher is better)",
            id="green-above",
        ),
        pytest.param(
            "84.5",
            HIGHER,
            "Green: 85% equals England 85% (2018/19) (higher is better)",
            id="green-equal-after-rounding",
        ),
        pytest.param(
            "80",
            LOWER,
            "Green: 80% is 5 points below England 85% (2018/19) (lower is better)",
            id="green-below-lower-is-better",
        ),
    ],
)
def test_it_explains_a_rating_against_england_in_percentage_points(latest, polarity, expected):
    assert explain(latest, unit="percent", decimals=0, polarity=polarity, england=england(85)) == expected


def test_it_explains_a_red_lower_is_better_figure_in_days():
    sentence = explain(30, unit="days", decimals=0, polarity=LOWER, england=england(20))
    assert sentence == (
        "Red: 30 days is 10 days above England 20 days (2018/19), beyond the amber tolerance of 1.00 "
        "(lower is better)"
    )


def test_it_explains_an_amber_lower_is_better_figure_in_days():
    sentence = explain(42, unit="days", decimals=0, polarity=LOWER, england=england(40))
    assert sentence == (
        "Amber: 42 days is 2 days above England 40 days (2018/19), within the amber tolerance of 2.00 "
        "(lower is better)"
    )


def test_it_explains_a_rating_against_england_and_the_sn_average():
    sentence = explain(
        82, unit="percent", decimals=0, polarity=HIGHER, england=england(85), sn_average=sn_average(80)
    )
    assert sentence == (
        "Amber: 82% is 3 points below England 85% (2018/19); 82% is 2 points above SN average 80% (2018/19) "
        "(higher is better)"
    )


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        pytest.param(
            "90",
            "Green: 90% is 5 points above England 85% (2018/19); 90% is 10 points above SN average 80% "
            "(2018/19) (higher is better)",
            id="green",
        ),
        pytest.param(
            "70",
            "Red: 70% is 15 points below England 85% (2018/19); 70% is 10 points below SN average 80% "
            "(2018/19) (higher is better)",
            id="red-without-tolerance-words",
        ),
    ],
)
def test_it_explains_two_comparators_without_a_tolerance(latest, expected):
    sentence = explain(
        latest, unit="percent", decimals=0, polarity=HIGHER, england=england(85), sn_average=sn_average(80)
    )
    assert sentence == expected
    assert "tolerance" not in sentence


def test_it_explains_a_rating_against_the_target_alone():
    sentence = explain(
        80,
        unit="percent",
        decimals=0,
        polarity=HIGHER,
        target=Comparator("Target", D(90), "2020/21"),
        england=england(70),
        sn_average=sn_average(75),
    )
    assert sentence == (
        "Red: 80% is 10 points below Target 90% (2020/21), beyond the amber tolerance of 4.50 "
        "(higher is better)"
    )


def test_it_explains_a_figure_with_decimals_after_rounding_both_sides():
    sentence = explain("42.25", unit="percent", decimals=1, polarity=HIGHER, england=england("84.96"))
    assert sentence == (
        "Red: 42.3% is 42.7 points below England 85.0% (2018/19), beyond the amber tolerance of 4.25 "
        "(higher is better)"
    )


def test_it_explains_a_negative_score_without_a_unit():
    sentence = explain("-1.29", unit="score", decimals=2, polarity=HIGHER, england=england("-1.23"))
    assert sentence == (
        "Amber: -1.29 is 0.06 below England -1.23 (2018/19), within the amber tolerance of 0.06 "
        "(higher is better)"
    )


def test_it_explains_an_explicit_amber_tolerance():
    sentence = explain(
        83, unit="percent", decimals=0, polarity=HIGHER, england=england(85), amber_tolerance=D(2)
    )
    assert sentence == (
        "Amber: 83% is 2 points below England 85% (2018/19), within the amber tolerance of 2.00 "
        "(higher is better)"
    )


def test_it_leaves_out_the_year_when_the_comparator_has_none():
    sentence = explain(90, unit="percent", decimals=0, polarity=HIGHER, england=england(85, year=None))
    assert sentence == "Green: 90% is 5 points above England 85% (higher is better)"


@pytest.mark.parametrize(
    ("latest", "arguments", "expected"),
    [
        pytest.param(
            "42",
            {"polarity": NEUTRAL, "england": england(85)},
            "Not rated: this indicator has no better direction, so it is shown for context only",
            id="neutral",
        ),
        pytest.param(
            None,
            {"polarity": HIGHER, "england": england(85)},
            "Not rated: no value in the months shown",
            id="no-value",
        ),
        pytest.param(
            "42",
            {"polarity": LOWER},
            "Not rated: no target, England or statistical-neighbour figure to compare with",
            id="no-comparator",
        ),
    ],
)
def test_it_explains_why_an_indicator_is_not_rated(latest, arguments, expected):
    assert explain(latest, unit="percent", decimals=0, **arguments) == expected


@pytest.mark.parametrize(
    ("polarity", "ending"),
    [
        pytest.param("higher_is_better", "(higher is better)", id="higher_is_better"),
        pytest.param("lower_is_better", "(lower is better)", id="lower_is_better"),
    ],
)
def test_it_accepts_the_polarity_as_written_in_the_indicators_file(polarity, ending):
    assert explain(85, unit="percent", decimals=0, polarity=polarity, england=england(85)).endswith(ending)
