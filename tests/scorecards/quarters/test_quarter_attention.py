"""The exception report of a quarter: the rows whose ``attention``, computed on the quarter's scorecard (its
quarters' values, rated with the quarter in place of the month), is not empty."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from scorecards.models import Benchmark
from tests.scorecards.quarters.conftest import approve

REPORT = "/scorecards/838/2020-21-Q1/attention/"
MONTH_REPORT = "/scorecards/838/2020-06/attention/"


@pytest.fixture
def slipping(home_authority, other_authority, make_indicator, make_value):
    """Visits (end of quarter): 60% each month of Q4 2019/20, then 50, 50, 55: Q1 is red and worse than Q4,
    while June alone is better than May. Steady (sum) is never rated (neutral)."""
    visits = make_indicator(code="visits_pct", section="Health", name="Visits on time", quarter_rule="end")
    steady = make_indicator(
        code="steady", section="Profile", unit="count", polarity="neutral", quarter_rule="sum"
    )
    for month, value in [("2020-01", 60), ("2020-02", 60), ("2020-03", 60), ("2020-04", 50), ("2020-05", 50),
                         ("2020-06", 55)]:  # fmt: skip
        make_value(home_authority, visits, month, value, commentary=f"Visits in {month}.")
        make_value(home_authority, steady, month, 10)
    for year in ("2018/19", "2019/20"):
        Benchmark.objects.create(authority=home_authority, indicator=visits, year=year, england=Decimal(90))
    approve(home_authority, "2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06")
    return home_authority


def test_the_quarter_report_lists_the_rows_the_quarters_json_flags(client, slipping, board_member):
    client.force_login(board_member)
    rows = json.loads(client.get("/scorecards/838/2020-21-Q1/?format=json").content)["rows"]
    flagged = {row["indicator"]: row["attention"] for row in rows if row["attention"]}
    assert flagged == {"visits_pct": ["red_and_worsened"]}

    content = client.get(REPORT).content.decode()
    assert "Needs the board's attention: 1 of 2 indicators" in content
    assert 'href="/scorecards/838/2020-21-Q1/visits_pct/">Visits on time</a>' in content
    assert "50% in Q1 2020/21 (April to June 2020)" not in content  # the quarter's value is June's (end)
    assert "55% in Q1 2020/21 (April to June 2020)" in content
    assert "worse than the quarter before" in content
    assert (
        "2 quarterly figures from Q4 2019/20 (January to March 2020) to Q1 2020/21 (April to June 2020)"
        in content
    )
    assert "2 quarters to Q1 2020/21: average 58%; too few quarters for a usual range." in content
    assert (
        "Commentary, Q1 2020/21 (April to June 2020)" in content
        and "June 2020: Visits in 2020-06." in content
    )
    assert 'href="/scorecards/838/2020-21-Q1/">Back to the full scorecard</a>' in content
    # June alone improved on May: the month's report does not list it, so the quarter's is its own.
    assert "Needs the board's attention: 0 of 2 indicators" in client.get(MONTH_REPORT).content.decode()


def test_the_quarter_page_links_to_the_quarters_report(client, slipping, board_member):
    client.force_login(board_member)
    content = client.get("/scorecards/838/2020-21-Q1/").content.decode()
    assert f'<a href="{REPORT}">Read the exception report</a>' in content


@pytest.mark.parametrize("persona", ["board_member", "officer", "approver", "administrator"])
def test_each_role_of_the_council_reads_the_quarter_report(client, request, slipping, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(REPORT).status_code == 200


def test_the_quarter_report_is_404_elsewhere_and_asks_strangers_to_sign_in(
    client, slipping, board_member, other_council_user
):
    response = client.get(REPORT)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    client.force_login(other_council_user)
    assert client.get(REPORT).status_code == 404
    client.force_login(board_member)
    assert client.get(REPORT.replace("838", "999")).status_code == 404
    for impossible in ("2020-21-Q5", "2020-22-Q1"):
        assert client.get(REPORT.replace("2020-21-Q1", impossible)).status_code == 404
    assert client.post(REPORT).status_code == 405
