"""``manage.py import_csv KIND FILE [--dry-run]``: the command line of shared/CONTRACT.md."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from authorities.models import Authority, StatisticalNeighbour
from scorecards.imports import messages
from scorecards.models import Benchmark, ChangeRecord, Indicator, MonthlyValue, Target
from tests.conftest import DORSET_REFERENCE, needs_shared

KINDS_IN_ORDER = ("authorities", "indicators", "values", "benchmarks", "targets")
#: Data rows of each Dorset reference file.
DORSET_ROWS = {"authorities": 8, "indicators": 56, "values": 355, "benchmarks": 32, "targets": 17}


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_csv", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> dict[str, int]:
    models = (Authority, StatisticalNeighbour, Indicator, MonthlyValue, Benchmark, Target, ChangeRecord)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def bad_values(tmp_path, home_authority, make_indicator) -> Path:
    make_indicator(code="dental_check_pct")
    path = tmp_path / "values.csv"
    path.write_text(
        "authority,indicator,period,value,status\n"
        "838,dental_check_pct,2020-10,55,\n"
        "838,dental_check_pct,2020-13,abc,\n"
        "838,dental_check_pct,2020-11,,lost\n"
    )
    return path


BAD_VALUES_ERRORS = [
    "row 3, column period: " + messages.BAD_PERIOD.format(value="2020-13"),
    "row 3, column value: " + messages.NOT_A_NUMBER.format(value="abc"),
    "row 4, column status: "
    + messages.UNKNOWN_STATUS.format(value="lost", expected="not_available, not_yet_reported, suppressed"),
]


@needs_shared(DORSET_REFERENCE)
def test_it_imports_the_dorset_reference_files_in_order_then_finds_them_unchanged(db):
    for kind in KINDS_IN_ORDER:
        out, err = run(kind, str(DORSET_REFERENCE / f"{kind}.csv"))
        assert out == f"created {DORSET_ROWS[kind]}, updated 0, unchanged 0\n"
        assert err == ""
    for kind in KINDS_IN_ORDER:
        out, _ = run(kind, str(DORSET_REFERENCE / f"{kind}.csv"))
        assert out == f"created 0, updated 0, unchanged {DORSET_ROWS[kind]}\n"

    dorset = Authority.objects.get(code="838")
    assert dorset.statistical_neighbours.get(rank=2).neighbour == Authority.objects.get(code="878")
    assert MonthlyValue.objects.get(indicator__code="cic_rate_per_10k", period="2020-11-01").value == Decimal(
        "70.1"
    )
    assert Benchmark.objects.get(indicator__code="progress8_average").england == Decimal("-1.23")


@needs_shared(DORSET_REFERENCE)
def test_a_dry_run_says_so_and_writes_nothing(db):
    out, _ = run("authorities", str(DORSET_REFERENCE / "authorities.csv"), "--dry-run")
    assert out == "dry run: created 8, updated 0, unchanged 0\n"
    assert Authority.objects.count() == 0


def test_bad_input_prints_each_row_error_and_writes_nothing(bad_values):
    before = counts()
    with pytest.raises(CommandError) as failure:
        run("values", str(bad_values))
    assert failure.value.returncode == 1
    assert "3 error(s)" in str(failure.value)
    assert counts() == before


def test_bad_input_errors_go_to_stderr_one_per_line(bad_values):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_csv", "values", str(bad_values), stdout=out, stderr=err)
    assert err.getvalue().splitlines() == BAD_VALUES_ERRORS
    assert out.getvalue() == ""


def test_a_dry_run_of_a_bad_file_fails_as_well(bad_values):
    with pytest.raises(CommandError) as failure:
        run("values", str(bad_values), "--dry-run")
    assert failure.value.returncode == 1


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file") as failure:
        run("values", str(tmp_path / "nowhere.csv"))
    assert failure.value.returncode == 1


def test_an_unknown_kind_is_a_clear_error(db, tmp_path):
    path = tmp_path / "values.csv"
    path.write_text("authority\n")
    with pytest.raises(CommandError, match="'value' is not a kind of import") as failure:
        run("value", str(path))
    assert failure.value.returncode == 1


def test_a_file_with_a_thousand_errors_prints_the_first_200_and_a_count(db, tmp_path):
    path = tmp_path / "values.csv"
    path.write_text("authority,indicator,period,value\n" + "x,,,\n" * 250)  # 4 errors a row
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_csv", "values", str(path), stdout=io.StringIO(), stderr=err)
    assert failure.value.returncode == 1
    assert str(failure.value) == f"1000 error(s) in {path}; nothing was imported"
    lines = err.getvalue().splitlines()
    assert len(lines) == 201
    assert lines[-1] == "... and 800 more error(s) (use the upload page for a CSV of every one)"


def test_a_file_beyond_the_commands_size_limit_is_refused_before_it_is_read(db, tmp_path, settings):
    settings.SCORECARD_UPLOAD_MAX_BYTES = 10  # the command takes 20 times this
    path = tmp_path / "values.csv"
    path.write_text("authority,indicator,period,value\n" + "838,x,2020-11,1\n" * 20)
    with pytest.raises(CommandError, match=r"is 353 bytes; the command reads at most 200 ") as failure:
        call_command("import_csv", "values", str(path))
    assert failure.value.returncode == 1


def test_it_imports_a_workbook(db, tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "name", "statistical_neighbours"])
    workbook.active.append([838, "Dorset", "933;878"])
    path = tmp_path / "authorities.xlsx"
    workbook.save(path)

    out, _ = run("authorities", str(path))
    assert out == "created 1, updated 0, unchanged 0\n"


# The real command line, as CI and other councils' scripts run it -------------------------------------------


def manage(*args: str, database: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "REDIS_URL": ""}
    return subprocess.run(  # noqa: S603 - our own manage.py, with arguments we chose
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_shared(DORSET_REFERENCE)
def test_the_command_line_imports_the_reference_files_and_exits_1_on_bad_input(tmp_path):
    database = tmp_path / "command.sqlite3"
    assert manage("migrate", "--verbosity", "0", database=database).returncode == 0

    for kind in KINDS_IN_ORDER:
        result = manage("import_csv", kind, str(DORSET_REFERENCE / f"{kind}.csv"), database=database)
        assert (result.returncode, result.stdout) == (
            0,
            f"created {DORSET_ROWS[kind]}, updated 0, unchanged 0\n",
        )

    again = manage(
        "import_csv", "values", str(DORSET_REFERENCE / "values.csv"), "--dry-run", database=database
    )
    assert (again.returncode, again.stdout) == (0, "dry run: created 0, updated 0, unchanged 355\n")

    bad = tmp_path / "values.csv"
    bad.write_text("authority,indicator,period,value\n838,dental_check_pct,2020-13,42\n")
    result = manage("import_csv", "values", str(bad), database=database)
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        "row 2, column period: " + messages.BAD_PERIOD.format(value="2020-13") in result.stderr.splitlines()
    )
