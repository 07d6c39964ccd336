"""Signal and noise in the product: every JSON row's ``spc``, ``interval`` and ``attention``, board members' series
from approved months only, the grid's icons, the indicator page's XmR chart, and data that must never break a page.

Expectations come from shared/CONTRACT.md ("Signal and noise" and its worked case 1), not from the code.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecards.models import Benchmark, MonthlyValue, Target
from scorecards.spc import METHOD, wilson_interval

CASE_ONE = [50, 47, 52, 49, 53, 48, 51, 55, 56, 54, 57, 55, 56, 49, 45, 47, 48, 50, 52, 61]
# The contract's points 1-20 are April 2019 to November 2020.
START = datetime.date(2019, 4, 1)
PERIOD = "2020-11"


def month(index: int) -> datetime.date:
    year, zero_based = divmod(START.month - 1 + index, 12)
    return datetime.date(START.year + year, zero_based + 1, 1)


def label(index: int) -> str:
    return f"{month(index):%Y-%m}"


def json_rows(client, code: str = "838", period: str = PERIOD) -> dict[str, dict]:
    response = client.get(f"/scorecards/{code}/{period}/?format=json")
    assert response.status_code == 200
    return {row["indicator"]: row for row in json.loads(response.content)["rows"]}


@pytest.fixture
def charted(home_authority, make_indicator, make_value, approve_month):
    """Worked case 1 as 20 approved monthly values, with the target of 60 for 2020/21."""
    indicator = make_indicator(code="case_one", name="Worked case one", unit="score", decimals=0)
    for index, value in enumerate(CASE_ONE):
        make_value(home_authority, indicator, month(index), value)
        approve_month(home_authority, month(index))
    Target.objects.create(
        authority=home_authority, indicator=indicator, kind="target", year="2020/21", value=60
    )
    return indicator


def test_json_rows_carry_the_contracts_spc_object_for_worked_case_one(client, charted, board_member):
    client.force_login(board_member)
    row = json_rows(client)["case_one"]
    flags = {label(i): ["shift:high"] for i in range(7, 13)}
    flags |= {label(i): ["trend:high"] for i in range(14, 19)}
    flags[label(19)] = ["outside:high", "trend:high"]
    assert row["spc"] == {
        "points": 20,
        "mean": 51.75,
        "lower": pytest.approx(42.93, abs=0.005),
        "upper": pytest.approx(60.57, abs=0.005),
        "variation": "improvement",
        "assurance": "hit_and_miss",
        "flags": flags,
    }
    # 61 against the target of 60 is green, so nothing calls for the board's attention; no n/d, no interval.
    assert row["rag"] == "green" and row["attention"] == [] and row["interval"] is None


def test_every_json_row_has_spc_interval_and_attention_even_without_figures(
    client, charted, make_indicator, board_member
):
    make_indicator(code="empty_one", name="No figures yet")
    client.force_login(board_member)
    row = json_rows(client)["empty_one"]
    assert row["spc"] == {
        "points": 0,
        "mean": None,
        "lower": None,
        "upper": None,
        "variation": "none",
        "assurance": "none",
        "flags": {},
    }
    assert row["interval"] is None and row["attention"] == []


def test_a_percent_with_numerator_and_denominator_has_its_wilson_interval_and_a_rag_that_says_so(
    client, home_authority, make_indicator, make_value, board_member, approve_month
):
    checks = make_indicator(code="checks_pct", name="Checks on time")
    make_value(home_authority, checks, "2020-10", Decimal("50"), numerator=19, denominator=38)
    make_value(home_authority, checks, "2020-11", Decimal("42.1053"), numerator=16, denominator=38)
    Benchmark.objects.create(authority=home_authority, indicator=checks, year="2018/19", england=Decimal(44))
    for period in (datetime.date(2020, 10, 1), datetime.date(2020, 11, 1)):
        approve_month(home_authority, period)
    client.force_login(board_member)
    row = json_rows(client)["checks_pct"]
    lower, upper = wilson_interval(16, 38)
    assert row["interval"] == [pytest.approx(float(lower), abs=1e-6), pytest.approx(float(upper), abs=1e-6)]
    assert round(row["interval"][0]) == 28 and round(row["interval"][1]) == 58
    # 42% is 2 points below England's 44%, within the tolerance of 2.2: amber, and the interval cannot tell.
    assert row["rag"] == "amber"
    assert row["rag_reason"].endswith(
        "but with 16 of 38 the figure is likely between 28% and 58%, so it cannot be told apart from England's 44%"
    )
    html = client.get("/scorecards/838/2020-11/checks_pct/").content.decode()
    assert "16 of 38: likely between 28% and 58% (95% interval)" in html


def test_attention_reasons_come_in_the_contracts_order(
    client, home_authority, make_indicator, make_value, officer
):
    # Lower is better: steady near 10, then 30 (outside the upper limit: a real change for the worse), red
    # against the target of 5 and worse than the month before; the target is below the lower limit: failing.
    waits = make_indicator(code="waits", name="Waiting", unit="count", polarity="lower_is_better")
    for index, value in enumerate([10, 11, 10, 9] * 4 + [10, 11, 10, 30]):
        make_value(home_authority, waits, month(index), value)
    Target.objects.create(authority=home_authority, indicator=waits, kind="target", year="2020/21", value=5)
    client.force_login(officer)
    row = json_rows(client)["waits"]
    assert row["spc"]["variation"] == "concern" and row["spc"]["assurance"] == "fail"
    assert row["attention"] == ["red_and_worsened", "special_cause_concern", "failing_target"]
    csv_text = client.get(f"/scorecards/838/{PERIOD}/?format=csv").content.decode()
    header, first = csv_text.splitlines()[:2]
    assert header.endswith("variation,assurance,spc_flags_latest,interval_lower,interval_upper,attention")
    assert first.endswith("red_and_worsened special_cause_concern failing_target")


def test_board_members_series_never_includes_months_not_approved(
    client, charted, home_authority, make_value, board_member, officer
):
    # A month with a figure nobody approved, and an approved figure changed behind the application's back.
    make_value(home_authority, charted, "2020-12", 99)
    MonthlyValue.objects.filter(indicator=charted, period=month(0)).update(value=Decimal(80))
    client.force_login(board_member)
    board = json_rows(client, period="2020-12")["case_one"]["spc"]
    assert board["points"] == 20 and board["mean"] == 51.75
    assert "2020-12" not in board["flags"]
    client.force_login(officer)
    working = json_rows(client, period="2020-12")["case_one"]["spc"]
    assert working["points"] == 21 and working["mean"] != board["mean"]


def test_the_series_reaches_back_to_sixty_values_across_gaps(
    client, home_authority, make_indicator, make_value, officer
):
    long = make_indicator(code="long_one", name="Long history", unit="count")
    periods = [datetime.date(2010 + i // 12, i % 12 + 1, 1) for i in range(131)]  # Jan 2010 to Nov 2020
    for number, period in enumerate(periods):
        if number % 2 == 0:  # every other month left empty: 66 values over 131 months
            make_value(home_authority, long, period, number)
    client.force_login(officer)
    assert json_rows(client)["long_one"]["spc"]["points"] == 60


def test_the_grid_shows_each_rows_icons_with_words_names_and_a_legend(client, charted, board_member):
    client.force_login(board_member)
    html = client.get(f"/scorecards/838/{PERIOD}/").content.decode()
    assert 'aria-describedby="var-case_one"' in html and 'aria-describedby="ass-case_one"' in html
    assert '<span class="spc-icon var-improvement" aria-hidden="true">H</span> Real change: better' in html
    assert '<span class="spc-icon ass-hit_and_miss" aria-hidden="true">?</span> Hit and miss' in html
    assert "Special cause of improvement: The latest figure is part of a real change for the better" in html
    assert "special cause of concern, a real change for the worse, not noise" in html
    assert "No indicator needs the board's attention this month" in html


def test_the_indicator_page_draws_the_xmr_chart_with_flags_forecast_and_method(client, charted, board_member):
    client.force_login(board_member)
    response = client.get(f"/scorecards/838/{PERIOD}/case_one/")
    html = response.content.decode()
    figure = json.loads(response.context["spc_json"])
    names = [trace["name"] for trace in figure["data"]]
    assert names[:4] == [
        "Upper process limit 61",
        "Average 52",
        "Lower process limit 43",
        "Target 60 (2020/21)",
    ]
    assert {
        "Outside the process limits",
        "Run of 6 above or below the average",
        "6 rising or falling in a row",
    } <= {*names}
    assert 'id="spc-figure"' in html and 'id="spc-chart"' in html
    assert "Above the upper limit; in 6 or more rising in a row" in html
    assert "the figure for March 2021 will be about" in html and METHOD in html


@pytest.mark.parametrize(
    ("values", "polarity", "target", "words"),
    [
        ([55], "higher_is_better", 60, "Not enough data for limits"),
        ([55, None, 54, None, 57, 52], "higher_is_better", None, "Not enough data for limits"),
        ([50] * 20, "higher_is_better", 50, "Consistently met"),
        (CASE_ONE, "neutral", None, "Real change: higher"),
        # Mean 10.2, mR 10/7: the upper limit is exactly 14, the target: consistently missed.
        (
            [10, 10, 8, 10, 8, 9, 12, 11, 8, 9, 10, 11, 11, 12, 14],
            "higher_is_better",
            14,
            "Consistently missed",
        ),
    ],
    ids=["single-month", "gaps-and-few-points", "all-equal", "neutral", "target-on-a-limit"],
)
@pytest.mark.parametrize("persona", ["board_member", "officer"])
def test_awkward_series_give_defined_pages_never_an_error(
    client, request, home_authority, make_indicator, make_value, approve_month, values, polarity, target, words,
    persona,
):  # fmt: skip
    awkward = make_indicator(code="awkward", name="Awkward series", unit="count", polarity=polarity)
    start = 20 - len(values)
    for offset, value in enumerate(values):
        period = month(start + offset)
        if value is None:
            make_value(home_authority, awkward, period, None, status="not_available")
        else:
            make_value(home_authority, awkward, period, value)
        approve_month(home_authority, period)
    if target is not None:
        Target.objects.create(
            authority=home_authority, indicator=awkward, kind="target", year="2020/21", value=target
        )
    client.force_login(request.getfixturevalue(persona))
    pages = [f"/scorecards/838/{PERIOD}/{suffix}" for suffix in ("", "awkward/", "attention/")]
    responses = [client.get(page) for page in pages]
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert words in responses[1].content.decode()
    assert json_rows(client)["awkward"]["spc"]["points"] == len([v for v in values if v is not None])


def test_the_scorecard_query_count_does_not_grow_with_the_length_of_history(
    client, make_authority, make_user, make_indicator, make_value
):
    short, long = make_authority(code="201"), make_authority(code="202")
    client.force_login(make_user("historian", "officer", short, long))
    indicators = [make_indicator(section=f"Section {n % 3}") for n in range(8)]
    counts = []
    for authority, months in ((short, 6), (long, 60)):
        for indicator in indicators:
            for index in range(months):
                make_value(authority, indicator, month(20 - months + index), index)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/scorecards/{authority.code}/{PERIOD}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_grids_icons_from_the_databases_sums_agree_with_the_full_analysis(
    home_authority, make_indicator, make_value, approve_month
):
    """The grid reads each series as sums and its 6 latest values (figures.series_sums_fetch), never the series:
    its icons must be those of the full analysis, for long series (over 60 values), gaps and every polarity."""
    from scorecards.core import selectors

    periods = [datetime.date(2014 + i // 12, i % 12 + 1, 1) for i in range(83)]  # Jan 2014 to Nov 2020
    shapes = {
        "walk": [50 + (i * 7919 % 13) - 6 + i // 5 for i in range(83)],
        "step": [40 if i < 70 else 55 for i in range(83)],
        "flat": [30] * 83,
        "fine": [Decimal("12.3456") + Decimal(i % 7) / 10000 for i in range(83)],
    }
    for polarity in ("higher_is_better", "lower_is_better", "neutral"):
        for name, values in shapes.items():
            indicator = make_indicator(code=f"{name}_{polarity[:5]}", unit="count", polarity=polarity)
            for number, (period, value) in enumerate(zip(periods, values, strict=True)):
                if number % 9 != 4:  # a gap every ninth month
                    make_value(home_authority, indicator, period, value)
            Target.objects.create(
                authority=home_authority, indicator=indicator, kind="target", year="2020/21", value=values[-1]
            )
    for period in periods[-30:]:
        approve_month(home_authority, period)
    for include_drafts in (True, False):
        build = {"authority": home_authority, "period": periods[-1], "include_drafts": include_drafts}
        full = {row.code: row for row in selectors.scorecard_build(**build).rows}
        grid = selectors.scorecard_build(**build, with_series=False, with_cohorts=False)
        for row in grid.rows:
            chart = full[row.code].spc
            assert (row.signal.points, row.signal.variation, row.signal.assurance) == (
                chart.points,
                chart.variation,
                chart.assurance,
            ), row.code
            assert row.attention == full[row.code].attention
            with pytest.raises(LookupError):
                row.spc  # noqa: B018 - the grid's rows carry no series to chart
