"""The rating rules of shared/CONTRACT.md ("What a scorecard computes"), checked without a database.

Every expectation below is worked out from the contract's wording, not read off the implementation.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from scorecards.rating import (
    Basis,
    Comparator,
    Direction,
    Outcome,
    Polarity,
    Rag,
    Unit,
    baseline_for,
    benchmark_year_for,
    better_first_key,
    direction,
    financial_year_end,
    financial_year_label,
    financial_year_of,
    is_better,
    latest_two,
    month_window,
    parse_financial_year,
    rate,
    round_half_up,
    target_for,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]

HIGHER = Polarity.HIGHER_IS_BETTER
LOWER = Polarity.LOWER_IS_BETTER
NEUTRAL = Polarity.NEUTRAL


def D(value: str | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def month(year: int, number: int) -> datetime.date:
    return datetime.date(year, number, 1)


def england(value, year: str | None = "2018/19") -> Comparator:
    return Comparator("England", D(value), year)


def sn_average(value, year: str | None = "2018/19") -> Comparator:
    return Comparator("SN average", D(value), year)


def target(value, year: str | None = "2020/21") -> Comparator:
    return Comparator("Target", D(value), year)


# Rounding ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        pytest.param("2.5", 0, "3", id="0dp-half-goes-up"),
        pytest.param("-2.5", 0, "-3", id="0dp-negative-half-goes-away-from-zero"),
        pytest.param("2.4999", 0, "2", id="0dp-below-half-goes-down"),
        pytest.param("84.5", 0, "85", id="0dp-84.5-is-85"),
        pytest.param("0.5", 0, "1", id="0dp-0.5-is-1"),
        pytest.param("1.25", 1, "1.3", id="1dp-half-goes-up"),
        pytest.param("-1.25", 1, "-1.3", id="1dp-negative-half-goes-away-from-zero"),
        pytest.param("0.05", 1, "0.1", id="1dp-0.05-is-0.1"),
        pytest.param("1.24", 1, "1.2", id="1dp-below-half-goes-down"),
        pytest.param("1.225", 2, "1.23", id="2dp-half-goes-up"),
        pytest.param("-1.225", 2, "-1.23", id="2dp-negative-1.225-is-minus-1.23"),
        pytest.param("-1.2249", 2, "-1.22", id="2dp-negative-below-half-goes-towards-zero"),
        pytest.param("2.675", 2, "2.68", id="2dp-2.675-is-2.68-unlike-binary-floats"),
        pytest.param("1.0005", 3, "1.001", id="3dp-half-goes-up"),
        pytest.param("-1.0005", 3, "-1.001", id="3dp-negative-half-goes-away-from-zero"),
        pytest.param("1.0004", 3, "1.000", id="3dp-below-half-keeps-trailing-zeros"),
        pytest.param("7", 2, "7.00", id="2dp-whole-number-gains-places"),
        pytest.param("1234.5", 0, "1235", id="0dp-large-half-goes-up"),
    ],
)
def test_it_rounds_half_away_from_zero(value, decimals, expected):
    assert str(round_half_up(D(value), decimals)) == expected


def test_it_rounds_missing_to_missing():
    assert round_half_up(None, 2) is None


# Financial years --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "start"),
    [
        pytest.param("2019/20", 2019, id="2019/20"),
        pytest.param("2020/21", 2020, id="2020/21"),
        pytest.param("1999/00", 1999, id="century-wrap-1999/00"),
        pytest.param("2099/00", 2099, id="century-wrap-2099/00"),
    ],
)
def test_it_parses_a_financial_year_to_its_first_calendar_year(year, start):
    assert parse_financial_year(year) == start


@pytest.mark.parametrize(
    "year",
    [
        pytest.param("2019/21", id="second-part-not-next-year"),
        pytest.param("2019/19", id="second-part-same-year"),
        pytest.param("2019-20", id="hyphen"),
        pytest.param("19/20", id="two-digit-start"),
        pytest.param("2019/2020", id="four-digit-end"),
        pytest.param("", id="empty"),
        pytest.param("2019", id="no-second-part"),
        pytest.param(" 2019/20", id="leading-space"),
        pytest.param("2019/20 ", id="trailing-space"),
        pytest.param("2019/20\n", id="trailing-newline"),
        pytest.param("２０１９/２０", id="non-ascii-digits"),
    ],
)
def test_it_rejects_a_financial_year_not_written_yyyy_yy(year):
    with pytest.raises(ValueError):
        parse_financial_year(year)


@pytest.mark.parametrize(
    ("start", "label"),
    [
        pytest.param(2019, "2019/20", id="2019"),
        pytest.param(2009, "2009/10", id="2009-pads-nothing"),
        pytest.param(2000, "2000/01", id="2000-pads-zero"),
        pytest.param(1999, "1999/00", id="1999-wraps-century"),
    ],
)
def test_it_labels_a_financial_year_yyyy_yy(start, label):
    assert financial_year_label(start) == label


@pytest.mark.parametrize(
    ("period", "year"),
    [
        pytest.param(month(2020, 4), "2020/21", id="april-starts-the-year"),
        pytest.param(month(2020, 11), "2020/21", id="november"),
        pytest.param(month(2020, 12), "2020/21", id="december"),
        pytest.param(month(2021, 1), "2020/21", id="january-belongs-to-previous-start-year"),
        pytest.param(month(2021, 3), "2020/21", id="march-ends-the-year"),
        pytest.param(month(2020, 3), "2019/20", id="march-2020-is-2019/20"),
        pytest.param(datetime.date(2020, 3, 31), "2019/20", id="31-march-is-last-day"),
        pytest.param(month(2000, 2), "1999/00", id="century-wrap"),
    ],
)
def test_it_places_a_month_in_the_april_to_march_financial_year(period, year):
    assert financial_year_of(period) == year


def test_it_ends_a_financial_year_on_31_march_of_the_second_calendar_year():
    assert financial_year_end("2019/20") == datetime.date(2020, 3, 31)


# Months in the window ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "months", "expected"),
    [
        pytest.param(
            month(2020, 11),
            6,
            [month(2020, m) for m in range(6, 12)],
            id="six-months-within-a-year",
        ),
        pytest.param(
            month(2021, 2),
            6,
            [
                month(2020, 9),
                month(2020, 10),
                month(2020, 11),
                month(2020, 12),
                month(2021, 1),
                month(2021, 2),
            ],
            id="six-months-across-new-year",
        ),
        pytest.param(
            month(2021, 1),
            2,
            [month(2020, 12), month(2021, 1)],
            id="december-to-january",
        ),
        pytest.param(
            month(2021, 3),
            13,
            [month(2020, 3)] + [month(2020, m) for m in range(4, 13)] + [month(2021, m) for m in range(1, 4)],
            id="thirteen-months-spans-three-calendar-years-edges",
        ),
        pytest.param(month(2020, 11), 1, [month(2020, 11)], id="one-month"),
    ],
)
def test_it_lists_the_window_oldest_first_ending_with_the_period(period, months, expected):
    assert month_window(period, months) == expected


def test_it_gives_first_of_month_dates_in_the_window_for_a_mid_month_period():
    assert month_window(datetime.date(2020, 11, 17), 2) == [month(2020, 10), month(2020, 11)]


# Latest and previous value ----------------------------------------------------------------------------------


def test_it_takes_the_last_two_months_when_every_month_has_a_value():
    series = [(month(2020, m), D(60 + m)) for m in range(6, 12)]
    latest, previous = latest_two(series)
    assert (latest.period, latest.value) == (month(2020, 11), D(71))
    assert (previous.period, previous.value) == (month(2020, 10), D(70))


def test_it_takes_the_latest_month_with_a_value_when_recent_months_are_empty():
    series = [
        (month(2020, 6), D(70)),
        (month(2020, 7), None),
        (month(2020, 8), D(72)),
        (month(2020, 9), None),
        (month(2020, 10), None),
        (month(2020, 11), None),
    ]
    latest, previous = latest_two(series)
    assert (latest.period, latest.value) == (month(2020, 8), D(72))
    assert (previous.period, previous.value) == (month(2020, 6), D(70))


def test_it_skips_gaps_to_find_the_previous_month_with_a_value():
    series = [
        (month(2020, 6), D(65)),
        (month(2020, 7), None),
        (month(2020, 8), None),
        (month(2020, 9), None),
        (month(2020, 10), None),
        (month(2020, 11), D(80)),
    ]
    latest, previous = latest_two(series)
    assert latest.period == month(2020, 11)
    assert previous.period == month(2020, 6)


def test_it_orders_the_series_by_month_whatever_order_it_comes_in():
    series = [(month(2021, 1), D(3)), (month(2020, 11), D(1)), (month(2020, 12), D(2))]
    latest, previous = latest_two(series)
    assert latest.period == month(2021, 1)
    assert previous.period == month(2020, 12)


def test_it_counts_a_zero_as_a_value():
    latest, previous = latest_two([(month(2020, 10), D(5)), (month(2020, 11), D(0))])
    assert latest.value == D(0)
    assert previous.value == D(5)


def test_it_has_no_previous_value_with_only_one_value():
    latest, previous = latest_two([(month(2020, 10), None), (month(2020, 11), D(42))])
    assert latest.value == D(42)
    assert previous is None


@pytest.mark.parametrize(
    "series",
    [
        pytest.param([], id="empty-window"),
        pytest.param([(month(2020, m), None) for m in range(6, 12)], id="all-months-empty"),
    ],
)
def test_it_has_no_latest_value_when_the_window_holds_none(series):
    assert latest_two(series) == (None, None)


# Benchmark year ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "years", "expected"),
    [
        pytest.param(
            month(2020, 4), ["2018/19", "2019/20"], "2019/20", id="year-to-march-2020-applies-from-april"
        ),
        pytest.param(
            month(2020, 3), ["2018/19", "2019/20"], "2018/19", id="year-to-march-2020-not-yet-in-march"
        ),
        pytest.param(month(2020, 3), ["2019/20"], None, id="none-when-only-year-not-yet-ended"),
        pytest.param(
            datetime.date(2020, 3, 15),
            ["2018/19", "2019/20"],
            "2018/19",
            id="mid-march-period-month-starts-before-year-ends",
        ),
        pytest.param(
            datetime.date(2020, 3, 31),
            ["2018/19", "2019/20"],
            "2018/19",
            id="31-march-period-month-starts-before-year-ends",
        ),
        pytest.param(
            datetime.date(2020, 4, 30), ["2018/19", "2019/20"], "2019/20", id="end-of-april-period-applies"
        ),
        pytest.param(
            month(2020, 11),
            ["2017/18", "2019/20", "2020/21", "2018/19"],
            "2019/20",
            id="latest-eligible-of-several-unordered",
        ),
        pytest.param(month(2021, 1), ["2018/19", "2019/20"], "2019/20", id="january-after-the-year"),
        pytest.param(month(2021, 4), ["2018/19", "2019/20", "2020/21"], "2020/21", id="next-april-moves-on"),
        pytest.param(month(2020, 11), ["2020/21", "2021/22"], None, id="none-when-all-in-future"),
        pytest.param(month(2020, 11), [], None, id="none-when-no-years"),
        pytest.param(month(2020, 11), ["2015/16"], "2015/16", id="old-year-still-latest-eligible"),
    ],
)
def test_it_picks_the_latest_benchmark_year_ended_before_the_period(period, years, expected):
    assert benchmark_year_for(period, years) == expected


# Targets and baselines --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "targets", "expected"),
    [
        pytest.param(
            month(2020, 11),
            {"2020/21": "80", "2021/22": "90"},
            ("2020/21", "80"),
            id="current-financial-year",
        ),
        pytest.param(
            month(2021, 2),
            {"2020/21": "80", "2021/22": "90"},
            ("2020/21", "80"),
            id="february-belongs-to-previous-start-year",
        ),
        pytest.param(
            month(2021, 3),
            {"2020/21": "80", "2021/22": "90"},
            ("2020/21", "80"),
            id="march-still-previous-start-year",
        ),
        pytest.param(
            month(2021, 4),
            {"2020/21": "80", "2021/22": "90"},
            ("2021/22", "90"),
            id="april-moves-to-next-year",
        ),
        pytest.param(
            month(2021, 3),
            {"2021/22": "90"},
            ("2021/22", "90"),
            id="nearest-later-when-none-for-current-year",
        ),
        pytest.param(
            month(2020, 11),
            {"2023/24": "95", "2022/23": "90", "2019/20": "70"},
            ("2022/23", "90"),
            id="nearest-later-not-furthest-and-not-earlier",
        ),
        pytest.param(month(2020, 11), {"2019/20": "70", "2018/19": "65"}, None, id="earlier-only-is-none"),
        pytest.param(month(2020, 11), {}, None, id="no-targets-is-none"),
    ],
)
def test_it_picks_the_target_for_the_periods_financial_year_else_the_nearest_later(period, targets, expected):
    targets = {year: D(value) for year, value in targets.items()}
    found = target_for(period, targets)
    if expected is None:
        assert found is None
    else:
        assert found == (expected[0], D(expected[1]))


@pytest.mark.parametrize(
    ("period", "baselines", "expected"),
    [
        pytest.param(
            month(2020, 11),
            {"2018/19": "60", "2019/20": "65"},
            ("2019/20", "65"),
            id="latest-ended-before-period",
        ),
        pytest.param(
            month(2020, 3),
            {"2018/19": "60", "2019/20": "65"},
            ("2018/19", "60"),
            id="year-ending-this-march-not-yet-ended",
        ),
        pytest.param(
            month(2020, 4),
            {"2018/19": "60", "2019/20": "65"},
            ("2019/20", "65"),
            id="year-ending-last-march-has-ended",
        ),
        pytest.param(month(2020, 11), {"2020/21": "70"}, None, id="current-year-only-is-none"),
        pytest.param(month(2020, 11), {}, None, id="no-baselines-is-none"),
    ],
)
def test_it_picks_the_latest_baseline_whose_year_ended_before_the_period(period, baselines, expected):
    baselines = {year: D(value) for year, value in baselines.items()}
    found = baseline_for(period, baselines)
    if expected is None:
        assert found is None
    else:
        assert found == (expected[0], D(expected[1]))


# Direction of travel ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "previous", "polarity", "decimals", "expected"),
    [
        pytest.param("72", "70", HIGHER, 0, Direction.IMPROVED, id="higher-better-rise-improved"),
        pytest.param("68", "70", HIGHER, 0, Direction.WORSENED, id="higher-better-fall-worsened"),
        pytest.param("70", "70", HIGHER, 0, Direction.UNCHANGED, id="higher-better-equal-unchanged"),
        pytest.param("10", "12", LOWER, 0, Direction.IMPROVED, id="lower-better-fall-improved"),
        pytest.param("14", "12", LOWER, 0, Direction.WORSENED, id="lower-better-rise-worsened"),
        pytest.param("12", "12", LOWER, 0, Direction.UNCHANGED, id="lower-better-equal-unchanged"),
        pytest.param("70.4", "70.0", HIGHER, 0, Direction.UNCHANGED, id="equal-after-rounding-unchanged"),
        pytest.param("70.5", "70.4", HIGHER, 0, Direction.IMPROVED, id="half-up-rounding-makes-a-rise"),
        pytest.param("70.5", "70.4", LOWER, 0, Direction.WORSENED, id="half-up-rounding-makes-a-rise-lower"),
        pytest.param("-1.225", "-1.23", HIGHER, 2, Direction.UNCHANGED, id="negative-half-rounds-to-equal"),
        pytest.param("-1.22", "-1.23", HIGHER, 2, Direction.IMPROVED, id="negative-scores-rise-improved"),
        pytest.param("0.1234", "0.1231", LOWER, 3, Direction.UNCHANGED, id="3dp-equal-after-rounding"),
        pytest.param("0.1235", "0.1231", LOWER, 3, Direction.WORSENED, id="3dp-half-up-rise-worsened"),
        pytest.param("5", "3", NEUTRAL, 0, Direction.UP, id="neutral-rise-up"),
        pytest.param("3", "5", NEUTRAL, 0, Direction.DOWN, id="neutral-fall-down"),
        pytest.param("4", "4", NEUTRAL, 0, Direction.SAME, id="neutral-equal-same"),
        pytest.param("4.4", "3.5", NEUTRAL, 0, Direction.SAME, id="neutral-equal-after-rounding-same"),
    ],
)
def test_it_compares_latest_with_previous_after_rounding_both(latest, previous, polarity, decimals, expected):
    assert direction(D(latest), D(previous), polarity=polarity, decimals=decimals) == expected


@pytest.mark.parametrize("polarity", [HIGHER, LOWER, NEUTRAL], ids=str)
@pytest.mark.parametrize(
    ("latest", "previous"),
    [
        pytest.param(None, "70", id="no-latest"),
        pytest.param("70", None, id="single-value"),
        pytest.param(None, None, id="no-values"),
    ],
)
def test_it_has_no_direction_with_fewer_than_two_values(latest, previous, polarity):
    assert direction(D(latest), D(previous), polarity=polarity, decimals=0) == Direction.NONE


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        pytest.param("higher_is_better", Direction.IMPROVED, id="higher_is_better"),
        pytest.param("lower_is_better", Direction.WORSENED, id="lower_is_better"),
        pytest.param("neutral", Direction.UP, id="neutral"),
    ],
)
def test_it_accepts_the_polarity_as_written_in_the_indicators_file(polarity, expected):
    assert direction(D(2), D(1), polarity=polarity, decimals=0) == expected


# RAG: no rating ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "comparators"),
    [
        pytest.param("42", {"england": england(85)}, id="with-england"),
        pytest.param("42", {"target": target(90), "england": england(85)}, id="with-target"),
        pytest.param(None, {"england": england(85)}, id="without-value"),
        pytest.param("42", {}, id="without-comparator"),
    ],
)
def test_it_never_rates_a_neutral_indicator(latest, comparators):
    rating = rate(D(latest), polarity=NEUTRAL, decimals=0, **comparators)
    assert rating.rag == Rag.NONE
    assert rating.basis == Basis.NEUTRAL


@pytest.mark.parametrize("polarity", [HIGHER, LOWER], ids=str)
@pytest.mark.parametrize(
    "comparators",
    [
        pytest.param({"england": england(85), "sn_average": sn_average(80)}, id="with-benchmarks"),
        pytest.param({"target": target(90)}, id="with-target"),
        pytest.param({}, id="without-comparator"),
    ],
)
def test_it_does_not_rate_without_a_value(polarity, comparators):
    rating = rate(None, polarity=polarity, decimals=0, **comparators)
    assert rating.rag == Rag.NONE
    assert rating.basis == Basis.NO_VALUE
    assert rating.comparisons == ()


@pytest.mark.parametrize("polarity", [HIGHER, LOWER], ids=str)
def test_it_does_not_rate_without_a_comparator(polarity):
    rating = rate(D(42), polarity=polarity, decimals=0)
    assert rating.rag == Rag.NONE
    assert rating.basis == Basis.NO_COMPARATOR
    assert rating.comparisons == ()


def test_it_does_not_rate_when_the_benchmark_year_has_neither_england_nor_sn_average():
    rating = rate(D(42), polarity=HIGHER, decimals=0, england=None, sn_average=None, target=None)
    assert (rating.rag, rating.basis) == (Rag.NONE, Basis.NO_COMPARATOR)


# RAG: one comparator ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        pytest.param("90", Rag.GREEN, id="better-green"),
        pytest.param("85", Rag.GREEN, id="equal-green"),
        pytest.param("84.5", Rag.GREEN, id="84.5-rounds-to-85-as-good-green"),
        pytest.param("84.4", Rag.AMBER, id="84.4-rounds-to-84-amber"),
        pytest.param("81", Rag.AMBER, id="4-below-within-4.25-amber"),
        pytest.param("80.6", Rag.AMBER, id="80.6-rounds-to-81-amber"),
        pytest.param("80.5", Rag.AMBER, id="80.5-rounds-half-up-to-81-amber"),
        pytest.param("80.4", Rag.RED, id="80.4-rounds-to-80-red"),
        pytest.param("80", Rag.RED, id="5-below-beyond-4.25-red"),
        pytest.param("42", Rag.RED, id="far-below-red"),
    ],
)
def test_it_rates_higher_is_better_against_england_85_with_5_percent_tolerance(latest, expected):
    rating = rate(D(latest), polarity=HIGHER, decimals=0, england=england(85))
    assert rating.rag == expected
    assert rating.basis == Basis.BENCHMARKS
    assert len(rating.comparisons) == 1
    assert rating.comparisons[0].tolerance == D("4.25")


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        pytest.param("80", Rag.GREEN, id="better-green"),
        pytest.param("85", Rag.GREEN, id="equal-green"),
        pytest.param("85.4", Rag.GREEN, id="85.4-rounds-to-85-as-good-green"),
        pytest.param("85.5", Rag.AMBER, id="85.5-rounds-half-up-to-86-amber"),
        pytest.param("89", Rag.AMBER, id="4-above-within-4.25-amber"),
        pytest.param("89.4", Rag.AMBER, id="89.4-rounds-to-89-amber"),
        pytest.param("89.5", Rag.RED, id="89.5-rounds-half-up-to-90-red"),
        pytest.param("90", Rag.RED, id="5-above-beyond-4.25-red"),
    ],
)
def test_it_rates_lower_is_better_against_england_85_with_5_percent_tolerance(latest, expected):
    rating = rate(D(latest), polarity=LOWER, decimals=0, england=england(85))
    assert rating.rag == expected
    assert rating.comparisons[0].tolerance == D("4.25")


@pytest.mark.parametrize(
    ("latest", "polarity", "decimals", "comparator", "expected"),
    [
        pytest.param("76", HIGHER, 0, "80", Rag.AMBER, id="higher-exactly-tolerance-4-below-amber"),
        pytest.param("75", HIGHER, 0, "80", Rag.RED, id="higher-one-past-tolerance-red"),
        pytest.param("84", LOWER, 0, "80", Rag.AMBER, id="lower-exactly-tolerance-4-above-amber"),
        pytest.param("85", LOWER, 0, "80", Rag.RED, id="lower-one-past-tolerance-red"),
        pytest.param("80.75", HIGHER, 2, "85", Rag.AMBER, id="2dp-exactly-4.25-below-amber"),
        pytest.param("80.74", HIGHER, 2, "85", Rag.RED, id="2dp-4.26-below-red"),
        pytest.param("80.745", HIGHER, 2, "85", Rag.AMBER, id="2dp-80.745-rounds-to-exact-edge-amber"),
        pytest.param("89.25", LOWER, 2, "85", Rag.AMBER, id="2dp-lower-exactly-4.25-above-amber"),
        pytest.param("89.26", LOWER, 2, "85", Rag.RED, id="2dp-lower-4.26-above-red"),
        pytest.param("9.5", HIGHER, 1, "10", Rag.AMBER, id="1dp-exactly-0.5-below-amber"),
        pytest.param("9.4", HIGHER, 1, "10", Rag.RED, id="1dp-0.6-below-red"),
    ],
)
def test_it_rates_amber_within_tolerance_up_to_and_including_the_edge(
    latest, polarity, decimals, comparator, expected
):
    assert rate(D(latest), polarity=polarity, decimals=decimals, england=england(comparator)).rag == expected


def test_it_uses_the_rounded_comparator_for_the_5_percent_tolerance():
    comparison = rate(D(80), polarity=HIGHER, decimals=0, england=england("84.6")).comparisons[0]
    assert comparison.compared_value == D(85)
    assert comparison.tolerance == D("4.25")


@pytest.mark.parametrize(
    ("latest", "tolerance", "expected"),
    [
        pytest.param("83", "2", Rag.AMBER, id="tolerance-2-gap-2-amber"),
        pytest.param("82", "2", Rag.RED, id="tolerance-2-gap-3-red-though-within-5-percent"),
        pytest.param("75", "10", Rag.AMBER, id="tolerance-10-gap-10-amber-though-beyond-5-percent"),
        pytest.param("74", "10", Rag.RED, id="tolerance-10-gap-11-red"),
        pytest.param("84", "0", Rag.RED, id="tolerance-0-is-kept-not-replaced-by-5-percent"),
        pytest.param("85", "0", Rag.GREEN, id="tolerance-0-equal-still-green"),
    ],
)
def test_it_rates_amber_within_an_explicit_tolerance_instead_of_5_percent(latest, tolerance, expected):
    rating = rate(D(latest), polarity=HIGHER, decimals=0, england=england(85), amber_tolerance=D(tolerance))
    assert rating.rag == expected
    assert rating.comparisons[0].tolerance == D(tolerance)


@pytest.mark.parametrize(
    ("latest", "polarity", "expected"),
    [
        pytest.param("0", LOWER, Rag.GREEN, id="lower-equal-zero-green"),
        pytest.param("0.4", LOWER, Rag.GREEN, id="lower-0.4-rounds-to-zero-green"),
        pytest.param("1", LOWER, Rag.RED, id="lower-any-worse-is-red"),
        pytest.param("0.5", LOWER, Rag.RED, id="lower-0.5-rounds-to-1-red"),
        pytest.param("-1", HIGHER, Rag.RED, id="higher-any-worse-is-red"),
        pytest.param("1", HIGHER, Rag.GREEN, id="higher-better-green"),
    ],
)
def test_it_has_no_amber_band_against_a_comparator_of_zero(latest, polarity, expected):
    rating = rate(D(latest), polarity=polarity, decimals=0, england=england(0))
    assert rating.rag == expected
    assert rating.comparisons[0].tolerance == 0


@pytest.mark.parametrize(
    ("latest", "polarity", "expected"),
    [
        pytest.param("-1.23", HIGHER, Rag.GREEN, id="higher-equal-green"),
        pytest.param("-1.00", HIGHER, Rag.GREEN, id="higher-above-green"),
        pytest.param("-1.225", HIGHER, Rag.GREEN, id="higher-minus-1.225-rounds-to-equal-green"),
        pytest.param("-1.29", HIGHER, Rag.AMBER, id="higher-0.06-below-within-0.0615-amber"),
        pytest.param("-1.30", HIGHER, Rag.RED, id="higher-0.07-below-beyond-0.0615-red"),
        pytest.param("-1.29", LOWER, Rag.GREEN, id="lower-below-green"),
        pytest.param("-1.17", LOWER, Rag.AMBER, id="lower-0.06-above-within-0.0615-amber"),
        pytest.param("-1.16", LOWER, Rag.RED, id="lower-0.07-above-beyond-0.0615-red"),
    ],
)
def test_it_uses_the_size_of_a_negative_comparator_for_the_tolerance(latest, polarity, expected):
    rating = rate(D(latest), polarity=polarity, decimals=2, england=england("-1.23"))
    assert rating.rag == expected
    assert rating.comparisons[0].tolerance == D("0.0615")


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        pytest.param("80", Rag.GREEN, id="as-good-green"),
        pytest.param("77", Rag.AMBER, id="within-4-amber"),
        pytest.param("75", Rag.RED, id="beyond-4-red"),
    ],
)
def test_it_rates_against_the_sn_average_alone_when_england_is_missing(latest, expected):
    rating = rate(D(latest), polarity=HIGHER, decimals=0, england=None, sn_average=sn_average(80))
    assert rating.rag == expected
    assert rating.basis == Basis.BENCHMARKS
    assert [c.comparator.label for c in rating.comparisons] == ["SN average"]


# RAG: target ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "target_value", "england_value", "sn_value", "expected"),
    [
        pytest.param(
            "84", "90", "80", "82", Rag.RED, id="red-against-target-though-green-against-both-benchmarks"
        ),
        pytest.param(
            "70", "65", "85", "80", Rag.GREEN, id="green-against-target-though-red-against-both-benchmarks"
        ),
        pytest.param("86", "90", "95", "80", Rag.AMBER, id="amber-within-5-percent-of-target"),
    ],
)
def test_it_rates_against_the_target_only_when_there_is_one(
    latest, target_value, england_value, sn_value, expected
):
    the_target = target(target_value)
    rating = rate(
        D(latest),
        polarity=HIGHER,
        decimals=0,
        target=the_target,
        england=england(england_value),
        sn_average=sn_average(sn_value),
    )
    assert rating.rag == expected
    assert rating.basis == Basis.TARGET
    assert [c.comparator for c in rating.comparisons] == [the_target]


def test_it_applies_the_tolerance_to_a_target():
    comparison = rate(D(86), polarity=HIGHER, decimals=0, target=target(90), england=england(80)).comparisons[
        0
    ]
    assert comparison.tolerance == D("4.5")
    assert comparison.outcome == Outcome.WITHIN_TOLERANCE


def test_it_applies_an_explicit_tolerance_to_a_target():
    rating = rate(D(86), polarity=HIGHER, decimals=0, target=target(90), amber_tolerance=D(3))
    assert rating.rag == Rag.RED


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        pytest.param("10", Rag.GREEN, id="below-target-green"),
        pytest.param("12", Rag.GREEN, id="equal-target-green"),
        pytest.param("12.6", Rag.RED, id="12.6-rounds-to-13-beyond-0.6-red"),
        pytest.param("12.4", Rag.GREEN, id="12.4-rounds-to-12-green"),
    ],
)
def test_it_rates_lower_is_better_against_a_target(latest, expected):
    rating = rate(D(latest), polarity=LOWER, decimals=0, target=target(12), england=england(20))
    assert rating.rag == expected
    assert rating.basis == Basis.TARGET


# RAG: two comparators ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "polarity", "england_value", "sn_value", "expected"),
    [
        pytest.param("90", HIGHER, "85", "80", Rag.GREEN, id="higher-above-both-green"),
        pytest.param("85", HIGHER, "85", "80", Rag.GREEN, id="higher-equal-one-above-other-green"),
        pytest.param("80", HIGHER, "80", "80", Rag.GREEN, id="higher-equal-both-green"),
        pytest.param("84.5", HIGHER, "85", "80", Rag.GREEN, id="higher-84.5-rounds-to-85-green"),
        pytest.param("82", HIGHER, "85", "80", Rag.AMBER, id="higher-as-good-as-sn-only-amber"),
        pytest.param("82", HIGHER, "80", "85", Rag.AMBER, id="higher-as-good-as-england-only-amber"),
        pytest.param("84.4", HIGHER, "85", "80", Rag.AMBER, id="higher-84.4-rounds-to-84-amber"),
        pytest.param("83", HIGHER, "85", "84", Rag.RED, id="higher-within-5-percent-of-both-still-red"),
        pytest.param("70", HIGHER, "85", "80", Rag.RED, id="higher-below-both-red"),
        pytest.param("18", LOWER, "20", "25", Rag.GREEN, id="lower-below-both-green"),
        pytest.param("20", LOWER, "20", "25", Rag.GREEN, id="lower-equal-one-below-other-green"),
        pytest.param("22", LOWER, "20", "25", Rag.AMBER, id="lower-as-good-as-sn-only-amber"),
        pytest.param("22", LOWER, "25", "20", Rag.AMBER, id="lower-as-good-as-england-only-amber"),
        pytest.param("26", LOWER, "20", "25", Rag.RED, id="lower-above-both-red"),
    ],
)
def test_it_rates_against_england_and_sn_average_together(
    latest, polarity, england_value, sn_value, expected
):
    rating = rate(
        D(latest),
        polarity=polarity,
        decimals=0,
        england=england(england_value),
        sn_average=sn_average(sn_value),
    )
    assert rating.rag == expected
    assert rating.basis == Basis.BENCHMARKS
    assert [c.comparator.label for c in rating.comparisons] == ["England", "SN average"]


def test_it_applies_no_tolerance_with_two_comparators():
    rating = rate(
        D(79),
        polarity=HIGHER,
        decimals=0,
        england=england(85),
        sn_average=sn_average(80),
        amber_tolerance=D(10),
    )
    assert rating.rag == Rag.RED
    assert [c.tolerance for c in rating.comparisons] == [None, None]
    assert [c.outcome for c in rating.comparisons] == [Outcome.WORSE, Outcome.WORSE]


def test_it_records_which_comparator_was_met_when_amber_with_two():
    rating = rate(D(82), polarity=HIGHER, decimals=0, england=england(85), sn_average=sn_average(80))
    assert [c.outcome for c in rating.comparisons] == [Outcome.WORSE, Outcome.AS_GOOD]


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        pytest.param("higher_is_better", Rag.RED, id="higher_is_better"),
        pytest.param("lower_is_better", Rag.GREEN, id="lower_is_better"),
        pytest.param("neutral", Rag.NONE, id="neutral"),
    ],
)
def test_it_rates_with_the_polarity_as_written_in_the_indicators_file(polarity, expected):
    assert rate(D(42), polarity=polarity, decimals=0, england=england(85)).rag == expected


# What a comparison records ----------------------------------------------------------------------------------


def test_it_records_both_sides_and_their_difference_after_rounding():
    comparison = rate(D("42.4"), polarity=HIGHER, decimals=0, england=england("84.6")).comparisons[0]
    assert comparison.latest == D(42)
    assert comparison.compared_value == D(85)
    assert comparison.difference == D(-43)
    assert comparison.outcome == Outcome.WORSE
    assert comparison.comparator == england("84.6")


@pytest.mark.parametrize(
    ("latest", "outcome"),
    [
        pytest.param("90", Outcome.AS_GOOD, id="as-good"),
        pytest.param("81", Outcome.WITHIN_TOLERANCE, id="within-tolerance"),
        pytest.param("80", Outcome.WORSE, id="worse"),
    ],
)
def test_it_records_how_the_latest_stands_against_a_single_comparator(latest, outcome):
    assert rate(D(latest), polarity=HIGHER, decimals=0, england=england(85)).comparisons[0].outcome == outcome


# The one "better" ordering and the labelled choices -----------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        pytest.param(LOWER, ["1", "2", "2", "3"], id="lower_is_better-smallest-first"),
        pytest.param(HIGHER, ["3", "2", "2", "1"], id="higher_is_better-largest-first"),
        pytest.param(NEUTRAL, ["3", "2", "2", "1"], id="neutral-read-largest-first"),
        pytest.param("lower_is_better", ["1", "2", "2", "3"], id="as-written-in-the-indicators-file"),
    ],
)
def test_it_sorts_the_better_figure_first(polarity, expected):
    assert sorted([D(2), D(1), D(3), D(2)], key=better_first_key(polarity)) == [D(v) for v in expected]


@pytest.mark.parametrize(
    ("a", "b", "polarity", "expected"),
    [
        pytest.param("2", "1", HIGHER, True, id="higher-is-better"),
        pytest.param("1", "2", HIGHER, False, id="higher-is-worse"),
        pytest.param("1", "2", LOWER, True, id="lower-is-better"),
        pytest.param("2", "1", LOWER, False, id="lower-is-worse"),
        pytest.param("2.0", "2", LOWER, False, id="equal-is-not-better"),
    ],
)
def test_it_says_whether_one_figure_is_strictly_better(a, b, polarity, expected):
    assert is_better(D(a), D(b), polarity) is expected


def test_polarity_and_unit_carry_the_labels_the_models_offer():
    assert Polarity.choices == [
        ("higher_is_better", "Higher is better"),
        ("lower_is_better", "Lower is better"),
        ("neutral", "Neutral (no better direction)"),
    ]
    assert Unit.values == ["percent", "rate_per_10k", "count", "days", "score"]
    assert Unit("rate_per_10k").label == "Rate per 10,000 children"
    assert Polarity("neutral") is NEUTRAL and NEUTRAL == "neutral"


# The rules stay plain Python --------------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["scorecards.rating", "scorecards.formatting"])
def test_it_imports_no_django(module):
    check = (
        f"import sys, {module}; "
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
