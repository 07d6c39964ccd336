"""Entering a month by form: who may, what it saves, unusual figures, conflicts, and a whole Dorset month."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest

from authorities.models import Role
from scorecards.entry.services import CONFIRM_NOTE, CONFLICT
from scorecards.entry.signoff import month_approve, month_submit
from scorecards.imports import import_file, messages
from scorecards.models import ChangeRecord, Indicator, MonthlyValue, ScorecardMonth, SignOffState
from tests.conftest import DORSET_REFERENCE, needs_shared

NOV = datetime.date(2020, 11, 1)
URL = "/scorecards/838/2020-11/enter/"


@pytest.fixture
def dental(make_indicator):
    return make_indicator(code="dental_check_pct", name="Dental checks within 12 months")


@pytest.fixture
def cic_count(make_indicator):
    return make_indicator(
        code="cic_count", name="Children in care", unit="count", polarity="neutral", section="Profile"
    )


@pytest.fixture
def october(home_authority, dental, cic_count, make_value):
    make_value(home_authority, dental, "2020-10", 55)
    make_value(home_authority, cic_count, "2020-10", 470)
    return home_authority


def open_form(client, user, url: str = URL):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.context["version"]


def post(client, version: str, **fields):
    data = {"version": version}
    data.update({name.replace("__", "-"): value for name, value in fields.items()})
    return client.post(URL, data)


def november_value(authority, indicator) -> MonthlyValue | None:
    return MonthlyValue.objects.filter(authority=authority, indicator=indicator, period=NOV).first()


def form_records(authority) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(authority=authority, route="form", kind="value").order_by("pk"))


# Who may open the page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "approver", "administrator"])
def test_people_who_enter_data_open_the_month_form(client, request, october, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter figures for November 2020" in html
    assert 'name="dental_check_pct-value"' in html and 'name="cic_count-commentary"' in html


def test_board_members_may_not_enter_figures(client, october, board_member):
    client.force_login(board_member)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"dental_check_pct-value": "40"}).status_code == 404
    assert not MonthlyValue.objects.filter(period=NOV).exists()


def test_another_council_gets_404_like_a_missing_authority(client, october, other_council_user, make_user):
    client.force_login(other_council_user)
    assert client.get(URL).status_code == 404
    assert client.get(URL.replace("838", "999")).status_code == 404
    officer_elsewhere = make_user(
        "officer-elsewhere", "officer", other_council_user.memberships.get().authority
    )
    client.force_login(officer_elsewhere)
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"dental_check_pct-value": "40"}).status_code == 404
    assert not MonthlyValue.objects.filter(period=NOV).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, october):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_form_rejects_the_wrong_method(client, october, officer, method):
    client.force_login(officer)
    assert getattr(client, method)(URL).status_code == 405


def test_the_form_shows_last_months_figure_beside_each_indicator(client, october, officer):
    client.force_login(officer)
    html = client.get(URL).content.decode()
    assert "Last figure: 55% (Oct 2020)" in html
    assert "Last figure: 470 (Oct 2020)" in html
    assert "Not yet reported" in html and "Suppressed" in html  # the contract's statuses


# Saving -------------------------------------------------------------------------------------------------


def test_an_officer_saves_values_and_commentary(client, october, officer, dental, cic_count):
    version = open_form(client, officer)
    response = post(
        client,
        version,
        dental_check_pct__value="42",
        dental_check_pct__commentary="Dental practices are working through a backlog.",
        cic_count__value="476",
    )
    assert response.status_code == 302
    assert response["Location"] == "/scorecards/838/2020-11/"
    saved = november_value(october, dental)
    assert saved.value == Decimal(42) and saved.commentary.startswith("Dental practices")
    assert saved.updated_by == officer
    assert november_value(october, cic_count).value == Decimal(476)
    html = client.get(response["Location"]).content.decode()
    assert "Saved 2 figures for November 2020" in html


def test_the_form_audits_each_change_with_route_user_and_old_and_new(client, october, officer, dental):
    version = open_form(client, officer)
    post(client, version, dental_check_pct__value="42")
    version = open_form(client, officer)
    post(client, version, dental_check_pct__value="44", dental_check_pct__commentary="Corrected")
    records = [(r.field, r.old, r.new, r.username, r.route) for r in form_records(october)]
    assert records == [
        ("value", "", "42", "officer", "form"),
        ("value", "42", "44", "officer", "form"),
        ("commentary", "", "Corrected", "officer", "form"),
    ]
    assert all(r.indicator == dental and r.period == NOV for r in form_records(october))


def test_numerator_and_denominator_compute_the_value(client, october, officer, dental, cic_count):
    version = open_form(client, officer)
    response = post(
        client,
        version,
        dental_check_pct__numerator="21",
        dental_check_pct__denominator="50",
        cic_count__numerator="950",
        cic_count__denominator="2",
    )
    assert response.status_code == 302
    saved = november_value(october, dental)
    assert (saved.value, saved.numerator, saved.denominator) == (Decimal(42), Decimal(21), Decimal(50))
    assert november_value(october, cic_count).value == Decimal(475)  # the plain ratio for a count


def test_a_value_that_disagrees_with_its_ratio_is_an_error_beside_the_value(client, october, officer, dental):
    version = open_form(client, officer)
    response = post(
        client,
        version,
        dental_check_pct__value="45",
        dental_check_pct__numerator="21",
        dental_check_pct__denominator="50",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="dental_check_pct-value-error">the value 45 differs from 42' in html
    assert november_value(october, dental) is None


@pytest.mark.parametrize("status", ["not_available", "not_yet_reported", "suppressed"])
def test_a_status_says_why_there_is_no_figure(client, october, officer, dental, status):
    version = open_form(client, officer)
    response = post(client, version, dental_check_pct__status=status, dental_check_pct__commentary="Late")
    assert response.status_code == 302
    saved = november_value(october, dental)
    assert (saved.value, saved.status, saved.commentary) == (None, status, "Late")


def test_a_value_and_a_status_together_is_an_error_beside_the_status(client, october, officer, dental):
    version = open_form(client, officer)
    response = post(client, version, dental_check_pct__value="40", dental_check_pct__status="suppressed")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="dental_check_pct-status-error">give a value or a status, not both' in html
    assert 'aria-invalid="true" aria-describedby="dental_check_pct-status-error"' in html


def test_an_invalid_number_is_shown_beside_its_field_and_nothing_is_written(
    client, october, officer, dental, cic_count
):
    version = open_form(client, officer)
    response = post(client, version, dental_check_pct__value="forty", cic_count__value="476")
    assert response.status_code == 400
    html = response.content.decode()
    message = messages.NOT_A_NUMBER.format(value="forty")
    assert (
        f'<p class="field-error" id="dental_check_pct-value-error">{message}</p>'.replace("'", "&#x27;")
        in html
    )
    assert (
        'id="dental_check_pct-value" name="dental_check_pct-value" value="forty" size="8"'
        ' aria-invalid="true" aria-describedby="dental_check_pct-value-error"'
    ) in html
    assert 'aria-describedby="cic_count-value-error"' not in html
    assert 'value="476"' in html  # what the officer typed is kept
    assert "<title>Error: Enter November 2020" in html
    # The summary names the indicator as the page does, and links to the field.
    assert '<a href="#dental_check_pct-value">Dental checks within 12 months, value</a>' in html
    assert not MonthlyValue.objects.filter(period=NOV).exists()
    assert not ChangeRecord.objects.filter(kind="value").exists()


def test_a_percentage_over_100_is_an_error(client, october, officer, dental):
    version = open_form(client, officer)
    response = post(client, version, dental_check_pct__value="142")
    assert response.status_code == 400
    assert "142 is not a percentage between 0 and 100" in response.content.decode()
    assert november_value(october, dental) is None


def test_clearing_a_saved_figure_is_an_error_not_a_deletion(client, october, officer, dental, make_value):
    make_value(october, dental, "2020-11", 42)
    version = open_form(client, officer)
    html = client.get(URL).content.decode()
    assert 'name="dental_check_pct-value" value="42"' in html  # the stored figure is shown
    response = post(client, version, dental_check_pct__value="")
    assert response.status_code == 400
    assert november_value(october, dental).value == Decimal(42)


# Unusual figures ----------------------------------------------------------------------------------------


def test_a_percent_jump_of_more_than_25_points_asks_for_confirmation(client, october, officer, dental):
    version = open_form(client, officer)
    response = post(client, version, dental_check_pct__value="29")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please confirm unusual figures" in html
    assert "26 points from 55 last month: more than 25 points." in html
    assert 'name="dental_check_pct-confirm"' in html
    assert '<a href="#dental_check_pct-confirm">Dental checks within 12 months</a>' in html
    assert november_value(october, dental) is None


def test_a_percent_change_of_25_points_is_not_unusual(client, october, officer, dental):
    version = open_form(client, officer)
    assert post(client, version, dental_check_pct__value="30").status_code == 302


def test_a_confirmed_unusual_figure_is_saved_with_the_confirmation_recorded(client, october, officer, dental):
    version = open_form(client, officer)
    post(client, version, dental_check_pct__value="29")
    response = post(client, version, dental_check_pct__value="29", dental_check_pct__confirm="1")
    assert response.status_code == 302
    assert november_value(october, dental).value == Decimal(29)
    record = form_records(october)[0]
    assert record.note == "created; " + CONFIRM_NOTE.format(
        reason="26 points from 55 last month: more than 25 points."
    )
    assert (record.field, record.new, record.username) == ("value", "29", "officer")


def test_a_change_over_three_times_the_median_monthly_change_asks_for_confirmation(
    client, home_authority, officer, cic_count, make_value
):
    for month, value in [("2020-06", 460), ("2020-07", 462), ("2020-08", 461), ("2020-09", 463)]:
        make_value(home_authority, cic_count, month, value)
    make_value(home_authority, cic_count, "2020-10", 462)  # steps 2, 1, 2, 1: the median is 1.5
    version = open_form(client, officer)
    assert post(client, version, cic_count__value="466").status_code == 302  # 4 is not over 4.5
    version = open_form(client, officer)
    response = post(client, version, cic_count__value="476")
    assert response.status_code == 400
    assert "over three times the usual monthly change (1.5)" in response.content.decode()
    response = post(client, version, cic_count__value="476", cic_count__confirm="1")
    assert response.status_code == 302
    assert "usual monthly change (1.5)" in form_records(home_authority)[-1].note


def test_editing_only_the_commentary_of_a_confirmed_figure_asks_nothing_again(
    client, october, officer, dental
):
    version = open_form(client, officer)
    post(client, version, dental_check_pct__value="29", dental_check_pct__confirm="1")
    version = open_form(client, officer)
    response = post(client, version, dental_check_pct__value="29", dental_check_pct__commentary="Backlog")
    assert response.status_code == 302
    assert november_value(october, dental).commentary == "Backlog"


# Two officers at once ----------------------------------------------------------------------------------


def test_a_second_save_of_the_same_month_is_told_of_the_first_and_writes_nothing(
    client, october, officer, dental, cic_count, make_user
):
    colleague = make_user("colleague", "officer", october)
    # The month already has a figure, saved through the form, before either officer opens it.
    version = open_form(client, officer)
    post(client, version, cic_count__value="476")

    mine = open_form(client, officer)
    theirs = open_form(client, colleague)
    assert post(client, theirs, dental_check_pct__value="42", cic_count__value="476").status_code == 302

    client.force_login(officer)
    response = post(client, mine, dental_check_pct__value="40", cic_count__value="470")
    assert response.status_code == 400
    html = response.content.decode()
    assert CONFLICT in html
    conflicts = response.context["result"].conflicts
    assert [(r.username, r.indicator.code, r.field, r.new) for r in conflicts] == [
        ("colleague", "dental_check_pct", "value", "42")
    ]
    assert "Changes saved by others since you opened the form" in html
    assert november_value(october, dental).value == Decimal(42)
    assert november_value(october, cic_count).value == Decimal(476)
    assert not ChangeRecord.objects.filter(username="officer", new__in=["40", "470"]).exists()


def test_a_missing_or_mangled_version_is_a_conflict_not_a_crash(client, october, officer, dental):
    client.force_login(officer)
    for version in ["", "nonsense", "a|b|c"]:
        response = post(client, version, dental_check_pct__value="42")
        assert response.status_code == 400
        assert CONFLICT in response.content.decode()
    assert november_value(october, dental) is None


# After approval -----------------------------------------------------------------------------------------


def test_a_form_change_after_approval_is_marked_revised_until_approved_again(
    client, october, officer, approver, board_member, dental
):
    version = open_form(client, officer)
    post(client, version, dental_check_pct__value="42")
    client.post("/scorecards/838/2020-11/submit/", {"confirm_missing": "1"})
    client.force_login(approver)
    client.post("/scorecards/838/2020-11/approve/")
    approved_at = ScorecardMonth.objects.get(period=NOV).approved_at

    version = open_form(client, officer)
    post(client, version, dental_check_pct__value="44")
    month = ScorecardMonth.objects.get(period=NOV)
    assert (month.state, month.revision, month.approved_at) == (SignOffState.DRAFT, 2, approved_at)

    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert f"revised since approval on {approved_at:%-d %b %Y}" in html
    assert "Revised since approval" in html  # the banner says the month awaits approval again
    # Board members still read the approved figure, in the table, the rating and the history.
    assert "42%" in html and "44%" not in html
    html = client.get("/scorecards/838/2020-11/dental_check_pct/").content.decode()
    history = html.split('id="history-title"')[1].split("</section>")[0]
    assert "<td>42</td>" in history and "<td>44</td>" not in history

    client.force_login(officer)
    client.post("/scorecards/838/2020-11/submit/", {"confirm_missing": "1"})
    client.force_login(approver)
    client.post("/scorecards/838/2020-11/approve/")
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "revised since approval" not in html and "44%" in html
    assert "(revision 2)" in html


def test_board_members_never_see_draft_figures_in_the_change_history(
    client, october, officer, board_member, dental
):
    version = open_form(client, officer)
    post(client, version, dental_check_pct__value="42")
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-11/dental_check_pct/").content.decode()
    assert "Change history" in html
    history = html.split('id="history-title"')[1].split("</section>")[0]
    assert "42" not in history
    client.force_login(officer)
    html = client.get("/scorecards/838/2020-11/dental_check_pct/").content.decode()
    history = html.split('id="history-title"')[1].split("</section>")[0]
    assert "Month-entry form" in history and "<td>42</td>" in history


# A whole Dorset month -----------------------------------------------------------------------------------


def reference_rows(name: str) -> list[dict[str, str]]:
    with (DORSET_REFERENCE / name).open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def as_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def dorset_catalogue(home_authority):
    """The reference authorities, catalogue, benchmarks and targets, and every month before November."""
    for kind in ("authorities", "indicators", "benchmarks", "targets"):
        with (DORSET_REFERENCE / f"{kind}.csv").open("rb") as handle:
            import_file(kind, handle, f"{kind}.csv", route="command")
    earlier = [row for row in reference_rows("values.csv") if row["period"] != "2020-11"]
    import_file("values", io.BytesIO(as_csv(earlier)), "values.csv", route="command")
    for period in sorted({row["period"] for row in earlier}):
        month = datetime.date(int(period[:4]), int(period[5:]), 1)
        month_submit(
            authority=home_authority, period=month, user=None, role=Role.ADMINISTRATOR, confirm_missing=True
        )
        month_approve(authority=home_authority, period=month, user=None, role=Role.ADMINISTRATOR)
    november = [row for row in reference_rows("values.csv") if row["period"] == "2020-11"]
    assert len(november) == Indicator.objects.count() == 56
    return november


def sign_off_and_read_as_board(client, officer, approver, board_member) -> str:
    client.force_login(officer)
    response = client.post("/scorecards/838/2020-11/submit/", {"confirm_missing": "1"}, follow=True)
    assert "submitted for approval" in response.content.decode()
    client.force_login(approver)
    response = client.post("/scorecards/838/2020-11/approve/", follow=True)
    assert "approved: board members can now see it" in response.content.decode()
    client.force_login(board_member)
    assert client.get("/scorecards/838/")["Location"] == "/scorecards/838/2020-11/"
    return client.get("/scorecards/838/2020-11/").content.decode()


def assert_board_sees_november(html: str, november: list[dict[str, str]]) -> None:
    assert "Approved</strong> on" in html
    november_column = [cell for cell in html.split('<td class="num month') if "awaiting approval" in cell]
    assert not november_column  # nothing of November is withheld from the board
    saved = {
        value.indicator.code: value
        for value in MonthlyValue.objects.filter(period=NOV).select_related("indicator")
    }
    assert len(saved) == 56
    for row in november:
        value = saved[row["indicator"]]
        expected = Decimal(row["value"]) if row["value"] else None
        assert (value.value, value.status) == (expected, row["status"]), row["indicator"]
    assert "42%" in html and "Not yet reported" in html


def assert_audit_shows_every_step(authority, route: str, username: str) -> None:
    values = ChangeRecord.objects.filter(authority=authority, period=NOV, kind="value", route=route)
    assert set(values.values_list("username", flat=True)) == {username}
    assert values.filter(field="value").count() == 49 and values.filter(field="status").count() == 7
    steps = list(
        ChangeRecord.objects.filter(authority=authority, period=NOV, kind="month")
        .order_by("pk")
        .values_list("username", "old", "new")
    )
    assert steps == [
        ("officer", "draft", "submitted (revision 1)"),
        ("approver", "submitted", "approved (revision 1)"),
    ]


@needs_shared(DORSET_REFERENCE)
def test_an_officer_enters_a_whole_dorset_month_by_form_and_it_is_signed_off(
    client, dorset_catalogue, home_authority, officer, approver, board_member
):
    november = dorset_catalogue
    data = {}
    for row in november:
        for name in ("value", "numerator", "denominator", "status"):
            data[f"{row['indicator']}-{name}"] = row[name]
    version = open_form(client, officer)
    response = client.post(URL, {"version": version, **data})
    # Some of November's real figures are unusual against the months before: the officer confirms them.
    assert response.status_code == 400
    result = response.context["result"]
    assert not result.errors
    assert set(result.confirmations) == {"dental_check_pct", "sdq_average_score", "adoptions_finalised"}
    assert not MonthlyValue.objects.filter(period=NOV).exists()
    for code in result.confirmations:
        data[f"{code}-confirm"] = "1"
    response = client.post(URL, {"version": version, **data})
    assert response.status_code == 302, response.context["result"].errors
    assert MonthlyValue.objects.filter(period=NOV, authority=home_authority).count() == 56

    html = sign_off_and_read_as_board(client, officer, approver, board_member)
    assert_board_sees_november(html, november)
    assert_audit_shows_every_step(home_authority, "form", "officer")
    confirmed = ChangeRecord.objects.filter(
        period=NOV, field="value", note__contains="unusual figure confirmed"
    )
    assert sorted(confirmed.values_list("indicator__code", flat=True)) == [
        "adoptions_finalised",
        "dental_check_pct",
        "sdq_average_score",
    ]


@needs_shared(DORSET_REFERENCE)
def test_an_officer_uploads_a_whole_dorset_month_and_it_is_signed_off(
    client, settings, tmp_path, dorset_catalogue, home_authority, officer, approver, board_member
):
    settings.MEDIA_ROOT = tmp_path
    november = dorset_catalogue
    client.force_login(officer)
    upload = io.BytesIO(as_csv(november))
    upload.name = "dorset-2020-11.csv"
    response = client.post("/scorecards/838/upload/", {"kind": "values", "file": upload})
    assert response.status_code == 200
    assert "56 new, 0 changed, 0 unchanged" in response.content.decode()
    assert not MonthlyValue.objects.filter(period=NOV).exists()
    response = client.post(
        "/scorecards/838/upload/confirm/",
        {"token": response.context["token"], "digest": response.context["plan"].digest()},
        follow=True,
    )
    assert "Applied dorset-2020-11.csv: created 56, updated 0, unchanged 0." in response.content.decode()

    html = sign_off_and_read_as_board(client, officer, approver, board_member)
    assert_board_sees_november(html, november)
    assert_audit_shows_every_step(home_authority, "upload", "officer")
    client.force_login(officer)
    html = client.get("/scorecards/838/2020-11/dental_check_pct/").content.decode()
    history = html.split('id="history-title"')[1].split("</section>")[0]
    assert "Spreadsheet upload" in history and "Command line" in history
