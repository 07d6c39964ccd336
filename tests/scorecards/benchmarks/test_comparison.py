"""The comparison pages: an indicator beside the statistical neighbours, region and England, and the league.

Also the precedence of benchmarks on the scorecard: entered figures win field by field over DfE's, and the
page says where each figure came from.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import plotly.graph_objects as go
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from authorities.models import Authority, StatisticalNeighbour
from scorecards.benchmarks.charts import bar_figure, describe_bars, describe_trend, trend_figure
from scorecards.benchmarks.comparison import (
    NO_PUBLISHED_DATA,
    ONLY_PUBLISHED,
    comparison_build,
    league_build,
    published_indicator_get,
    source_label,
)
from scorecards.core import selectors
from scorecards.models import Benchmark, PublishedMeasure
from tests.conftest import SHARED_DATA, needs_shared

COMPARE = "/scorecards/838/2025-06/cic_rate_per_10k/compare/"
LEAGUE = "/scorecards/838/2025-06/cic_rate_per_10k/league/"
PAGES = {"compare": COMPARE, "league": LEAGUE}


def dfe(authority, indicator, year, own, **figures) -> Benchmark:
    """A ``dfe`` benchmark as the importer stores it; figures given as numbers."""
    values = {
        name: Decimal(str(value)) if isinstance(value, int | float) else value
        for name, value in figures.items()
    }
    for name in ("sn_count", "rank", "rank_of"):
        if name in figures:
            values[name] = figures[name]
    return Benchmark.objects.create(
        authority=authority,
        indicator=indicator,
        year=year,
        source="dfe",
        own=None if own is None else Decimal(str(own)),
        **values,
    )


@pytest.fixture
def cic(make_indicator):
    indicator = make_indicator(
        code="cic_rate_per_10k",
        section="Profile",
        name="Rate of children in care per 10,000 children",
        unit="rate_per_10k",
        polarity="lower_is_better",
        decimals=1,
    )
    PublishedMeasure.objects.create(
        indicator=indicator,
        file_name="cla_number_and_rate_per_10k_children.csv",
        filters={"population_type": "Children looked after on 31 March each year"},
        value_column="rate_per_10000",
        note="Children looked after on 31 March per 10,000 children aged under 18.",
    )
    return indicator


def add_neighbours(authority, neighbours) -> None:
    start = authority.statistical_neighbours.count()
    for rank, neighbour in enumerate(neighbours, start=start + 1):
        StatisticalNeighbour.objects.create(
            authority=authority,
            rank=rank,
            neighbour_code=neighbour.code,
            neighbour=neighbour,
            closeness="Very close",
        )


@pytest.fixture
def neighbourhood(home_authority, other_authority, make_authority, cic):
    """Dorset and three neighbours, Somerset nearest, over two years; Devon lacks a 2024/25 figure."""
    somerset = make_authority(code="933", name="Somerset")
    devon = make_authority(code="878", name="Devon")
    add_neighbours(home_authority, [somerset, devon, other_authority])
    common = {"england": 67, "region": 62, "sn_average": 63.5, "sn_count": 2, "rank_of": 4}
    dfe(home_authority, cic, "2024/25", 65, rank=3, quartile="C", **common)
    dfe(somerset, cic, "2024/25", 55, rank=1, quartile="A", **common)
    dfe(devon, cic, "2024/25", None, **common)
    dfe(other_authority, cic, "2024/25", 72, rank=4, quartile="D", **common)
    dfe(
        make_authority(code="420", name="Isles of Scilly"), cic, "2024/25", 60, rank=2, quartile="B", **common
    )
    dfe(
        home_authority,
        cic,
        "2023/24",
        67,
        england=69,
        region=63,
        sn_average=63.3,
        sn_count=3,
        rank=2,
        rank_of=4,
    )
    dfe(somerset, cic, "2023/24", 58, rank=1, rank_of=4, quartile="A")
    return home_authority


def indicator_of(code: str = "cic_rate_per_10k"):
    return published_indicator_get(code=code)


# The selectors ----------------------------------------------------------------------------------------------


def test_neighbours_are_listed_nearest_first_with_their_published_figures(neighbourhood):
    comparison = comparison_build(authority=neighbourhood, indicator=indicator_of())

    assert comparison.year == "2024/25"
    assert [(n.sn_rank, n.name, n.value) for n in comparison.neighbours] == [
        (1, "Somerset", Decimal(55)),
        (2, "Devon", None),
        (3, "Bournemouth, Christchurch and Poole", Decimal(72)),
    ]
    assert [(n.rank_text, n.quartile) for n in comparison.neighbours] == [
        ("1 of 4", "A"),
        ("–", ""),
        ("4 of 4", "D"),
    ]
    assert (comparison.own.value, comparison.own.rank_text, comparison.own.quartile) == (
        Decimal(65),
        "3 of 4",
        "C",
    )


def test_region_england_and_the_sn_average_come_from_the_authoritys_dfe_row(neighbourhood):
    comparison = comparison_build(authority=neighbourhood, indicator=indicator_of())

    assert comparison.england.value == Decimal(67) and comparison.england.name == "England"
    assert comparison.region.value == Decimal(62) and comparison.region.name == "South West (region)"
    assert comparison.sn_average.value == Decimal("63.5")
    assert comparison.sn_average.detail == "mean of the 2 neighbours with a figure"
    assert (
        comparison.source
        == "DfE, Children looked after in England including adoptions, year ending 31 March 2025"
    )


def test_a_missing_figure_stays_missing_and_comes_last_never_zero(neighbourhood):
    comparison = comparison_build(authority=neighbourhood, indicator=indicator_of())
    devon = comparison.neighbours[1]

    assert devon.value is None and devon.text == "–"
    assert comparison.bars[-1] is devon
    figure = bar_figure(comparison)
    assert figure["data"][0]["x"][-1] is None
    assert figure["layout"]["yaxis"]["ticktext"][-1] == "Devon (neighbour 2) – no published figure"
    assert "No published figure for Devon." in describe_bars(comparison)


def test_bars_run_best_first_by_polarity(neighbourhood):
    comparison = comparison_build(authority=neighbourhood, indicator=indicator_of())

    assert [area.name for area in comparison.bars] == [
        "Somerset",
        "South West (region)",
        "Statistical-neighbour average",
        "Dorset",
        "England",
        "Bournemouth, Christchurch and Poole",
        "Devon",
    ]


def test_the_trend_has_every_published_year_oldest_first(neighbourhood):
    comparison = comparison_build(authority=neighbourhood, indicator=indicator_of())

    assert [(p.year, p.own, p.sn_average, p.region, p.england) for p in comparison.trend] == [
        ("2023/24", Decimal(67), Decimal("63.3"), Decimal(63), Decimal(69)),
        ("2024/25", Decimal(65), Decimal("63.5"), Decimal(62), Decimal(67)),
    ]
    assert describe_trend(comparison).startswith("Dorset from 67.0 in 2023/24 to 65.0 in 2024/25")
    lines = trend_figure(comparison)["data"]
    assert [line["name"] for line in lines] == [
        "Dorset",
        "Statistical-neighbour average",
        "South West (region)",
        "England",
    ]
    assert len({line["line"]["dash"] for line in lines}) == 4
    assert len({line["marker"]["symbol"] for line in lines}) == 4


def test_the_figures_are_valid_plotly(neighbourhood):
    comparison = comparison_build(authority=neighbourhood, indicator=indicator_of())

    for figure in (bar_figure(comparison), trend_figure(comparison)):
        go.Figure(figure)  # raises on any property plotly does not know


def test_the_authoritys_bar_is_told_apart_without_colour(neighbourhood):
    figure = bar_figure(comparison_build(authority=neighbourhood, indicator=indicator_of()))
    bars = figure["data"][0]
    at = figure["layout"]["yaxis"]["ticktext"].index("<b>Dorset – your council</b>")

    assert bars["marker"]["pattern"]["shape"][at] == "x"
    assert [shape for shape in bars["marker"]["pattern"]["shape"] if shape] == ["x"]


def test_entered_benchmarks_are_not_used_on_the_comparison_page(neighbourhood, cic):
    Benchmark.objects.create(
        authority=neighbourhood,
        indicator=cic,
        year="2025/26",
        source="entered",
        england=Decimal(1),
        own=Decimal(2),
    )
    Benchmark.objects.create(
        authority=neighbourhood, indicator=cic, year="2024/25", source="entered", england=Decimal(1)
    )
    comparison = comparison_build(authority=neighbourhood, indicator=indicator_of())

    assert comparison.year == "2024/25"
    assert comparison.england.value == Decimal(67)
    assert "2025/26" not in comparison.years


def test_a_neighbour_not_in_the_reference_data_is_shown_without_a_figure(neighbourhood):
    StatisticalNeighbour.objects.create(authority=neighbourhood, rank=4, neighbour_code="999")
    comparison = comparison_build(authority=neighbourhood, indicator=indicator_of())

    assert comparison.neighbours[-1].name == "Authority 999 (not in the reference data)"
    assert comparison.neighbours[-1].value is None


def test_an_indicator_without_published_figures_has_nothing_to_compare(home_authority, make_indicator):
    make_indicator(code="missing_episodes")
    indicator = indicator_of("missing_episodes")

    assert not comparison_build(authority=home_authority, indicator=indicator).has_data
    league = league_build(indicator=indicator, authority=home_authority)
    assert not league.has_data and league.rows == ()


def _queries(build) -> int:
    with CaptureQueriesContext(connection) as queries:
        build()
    return len(queries)


def test_comparison_queries_do_not_grow_with_neighbours_or_years(neighbourhood, make_authority, cic):
    indicator = indicator_of()
    before = _queries(lambda: comparison_build(authority=neighbourhood, indicator=indicator))
    more = [make_authority() for _ in range(7)]
    add_neighbours(neighbourhood, more)
    for number, authority in enumerate(more):
        for year in ("2021/22", "2022/23", "2023/24", "2024/25"):
            dfe(authority, cic, year, 40 + number)
    for year in ("2021/22", "2022/23"):
        dfe(neighbourhood, cic, year, 70)

    after = _queries(lambda: comparison_build(authority=neighbourhood, indicator=indicator))
    comparison = comparison_build(authority=neighbourhood, indicator=indicator)
    assert before == after == 2
    assert len(comparison.neighbours) == 10 and len(comparison.trend) == 4


def test_the_league_uses_the_stored_ranks_and_ties_share_a_rank(neighbourhood, make_authority, cic):
    dfe(make_authority(code="800", name="Bath"), cic, "2024/25", 60, rank=2, rank_of=4, quartile="B")
    league = league_build(indicator=indicator_of(), year="2024/25", authority=neighbourhood)

    assert [(row.rank_text, row.name, row.text, row.quartile_text) for row in league.rows] == [
        ("1", "Somerset", "55.0", "A"),
        ("2=", "Bath", "60.0", "B"),
        ("2=", "Isles of Scilly", "60.0", "B"),
        ("3", "Dorset", "65.0", "C"),
        ("4", "Bournemouth, Christchurch and Poole", "72.0", "D"),
        ("–", "Devon", "–", "–"),
    ]


def test_the_league_marks_the_readers_authority_and_its_neighbours(neighbourhood):
    league = league_build(indicator=indicator_of(), authority=neighbourhood)

    assert league.reader_row.name == "Dorset"
    assert [row.name for row in league.rows if row.is_reader] == ["Dorset"]
    assert {row.name: row.neighbour_rank for row in league.rows if row.neighbour_rank} == {
        "Somerset": 1,
        "Devon": 2,
        "Bournemouth, Christchurch and Poole": 3,
    }
    assert league.missing[0].value is None and league.missing[0].rank is None


@pytest.mark.parametrize(
    ("asked", "shown"), [(None, "2024/25"), ("2023/24", "2023/24"), ("1999/00", "2024/25")]
)
def test_the_league_year_is_a_published_year_or_the_latest(neighbourhood, asked, shown):
    league = league_build(indicator=indicator_of(), year=asked)

    assert league.year == shown
    assert league.years == ("2023/24", "2024/25")


def test_league_queries_do_not_grow_with_the_number_of_authorities(neighbourhood, make_authority, cic):
    indicator = indicator_of()
    before = _queries(lambda: league_build(indicator=indicator, authority=neighbourhood))
    for number in range(40):
        dfe(make_authority(), cic, "2024/25", 30 + number, rank=5 + number, rank_of=44)

    after = _queries(lambda: league_build(indicator=indicator, authority=neighbourhood))
    assert before == after == 3
    assert len(league_build(indicator=indicator).rows) == 45


def test_a_neutral_indicator_is_listed_largest_first_without_ranks(
    home_authority, make_authority, make_indicator
):
    indicator = make_indicator(code="cic_count", unit="count", polarity="neutral")
    for name, own in (("Small", 10), ("Large", 900), ("Middle", 300)):
        dfe(make_authority(name=name), indicator, "2024/25", own)
    league = league_build(indicator=indicator_of("cic_count"), authority=home_authority)

    assert [row.name for row in league.rows] == ["Large", "Middle", "Small"]
    assert not league.is_ranked and {row.rank_text for row in league.rows} == {"–"}


def test_the_source_names_the_publication_and_the_year_end():
    assert source_label("2020/21").endswith("year ending 31 March 2021")


# The pages --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["board_member", "officer", "approver", "administrator"])
@pytest.mark.parametrize("page", PAGES)
def test_each_role_of_the_council_sees_the_comparison_pages(client, request, neighbourhood, persona, page):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(PAGES[page])

    assert response.status_code == 200
    assert escape(ONLY_PUBLISHED) in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_another_councils_user_gets_404_like_a_missing_authority(
    client, neighbourhood, other_council_user, page
):
    client.force_login(other_council_user)

    assert client.get(PAGES[page]).status_code == 404
    assert client.get(PAGES[page].replace("838", "999")).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, neighbourhood, page):
    response = client.get(PAGES[page])

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("method", ["post", "put", "delete"])
@pytest.mark.parametrize("page", PAGES)
def test_the_comparison_pages_reject_the_wrong_method(client, neighbourhood, board_member, page, method):
    client.force_login(board_member)

    assert getattr(client, method)(PAGES[page]).status_code == 405


@pytest.mark.parametrize("page", PAGES)
def test_an_unknown_indicator_is_404(client, neighbourhood, board_member, page):
    client.force_login(board_member)

    assert client.get(PAGES[page].replace("cic_rate_per_10k", "no_such_indicator")).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_an_indicator_without_published_data_says_so(
    client, neighbourhood, board_member, make_indicator, page
):
    make_indicator(code="missing_episodes")
    client.force_login(board_member)
    response = client.get(PAGES[page].replace("cic_rate_per_10k", "missing_episodes"))

    assert response.status_code == 200
    assert escape(NO_PUBLISHED_DATA) in response.content.decode()


@pytest.mark.parametrize("year", ["bogus", "2019/20", "2024%2F25x", ""])
def test_a_league_year_that_is_not_published_shows_the_latest(client, neighbourhood, board_member, year):
    client.force_login(board_member)
    response = client.get(f"{LEAGUE}?year={year}")

    assert response.status_code == 200
    assert response.context["league"].year == "2024/25"


def test_the_league_shows_the_year_asked_for(client, neighbourhood, board_member):
    client.force_login(board_member)
    response = client.get(f"{LEAGUE}?year=2023/24")

    assert response.context["league"].year == "2023/24"
    assert '<option value="2023/24" selected>' in response.content.decode()


def test_the_compare_page_has_charts_tables_captions_and_sources(client, neighbourhood, board_member):
    client.force_login(board_member)
    html = client.get(COMPARE).content.decode()

    bars = json.loads(
        html.split('id="comparison-bars-figure" data-chart="comparison-bars">')[1].split("</script>")[0]
    )
    assert bars["data"][0]["type"] == "bar"
    assert 'id="comparison-trend-figure"' in html
    assert "DfE, Children looked after in England including adoptions, year ending 31 March 2025" in html
    assert '<caption id="neighbour-caption">' in html and '<caption id="trend-caption">' in html
    assert re.search(r'<th scope="row"[^>]*>Somerset</th>', html)
    assert "<mark>Dorset</mark></strong> (your council)" in html
    assert "mean of the 2 neighbours with a figure" in html


@pytest.mark.parametrize("page", PAGES)
def test_the_pages_have_no_inline_script(client, neighbourhood, board_member, page):
    client.force_login(board_member)
    html = client.get(PAGES[page]).content.decode()

    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_the_league_page_marks_the_readers_row_in_words(client, neighbourhood, board_member):
    client.force_login(board_member)
    html = client.get(LEAGUE).content.decode()

    assert '<tr class="is-reader' in html
    assert "<mark>Dorset</mark></strong> (your council)" in html
    assert "statistical neighbour 1" in html
    assert "– (no published figure)" in html


def test_the_indicator_page_links_to_both_comparison_pages(client, neighbourhood, board_member):
    client.force_login(board_member)
    html = client.get("/scorecards/838/2025-06/cic_rate_per_10k/").content.decode()

    assert f'href="{COMPARE}">Compare with statistical neighbours</a>' in html
    assert f'href="{LEAGUE}">League table of all authorities</a>' in html


# Entered benchmarks win over DfE's on the scorecard ---------------------------------------------------------


def test_with_nothing_typed_the_scorecard_rates_against_the_dfe_figures(neighbourhood, cic):
    row = selectors.scorecard_build(
        authority=neighbourhood, period=datetime.date(2025, 6, 1), include_drafts=True
    ).row(cic.code)

    assert row.benchmark.year == "2024/25"
    assert (row.benchmark.england, row.benchmark.sn_average) == (Decimal(67), Decimal("63.5"))
    assert row.england_source == row.sn_average_source.split(";")[0] == "DfE published statistics"


def test_entered_figures_win_field_by_field_and_the_page_says_where_each_came_from(
    client, neighbourhood, cic, board_member
):
    Benchmark.objects.create(
        authority=neighbourhood, indicator=cic, year="2024/25", source="entered", england=Decimal(70)
    )
    row = selectors.scorecard_build(
        authority=neighbourhood, period=datetime.date(2025, 6, 1), include_drafts=True
    ).row(cic.code)

    assert (row.benchmark.england, row.england_source) == (Decimal(70), "entered by the council")
    assert (row.benchmark.sn_average, row.sn_average_source) == (
        Decimal("63.5"),
        "DfE published statistics; mean of 2 neighbours",
    )
    assert (row.benchmark.region, row.region_source) == (Decimal(62), "DfE published statistics")

    client.force_login(board_member)
    html = client.get("/scorecards/838/2025-06/cic_rate_per_10k/").content.decode()
    england = html.split("<dt>National (England)</dt>")[1].split("</div>")[0]
    assert "70.0" in england and "entered by the council" in england
    neighbours = html.split("<dt>Statistical-neighbour average</dt>")[1].split("</div>")[0]
    assert "63.5" in neighbours and "DfE published statistics" in neighbours

    exported = json.loads(client.get("/scorecards/838/2025-06/?format=json").content)
    assert {r["indicator"]: (r["england"], r["sn_average"]) for r in exported["rows"]}[cic.code] == (
        70.0,
        63.5,
    )

    # The comparison page uses only the published figure.
    assert comparison_build(authority=neighbourhood, indicator=indicator_of()).england.value == Decimal(67)


# The real release -------------------------------------------------------------------------------------------


@needs_shared(SHARED_DATA)
@pytest.mark.django_db
def test_dorsets_pages_on_the_real_release(client, make_user):
    call_command("load_reference_data", str(SHARED_DATA), verbosity=0)
    dorset = Authority.objects.get(code="838")
    client.force_login(make_user("board", "board_member", dorset))

    response = client.get("/scorecards/838/2025-06/cic_rate_per_10k/compare/")
    assert response.status_code == 200
    comparison = response.context["comparison"]
    expected_codes = list(
        dorset.statistical_neighbours.order_by("rank").values_list("neighbour_code", flat=True)
    )
    assert len(expected_codes) == 10
    assert [n.code for n in comparison.neighbours] == expected_codes
    published = dict(
        Benchmark.objects.filter(
            indicator__code="cic_rate_per_10k", source="dfe", year=comparison.year
        ).values_list("authority__code", "own")
    )
    assert comparison.year == "2024/25"
    assert [n.value for n in comparison.neighbours] == [published[code] for code in expected_codes]
    assert comparison.own.value == published["838"] == Decimal(65)
    table = response.content.decode().split('id="neighbour-caption"')[1].split("</table>")[0]
    positions = [table.index(f">{n.name}") for n in comparison.neighbours]
    assert positions == sorted(positions)

    response = client.get("/scorecards/838/2025-06/cic_rate_per_10k/league/?year=2024/25")
    league = response.context["league"]
    assert league.year == "2024/25"
    assert len(league.ranked) >= 150
    assert {row.quartile for row in league.ranked} == {"A", "B", "C", "D"}
    assert (
        league.reader_row.rank
        == Benchmark.objects.get(
            authority=dorset, indicator__code="cic_rate_per_10k", source="dfe", year="2024/25"
        ).rank
    )
