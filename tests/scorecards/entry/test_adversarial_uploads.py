"""Hostile files through the upload page: each refused with its message, on a small page, nothing written or kept.

The reading layer's own tests (tests/scorecards/imports/test_hostile_input.py) show where reading stops; these
show that the page a person sees stays small and says why, whatever the file: the first 200 problems and a
count, with every problem in a CSV that a spreadsheet cannot run. Timings are in the report, not asserted.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import zipfile

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from scorecards.entry import uploads
from scorecards.entry.uploads import Outcome, pending_upload_confirm
from scorecards.entry.views import ERRORS_SHOWN, _plan_stored
from scorecards.imports import messages
from scorecards.models import ChangeRecord, Indicator, MonthlyValue, PendingUpload, ScorecardMonth
from tests.scorecards.entry.test_upload import upload, uploads_kept
from tests.scorecards.imports.test_hostile_input import workbook_with_sheet

HEADER = "authority,indicator,period,value,commentary\n"
GOOD = "838,dental_check_pct,2020-11,42,fine\n"
SMALL_PAGE = 100 * 1024
BOUNDED_PAGE = 500 * 1024


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer_client(client, officer, make_indicator):
    make_indicator(code="dental_check_pct", name="Dental checks")
    client.force_login(officer)
    return client


def nothing_written(tmp_path) -> bool:
    return (
        MonthlyValue.objects.count() == 0
        and ChangeRecord.objects.count() == 0
        and ScorecardMonth.objects.count() == 0
        and PendingUpload.objects.count() == 0
        and uploads_kept(tmp_path) == []
    )


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def many_parts() -> bytes:
    return zip_of({f"xl/part{number}.xml": b"<a/>" for number in range(10_001)})


def incompressible_workbook() -> bytes:
    return zip_of({"xl/media/image1.png": os.urandom(1_200_000), "[Content_Types].xml": b"<Types/>"})


def bomb_workbook() -> bytes:
    return workbook_with_sheet(lambda sheet: sheet.write(b"<row><c><v>1</v></c></row>" * 200_000)).read()


# name, file name, content (or a function making it), settings, what the page says
HOSTILE = [
    ("rows", "v.csv", HEADER + GOOD * 1001, {"SCORECARD_UPLOAD_MAX_ROWS": 1000}, "rows below the header"),
    ("blank lines", "v.csv", HEADER + GOOD + "\n" * 5000, {"SCORECARD_UPLOAD_MAX_ROWS": 1000}, "split it"),
    ("columns", "v.csv", HEADER + GOOD.rstrip() + "," * 70 + "x\n", {}, "at most 60 columns"),
    ("wide header", "v.csv", ",".join(f"c{n}" for n in range(200_000)) + "\n", {}, "at most 60 columns"),
    ("cells", "v.csv", HEADER + GOOD * 300, {"SCORECARD_UPLOAD_MAX_CELLS": 1000}, "more than 1,000 cells"),
    ("long cell", "v.csv", HEADER + GOOD.replace("fine", "x" * 40_000), {}, "characters is too long"),
    ("open quote", "v.csv", HEADER + '838,"dental\n' + GOOD * 3000, {}, "is never closed"),
    ("NUL", "v.csv", HEADER + GOOD.replace("fine", "fi\x00ne"), {}, "NUL character"),
    ("control", "v.csv", HEADER + GOOD.replace("fine", "fi\x1bne"), {}, "control character U+001B"),
    ("digits", "v.csv", HEADER + GOOD.replace(",42,", ",４２,"), {}, "digits other than the plain 0-9"),
    ("exponent", "v.csv", HEADER + GOOD.replace(",42,", ",1e309,"), {}, "is not a number"),
    ("formula", "v.csv", HEADER + GOOD.replace(",42,", ",=1+1,"), {}, "looks like a formula"),
    ("not UTF-8", "v.csv", (HEADER + GOOD.replace("fine", "caf\xe9")).encode("latin-1"), {}, "not UTF-8"),
    ("zip bomb", "v.xlsx", bomb_workbook, {}, "possible zip bomb"),
    (
        "expands",
        "v.xlsx",
        incompressible_workbook,
        {"SCORECARD_UPLOAD_MAX_EXPANDED_BYTES": 1_000_000},
        "expands to",
    ),
    ("parts", "v.xlsx", many_parts, {}, "an archive of 10,001 parts"),
    ("not a workbook", "v.xlsx", b"PK\x03\x04" + b"\x00" * 100, {}, "the workbook cannot be read"),
]


@pytest.mark.parametrize(
    ("name", "filename", "content", "limits", "expected"), HOSTILE, ids=[c[0] for c in HOSTILE]
)
def test_a_hostile_file_is_refused_on_a_small_page_and_nothing_is_kept(
    officer_client, settings, tmp_path, name, filename, content, limits, expected
):
    for setting, value in limits.items():
        setattr(settings, setting, value)
    response = upload(officer_client, content() if callable(content) else content, filename)
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page.replace("&#x27;", "'")
    assert len(response.content) < SMALL_PAGE
    assert "Confirm and apply" not in page
    assert nothing_written(tmp_path)


def test_250000_bad_rows_make_a_small_page_and_a_csv_of_every_problem(officer_client, settings, tmp_path):
    settings.SCORECARD_UPLOAD_MAX_ROWS = 250_000
    settings.SCORECARD_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    # Each row names an indicator that does not exist: one problem a row, 250,000 in all.
    rows = "".join(f"838,missing_{number},2020-11,42\n" for number in range(250_000))
    response = upload(officer_client, "authority,indicator,period,value\n" + rows)
    assert response.status_code == 400
    assert len(response.content) < BOUNDED_PAGE
    page = response.content.decode()
    assert "values.csv was not applied: 250,000 problems" in page
    assert f"and {250_000 - ERRORS_SHOWN:,} more." in page
    assert page.count('<td class="num">') == ERRORS_SHOWN
    assert nothing_written(tmp_path)
    token = response.context["token"]
    report = officer_client.get(f"/scorecards/838/upload/errors/{token}.csv")
    assert report.status_code == 200
    assert report["Content-Disposition"] == 'attachment; filename="upload-errors-838.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "problem"]
    assert len(rows) == 1 + 250_000
    assert rows[1] == ["2", "indicator", messages.UNKNOWN_INDICATOR.format(value="missing_0")]
    assert rows[-1][0] == "250001"


def test_the_problem_csv_makes_formula_text_inert(officer_client):
    content = 'authority,indicator,period,value,"=HYPERLINK(""http://evil"")"\n' + GOOD
    response = upload(officer_client, content)
    assert response.status_code == 400
    report = officer_client.get(f"/scorecards/838/upload/errors/{response.context['token']}.csv")
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("http://evil")'
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_only_the_uploader_gets_the_problem_csv(client, officer_client, make_user, home_authority, officer):
    response = upload(officer_client, HEADER + GOOD.replace(",42,", ",x,"))
    url = f"/scorecards/838/upload/errors/{response.context['token']}.csv"
    assert officer_client.get(url).status_code == 200
    client.force_login(make_user("colleague", "officer", home_authority))
    assert client.get(url).status_code == 404
    client.force_login(officer)
    for other in ("/scorecards/838/upload/errors/../../settings.csv", "/scorecards/838/upload/errors/x.csv"):
        assert client.get(other).status_code == 404


# Confirming at most once, and old previews ----------------------------------------------------------------


def test_a_row_created_behind_the_preview_is_a_conflict_not_a_500(officer_client, home_authority, officer):
    """The command line and the admin do not take the upload's lock: a row they create between the plan and
    the write makes the insert fail; everything is rolled back and the preview shown again, never a 500."""
    response = upload(officer_client, HEADER + GOOD)
    pending = PendingUpload.objects.get()
    indicator = Indicator.objects.get()
    created = []

    def plan_then_someone_creates(path, kind):
        plan = _plan_stored(path, kind, home_authority)
        if not created:
            created.append(
                MonthlyValue.objects.create(
                    authority=home_authority, indicator=indicator, period=datetime.date(2020, 11, 1), value=7
                )
            )
        return plan

    confirmation = pending_upload_confirm(
        token=pending.token,
        authority=home_authority,
        user=officer,
        digest=response.context["digest"],
        plan_file=plan_then_someone_creates,
    )
    assert created and confirmation.outcome == Outcome.CHANGED
    assert ChangeRecord.objects.count() == 0
    pending.refresh_from_db()
    assert pending.state == "pending" and pending.digest == confirmation.plan.digest()


def test_an_integrity_error_while_applying_is_answered_with_the_new_preview(
    officer_client, monkeypatch, home_authority, officer
):
    response = upload(officer_client, HEADER + GOOD)
    pending = PendingUpload.objects.get()

    def collide(plan, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(uploads, "apply_import", collide)
    page = officer_client.post(
        "/scorecards/838/upload/confirm/", {"token": pending.token, "digest": response.context["digest"]}
    )
    assert page.status_code == 409
    pending.refresh_from_db()
    assert pending.state == "pending"


def test_previews_older_than_a_day_are_discarded_with_their_files(officer_client, tmp_path):
    upload(officer_client, HEADER + GOOD)
    old = PendingUpload.objects.get()
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    old_file = tmp_path / "uploads" / old.stored_name
    assert old_file.exists()
    upload(officer_client, HEADER + GOOD)  # a new upload cleans up
    assert not old_file.exists()
    assert PendingUpload.objects.get(pk=old.pk).state == "discarded"
    new = PendingUpload.objects.exclude(pk=old.pk).get()
    assert new.state == "pending" and (tmp_path / "uploads" / new.stored_name).exists()
    PendingUpload.objects.filter(pk=new.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    out = io.StringIO()
    call_command("clean_uploads", stdout=out)
    assert out.getvalue().strip() == "deleted 1 file(s)"
    assert uploads_kept(tmp_path) == []
    response = officer_client.post(
        "/scorecards/838/upload/confirm/", {"token": new.token, "digest": new.digest}, follow=True
    )
    assert "That preview has expired" in response.content.decode()
