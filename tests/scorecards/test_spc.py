"""The "Signal and noise" rules of shared/CONTRACT.md, checked without a database.

Expectations are worked out from the contract's wording (limits by hand, flags by reading the series), not read
off the implementation. Rule boundaries are checked on both sides of the mean by mirroring each series.
"""

from __future__ import annotations

import datetime
import math
import statistics
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from scorecards.spc import (
    ASSURANCE_EXPLANATIONS,
    ASSURANCE_LABELS,
    ATTENTION_EXPLANATIONS,
    ATTENTION_LABELS,
    METHOD,
    T_975,
    VARIATION_EXPLANATIONS,
    VARIATION_LABELS,
    Assurance,
    Attention,
    SpcResult,
    Variation,
    Verdict,
    attention,
    forecast_year_end,
    spc_analyse,
    wilson_interval,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HIGHER, LOWER, NEUTRAL = "higher_is_better", "lower_is_better", "neutral"
START = datetime.date(2019, 4, 1)

CASE_ONE = [50, 47, 52, 49, 53, 48, 51, 55, 56, 54, 57, 55, 56, 49, 45, 47, 48, 50, 52, 61]
CASE_TWO = [50, 47, 52, 49, 53, 48, 51, 50, 49, 52, 48, 51, 50, 58, 63, 52, 49, 51, 50, 48]
# Point 15 (14) sits exactly on the upper limit: mean 10.2, mR 10/7, upper 10.2 + 2.66 x 10/7 = 14.
ON_LIMIT = [10, 10, 8, 10, 8, 9, 12, 11, 8, 9, 10, 11, 11, 12, 14]
# Quiet background for the two-of-three rule: mean about 10, 2-sigma lines about 8 and 12.8.
QUIET = [10, 11, 10, 9] * 3 + [10]


def month(index: int) -> datetime.date:
    year, month_zero = divmod(START.month - 1 + index, 12)
    return datetime.date(START.year + year, month_zero + 1, 1)


def series(values, start: int = 0) -> list[tuple[datetime.date, Decimal | None]]:
    return [(month(start + i), None if v is None else Decimal(str(v))) for i, v in enumerate(values)]


def by_point(result: SpcResult, start: int = 0) -> dict[int, tuple[str, ...]]:
    """Flags keyed by point number counted from 1, as the contract numbers them."""
    numbers = {month(start + i): i + 1 for i in range(120)}
    return {numbers[period]: flags for period, flags in result.flags.items()}


def mirror(values, flags: dict[int, tuple[str, ...]]):
    """The series upside down: every rule is symmetric, so high flags become low ones."""
    swap = {"high": "low", "low": "high"}
    flipped = {
        point: tuple(f"{rule}:{swap[side]}" for rule, side in (flag.split(":") for flag in found))
        for point, found in flags.items()
    }
    return [-Decimal(str(v)) for v in values], flipped


def label(period: datetime.date) -> str:
    return period.strftime("%Y-%m")


# The contract's worked cases -------------------------------------------------------------------------------


def test_first_worked_case():
    result = spc_analyse(series(CASE_ONE), polarity=HIGHER, target=Decimal(60))
    assert result.points == 20
    assert result.mean == Decimal("51.75")
    assert round(result.mr, 4) == Decimal("3.3158")
    assert round(result.lower, 2) == Decimal("42.93")
    assert round(result.upper, 2) == Decimal("60.57")
    expected = {point: ("shift:high",) for point in range(8, 14)}
    expected |= {point: ("trend:high",) for point in range(15, 20)}
    expected[20] = ("outside:high", "trend:high")
    assert by_point(result) == expected
    assert result.variation == Variation.IMPROVEMENT
    assert result.assurance == Assurance.HIT_AND_MISS


def test_second_worked_case():
    result = spc_analyse(series(CASE_TWO), polarity=HIGHER, target=Decimal(55))
    assert result.mean == Decimal("51.05")
    assert round(result.lower, 2) == Decimal("41.53")
    assert round(result.upper, 2) == Decimal("60.57")
    assert by_point(result) == {14: ("two_of_three:high",), 15: ("outside:high", "two_of_three:high")}
    assert result.variation == Variation.COMMON_CAUSE
    assert result.assurance == Assurance.HIT_AND_MISS


def test_as_json_is_the_contract_object():
    data = spc_analyse(series(CASE_ONE), polarity=HIGHER, target=Decimal(60)).as_json(label)
    assert data == {
        "points": 20,
        "mean": 51.75,
        "lower": 42.93,
        "upper": 60.57,
        "variation": "improvement",
        "assurance": "hit_and_miss",
        "flags": {
            **{label(month(i)): ["shift:high"] for i in range(7, 13)},
            **{label(month(i)): ["trend:high"] for i in range(14, 19)},
            "2020-11": ["outside:high", "trend:high"],
        },
    }
    assert list(data["flags"]) == sorted(data["flags"])


# Every rule's boundary, on both sides of the mean -----------------------------------------------------------

SHIFT_RUN = {point: ("shift:high",) for point in range(8, 14)}
BOUNDARIES = {
    "shift of 6 is flagged": ([9, 11, 9, 11, 9, 11, 9, 11, 12, 11, 12, 11, 12, 9], SHIFT_RUN),
    "shift of 5 is not": ([9, 11, 9, 11, 9, 11, 9, 9, 11, 12, 11, 12, 11, 9], {}),
    "a point equal to the mean (10) breaks a shift": ([7, 11] * 6 + [12, 12, 12, 10, 12, 12, 12], {}),
    "just above the mean it does not": (
        [7, 11] * 6 + [12, 12, 12, 10.5, 12, 12, 12],
        {point: ("shift:high",) for point in range(12, 20)},
    ),
    "trend of 6 is flagged, first point included": (
        [10, 12, 10, 12, 10, 12, 8, 9, 10, 11, 12, 13, 10, 12, 10],
        {point: ("trend:high",) for point in range(7, 13)},
    ),
    "trend of 5 is not": ([10, 12, 10, 12, 10, 12, 8, 9, 10, 11, 12, 10, 12, 10], {}),
    "equal consecutive values break a trend": (
        [10, 12, 10, 12, 10, 12, 8, 9, 10, 10, 11, 12, 13, 10, 12, 10],
        {},
    ),
    "a strict rise in their place does not": (
        [10, 12, 10, 12, 10, 12, 8, 9, 10, 10.5, 11, 12, 13, 10, 12, 10],
        {point: ("trend:high",) for point in range(7, 14)},
    ),
    "exactly on the limit is not outside": (ON_LIMIT, {point: ("shift:low",) for point in range(1, 7)}),
    "just past the limit is outside": (
        ON_LIMIT[:-1] + [14.01],
        {**{point: ("shift:low",) for point in range(1, 7)}, 15: ("outside:high",)},
    ),
    "2 of 3 beyond the 2-sigma line, third above the mean": (
        QUIET + [13, 11, 13, 10, 11, 10],
        {14: ("two_of_three:high",), 16: ("two_of_three:high",)},
    ),
    "3 of 3 beyond": (
        QUIET + [13, 13, 13, 10, 11, 10],
        {point: ("two_of_three:high",) for point in (14, 15, 16)},
    ),
    "1 of 3 beyond is not flagged": (QUIET + [13, 11, 10, 10, 11, 10], {}),
    "2 of 3 beyond with the third below the mean is not flagged": (QUIET + [13, 10, 13, 10, 11, 10], {}),
}


@pytest.mark.parametrize("mirrored", [False, True], ids=["high", "low"])
@pytest.mark.parametrize(("values", "expected"), list(BOUNDARIES.values()), ids=list(BOUNDARIES))
def test_rule_boundaries(values, expected, mirrored):
    if mirrored:
        values, expected = mirror(values, expected)
    result = spc_analyse(series(values), polarity=HIGHER, target=None)
    assert by_point(result) == expected


def test_two_of_three_boundary_cases_straddle_the_lines():
    """The two-of-three cases above really test the rule: 13 is beyond the line, 11 above the mean, 10 below."""
    for window in ([13, 11, 13], [13, 10, 13]):
        result = spc_analyse(series(QUIET + window + [10, 11, 10]), polarity=HIGHER, target=None)
        assert result.mean < 11 and result.mean > 10
        assert 13 > result.upper_2sigma > 11
        assert result.upper > 13


def test_on_limit_case_really_is_on_the_limit():
    result = spc_analyse(series(ON_LIMIT), polarity=HIGHER, target=None)
    assert (result.mean, result.upper, result.lower) == (Decimal("10.2"), Decimal(14), Decimal("6.4"))


def test_a_point_can_carry_several_rules_and_both_sides():
    values = [0, 1, 0, 1, 0, 1, 0, 1, 20, 19, 18, 17, 16, 15]
    result = spc_analyse(series(values), polarity=HIGHER, target=None)
    assert by_point(result)[14] == ("outside:high", "shift:high", "trend:low", "two_of_three:high")


# How many points ---------------------------------------------------------------------------------------------


def test_twelve_points_give_a_mean_but_no_limits_or_flags():
    """Points 7-12 of this series are all above its mean: a shift, had there been 13 points."""
    result = spc_analyse(series(CASE_ONE[1:13]), polarity=HIGHER, target=Decimal(5))
    assert (result.points, result.mean) == (12, Decimal("52.75"))
    assert (result.mr, result.lower, result.upper, result.lower_2sigma, result.upper_2sigma) == (None,) * 5
    assert (result.flags, result.variation, result.assurance) == ({}, Variation.NONE, Assurance.NONE)
    assert result.as_json(label) == {
        "points": 12,
        "mean": 52.75,
        "lower": None,
        "upper": None,
        "variation": "none",
        "assurance": "none",
        "flags": {},
    }


def test_thirteen_points_give_limits_and_flags():
    result = spc_analyse(series(CASE_ONE[:13]), polarity=HIGHER, target=Decimal(5))
    assert result.points == 13
    assert round(result.mean, 6) == Decimal("52.538462")  # 683 / 13
    assert result.lower is not None and result.upper is not None
    assert by_point(result) == {point: ("shift:high",) for point in range(8, 14)}
    assert result.variation == Variation.IMPROVEMENT
    assert result.assurance == Assurance.PASS


@pytest.mark.parametrize("points", [[], series([None, None])], ids=["empty", "all missing"])
def test_no_point(points):
    result = spc_analyse(points, polarity=HIGHER, target=Decimal(1))
    assert result == SpcResult(points=0)
    assert result.as_json(label)["mean"] is None and result.as_json(label)["points"] == 0


def test_one_point_gives_its_mean():
    result = spc_analyse(series([Decimal("42.5")]), polarity=HIGHER, target=None)
    assert (result.points, result.mean, result.lower, result.variation) == (1, Decimal("42.5"), None, "none")


def test_missing_months_are_left_out_and_order_does_not_matter():
    values = [*CASE_ONE[:5], None, *CASE_ONE[5:]]
    shuffled = list(reversed(series(values)))
    result = spc_analyse(shuffled, polarity=HIGHER, target=Decimal(60))
    assert (result.points, result.mean, result.variation) == (20, Decimal("51.75"), Variation.IMPROVEMENT)


def test_only_the_latest_sixty_values_are_used():
    values = [1000] + [10, 12] * 30
    assert spc_analyse(series(values), polarity=HIGHER, target=None) == spc_analyse(
        series(values[1:], start=1), polarity=HIGHER, target=None
    )
    assert spc_analyse(series(values), polarity=HIGHER, target=None).points == 60


def test_floats_are_read_as_the_decimals_they_print_as():
    floats = [(period, float(value)) for period, value in series(CASE_ONE)]
    assert spc_analyse(floats, polarity=HIGHER, target=60.0) == spc_analyse(
        series(CASE_ONE), polarity=HIGHER, target=Decimal(60)
    )


def test_a_repeated_period_is_a_bug():
    with pytest.raises(ValueError, match="once"):
        spc_analyse(series([1, 2]) * 2, polarity=HIGHER, target=None)


# Variation and assurance ---------------------------------------------------------------------------------------

ALL_EQUAL = [Decimal("7.5")] * 15


def test_all_equal_series_has_limits_on_the_mean_and_no_flag():
    result = spc_analyse(series(ALL_EQUAL), polarity=HIGHER, target=Decimal("7.5"))
    assert result.mr == 0
    assert result.lower == result.upper == result.mean == Decimal("7.5")
    assert result.flags == {}
    assert result.variation == Variation.COMMON_CAUSE
    assert result.assurance == Assurance.PASS


@pytest.mark.parametrize(
    ("polarity", "target", "expected"),
    [
        (HIGHER, "7.5", Assurance.PASS),
        (LOWER, "7.5", Assurance.PASS),
        (HIGHER, "8", Assurance.FAIL),
        (LOWER, "8", Assurance.PASS),
        (HIGHER, "7", Assurance.PASS),
        (LOWER, "7", Assurance.FAIL),
        (NEUTRAL, "7.5", Assurance.NONE),
    ],
)
def test_assurance_when_mr_is_zero(polarity, target, expected):
    assert spc_analyse(series(ALL_EQUAL), polarity=polarity, target=Decimal(target)).assurance == expected


@pytest.mark.parametrize(
    ("polarity", "target", "expected"),
    [
        (HIGHER, "42.93", Assurance.PASS),  # target equal to the lower limit
        (HIGHER, "42.94", Assurance.HIT_AND_MISS),
        (HIGHER, "60.57", Assurance.FAIL),  # equal to the upper limit
        (HIGHER, "60.56", Assurance.HIT_AND_MISS),
        (LOWER, "60.57", Assurance.PASS),
        (LOWER, "60.56", Assurance.HIT_AND_MISS),
        (LOWER, "42.93", Assurance.FAIL),
        (LOWER, "42.94", Assurance.HIT_AND_MISS),
        (HIGHER, None, Assurance.NONE),
        (NEUTRAL, "42.93", Assurance.NONE),
    ],
)
def test_assurance_at_the_limits(polarity, target, expected):
    """Case one's limits are exactly 42.93 and 60.57 (2.66 x 63/19 = 8.82), so a target can sit on them."""
    target = None if target is None else Decimal(target)
    assert spc_analyse(series(CASE_ONE), polarity=polarity, target=target).assurance == expected


def test_no_assurance_under_thirteen_points():
    assert spc_analyse(series(ALL_EQUAL[:12]), polarity=HIGHER, target=Decimal(1)).assurance == Assurance.NONE


BOTH_SIDES = [0, 1, 0, 1, 0, 1, 0, 1, 20, 19, 18, 17, 16, 15]  # latest point: shift:high and trend:low


@pytest.mark.parametrize(
    ("values", "polarity", "expected"),
    [
        (CASE_ONE, HIGHER, Variation.IMPROVEMENT),
        (CASE_ONE, LOWER, Variation.CONCERN),
        (CASE_ONE, NEUTRAL, Variation.NEITHER_HIGH),
        ([-v for v in CASE_ONE], HIGHER, Variation.CONCERN),
        ([-v for v in CASE_ONE], LOWER, Variation.IMPROVEMENT),
        ([-v for v in CASE_ONE], NEUTRAL, Variation.NEITHER_LOW),
        (BOTH_SIDES, HIGHER, Variation.IMPROVEMENT),
        (BOTH_SIDES, LOWER, Variation.IMPROVEMENT),
        (BOTH_SIDES, NEUTRAL, Variation.NEITHER_HIGH),
        (CASE_TWO, NEUTRAL, Variation.COMMON_CAUSE),
    ],
)
def test_variation_follows_polarity(values, polarity, expected):
    assert spc_analyse(series(values), polarity=polarity, target=None).variation == expected


def test_polarity_may_be_given_as_the_enum():
    from scorecards.rating import Polarity

    result = spc_analyse(series(CASE_ONE), polarity=Polarity.LOWER_IS_BETTER, target=None)
    assert result.variation == Variation.CONCERN


# Wilson interval ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [
        (28, 38, "57.99", "85.03"),  # worked by hand from the contract's formula
        (Decimal(1), Decimal(2), "9.45", "90.55"),
        (0, 10, "0.00", "27.75"),
        (10, 10, "72.25", "100.00"),
    ],
)
def test_wilson_interval(x, n, lower, upper):
    low, high = wilson_interval(x, n)
    assert (round(low, 2), round(high, 2)) == (Decimal(lower), Decimal(upper))


@pytest.mark.parametrize(("x", "n"), [(1, None), (None, 10), (1, 0), (0, 0), (11, 10), (-1, 10), (1, -5)])
def test_wilson_interval_is_none_without_a_proportion(x, n):
    assert wilson_interval(x, n) is None


# Attention ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rag", "direction", "variation", "assurance", "expected"),
    [
        (
            "red",
            "worsened",
            "concern",
            "fail",
            ["red_and_worsened", "special_cause_concern", "failing_target"],
        ),
        ("red", "worsened", "common_cause", "pass", ["red_and_worsened"]),
        ("red", "improved", "concern", "none", ["special_cause_concern"]),
        ("amber", "worsened", "improvement", "fail", ["failing_target"]),
        ("green", "unchanged", "neither_low", "hit_and_miss", []),
        ("none", "none", "none", "none", []),
    ],
)
def test_attention_reasons_in_order(rag, direction, variation, assurance, expected):
    assert attention(rag=rag, direction=direction, variation=variation, assurance=assurance) == expected


@pytest.mark.parametrize(
    ("enum", "labels", "explanations"),
    [
        (Variation, VARIATION_LABELS, VARIATION_EXPLANATIONS),
        (Assurance, ASSURANCE_LABELS, ASSURANCE_EXPLANATIONS),
        (Attention, ATTENTION_LABELS, ATTENTION_EXPLANATIONS),
    ],
)
def test_every_result_has_plain_words(enum, labels, explanations):
    assert set(labels) == set(enum) == set(explanations)
    assert all(text and text[0].isupper() for text in [*labels.values(), *explanations.values()])
    assert all(text.endswith(".") for text in explanations.values())


# Year-end forecast --------------------------------------------------------------------------------------------

YEAR_END = datetime.date(2020, 3, 31)  # index 11 from April 2019
LINE = [50 + 2 * i for i in range(10)]  # April 2019 to January 2020, exactly on 50 + 2x: March is 72


@pytest.mark.parametrize(
    ("polarity", "target", "verdict"),
    [
        (HIGHER, 70, Verdict.LIKELY),
        (HIGHER, 72, Verdict.LIKELY),  # meeting the target exactly counts as met
        (HIGHER, 73, Verdict.UNLIKELY),
        (LOWER, 73, Verdict.LIKELY),
        (LOWER, 70, Verdict.UNLIKELY),
    ],
)
def test_forecast_of_a_perfect_line(polarity, target, verdict):
    forecast = forecast_year_end(series(LINE), polarity=polarity, target=Decimal(target), year_end=YEAR_END)
    assert forecast.projected == forecast.lower == forecast.upper == Decimal(72)
    assert (forecast.slope, forecast.points, forecast.verdict) == (Decimal(2), 10, verdict)


def test_forecast_handles_gaps_by_month_offset():
    values = [v if i % 3 else None for i, v in enumerate(LINE)]  # every third month missing
    forecast = forecast_year_end(series(values), polarity=HIGHER, target=Decimal(72), year_end=YEAR_END)
    assert (forecast.points, forecast.projected, forecast.slope) == (6, Decimal(72), Decimal(2))


NOISY = [50, 53, 52, 57, 56, 61, 60, 65, 64, 69]  # rising about 2 a month, with scatter around the line


def test_forecast_interval_is_the_t_prediction_interval():
    forecast = forecast_year_end(series(NOISY), polarity=HIGHER, target=Decimal(60), year_end=YEAR_END)
    slope, intercept = statistics.linear_regression(range(10), NOISY)
    residuals = [y - intercept - slope * x for x, y in zip(range(10), NOISY, strict=True)]
    s = math.sqrt(sum(r * r for r in residuals) / 8)
    half = 2.3060 * s * math.sqrt(1 + 1 / 10 + (11 - 4.5) ** 2 / 82.5)  # t(0.975, 8 df)
    centre = intercept + slope * 11
    assert float(forecast.projected) == pytest.approx(centre, abs=1e-9)
    assert float(forecast.lower) == pytest.approx(centre - half, abs=1e-9)
    assert float(forecast.upper) == pytest.approx(centre + half, abs=1e-9)
    assert forecast.lower < forecast.projected < forecast.upper
    assert forecast.verdict == Verdict.LIKELY


@pytest.mark.parametrize(("polarity", "target"), [(HIGHER, 73), (LOWER, 73), (HIGHER, 75), (LOWER, 70)])
def test_forecast_is_possible_when_the_target_is_inside_the_interval(polarity, target):
    forecast = forecast_year_end(series(NOISY), polarity=polarity, target=Decimal(target), year_end=YEAR_END)
    assert forecast.lower < target < forecast.upper
    assert forecast.verdict == Verdict.POSSIBLE


def test_forecast_uses_only_the_latest_twelve_points():
    values = [500, -500, 500, 1000] + [10 + i for i in range(12)]
    year_end = datetime.date(2021, 3, 31)
    whole = forecast_year_end(series(values), polarity=HIGHER, target=Decimal(1), year_end=year_end)
    latest = forecast_year_end(
        series(values[4:], start=4), polarity=HIGHER, target=Decimal(1), year_end=year_end
    )
    assert whole == latest and whole.points == 12 and whole.slope == 1


@pytest.mark.parametrize(
    ("values", "polarity", "target", "year_end"),
    [
        (LINE[:5], HIGHER, 70, YEAR_END),  # too few points
        ([*LINE[:5], None, None], HIGHER, 70, YEAR_END),
        (LINE, NEUTRAL, 70, YEAR_END),
        (LINE, HIGHER, None, YEAR_END),
        (LINE, HIGHER, 70, datetime.date(2019, 12, 31)),  # the year ended before the latest month
    ],
)
def test_no_forecast(values, polarity, target, year_end):
    target = None if target is None else Decimal(target)
    assert forecast_year_end(series(values), polarity=polarity, target=target, year_end=year_end) is None


def test_six_points_are_enough_and_the_method_is_described():
    assert forecast_year_end(series(LINE[:6]), polarity=HIGHER, target=Decimal(1), year_end=YEAR_END)
    assert set(T_975) == set(range(1, 31)) and T_975[10] == Decimal("2.2281")
    assert "12" in METHOD and "95" in METHOD


# Independence from Django --------------------------------------------------------------------------------------


def test_module_imports_no_django():
    check = (
        "import sys, scorecards.spc; "
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "assert not loaded, loaded"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
