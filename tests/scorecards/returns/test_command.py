"""``manage.py import_903``: figures of the fake return written through the import engine, exactly as the
contract says; errors write nothing."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scorecards.management.commands.import_903 import Command
from scorecards.models import (
    ChangeRecord,
    ChangeRoute,
    Indicator,
    MonthlyValue,
    ReturnImport,
    ScorecardMonth,
    SignOffState,
    SnapshotFigure,
)
from scorecards.returns.catalogue import INDICATORS
from scorecards.returns.notes import source_note

from .conftest import MAR, needs_fake
from .helpers import FAKE, shared

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_903", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def held(authority, period=MAR) -> dict[str, tuple]:
    return {
        value.indicator.code: (value.value, value.numerator, value.denominator)
        for value in MonthlyValue.objects.filter(authority=authority, period=period).select_related(
            "indicator"
        )
    }


@needs_fake
def test_it_imports_the_fake_return_at_every_month_end_and_says_how_many(home_authority, tmp_path):
    output = run(
        "838", str(shared(FAKE)), "--from", "2017-04", "--to", "2018-03", "--json", str(tmp_path / "f.json")
    )
    assert output == "computed 63 figures for 12 months; 57 data-quality problems\n"
    assert held(home_authority) == {
        "cic_count": (Decimal(1196), None, None),
        "cic_started_in_month": (Decimal(9), None, None),
        "cic_ceased_in_month": (Decimal(49), None, None),
        "missing_incidents_in_month": (Decimal(0), None, None),
        "three_plus_placements_pct": (Decimal("14.3813"), Decimal(172), Decimal(1196)),
        "rha_on_time_pct": (Decimal("50.3817"), Decimal(528), Decimal(1048)),
        "dental_check_pct": (Decimal("47.4237"), Decimal(497), Decimal(1048)),
        "immunisations_up_to_date_pct": (Decimal("49.9046"), Decimal(523), Decimal(1048)),
    }
    assert MonthlyValue.objects.filter(authority=home_authority).count() == 63
    return_import = ReturnImport.objects.get()
    assert return_import.state == "applied" and return_import.problem_count == 57
    assert return_import.problems.count() == 57
    assert set(MonthlyValue.objects.values_list("computed_from", flat=True)) == {return_import.pk}
    assert set(ChangeRecord.objects.filter(kind="value").values_list("route", flat=True)) == {
        ChangeRoute.RETURN
    }

    document = json.loads((tmp_path / "f.json").read_text())
    assert set(document) == {"figures", "problems"}
    assert len(document["figures"]) == 63 and len(document["problems"]) == 57
    assert {
        "indicator": "cic_count",
        "period": "2018-03",
        "value": 1196,
        "numerator": None,
        "denominator": None,
    } in (document["figures"])
    dental = next(f for f in document["figures"] if f["indicator"] == "dental_check_pct")
    assert (dental["numerator"], dental["denominator"]) == (497, 1048)
    assert dental["value"] == pytest.approx(497 * 100 / 1048)
    assert set(document["problems"][0]) == {"table", "row", "child", "rule", "message"}
    assert document["problems"][0]["table"] == "episodes.csv" and document["problems"][0]["child"]


@needs_fake
def test_indicators_missing_from_the_catalogue_are_created_at_its_end(home_authority, make_indicator):
    make_indicator(code="cic_rate_per_10k", unit="rate_per_10k", position=7)
    make_indicator(code="dental_check_pct", name="Our own name for dental checks", position=3)
    run("838", str(shared(FAKE)), "--from", "2018-03", "--to", "2018-03")
    created = {entry.code for entry in INDICATORS} - {"dental_check_pct"}
    positions = dict(Indicator.objects.values_list("code", "position"))
    assert sorted(positions[code] for code in created) == list(range(8, 15))
    assert Indicator.objects.get(code="dental_check_pct").name == "Our own name for dental checks"
    cic = Indicator.objects.get(code="cic_count")
    assert (cic.unit, cic.polarity, cic.source) == ("count", "neutral", "SSDA903 return")
    assert "Short breaks" in cic.definition
    assert (
        ChangeRecord.objects.filter(kind="indicator", route=ChangeRoute.RETURN, field="position")
        .exclude(old="")
        .count()
        == 7
    )


@needs_fake
def test_a_dry_run_computes_and_writes_nothing(home_authority, tmp_path):
    output = run(
        "838",
        str(shared(FAKE)),
        "--from",
        "2018-01",
        "--to",
        "2018-03",
        "--dry-run",
        "--json",
        str(tmp_path / "f.json"),
    )
    assert output == "computed 18 figures for 3 months; 57 data-quality problems\n"
    assert not MonthlyValue.objects.exists() and not ReturnImport.objects.exists()
    assert not Indicator.objects.exists() and not ChangeRecord.objects.exists()
    assert len(json.loads((tmp_path / "f.json").read_text())["figures"]) == 18


@needs_fake
def test_the_xml_return_is_read_from_its_file(home_authority):
    assert run("838", str(shared(FAKE) / "fake_903.xml"), "--from", "2018-03", "--to", "2018-03") == (
        "computed 8 figures for 1 months; 3 data-quality problems\n"
    )
    assert held(home_authority)["cic_count"] == (Decimal(109), None, None)
    assert ReturnImport.objects.get().file_names == "fake_903.xml"


@needs_fake
def test_an_approved_month_opens_a_revision_and_its_next_snapshot_says_how_the_figure_was_made(
    home_authority, make_indicator, make_value, approve_month
):
    cic = make_indicator(code="cic_count", unit="count", polarity="neutral")
    make_value(home_authority, cic, MAR, 1100)
    approve_month(home_authority, MAR)
    run("838", str(shared(FAKE)), "--from", "2018-03", "--to", "2018-03")
    month = ScorecardMonth.objects.get(authority=home_authority, period=MAR)
    assert (month.state, month.revision) == (SignOffState.DRAFT, 2)

    approve_month(home_authority, MAR)
    return_import = ReturnImport.objects.get()
    day = return_import.uploaded_at.astimezone(datetime.UTC)
    figures = {
        figure.indicator.code: figure
        for figure in SnapshotFigure.objects.filter(snapshot__revision=2).select_related("indicator")
    }
    expected = source_note(updated_at=day, uploaded_at=day, applied_at=day)
    assert figures["cic_count"].source_note == expected
    assert figures["dental_check_pct"].source_note.startswith("computed from the 903 return of ")
    assert (figures["dental_check_pct"].numerator, figures["dental_check_pct"].denominator) == (497, 1048)


def test_the_source_note_names_the_day_of_the_return_and_lapses_when_the_figure_is_changed_by_hand():
    uploaded = datetime.datetime(2021, 5, 3, 23, 30, tzinfo=datetime.UTC)  # 4 May, 00:30 in London
    applied = uploaded + datetime.timedelta(minutes=1)
    assert source_note(updated_at=applied, uploaded_at=uploaded, applied_at=applied) == (
        "computed from the 903 return of 4 May 2021"
    )
    later = applied + datetime.timedelta(seconds=1)
    assert source_note(updated_at=later, uploaded_at=uploaded, applied_at=applied) == ""
    assert source_note(updated_at=applied, uploaded_at=None, applied_at=None) == ""


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (
            {"episodes.csv": b"CHILD,DECOM,RNE,LS,PLACE,DEC\n1,01/01/2018,S,C2,U1,\n"},
            "column REC: required column(s) REC missing",
        ),
        ({"missing.csv": b"CHILD,MIS_START\n"}, "the return has no episodes.csv"),
        (
            {"episodes.csv": b"PK\x03\x04rest of a zip"},
            "episodes.csv: this is not a CSV file but a zip archive",
        ),
        ({"episodes.csv": b""}, "episodes.csv: the file is empty"),
    ],
)
def test_a_return_that_cannot_be_read_is_an_error_and_nothing_is_written(
    home_authority, tmp_path, tables, message
):
    for name, content in tables.items():
        (tmp_path / name).write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        run("838", str(tmp_path), "--from", "2018-03", "--to", "2018-03")
    assert (
        not MonthlyValue.objects.exists()
        and not ReturnImport.objects.exists()
        and not Indicator.objects.exists()
    )


def test_errors_exit_with_status_1(home_authority, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(
            ["manage.py", "import_903", "838", str(tmp_path), "--from", "2018-03", "--to", "2018-03"]
        )
    assert exit_.value.code == 1
    assert "the return has no episodes.csv" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2018-04", "2018-03", r"The first month \(2018-04\) is after the last \(2018-03\)"),
        ("2018-13", "2018-03", "The --from month '2018-13' is not a month written YYYY-MM"),
        ("2000-01", "2024-12", "Compute at most 240 months at a time"),
    ],
)
def test_months_are_checked(home_authority, tmp_path, first, last, message):
    (tmp_path / "episodes.csv").write_bytes(b"CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n")
    with pytest.raises(CommandError, match=message):
        run("838", str(tmp_path), "--from", first, "--to", last)


def test_an_unknown_authority_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="No authority with the code '999'"):
        run("999", str(tmp_path), "--from", "2018-03", "--to", "2018-03")
