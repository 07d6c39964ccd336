"""The authority's place in its region on the comparison page, and the demo's extract of DfE's files."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from django.core.management import call_command

from scorecards.benchmarks.comparison import comparison_build
from scorecards.demo.extract import DEMO_REFERENCE, EES_FOLDER
from scorecards.models import Benchmark, BenchmarkSource
from tests.conftest import SHARED_DATA, needs_shared


@pytest.fixture
def region(make_authority, make_indicator):
    indicator = make_indicator(code="cic_rate", unit="rate_per_10k", polarity="lower_is_better")
    authorities = [make_authority(code=code, region="South West") for code in ("801", "802", "803", "804")]
    make_authority(code="901", region="London")
    for authority, value in zip(authorities, (71, 55, 90, 62), strict=True):
        Benchmark.objects.create(
            authority=authority,
            indicator=indicator,
            year="2024/25",
            source=BenchmarkSource.DFE,
            own=Decimal(value),
        )
    return authorities, indicator


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (1, "lowest of the 4 authorities in the South West with a figure"),
        (3, "2nd lowest of the 4 authorities in the South West with a figure"),
        (0, "2nd highest of the 4 authorities in the South West with a figure"),
        (2, "highest of the 4 authorities in the South West with a figure"),
    ],
)
def test_the_comparison_says_where_the_authority_stands_in_its_region(region, index, expected):
    authorities, indicator = region
    assert comparison_build(authority=authorities[index], indicator=indicator).region_position == expected


def test_the_compare_page_says_it(client, region, make_user):
    authorities, indicator = region
    client.force_login(make_user("reader", "board_member", authorities[1]))
    html = client.get("/scorecards/802/2025-05/cic_rate/compare/").content.decode()
    assert "Lowest of the 4 authorities in the South West with a figure; lower is better" in html


@needs_shared(SHARED_DATA)
def test_the_extract_is_made_from_the_official_files_and_matches_the_one_shipped(tmp_path):
    call_command("make_demo_extract", str(SHARED_DATA), str(tmp_path))
    readme = (tmp_path / "README.md").read_text()
    assert "Open Government Licence v3.0" in readme and "2f5d11a431050523dab58810083259d3313029ae" in readme
    for made in sorted((tmp_path / EES_FOLDER).iterdir()):
        shipped = DEMO_REFERENCE / EES_FOLDER / made.name
        assert made.read_bytes() == shipped.read_bytes(), f"{made.name}: run make_demo_extract again"
    with (tmp_path / EES_FOLDER / "la_cla_placement_stability.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["geographic_level"] for row in rows} == {"National", "Regional", "Local authority"}
    assert {row["cla_group"] for row in rows} == {
        "CLA on 31 March",
        "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
    }
    assert len({row["old_la_code"] for row in rows if row["old_la_code"]}) > 150  # every authority


@pytest.mark.django_db
def test_the_shipped_extract_loads_through_load_reference_data(client, make_user):
    """No ../shared needed: the demo's comparison pages have DfE's figures, ranks among all authorities."""
    from scorecards.demo import demo_load

    demo_load()
    call_command("load_reference_data", str(DEMO_REFERENCE), verbosity=0)
    dorset = Benchmark.objects.get(
        authority__code="838", indicator__code="cic_rate_per_10k", year="2024/25", source=BenchmarkSource.DFE
    )
    assert (dorset.own, dorset.england, dorset.rank_of) == (Decimal(65), Decimal(67), 151)
    client.force_login(make_user("reader", "board_member", dorset.authority))
    html = client.get("/scorecards/838/2020-11/cic_rate_per_10k/compare/").content.decode()
    assert "in the South West with a figure" in html
    assert client.get("/scorecards/838/2020-11/cic_rate_per_10k/league/").status_code == 200
