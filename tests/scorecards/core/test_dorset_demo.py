"""The demonstration: Dorset's November 2020 pack, loaded and exported, agrees with the transcription."""

from __future__ import annotations

import csv
import datetime
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command

from authorities.models import Authority
from scorecards.core.exports import scorecard_dict
from scorecards.core.selectors import scorecard_build
from scorecards.demo import DEMO_PASSWORD, demo_load
from scorecards.models import Indicator, ScorecardMonth
from tests.conftest import DORSET_REFERENCE, needs_shared

NOVEMBER = datetime.date(2020, 11, 1)


@pytest.fixture
def demo(db):
    demo_load()
    return Authority.objects.get(code="838")


@pytest.fixture
def november(demo):
    return scorecard_dict(scorecard_build(authority=demo, period=NOVEMBER))


def _reference(name: str) -> list[dict[str, str]]:
    with (DORSET_REFERENCE / name).open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float | None:
    return float(Decimal(text)) if text else None


def test_demo_loads_every_indicator_of_the_catalogue_in_order(demo, november):
    # The transcription's 56, BCP's care plans (839) and Devon's school attendance (878, with cohorts).
    assert len(november["rows"]) == 58
    assert november["months"] == ["2020-06", "2020-07", "2020-08", "2020-09", "2020-10", "2020-11"]
    sections = list(dict.fromkeys(row["section"] for row in november["rows"]))
    assert sections[:3] == ["Profile", "Health", "Emotional Wellbeing"]
    assert sections[-1] == "Headline"


def test_demo_can_be_loaded_twice_without_changes(demo):
    summary = demo_load()
    assert "created 0, updated 0" in summary
    assert ScorecardMonth.objects.filter(authority=demo, state="approved").count() == 9


@needs_shared(DORSET_REFERENCE)
def test_json_export_values_agree_with_the_transcription(demo, november):
    rows = {row["indicator"]: row for row in november["rows"]}
    checked = 0
    for reference in _reference("values.csv"):
        if reference["authority"] != "838" or reference["period"] not in november["months"]:
            continue
        assert rows[reference["indicator"]]["values"][reference["period"]] == _number(reference["value"]), (
            reference
        )
        checked += 1
    assert checked == 54 * 6 + 2  # the two headline counts have only a November row in the window


@needs_shared(DORSET_REFERENCE)
def test_json_export_benchmarks_and_targets_agree_with_the_transcription(demo, november):
    rows = {row["indicator"]: row for row in november["rows"]}
    for reference in _reference("benchmarks.csv"):
        row = rows[reference["indicator"]]
        assert row["benchmark_year"] == reference["year"]
        for field in ("england", "sn_average", "sn_min", "sn_max"):
            assert row[field] == _number(reference[field]), (reference["indicator"], field)
    for reference in _reference("targets.csv"):
        row = rows[reference["indicator"]]
        if reference["kind"] == "baseline":
            assert row["baseline"] == _number(reference["value"])
    assert rows["cic_rate_per_10k"]["target"] == 60.0  # the strategy's 2022/23 end target applies in 2020/21
    assert rows["cic_count"]["target"] == 440.0  # the nearest later year-end target


@needs_shared(DORSET_REFERENCE)
def test_every_rag_direction_and_target_follows_the_contract(demo, november):
    """Work out each row's target, direction and RAG from the transcription and the contract's words alone.

    Nothing here comes from the product: not ``scorecards.rating``, not the catalogue in the database, not the
    export's own target. Swapping improved and worsened, or amber and red, in the product fails this test.
    """
    indicators = {row["code"]: row for row in _reference("indicators.csv")}
    values: dict[str, list[tuple[str, Decimal]]] = {}
    for reference in _reference("values.csv"):
        if (
            reference["authority"] == "838"
            and reference["value"]
            and reference["period"] in november["months"]
        ):
            values.setdefault(reference["indicator"], []).append(
                (reference["period"], Decimal(reference["value"]))
            )
    benchmarks = {r["indicator"]: r for r in _reference("benchmarks.csv") if r["authority"] == "838"}
    target_years: dict[str, dict[str, Decimal]] = {}
    for reference in _reference("targets.csv"):
        if reference["authority"] == "838" and reference["kind"] == "target":
            target_years.setdefault(reference["indicator"], {})[reference["year"]] = Decimal(
                reference["value"]
            )
    directions, rags = set(), set()
    checked = 0
    for row in november["rows"]:
        if row["indicator"] not in indicators:
            continue  # the demo's own additions (e.g. a cohort table) are not in Dorset's data set
        checked += 1
        indicator = indicators[row["indicator"]]
        decimals, polarity = int(indicator["decimals"]), indicator["polarity"]
        series = sorted(values.get(row["indicator"], []))
        latest = series[-1][1] if series else None
        previous = series[-2][1] if len(series) > 1 else None
        # Target: the one for the financial year holding November 2020 (2020/21), else the nearest later one.
        years = target_years.get(row["indicator"], {})
        later = sorted(year for year in years if year >= "2020/21")
        target = years[later[0]] if later else None
        assert row["target"] == (float(target) if target is not None else None), row["indicator"]
        expected_direction = _direction(latest, previous, polarity, decimals)
        assert row["direction"] == expected_direction, row["indicator"]
        directions.add(expected_direction)
        bench = benchmarks.get(row["indicator"], {})
        comparators = [Decimal(bench[name]) for name in ("england", "sn_average") if bench.get(name)]
        if polarity == "neutral" or latest is None:
            expected = "none"
        elif target is not None:
            expected = _one_comparator(latest, target, polarity, decimals)
        elif len(comparators) == 2:
            good = sum(_as_good(latest, comparator, polarity, decimals) for comparator in comparators)
            expected = {2: "green", 1: "amber", 0: "red"}[good]
        elif comparators:
            expected = _one_comparator(latest, comparators[0], polarity, decimals)
        else:
            expected = "none"
        assert row["rag"] == expected, row["indicator"]
        rags.add(expected)
    # Every indicator of Dorset's data set is checked, and the data exercises every branch that matters.
    assert checked == len(indicators) == 56
    assert {"improved", "worsened", "up", "down"} <= directions
    assert {"red", "amber", "green", "none"} <= rags


def _rounded(value: Decimal, decimals: int) -> Decimal:
    """Half-up to the indicator's decimals, as the contract says, without the product's helper."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _direction(latest: Decimal | None, previous: Decimal | None, polarity: str, decimals: int) -> str:
    if latest is None or previous is None:
        return "none"
    now, before = _rounded(latest, decimals), _rounded(previous, decimals)
    if polarity == "neutral":
        return "up" if now > before else "down" if now < before else "same"
    if now == before:
        return "unchanged"
    higher = now > before
    return "improved" if higher == (polarity == "higher_is_better") else "worsened"


def _as_good(latest: Decimal, comparator: Decimal, polarity: str, decimals: int) -> bool:
    now, against = _rounded(latest, decimals), _rounded(comparator, decimals)
    return now >= against if polarity == "higher_is_better" else now <= against


def _one_comparator(latest: Decimal, comparator: Decimal, polarity: str, decimals: int) -> str:
    if _as_good(latest, comparator, polarity, decimals):
        return "green"
    # The transcription sets no amber tolerance, so the contract's default applies: 5% of |comparator|.
    tolerance = abs(_rounded(comparator, decimals)) * Decimal("0.05")
    gap = abs(_rounded(latest, decimals) - _rounded(comparator, decimals))
    return "amber" if gap <= tolerance else "red"


def test_known_dorset_ratings(november):
    rows = {row["indicator"]: row for row in november["rows"]}
    assert (rows["dental_check_pct"]["rag"], rows["dental_check_pct"]["direction"]) == ("red", "worsened")
    assert rows["dental_check_pct"]["rag_reason"].startswith(
        "Red: 42% is 43 points below England 85% (2018/19)"
    )
    assert (rows["three_plus_placements_pct"]["rag"], rows["three_plus_placements_pct"]["direction"]) == (
        "green",
        "unchanged",
    )
    assert rows["cic_started_in_month"]["rag"] == "none" and rows["cic_started_in_month"]["direction"] == "up"
    # Lagged health data is rated on its latest month, September.
    assert rows["iha_within_20_days_pct"]["latest_period"] == "2020-09"
    assert rows["iha_within_20_days_pct"]["values"]["2020-11"] is None


def test_export_command_writes_the_contract_json(demo, tmp_path):
    output = tmp_path / "dorset.json"
    call_command("export_scorecard", "838", "2020-11", "--format", "json", "--output", str(output))
    data = json.loads(output.read_text())
    assert data["authority"] == "838" and data["period"] == "2020-11"
    assert set(data["rows"][0]) >= {
        "indicator",
        "section",
        "name",
        "unit",
        "values",
        "latest_period",
        "england",
        "sn_average",
        "sn_min",
        "sn_max",
        "benchmark_year",
        "target",
        "baseline",
        "direction",
        "rag",
    }
    call_command("export_scorecard", "838", "2020-11", "--format", "csv", "--output", str(tmp_path / "d.csv"))
    call_command(
        "export_scorecard",
        "838",
        "2020-11",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "d.xlsx"),
        "--months",
        "12",
    )
    assert (tmp_path / "d.csv").read_text().count("\n") == Indicator.objects.count() + 1  # a header, a row each
    assert (tmp_path / "d.xlsx").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("arguments", [["999", "2020-11"], ["838", "2020-13"], ["838", "November"]])
def test_export_command_rejects_bad_arguments(demo, tmp_path, arguments):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_scorecard", *arguments, "--format", "json", "--output", str(tmp_path / "x.json"))


def test_rundemo_sets_up_without_serving(db, capsys):
    call_command("rundemo", "--no-serve")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "board" in out
    assert Authority.objects.filter(code__in=["838", "839"]).count() == 2
