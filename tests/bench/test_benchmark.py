"""The benchmark's generator, floor query and report; small and fast, and never a timing assertion."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bench import database, generate, import_files, report
from bench.dataset import DatasetSize, dataset_in_database
from bench.measure.pages import floor_query

TINY = DatasetSize(
    authorities=4, indicators=6, months=3, neighbours=2, benchmark_years=2, load_users=2, import_rows=10
)


def _snapshot() -> dict[str, list[tuple]]:
    from django.contrib.auth import get_user_model

    from authorities.models import Authority, Membership, StatisticalNeighbour
    from scorecards.models import Benchmark, ChangeRecord, Indicator, MonthlyValue, ScorecardMonth, Target

    return {
        "authorities": list(Authority.objects.order_by("code").values_list("code", "name", "region")),
        "neighbours": list(
            StatisticalNeighbour.objects.order_by("authority__code", "rank").values_list(
                "authority__code", "rank", "neighbour__code"
            )
        ),
        "indicators": list(
            Indicator.objects.order_by("position").values_list(
                "code", "section", "unit", "polarity", "decimals"
            )
        ),
        "values": list(
            MonthlyValue.objects.order_by("authority__code", "indicator__code", "period").values_list(
                "authority__code", "indicator__code", "period", "value", "status", "commentary", "updated_at"
            )
        ),
        "benchmarks": list(
            Benchmark.objects.order_by("authority__code", "indicator__code", "year", "source").values_list(
                "authority__code", "indicator__code", "year", "source", "england", "sn_average", "own", "rank"
            )
        ),
        "targets": list(
            Target.objects.order_by("authority__code", "indicator__code", "kind", "year").values_list(
                "authority__code", "indicator__code", "kind", "year", "value"
            )
        ),
        "months": list(
            ScorecardMonth.objects.order_by("authority__code", "period").values_list(
                "authority__code", "period", "state", "approved_at"
            )
        ),
        "audit": sorted(ChangeRecord.objects.values_list("object_key", "field", "new", "at")),
        "members": list(
            Membership.objects.order_by("user__username").values_list(
                "user__username", "authority__code", "role"
            )
        ),
        "users": list(get_user_model().objects.order_by("username").values_list("username", flat=True)),
    }


def _clear() -> None:
    from django.contrib.auth import get_user_model

    from authorities.models import Authority
    from scorecards.models import Indicator

    Authority.objects.all().delete()
    Indicator.objects.all().delete()
    get_user_model().objects.all().delete()


@pytest.mark.django_db
def test_the_same_seed_generates_the_same_rows():
    generate.generate(size=TINY, seed=7)
    first = _snapshot()
    _clear()
    generate.generate(size=TINY, seed=7)
    assert _snapshot() == first
    assert len(first["values"]) == TINY.monthly_values
    assert len(first["authorities"]) == 4 and len(first["indicators"]) == 6
    assert len(first["benchmarks"]) == 4 * 6 * 2 * 2  # authorities, indicators, years, sources
    assert len(first["users"]) == 3 and all(role == "board_member" for *_, role in first["members"])


@pytest.mark.django_db
def test_another_seed_generates_other_figures():
    generate.generate(size=TINY, seed=7)
    first = _snapshot()
    _clear()
    generate.generate(size=TINY, seed=8)
    assert _snapshot()["values"] != first["values"]


@pytest.mark.django_db
def test_generated_authorities_have_real_looking_codes_and_neighbours():
    dataset = generate.generate(size=TINY, seed=7)
    assert all(len(code) == 3 and 201 <= int(code) <= 943 for code in dataset.authority_codes)
    assert dataset.rows["statistical neighbours"] == 4 * 2
    counted = dataset_in_database(size=TINY, seed=7).rows
    assert counted["monthly values"] == counted["approved snapshot figures"] == TINY.monthly_values


@pytest.mark.django_db
def test_the_floor_fetches_the_figures_the_scorecard_shows():
    from authorities.models import Authority
    from scorecards.core import selectors

    dataset = generate.generate(size=TINY, seed=7)
    authority = Authority.objects.get(code=dataset.home_code)
    sql, params = floor_query(authority_id=authority.pk, period=dataset.end, months=3)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    scorecard = selectors.scorecard_build(authority=authority, period=dataset.end, months=3)
    kinds = [row[0] for row in rows]
    assert kinds.count("value") == sum(cell.text != "–" for row in scorecard.rows for cell in row.cells)
    assert {row[3] for row in rows if row[0] == "benchmark"} == {row.benchmark.year for row in scorecard.rows}
    assert kinds.count("target") == sum(row.target is not None for row in scorecard.rows)
    assert kinds.count("baseline") == sum(row.baseline is not None for row in scorecard.rows)


def test_the_import_file_is_deterministic(tmp_path, db):
    generate.generate(size=TINY, seed=7)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert import_files.write_import_csv(first, seed=7, rows=30, after=TINY.end) == (
        datetime.date(2025, 5, 1),
        30,
    )
    import_files.write_import_csv(second, seed=7, rows=30, after=TINY.end)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text().splitlines()[0] == "authority,indicator,period,value,status,commentary"


def test_the_changed_import_file_has_the_same_rows_with_other_figures(tmp_path, db):
    generate.generate(size=TINY, seed=7)
    first, changed = tmp_path / "values.csv", tmp_path / "changed.csv"
    import_files.write_import_csv(first, seed=7, rows=48, after=TINY.end)
    assert import_files.write_import_csv(changed, seed=7, rows=48, after=TINY.end, changed=True) == (
        datetime.date(2025, 5, 1),
        48,
    )
    rows = [line.split(",") for line in first.read_text().splitlines()]
    changed_rows = [line.split(",") for line in changed.read_text().splitlines()]
    assert [row[:3] for row in changed_rows] == [row[:3] for row in rows]
    differing = sum(row[3:] != other[3:] for row, other in zip(rows[1:], changed_rows[1:], strict=True))
    assert differing >= 40


# The report ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "samples", "result"),
    [
        (report.Budget("median", 100, "median < 100 ms"), [90, 95, 300], report.MET),
        (report.Budget("median", 100, "median < 100 ms"), [90, 100, 101], report.MISSED),
        (report.Budget("median", 3, "median ≤ 3×", inclusive=True), [2, 3, 9], report.MET),
        (report.Budget("max", 20, "< 20 s"), [19.9], report.MET),
        (report.Budget("max", 20, "< 20 s"), [20.0], report.MISSED),
        (report.Budget("spread", 0, "equal", inclusive=True), [11, 11, 11, 11], report.MET),
        (report.Budget("spread", 0, "equal", inclusive=True), [11, 11, 12, 11], report.MISSED),
        (report.Budget("max", 0, "none", inclusive=True), [0], report.MET),
        (report.Budget("max", 0, "none", inclusive=True), [1], report.MISSED),
        (report.Budget("max", 15, "≤ 1.5× and < 20 s", inclusive=True, ceiling=20), [15.0], report.MET),
        (report.Budget("max", 15, "≤ 1.5× and < 20 s", inclusive=True, ceiling=20), [15.1], report.MISSED),
        (report.Budget("max", 30, "≤ 1.5× and < 20 s", inclusive=True, ceiling=20), [20.0], report.MISSED),
    ],
)
def test_it_marks_each_budget_met_or_missed(budget, samples, result):
    assert report.Measure("key", "name", "ms", samples, budget).result == result


def test_a_measure_without_samples_is_not_available_and_one_without_a_budget_is_not_judged():
    assert (
        report.Measure("key", "name", "ms", [], report.Budget("max", 1, "< 1")).result == report.NOT_MEASURED
    )
    assert report.Measure("key", "name", "ms", [5.0]).result == ""


def test_the_tables_show_min_median_max_budget_and_result():
    measures = [
        report.Measure(
            "page",
            "Scorecard page",
            "ms",
            [80.0, 95.0, 130.0],
            report.Budget("median", 100, "median < 100 ms"),
        ),
        report.Measure("pack", "Board pack", "s", [16.0], report.Budget("max", 15, "< 15 s")),
        report.Measure(
            "league", "League", "ms", [], report.Budget("median", 150, "median < 150 ms"), "no page yet"
        ),
    ]
    console = report.console_table(measures)
    assert (
        "Scorecard page" in console and "80.0 ms" in console and "95.0 ms" in console and "130 ms" in console
    )
    assert console.splitlines()[2].rstrip().endswith("met")
    assert "not available: no page yet" in console
    markdown = report.markdown_table(measures)
    assert "| Board pack | 16.00 s | 16.00 s | 16.00 s | < 15 s | **missed** |" in markdown
    assert report.summary_line(measures) == "1 of 3 budgets met; missed: Board pack; not measured: League"


def test_the_results_explain_every_missed_budget():
    measures = [
        report.Measure("pack", "Board pack", "s", [16.0, 17.0], report.Budget("max", 15, "< 15 s")),
        report.Measure("other", "Other", "ms", [500.0], report.Budget("max", 300, "p95 < 300 ms")),
    ]
    text = report.results_markdown(
        measures=measures,
        environment=[("Python", "3.11")],
        dataset=[("authorities", "153")],
        sections=[("Board pack", "details")],
        analysis={"pack": ("layout of 60 charts", "draw fewer pages")},
        command="manage.py benchmark",
    )
    assert "### Board pack" in text and "layout of 60 charts" in text and "draw fewer pages" in text
    assert "median 16.50 s (min 16.00 s, max 17.00 s); budget < 15 s" in text
    assert "### Other" in text and "not yet profiled" in text
    assert text.index("## Results") < text.index("## Budgets missed") < text.index("## Board pack")


def test_a_measure_survives_the_trip_through_json():
    measure = report.Measure("k", "n", "ms", [1.0, 2.0], report.Budget("median", 3, "median < 3 ms"))
    assert report.Measure.from_dict(measure.to_dict()) == measure
    ceiling = report.Measure("k", "n", "s", [9.0], report.Budget("max", 12.5, "≤ 1.5×", True, ceiling=20))
    assert report.Measure.from_dict(json.loads(json.dumps(ceiling.to_dict()))) == ceiling


# The command's guards --------------------------------------------------------------------------------------


def test_the_full_benchmark_refuses_sqlite(tmp_path):
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("benchmark", database_url=f"sqlite:///{tmp_path / 'bench.sqlite3'}")


def test_it_refuses_the_projects_own_database():
    configured = {"ENGINE": "django.db.backends.postgresql", "NAME": "scorecards", "HOST": "db", "PORT": ""}
    assert database.same_database("postgres://u@db:5432/scorecards", configured)
    assert not database.same_database("postgres://postgres@127.0.0.1:5432/scorecards_bench", configured)
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/app/db.sqlite3"}
    assert database.same_database("sqlite:////srv/app/db.sqlite3", sqlite)


@pytest.mark.django_db
def test_the_board_measurements_run_and_leave_the_data_set_as_generated(tmp_path, settings):
    from bench.measure import Context, Plan, boards
    from scorecards.models import Action, ActionUpdate, BoardPack, Meeting

    settings.MEDIA_ROOT = tmp_path / "media"
    dataset = generate.generate(size=TINY, seed=7)
    ctx = Context(
        dataset=dataset,
        plan=Plan(runs=1, warm_up=0, pack_runs=1, load_seconds=0, load_users=0),
        workdir=tmp_path,
        say=lambda message: None,
    )
    measures = [
        *boards.measure_quarter(ctx),
        *boards.measure_spc(ctx),
        *boards.measure_plan_page(ctx),
        *boards.measure_meeting_pack(ctx),
    ]
    assert all(measure.samples and not measure.unavailable for measure in measures)
    by_key = {measure.key: measure for measure in measures}
    assert by_key["quarter.queries"].result == by_key["plan.queries"].result == report.MET
    assert "The page showed 200 actions" in dict(ctx.sections)["The plan page"]
    assert not (Action.objects.exists() or ActionUpdate.objects.exists() or Meeting.objects.exists())
    assert not BoardPack.objects.exists() and not any((tmp_path / "media").rglob("*.pdf"))
