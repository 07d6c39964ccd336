"""The quarter pages and exports, the month / quarter switch, the phone cards, the movement words, the region."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from scorecards.models import Benchmark, Indicator

QUARTER = "/scorecards/838/2020-21-Q1/"
PAGES = {
    "quarter": QUARTER,
    "quarter_json": QUARTER + "?format=json",
    "quarter_csv": QUARTER + "?format=csv",
    "quarter_xlsx": QUARTER + "?format=xlsx",
    "quarter_indicator": QUARTER + "placed_pct/",
}


@pytest.mark.parametrize("persona", ["board_member", "officer", "approver", "administrator"])
@pytest.mark.parametrize("page", PAGES)
def test_each_role_of_the_council_sees_the_quarter_pages(client, request, quarter_council, persona, page):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(PAGES[page]).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_another_council_gets_404_and_anonymous_readers_are_sent_to_sign_in(
    client, quarter_council, other_council_user, page
):
    response = client.get(PAGES[page])
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(other_council_user)
    assert client.get(PAGES[page]).status_code == 404
    assert client.get(PAGES[page].replace("838", "999")).status_code == 404


@pytest.mark.parametrize("page", ["quarter", "quarter_indicator"])
def test_the_quarter_pages_refuse_the_wrong_method(client, quarter_council, board_member, page):
    client.force_login(board_member)
    assert client.post(PAGES[page]).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/scorecards/838/2020-21-Q5/",
        "/scorecards/838/2020-21-Q0/",
        "/scorecards/838/2020-22-Q1/",
        "/scorecards/838/2020-21-Q5/placed_pct/",
    ],
)
def test_an_impossible_quarter_is_404(client, quarter_council, board_member, path):
    client.force_login(board_member)
    assert client.get(path).status_code == 404


def test_the_quarter_json_on_the_page_is_the_contracts(client, quarter_council, officer):
    client.force_login(officer)
    data = json.loads(client.get(QUARTER + "?months=4&format=json").content)
    assert data["period"] == "2020-21-Q1" and len(data["quarters"]) == 4
    row = next(row for row in data["rows"] if row["indicator"] == "placed_pct")
    assert set(row) >= {"values", "numerators", "denominators", "cohorts", "range_group", "latest_period"}


def test_the_quarter_csv_and_xlsx_name_quarters_and_carry_the_counts(client, quarter_council, officer):
    client.force_login(officer)
    header = client.get(QUARTER + "?format=csv").content.decode().splitlines()[0].split(",")
    assert "2019-20-Q4" in header and "numerator 2019-20-Q4" in header and "denominator 2019-20-Q4" in header
    workbook = load_workbook(io.BytesIO(client.get(QUARTER + "?format=xlsx").content))
    assert workbook.active.title == "838 2020-21-Q1"


def test_the_page_shows_counts_beside_percentages_and_names_the_quarter(client, quarter_council, officer):
    client.force_login(officer)
    html = client.get(QUARTER + "?months=4").content.decode()
    assert "Q1 2020/21 (April to June 2020) scorecard" in html
    assert "24% (36/150)" in html  # pooled
    assert "2 of 3 months" in html  # the sum needs June
    assert 'aria-current="page">By quarter' in html and 'href="/scorecards/838/2020-06/">By month' in html


def test_the_month_picker_switches_to_the_quarter_and_takes_a_quarter(client, quarter_council, board_member):
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-05/").content.decode()
    assert 'href="/scorecards/838/2020-21-Q1/">By quarter' in html
    response = client.get("/scorecards/838/?month=2019-20-Q4&months=4")
    assert response["Location"] == "/scorecards/838/2019-20-Q4/?months=4"
    response = client.get("/scorecards/838/?month=2019-20-Q4&indicator=placed_pct")
    assert response["Location"] == "/scorecards/838/2019-20-Q4/placed_pct/"


def test_the_quarter_indicator_page_names_quarters_and_its_rule(client, quarter_council, board_member):
    client.force_login(board_member)
    html = client.get(QUARTER + "placed_pct/").content.decode()
    assert "Quarter by quarter" in html and "numerators over denominators of the three months" in html
    assert "Q4 2019/20 (January to March 2020)" in html


def test_a_phone_gets_a_card_per_indicator_in_folding_sections(client, quarter_council, board_member):
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-06/").content.decode()
    assert html.count('<details class="card-section" open>') == 3  # Profile, Placement, Headline
    assert html.count('<li class="card">') == 3
    assert "Not available" in html  # June's children in care: a status, told apart from no figure


def test_the_arrow_says_which_way_and_the_word_whether_better(client, quarter_council, board_member):
    """Placements rose from 20% to 24% (lower is better): up, and worse."""
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-02/").content.decode()
    assert '<span aria-hidden="true" class="arrow">↑</span> Worse' in html


def test_a_region_column_appears_only_when_a_row_has_a_region_figure(client, quarter_council, board_member):
    client.force_login(board_member)
    assert (
        '<th scope="col" class="num">Region</th>'
        not in client.get("/scorecards/838/2020-06/").content.decode()
    )
    Benchmark.objects.filter(year="2019/20").update(
        region=Decimal(33),
        sn_min=Decimal(9),
        sn_max=Decimal(41),
        range_group="good and outstanding neighbours",
    )
    html = client.get("/scorecards/838/2020-05/").content.decode()
    assert '<th scope="col" class="num">Region</th>' in html and "33%" in html
    assert "range of good and outstanding neighbours" in html


def test_export_scorecard_writes_a_quarter(quarter_council, tmp_path):
    output = tmp_path / "q.json"
    call_command("export_scorecard", "838", "2020-21-Q1", "--format", "json", "--output", str(output))
    data = json.loads(output.read_text())
    assert data["period"] == "2020-21-Q1" and len(data["quarters"]) == 5
    call_command(
        "export_scorecard", "838", "2020-21-Q1", "--format", "csv", "--output", str(output), "--months", "2"
    )
    assert output.read_text().splitlines()[0].count("-Q") >= 2


@pytest.mark.parametrize("period", ["2020-21-Q5", "2020-22-Q1"])
def test_export_scorecard_refuses_an_impossible_quarter(quarter_council, tmp_path, period):
    with pytest.raises(CommandError, match="is not a quarter"):
        call_command("export_scorecard", "838", period, "--format", "json", "--output", str(tmp_path / "x"))


def test_indicators_without_a_figure_take_no_chart_in_the_pack(quarter_council, make_indicator):
    from scorecards.core.selectors import scorecard_build
    from scorecards.packs.pdf import pack_html
    from scorecards.quarters import Quarter

    make_indicator(code="empty", name="An indicator with no figure")
    scorecard = scorecard_build(authority=quarter_council, period=Quarter.parse("2020-21-Q1"), months=2)
    html = pack_html(scorecard, draft=False)
    assert '<li id="ind-empty">An indicator with no figure</li>' in html
    assert 'id="ind-title-empty"' not in html
    assert "Q1 2020/21 (April to June 2020)" in html and "Target trajectory" not in html
    assert Indicator.objects.count() == 4


def test_a_quarter_page_served_from_the_cache_still_names_the_quarter(client, quarter_council, board_member):
    client.force_login(board_member)
    first = client.get(QUARTER).content.decode()
    second = client.get(QUARTER).content.decode()
    assert (
        "Q1 2020/21 (April to June 2020) scorecard" in first
        and "Q1 2020/21 (April to June 2020) scorecard" in second
    )
    assert "A quarter is made from its months as approved" in second
