"""A quarter's scorecard: its JSON, its rules, its rating by the quarter's last month, and its cost."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecards.core.exports import scorecard_dict
from scorecards.core.figures import Figure
from scorecards.core.quarterly import quarter_value
from scorecards.core.selectors import scorecard_build
from scorecards.models import Indicator, Target
from scorecards.quarters import Quarter, quarter_figure

Q1 = Quarter.parse("2020-21-Q1")


def quarter_json(authority, quarter=Q1, quarters=2, **options):
    return scorecard_dict(scorecard_build(authority=authority, period=quarter, months=quarters, **options))


def rows_of(data):
    return {row["indicator"]: row for row in data["rows"]}


def test_the_json_names_quarters_in_place_of_months(quarter_council):
    data = quarter_json(quarter_council)
    assert data["period"] == "2020-21-Q1"
    assert data["quarters"] == ["2019-20-Q4", "2020-21-Q1"]
    assert "months" not in data
    row = rows_of(data)["started"]
    assert set(row["values"]) == set(row["numerators"]) == set(row["denominators"]) == set(data["quarters"])


def test_the_default_window_is_five_quarters(quarter_council):
    data = scorecard_dict(scorecard_build(authority=quarter_council, period=Q1, months=5))
    assert data["quarters"][0] == "2019-20-Q1" and len(data["quarters"]) == 5


def test_sum_adds_three_months_and_needs_all_three(quarter_council):
    row = rows_of(quarter_json(quarter_council))["started"]
    assert row["values"] == {"2019-20-Q4": 34.0, "2020-21-Q1": None}  # June has no figure
    assert row["latest_period"] == "2019-20-Q4"
    assert row["numerators"]["2019-20-Q4"] is None  # counts carry no numerators


def test_pooled_sums_numerators_over_denominators_when_all_three_have_both(quarter_council):
    row = rows_of(quarter_json(quarter_council))["placed_pct"]
    assert row["values"]["2019-20-Q4"] == 24.0  # 36 of 150, not the mean of 20%, 24% and 28%
    assert row["numerators"]["2019-20-Q4"] == 36.0 and row["denominators"]["2019-20-Q4"] == 150.0
    assert row["values"]["2020-21-Q1"] is None  # June's figure has no counts
    assert row["numerators"]["2020-21-Q1"] is None


def test_end_takes_the_latest_month_with_a_value_and_rates_by_the_quarters_last_month(quarter_council):
    row = rows_of(quarter_json(quarter_council))["children"]
    assert row["values"] == {"2019-20-Q4": 474.0, "2020-21-Q1": 475.0}  # June: not available; April used
    assert row["latest_period"] == "2020-21-Q1"
    assert row["direction"] == "up"


def test_the_benchmark_year_is_decided_by_the_quarters_last_month(quarter_council):
    # Q4 2019/20 ends in March 2020: 2019/20 has not ended, so 2018/19; Q1 2020/21 ends in June: 2019/20.
    q4 = rows_of(quarter_json(quarter_council, Quarter.parse("2019-20-Q4"), 1))["placed_pct"]
    assert (q4["benchmark_year"], q4["england"]) == ("2018/19", 10.0)
    q1 = rows_of(quarter_json(quarter_council, Q1, 2))["placed_pct"]
    assert (q1["benchmark_year"], q1["england"]) == ("2019/20", 30.0)
    # Q1's latest is Q4's 24% (lower is better): better than both 30 and 40, so green.
    assert q1["latest_period"] == "2019-20-Q4" and q1["rag"] == "green"


def test_the_target_and_its_interim_targets_follow_the_quarters_last_month(quarter_council):
    indicator = Indicator.objects.get(code="placed_pct")
    common = {"authority": quarter_council, "indicator": indicator, "kind": "target", "year": "2020/21"}
    Target.objects.create(**common, value=30)
    Target.objects.create(**common, value=22, period=datetime.date(2020, 6, 1))
    Target.objects.create(**common, value=21, period=datetime.date(2020, 7, 1))
    row = rows_of(quarter_json(quarter_council))["placed_pct"]
    # June decides Q1: its interim target 22, not July's 21 nor the year's 30. The latest, 24% (lower is
    # better), is 2 worse than 22, beyond the tolerance of 5% of 22 (1.1): red.
    assert (row["target"], row["target_year"], row["target_period"]) == (22.0, "2020/21", "2020-06")
    assert row["rag"] == "red"


def test_the_spc_series_is_the_quarters_values(quarter_council):
    row = rows_of(quarter_json(quarter_council))["children"]
    assert row["spc"]["points"] == 2  # Q4 2019/20 and Q1 2020/21, not five months


@pytest.mark.parametrize("include_drafts", [False, True])
def test_the_quarters_before_the_window_join_the_series_by_the_same_rules(quarter_council, include_drafts):
    def series(quarters: int) -> dict[str, list]:
        scorecard = scorecard_build(
            authority=quarter_council, period=Q1, months=quarters, include_drafts=include_drafts
        )
        return {
            row.code: [(f"{month:%Y-%m}", value) for month, value in row.series] for row in scorecard.rows
        }

    # Q4 2019/20 is before a window of one quarter and inside a window of two: the same series either way.
    assert series(1) == series(2) == series(8)
    assert series(1) == {
        "started": [("2020-03", 34)],  # Q1 has no June figure, and sum needs all three months
        "placed_pct": [("2020-03", Decimal("24.0000"))],  # 36 of 150; June has no counts
        "children": [("2020-03", 474), ("2020-06", 475)],  # Q1: April, as May has none and June a status
    }


def test_a_quarter_value_of_the_series_is_the_quarter_figure_s():
    rng = random.Random(12)
    months = Q1.months
    for _ in range(2_000):
        figures = {}
        for month in months:
            kind = rng.choice(("none", "status", "value", "counts", "counts", "zero"))
            value = Decimal(rng.randint(0, 10**6)) / 10_000
            if kind == "status":
                figures[month] = Figure(None, None, None, "not_available", "")
            elif kind == "value":
                figures[month] = Figure(value, None, Decimal(5) if rng.random() < 0.3 else None, "", "")
            elif kind in ("counts", "zero"):
                denominator = Decimal(0) if kind == "zero" else Decimal(rng.randint(1, 900))
                figures[month] = Figure(value, Decimal(rng.randint(0, 900)), denominator, "", "note")
        valued = [(1, month, *figure[:3]) for month, figure in figures.items() if figure.value is not None]
        rng.shuffle(valued)
        for rule in ("end", "sum", "pooled"):
            for unit in ("percent", "rate_per_10k", "count", "days"):
                expected = quarter_figure(rule, unit, Q1, figures).value
                assert quarter_value(rule, unit, valued) == expected, (rule, unit, figures)


def test_board_members_see_a_quarter_only_from_approved_months(quarter_council, make_value):
    started = Indicator.objects.get(code="started")
    make_value(quarter_council, started, "2020-06", 3)  # not approved
    board = rows_of(quarter_json(quarter_council))["started"]
    officer = rows_of(quarter_json(quarter_council, include_drafts=True))["started"]
    assert board["values"]["2020-21-Q1"] is None
    assert officer["values"]["2020-21-Q1"] == 19.0


def _queries(authority, indicators: int, make_indicator, make_value) -> int:
    for number in range(indicators):
        indicator = make_indicator(
            section=f"Section {number % 5}", quarter_rule=["end", "sum", "pooled"][number % 3]
        )
        for month in range(1, 7):
            make_value(
                authority, indicator, datetime.date(2020, month, 1), 10 + number, numerator=1, denominator=10
            )
    with CaptureQueriesContext(connection) as queries:
        scorecard_build(authority=authority, period=Q1, months=5, include_drafts=True)
    return len(queries)


def test_a_quarter_costs_a_fixed_number_of_queries(make_authority, make_indicator, make_value):
    few = _queries(make_authority(code="201"), 4, make_indicator, make_value)
    many = _queries(make_authority(code="202"), 40, make_indicator, make_value)
    assert few == many <= 9


def test_a_quarter_page_costs_what_a_months_page_costs(
    client, make_authority, make_user, make_indicator, make_value
):
    authority = make_authority(code="203")
    client.force_login(make_user("reader", "officer", authority))
    for number in range(20):
        indicator = make_indicator(section=f"Section {number % 4}", quarter_rule="sum")
        for month in range(1, 7):
            make_value(authority, indicator, datetime.date(2020, month, 1), Decimal(number))
    counts = {}
    for path in ("/scorecards/203/2020-06/", "/scorecards/203/2020-21-Q1/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        counts[path] = len(queries)
    assert counts["/scorecards/203/2020-21-Q1/"] <= counts["/scorecards/203/2020-06/"]
