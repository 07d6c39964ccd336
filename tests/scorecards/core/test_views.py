"""The scorecard and indicator pages: who sees what, what they show, and what they cost."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scorecards.entry.signoff import snapshot_take
from scorecards.models import Benchmark, ScorecardMonth, Target

PAGES = {
    "home": "/",
    "scorecards_home": "/scorecards/",
    "authority": "/scorecards/838/",
    "scorecard": "/scorecards/838/2020-11/",
    "scorecard_csv": "/scorecards/838/2020-11/?format=csv",
    "indicator": "/scorecards/838/2020-11/dental_check_pct/",
}
AUTHORITY_PAGES = {k: v for k, v in PAGES.items() if k not in {"home", "scorecards_home"}}


@pytest.fixture
def dental(make_indicator):
    return make_indicator(code="dental_check_pct", section="Health", name="Dental checks within 12 months")


@pytest.fixture
def filled_scorecard(home_authority, other_authority, dental, make_value):
    for month, value in [("2020-06", 70), ("2020-07", 69), ("2020-08", 65), ("2020-09", 58), ("2020-10", 55)]:
        make_value(home_authority, dental, month, value)
    make_value(
        home_authority, dental, "2020-11", 42, commentary="Dental practices are working through a backlog."
    )
    make_value(other_authority, dental, "2020-11", 77)
    Benchmark.objects.create(
        authority=home_authority,
        indicator=dental,
        year="2018/19",
        england=Decimal(85),
        sn_min=Decimal(78),
        sn_max=Decimal(94),
    )
    approve_months(home_authority, "2020-06", "2020-07", "2020-08", "2020-09", "2020-10", "2020-11")
    return home_authority


def approve_months(authority, *months: str) -> None:
    for month in months:
        year, number = month.split("-")
        month, _ = ScorecardMonth.objects.update_or_create(
            authority=authority,
            period=datetime.date(int(year), int(number), 1),
            defaults={"state": "approved", "approved_at": timezone.now()},
        )
        snapshot_take(month, user=None)


@pytest.mark.parametrize("persona", ["board_member", "officer", "approver", "administrator"])
@pytest.mark.parametrize("page", AUTHORITY_PAGES)
def test_each_role_of_the_council_sees_its_pages(client, request, filled_scorecard, persona, page):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(AUTHORITY_PAGES[page], follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("page", AUTHORITY_PAGES)
def test_another_councils_user_gets_404_like_a_missing_authority(
    client, filled_scorecard, other_council_user, page
):
    client.force_login(other_council_user)
    assert client.get(AUTHORITY_PAGES[page]).status_code == 404
    assert client.get(AUTHORITY_PAGES[page].replace("838", "999")).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, filled_scorecard, page):
    response = client.get(PAGES[page])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
@pytest.mark.parametrize("page", PAGES)
def test_pages_reject_the_wrong_method(client, filled_scorecard, board_member, page, method):
    client.force_login(board_member)
    assert getattr(client, method)(PAGES[page]).status_code == 405


@pytest.mark.parametrize(
    "address",
    [
        "/scorecards/838/2020-13/",
        "/scorecards/838/2020-00/",
        "/scorecards/838/20-11/",
        "/scorecards/838/2020-11/no_such_indicator/",
        "/scorecards/838/2020-11/bad%20code/",
    ],
)
def test_impossible_addresses_are_404_not_500(client, filled_scorecard, board_member, address):
    client.force_login(board_member)
    assert client.get(address).status_code == 404


def test_health_answers_without_login(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert client.post("/health/").status_code == 405


def test_a_user_of_one_council_is_taken_straight_to_its_newest_month(client, filled_scorecard, board_member):
    client.force_login(board_member)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/scorecards/838/2020-11/"


def test_month_picker_redirects_to_the_chosen_month_and_window(client, filled_scorecard, board_member):
    client.force_login(board_member)
    response = client.get("/scorecards/838/?month=2020-09&months=12")
    assert response["Location"] == "/scorecards/838/2020-09/?months=12"
    response = client.get("/scorecards/838/?month=2020-99")
    assert response["Location"] == "/scorecards/838/2020-11/"
    response = client.get("/scorecards/838/?month=2020-10&indicator=dental_check_pct")
    assert response["Location"] == "/scorecards/838/2020-10/dental_check_pct/"


def test_scorecard_shows_rag_as_text_with_its_reason(client, filled_scorecard, board_member):
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "Red: 42% is 43 points below England 85% (2018/19)" in html
    assert 'class="rag-chip rag-red has-tip"' in html
    assert "Worse" in html
    assert "<caption" in html
    assert "78% to 94%" in html


def test_scorecard_window_can_be_twelve_months(client, filled_scorecard, board_member):
    client.force_login(board_member)
    response = client.get("/scorecards/838/2020-11/?months=12")
    assert len(response.context["scorecard"].months) == 12
    response = client.get("/scorecards/838/2020-11/?months=7000")
    assert len(response.context["scorecard"].months) == 6


def test_lagged_latest_value_is_labelled_with_its_month(
    client, home_authority, board_member, make_indicator, make_value
):
    health = make_indicator(code="iha_within_20_days_pct")
    make_value(home_authority, health, "2020-09", 9)
    make_value(home_authority, health, "2020-10", None, status="not_yet_reported")
    make_value(home_authority, health, "2020-11", None, status="not_yet_reported")
    approve_months(home_authority, "2020-09", "2020-10", "2020-11")
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "latest Sep 2020" in html
    assert "Not yet reported" in html


def test_indicator_page_has_chart_callouts_table_and_commentary(client, filled_scorecard, board_member):
    client.force_login(board_member)
    response = client.get("/scorecards/838/2020-11/dental_check_pct/")
    html = response.content.decode()
    assert "plotly-basic-4.1.1.min.js" in html
    figure = json.loads(html.split('id="indicator-figure">')[1].split("</script>")[0])
    names = [trace["name"] for trace in figure["data"]]
    assert "England 85% (2018/19)" in names
    assert "SN range 78%–94% (2018/19)" in names
    assert "National (England)" in html
    assert "Dental practices are working through a backlog." in html
    assert "Dental checks within 12 months: month by month" in html


def test_other_councils_are_offered_only_to_their_members(
    client, filled_scorecard, other_authority, make_user
):
    both = make_user("both", "board_member", filled_scorecard, other_authority)
    client.force_login(both)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "Switch council" in html and other_authority.name in html


def test_exports_from_the_page_carry_the_contract_rows(client, filled_scorecard, board_member):
    client.force_login(board_member)
    data = json.loads(client.get("/scorecards/838/2020-11/?format=json").content)
    row = data["rows"][0]
    assert row["indicator"] == "dental_check_pct"
    assert row["values"]["2020-11"] == 42.0
    assert row["rag"] == "red" and row["direction"] == "worsened"
    csv_text = client.get("/scorecards/838/2020-11/?format=csv").content.decode()
    assert csv_text.splitlines()[0].startswith("indicator,section,name,unit,2020-06")
    response = client.get("/scorecards/838/2020-11/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def _scorecard_queries(client, authority, indicators: int, make_indicator, make_value) -> int:
    for number in range(indicators):
        indicator = make_indicator(section=f"Section {number % 7}")
        for month in range(6, 12):
            make_value(authority, indicator, datetime.date(2020, month, 1), number + month)
        Benchmark.objects.create(
            authority=authority, indicator=indicator, year="2018/19", england=Decimal(50)
        )
        Target.objects.create(
            authority=authority, indicator=indicator, kind="target", year="2020/21", value=1
        )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/scorecards/{authority.code}/2020-11/").status_code == 200
    return len(queries)


def test_scorecard_query_count_does_not_grow_with_indicators(
    client, make_authority, make_user, make_indicator, make_value
):
    small, large = make_authority(code="101"), make_authority(code="102")
    client.force_login(make_user("reader", "board_member", small, large))
    few = _scorecard_queries(client, small, 10, make_indicator, make_value)
    many = _scorecard_queries(client, large, 56, make_indicator, make_value)
    assert few == many
    # 10, one more for the SPC series (60 values of every indicator), and one to mark figures awaiting
    # approval when a month is not approved
    assert many <= 12


def test_board_members_see_only_approved_months(
    client, filled_scorecard, board_member, officer, dental, make_value
):
    make_value(filled_scorecard, dental, "2020-12", 40)
    client.force_login(board_member)
    assert client.get("/scorecards/838/")["Location"] == "/scorecards/838/2020-11/"
    html = client.get("/scorecards/838/2020-12/").content.decode()
    assert "awaiting approval" in html and "40%" not in html
    assert "Not yet approved" in html
    client.force_login(officer)
    assert client.get("/scorecards/838/")["Location"] == "/scorecards/838/2020-12/"
    html = client.get("/scorecards/838/2020-12/").content.decode()
    assert "40%" in html and "has not been approved" in html


def test_a_figure_changed_behind_the_applications_back_never_reaches_board_members(
    client, filled_scorecard, board_member, officer, dental
):
    from scorecards.models import MonthlyValue

    # A data fix in SQL or a restore: no audit record, no sign-off change. Board members read the snapshot.
    MonthlyValue.objects.filter(
        authority=filled_scorecard, indicator=dental, period=datetime.date(2020, 11, 1)
    ).update(value=Decimal(44))
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "44%" not in html and "42%" in html
    assert client.get("/scorecards/838/2020-11/?format=json").json()["rows"][0]["values"]["2020-11"] == 42
    client.force_login(officer)
    assert "44%" in client.get("/scorecards/838/2020-11/").content.decode()


def test_values_changed_after_approval_are_marked_revised(client, filled_scorecard, board_member, dental):
    from scorecards.models import MonthlyValue

    value = MonthlyValue.objects.get(
        authority=filled_scorecard, indicator=dental, period=datetime.date(2020, 11, 1)
    )
    value.value = Decimal(44)
    value.save()
    ScorecardMonth.objects.filter(period=datetime.date(2020, 11, 1)).update(state="draft", revision=2)
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "44%" not in html and "42%" in html
    assert "revised since approval on" in html
