"""The exception report, /scorecards/CODE/PERIOD/attention/: who may see it, what it lists, and what it says."""

from __future__ import annotations

import datetime

import pytest

from scorecards.models import Target

ADDRESS = "/scorecards/838/2020-11/attention/"
# Higher is better: steady near 80, then a fall far below the usual range (a real change for the worse).
DENTAL = [80, 82, 81, 79, 83, 80, 82, 81, 79, 80, 82, 81, 80, 79, 81, 82, 80, 76, 62, 50]


def month(index: int) -> datetime.date:
    year, zero_based = divmod(3 + index, 12)  # index 0 is April 2019; 19 is November 2020
    return datetime.date(2019 + year, zero_based + 1, 1)


@pytest.fixture
def falling(home_authority, other_authority, make_indicator, make_value, approve_month):
    dental = make_indicator(code="dental_check_pct", name="Dental checks within 12 months")
    steady = make_indicator(code="steady_pct", name="Steady and fine")
    for index, value in enumerate(DENTAL):
        note = "Practices closed for routine checks." if index == 19 else ""
        make_value(home_authority, dental, month(index), value, commentary=note)
        make_value(home_authority, steady, month(index), 70 + index % 2)
        approve_month(home_authority, month(index))
    Target.objects.create(authority=home_authority, indicator=dental, kind="target", year="2020/21", value=80)
    make_value(other_authority, dental, "2020-11", 10)
    return steady


@pytest.mark.parametrize("persona", ["board_member", "officer", "approver", "administrator"])
def test_each_role_of_the_council_sees_the_report(client, request, falling, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(ADDRESS)
    assert response.status_code == 200
    assert [item.row.code for item in response.context["items"]] == ["dental_check_pct"]


def test_another_councils_user_gets_404_like_a_missing_authority(client, falling, other_council_user):
    client.force_login(other_council_user)
    assert client.get(ADDRESS).status_code == 404
    assert client.get(ADDRESS.replace("838", "999")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, falling):
    response = client.get(ADDRESS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_report_rejects_the_wrong_method(client, falling, board_member, method):
    client.force_login(board_member)
    assert getattr(client, method)(ADDRESS).status_code == 405


def test_it_lists_only_rows_needing_attention_with_reasons_chart_forecast_and_commentary(
    client, falling, board_member
):
    client.force_login(board_member)
    response = client.get(ADDRESS)
    html = response.content.decode()
    assert [item.row.code for item in response.context["items"]] == ["dental_check_pct"]
    assert "Needs the board's attention: 1 of 2 indicators" in html
    assert "Steady and fine" not in html
    assert "<strong>Red and getting worse</strong>" in html
    assert "<strong>Real change for the worse</strong>: The chart shows a change for the worse" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="spc-thumb"' in html and "<title>" in html
    assert "Practices closed for routine checks." in html
    assert "the figure for March 2021 will be about" in html and "may or may not be met" in html
    assert "How the year-end forecast is made" in html


def test_board_members_report_reads_approved_figures_only(
    client, falling, home_authority, board_member, officer, make_value
):
    # December's figure, far below the usual range, is not approved: only people who enter data see it.
    make_value(home_authority, falling, "2020-12", 5)
    client.force_login(officer)
    response = client.get("/scorecards/838/2020-12/attention/")
    assert "steady_pct" in [item.row.code for item in response.context["items"]]
    client.force_login(board_member)
    response = client.get("/scorecards/838/2020-12/attention/")
    assert response.status_code == 200
    assert "steady_pct" not in [item.row.code for item in response.context["items"]]
    assert "Figures as approved" in response.content.decode()


def test_a_month_with_nothing_to_report_says_so(client, falling, board_member):
    client.force_login(board_member)
    html = client.get("/scorecards/838/2019-10/attention/").content.decode()
    assert "No indicator needs the board's attention this month" in html
