"""Uploading a spreadsheet in the browser: preview, rejected rows, confirmation, templates, who may."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from scorecards.entry.views import (
    UPLOAD_ALREADY_APPLIED,
    UPLOAD_CHANGED,
    UPLOAD_EXPIRED,
    UPLOAD_NO_FILE,
    UPLOAD_UNKNOWN_KIND,
)
from scorecards.imports import messages
from scorecards.models import Benchmark, ChangeRecord, MonthlyValue, PendingUpload, ScorecardMonth, Target

NOV = datetime.date(2020, 11, 1)
UPLOAD = "/scorecards/838/upload/"
CONFIRM = "/scorecards/838/upload/confirm/"
VALUES_HEADER = "authority,indicator,period,value,numerator,denominator,status,commentary"
GOOD_VALUES = f"""{VALUES_HEADER}
838,dental_check_pct,2020-10,55,,,,
838,dental_check_pct,2020-11,42,,,,Backlog at dental practices
838,cic_count,2020-11,476,,,,
"""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def catalogue(home_authority, make_indicator, make_value):
    dental = make_indicator(code="dental_check_pct", name="Dental checks within 12 months")
    cic = make_indicator(code="cic_count", name="Children in care", unit="count", polarity="neutral")
    make_value(home_authority, dental, "2020-10", 55)  # unchanged by GOOD_VALUES
    make_value(home_authority, cic, "2020-11", 470)  # changed by GOOD_VALUES
    return home_authority


def upload_file(content: bytes | str, name: str = "values.csv") -> io.BytesIO:
    handle = io.BytesIO(content.encode() if isinstance(content, str) else content)
    handle.name = name
    return handle


def upload(client, content, name="values.csv", kind="values", url=UPLOAD):
    return client.post(url, {"kind": kind, "file": upload_file(content, name)})


def confirm(client, preview, url=CONFIRM, **overrides):
    data = {"token": preview.context["token"], "digest": preview.context["plan"].digest()}
    data.update(overrides)
    return client.post(url, data, follow=True)


def stored_state() -> tuple:
    return (
        sorted(MonthlyValue.objects.values_list("indicator__code", "period", "value", "commentary")),
        ChangeRecord.objects.count(),
        Benchmark.objects.count(),
        Target.objects.count(),
    )


def uploads_kept(tmp_path) -> list[str]:
    folder = tmp_path / "uploads"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Who may ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "approver", "administrator"])
def test_people_who_enter_data_upload(client, request, catalogue, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(UPLOAD)
    assert response.status_code == 200
    assert "Upload a spreadsheet" in response.content.decode()
    assert upload(client, GOOD_VALUES).status_code == 200


def test_board_members_may_not_upload(client, catalogue, board_member):
    client.force_login(board_member)
    before = stored_state()
    assert client.get(UPLOAD).status_code == 404
    assert upload(client, GOOD_VALUES).status_code == 404
    assert client.post(CONFIRM, {"token": "x", "digest": "y"}).status_code == 404
    assert client.get("/scorecards/838/upload/template/values.csv").status_code == 404
    assert stored_state() == before


def test_another_council_gets_404(client, catalogue, other_council_user, make_user):
    officer_elsewhere = make_user(
        "officer-elsewhere", "officer", other_council_user.memberships.get().authority
    )
    for user in (other_council_user, officer_elsewhere):
        client.force_login(user)
        for url in (UPLOAD, "/scorecards/999/upload/", "/scorecards/838/upload/template/values.csv"):
            assert client.get(url).status_code == 404
        assert upload(client, GOOD_VALUES).status_code == 404
        assert client.post(CONFIRM, {"token": "x", "digest": "y"}).status_code == 404


@pytest.mark.parametrize("url", [UPLOAD, CONFIRM, "/scorecards/838/upload/template/values.csv"])
def test_anonymous_visitors_are_sent_to_sign_in(client, catalogue, url):
    response = client.get(url) if "template" in url else client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_pages_reject_the_wrong_method(client, catalogue, officer):
    client.force_login(officer)
    assert client.put(UPLOAD).status_code == 405
    assert client.delete(UPLOAD).status_code == 405
    assert client.get(CONFIRM).status_code == 405
    assert client.post("/scorecards/838/upload/template/values.csv").status_code == 405


# Preview and confirmation -------------------------------------------------------------------------------


def test_preview_shows_new_changed_and_unchanged_rows_and_writes_nothing(client, catalogue, officer):
    client.force_login(officer)
    before = stored_state()
    response = upload(client, GOOD_VALUES)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview of values.csv" in html
    assert "1 new, 1 changed, 1 unchanged. Nothing is written until you confirm." in html
    assert (
        '<tr class="action-unchanged"><td class="num">2</td><td class="key">838 · dental_check_pct · 2020-10</td>'
        in html
    )
    assert (
        '<tr class="action-create"><td class="num">3</td><td class="key">838 · dental_check_pct · 2020-11</td><td>New</td>'
        in html
    )
    assert "<td>Changed</td>" in html and "<td>Unchanged</td>" in html
    assert '<span class="change">value: 470 → 476</span>' in html
    assert "Confirm and apply" in html
    assert stored_state() == before


def test_confirming_applies_every_row_at_once_by_the_upload_route(client, catalogue, officer, tmp_path):
    client.force_login(officer)
    preview = upload(client, GOOD_VALUES)
    response = confirm(client, preview)
    assert "Applied values.csv: created 1, updated 1, unchanged 1." in response.content.decode()
    values = dict(MonthlyValue.objects.filter(period=NOV).values_list("indicator__code", "value"))
    assert values == {"dental_check_pct": Decimal(42), "cic_count": Decimal(476)}
    records = ChangeRecord.objects.filter(kind="value")
    assert set(records.values_list("route", "username")) == {("upload", "officer")}
    assert set(records.values_list("field", "old", "new")) == {
        ("value", "", "42"),
        ("commentary", "", "Backlog at dental practices"),
        ("value", "470", "476"),
    }
    assert ScorecardMonth.objects.get(period=NOV).state == "draft"
    assert uploads_kept(tmp_path) == []
    assert PendingUpload.objects.get().state == "applied"


def test_a_preview_is_applied_only_once(client, catalogue, officer):
    client.force_login(officer)
    preview = upload(client, GOOD_VALUES)
    confirm(client, preview)
    state = stored_state()
    response = confirm(client, preview)
    assert UPLOAD_ALREADY_APPLIED in response.content.decode()
    assert stored_state() == state


def test_an_xlsx_upload_is_previewed_and_applied(client, catalogue, officer):
    client.force_login(officer)
    content = xlsx(
        [
            VALUES_HEADER.split(","),
            ["838", "dental_check_pct", "2020-11", 42, None, None, None, "From Excel"],
            [838, "cic_count", datetime.datetime(2020, 11, 1), None, None, None, "not_yet_reported", None],
        ]
    )
    preview = upload(client, content, "values.xlsx")
    assert preview.status_code == 200, preview.context["plan"].errors
    assert "1 new, 1 changed, 0 unchanged" in preview.content.decode()
    confirm(client, preview)
    values = dict(MonthlyValue.objects.filter(period=NOV).values_list("indicator__code", "status"))
    assert values == {"dental_check_pct": "", "cic_count": "not_yet_reported"}


def test_benchmarks_and_targets_are_uploaded_too(client, catalogue, officer):
    client.force_login(officer)
    benchmarks = "authority,indicator,year,england,sn_min,sn_max\n838,dental_check_pct,2019/20,85,78,94\n"
    confirm(client, upload(client, benchmarks, "benchmarks.csv", kind="benchmarks"))
    targets = "authority,indicator,kind,year,value,note\n838,dental_check_pct,target,2020/21,60,Strategy\n"
    confirm(client, upload(client, targets, "targets.csv", kind="targets"))
    assert Benchmark.objects.get().england == Decimal(85)
    assert Target.objects.get().note == "Strategy"
    kinds = set(ChangeRecord.objects.values_list("kind", "route"))
    assert kinds == {("benchmark", "upload"), ("target", "upload")}


# Bad files: every problem reported, nothing written -------------------------------------------------------


def assert_rejected(response, before, tmp_path, *expected: str) -> str:
    assert response.status_code == 400
    html = response.content.decode()
    for text in expected:
        assert text in html, text
    assert "Confirm and apply" not in html
    assert stored_state() == before
    assert uploads_kept(tmp_path) == []
    return html


def test_a_bad_number_rejects_the_file_with_row_and_column(client, catalogue, officer, tmp_path):
    client.force_login(officer)
    before = stored_state()
    content = f"{VALUES_HEADER}\n838,cic_count,2020-11,476,,,,\n838,dental_check_pct,2020-11,forty,,,,\n"
    html = assert_rejected(upload(client, content), before, tmp_path, "values.csv was not applied: 1 problem")
    assert '<td class="num">3</td><td>value</td><td>&#x27;forty&#x27; is not a number' in html
    assert "Nothing has been written" in html


def test_an_unknown_column_is_named(client, catalogue, officer, tmp_path):
    client.force_login(officer)
    before = stored_state()
    content = "authority,indicator,period,value,colour\n838,cic_count,2020-11,476,red\n"
    html = assert_rejected(upload(client, content), before, tmp_path)
    assert "<td>colour</td><td>unknown column &#x27;colour&#x27;" in html


def test_rows_for_another_authority_are_rejected(client, catalogue, officer, other_authority, tmp_path):
    client.force_login(officer)
    before = stored_state()
    content = f"{VALUES_HEADER}\n838,cic_count,2020-11,476,,,,\n839,cic_count,2020-11,300,,,,\n"
    html = assert_rejected(upload(client, content), before, tmp_path)
    assert (
        '<td class="num">3</td><td>authority</td><td>this upload is for Dorset (838) only; '
        "the row names authority &#x27;839&#x27;"
    ) in html


def test_a_user_of_two_councils_uploads_each_only_at_its_own_address(
    client, catalogue, other_authority, make_user, tmp_path
):
    client.force_login(make_user("both", "officer", catalogue, other_authority))
    before = stored_state()
    content = f"{VALUES_HEADER}\n838,cic_count,2020-11,476,,,,\n"
    assert_rejected(upload(client, content, url="/scorecards/839/upload/"), before, tmp_path, "(839) only")


@pytest.mark.parametrize("name", ["values.xls", "values.txt", "values.pdf", "values"])
def test_other_kinds_of_file_are_refused(client, catalogue, officer, tmp_path, name):
    client.force_login(officer)
    before = stored_state()
    assert_rejected(upload(client, GOOD_VALUES, name), before, tmp_path, "Upload a .csv or .xlsx file")


def test_a_csv_name_on_an_old_excel_file_is_refused(client, catalogue, officer, tmp_path):
    client.force_login(officer)
    before = stored_state()
    assert_rejected(
        upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "values.csv"),
        before,
        tmp_path,
        "is not a CSV or XLSX file",
    )


def test_an_xlsx_name_on_a_file_that_is_not_a_workbook_is_refused(client, catalogue, officer, tmp_path):
    client.force_login(officer)
    before = stored_state()
    assert_rejected(
        upload(client, GOOD_VALUES, "values.xlsx"), before, tmp_path, "the workbook cannot be read"
    )


def test_a_file_that_is_too_large_is_refused(client, settings, catalogue, officer, tmp_path):
    settings.SCORECARD_UPLOAD_MAX_BYTES = 100
    client.force_login(officer)
    before = stored_state()
    size = len(GOOD_VALUES.encode())
    assert_rejected(
        upload(client, GOOD_VALUES),
        before,
        tmp_path,
        f"The file is {size} bytes; the largest accepted is 100 bytes.",
    )


def test_no_file_or_no_kind_is_an_error(client, catalogue, officer):
    client.force_login(officer)
    response = client.post(UPLOAD, {"kind": "indicators"})
    assert response.status_code == 400
    html = response.content.decode()
    assert UPLOAD_NO_FILE in html and UPLOAD_UNKNOWN_KIND in html


def test_a_catalogue_file_is_not_an_officers_upload(client, catalogue, officer, tmp_path):
    client.force_login(officer)
    before = stored_state()
    content = "code,section,name,unit,polarity,decimals\nnew_one,Health,New,percent,neutral,0\n"
    assert_rejected(
        upload(client, content, "indicators.csv", kind="indicators"), before, tmp_path, UPLOAD_UNKNOWN_KIND
    )


def test_an_empty_file_is_reported(client, catalogue, officer, tmp_path):
    client.force_login(officer)
    before = stored_state()
    assert_rejected(upload(client, b"", "values.csv"), before, tmp_path, messages.EMPTY_FILE)


# Confirming what is no longer what was previewed ---------------------------------------------------------


def test_a_made_up_token_applies_nothing(client, catalogue, officer):
    client.force_login(officer)
    before = stored_state()
    response = client.post(CONFIRM, {"token": "made-up", "digest": "x"}, follow=True)
    assert UPLOAD_EXPIRED in response.content.decode()
    assert stored_state() == before


def test_another_users_token_applies_nothing(client, catalogue, officer, make_user):
    client.force_login(officer)
    preview = upload(client, GOOD_VALUES)
    client.force_login(make_user("colleague", "officer", catalogue))
    before = stored_state()
    response = confirm(client, preview)
    assert UPLOAD_EXPIRED in response.content.decode()
    assert stored_state() == before


def test_a_token_for_another_council_applies_nothing(client, catalogue, other_authority, make_user):
    client.force_login(make_user("both", "officer", catalogue, other_authority))
    preview = upload(client, GOOD_VALUES)
    before = stored_state()
    response = confirm(client, preview, url="/scorecards/839/upload/confirm/")
    assert UPLOAD_EXPIRED in response.content.decode()
    assert stored_state() == before


def test_a_tampered_digest_applies_nothing(client, catalogue, officer):
    client.force_login(officer)
    preview = upload(client, GOOD_VALUES)
    before = stored_state()
    response = confirm(client, preview, digest="0" * 64)
    assert UPLOAD_CHANGED in response.content.decode()
    assert stored_state() == before


def test_data_changed_since_the_preview_applies_nothing_and_shows_the_new_preview(client, catalogue, officer):
    client.force_login(officer)
    preview = upload(client, GOOD_VALUES)
    MonthlyValue.objects.filter(indicator__code="cic_count", period=NOV).update(value=471)
    before = stored_state()
    response = confirm(client, preview)
    assert response.status_code == 409
    html = response.content.decode()
    assert UPLOAD_CHANGED in html
    assert stored_state() == before
    assert '<span class="change">value: 471 → 476</span>' in html
    response = client.post(
        CONFIRM, {"token": preview.context["token"], "digest": response.context["plan"].digest()}
    )
    assert response.status_code == 302
    assert MonthlyValue.objects.get(indicator__code="cic_count", period=NOV).value == Decimal(476)


# Templates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "header"),
    [
        ("values", VALUES_HEADER + ",cohort"),
        (
            "benchmarks",
            "authority,indicator,year,england,region,sn_average,sn_min,sn_max,own,note,range_group",
        ),
        ("targets", "authority,indicator,kind,year,value,note,period"),
    ],
)
def test_each_kind_has_a_template_to_download(client, catalogue, officer, kind, header):
    client.force_login(officer)
    response = client.get(f"/scorecards/838/upload/template/{kind}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{kind}-template-838.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0] == header
    assert lines[1].startswith("838,") and len(lines[1].split(",")) == len(header.split(","))


@pytest.mark.parametrize("kind", ["authorities", "indicators", "nonsense"])
def test_there_is_no_template_for_other_kinds(client, catalogue, officer, kind):
    client.force_login(officer)
    assert client.get(f"/scorecards/838/upload/template/{kind}.csv").status_code == 404


def test_the_upload_page_links_each_template(client, catalogue, officer):
    client.force_login(officer)
    html = client.get(UPLOAD).content.decode()
    for kind in ("values", "benchmarks", "targets"):
        assert f'href="/scorecards/838/upload/template/{kind}.csv"' in html


def test_an_oversized_body_is_refused_before_it_is_read(client, officer, home_authority, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SCORECARD_UPLOAD_MAX_BYTES = 10
    client.force_login(officer)
    response = client.post(
        "/scorecards/838/upload/", {"kind": "values"}, CONTENT_LENGTH=str(10 + 64 * 1024 + 1)
    )
    assert response.status_code == 400
    assert "the largest accepted is 10 bytes" in response.content.decode()
