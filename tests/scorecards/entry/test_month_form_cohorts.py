"""Cohorts on the month form: listed, edited and added with the upload's own rules, audited, signed off.

shared/CONTRACT.md, "Cohorts": a cohort's figure is a ``values`` row with a cohort, keyed by authority,
indicator, period and cohort, never rated; a cohort row needs a figure, never a status (the upload's check).
The form writes through the same service as the headline figures, so a refused save writes nothing at all.
"""

from __future__ import annotations

import datetime
import html as html_text
import re
from decimal import Decimal

import pytest

from authorities.models import Role
from scorecards.entry.cohorts import NEW_COHORT_LISTED, NEW_COHORT_UNNAMED, CohortSlot
from scorecards.entry.selectors import month_review
from scorecards.entry.signoff import figure_count, month_approve, month_submit
from scorecards.imports import messages
from scorecards.models import ChangeRecord, MonthlyValue, ScorecardMonth, SignOffState

NOV = datetime.date(2020, 11, 1)
URL = "/scorecards/838/2020-11/enter/"
PAGE = "/scorecards/838/2020-11/attendance_pct/"
DEVON = "in Devon schools"
OTHERS = "other councils' children in Devon schools"


@pytest.fixture
def attendance(make_indicator):
    return make_indicator(
        code="attendance_pct", name="School attendance", unit="percent", polarity="neutral", decimals=1
    )


@pytest.fixture
def cic_count(make_indicator):
    return make_indicator(code="cic_count", name="Children in care", unit="count", polarity="neutral")


@pytest.fixture
def council(home_authority, attendance, cic_count, make_value):
    """October: headline and two cohorts; November: the headline and one cohort so far."""
    make_value(home_authority, attendance, "2020-10", 85, numerator=85, denominator=100)
    make_value(home_authority, attendance, "2020-10", 80, numerator=40, denominator=50, cohort=DEVON)
    make_value(
        home_authority,
        attendance,
        "2020-10",
        25,
        numerator=5,
        denominator=20,
        cohort=OTHERS,
        commentary="From the virtual school",
    )
    make_value(home_authority, attendance, "2020-11", 86, numerator=86, denominator=100)
    make_value(home_authority, attendance, "2020-11", 82, numerator=41, denominator=50, cohort=DEVON)
    make_value(home_authority, cic_count, "2020-10", 470)
    return home_authority


def slot(cohort: str = "") -> str:
    """The field prefix of one of attendance's cohorts (the new cohort's without a name)."""
    from scorecards.models import Indicator

    return CohortSlot(Indicator.objects.get(code="attendance_pct"), cohort).prefix


def open_form(client, user) -> dict[str, str]:
    """What a browser would send of the form as opened: its version and every field as shown."""
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    data = {"version": response.context["version"]}
    for items in response.context["sections"].values():
        for item in items:
            for figure_item in (item, *item["cohorts"], item["new_cohort"]):
                prefix = figure_item["prefix"]
                data.update({f"{prefix}-{name}": value for name, value in figure_item["values"].items()})
    return data


def post(client, form: dict[str, str], changes: dict[str, str]):
    return client.post(URL, {**form, **changes})


def figure(cohort: str, period=NOV) -> MonthlyValue | None:
    return MonthlyValue.objects.filter(indicator__code="attendance_pct", period=period, cohort=cohort).first()


def labels(html: str) -> dict[str, str]:
    """Each label's text (tags removed) by the id of the field it labels."""
    return {
        target: html_text.unescape(re.sub(r"<[^>]+>", "", text))
        for target, text in re.findall(r'<label for="([^"]+)">(.*?)</label>', html, flags=re.S)
    }


def writes() -> tuple[int, int, int]:
    return MonthlyValue.objects.count(), ChangeRecord.objects.count(), ScorecardMonth.objects.count()


# What the form shows -------------------------------------------------------------------------------------


def test_the_form_lists_each_cohort_of_the_month_or_before_with_its_figures(client, council, officer):
    open_form(client, officer)
    html = client.get(URL).content.decode()
    devon, others, new = slot(DEVON), slot(OTHERS), slot()
    # This month's cohort is filled in; a cohort of October only is listed empty, with its last figure.
    assert f'name="{devon}-numerator" value="41"' in html and f'name="{devon}-denominator" value="50"' in html
    assert f'name="{others}-value" value=""' in html
    assert "Last figure: 25.0% (5 of 20), Oct 2020" in html
    assert (
        html.index(f'id="{devon}-cohort"') < html.index(f'id="{others}-cohort"') < html.index(f'id="{new}"')
    )
    # The headline is the headline's figure, never a cohort's, and so is its last figure.
    assert 'name="attendance_pct-value" value="86"' in html and "Last figure: 85.0% (Oct 2020)" in html
    # An indicator without cohorts offers only a new one; every cohort field is labelled with both names.
    assert 'id="cic_count.new-cohort"' in html and "cic_count.c" not in html
    named = labels(html)
    assert named[f"{devon}-value"] == "Value (%) of School attendance, cohort “in Devon schools”"
    assert named[f"{others}-status"] == f"Status of School attendance, cohort “{OTHERS}”"
    assert named[f"{new}-cohort"] == "Cohort name of a new cohort of School attendance"
    assert named[f"{new}-denominator"] == "Denominator of School attendance, new cohort"
    cohort_fields = re.findall(r'<(?:input|select) [^>]*id="(attendance_pct\.[^"]+)"', html)
    assert len(cohort_fields) == 3 * 4 + 1 and set(cohort_fields) <= set(named)


# Saving ----------------------------------------------------------------------------------------------


def test_an_officer_edits_a_cohort_and_it_is_audited_naming_the_cohort(client, council, officer):
    form = open_form(client, officer)
    # The value shown (82) would disagree with the new count, as in an upload: the officer clears it.
    response = post(client, form, {f"{slot(DEVON)}-value": "", f"{slot(DEVON)}-numerator": "43"})
    assert response.status_code == 302, response.context["result"].errors
    saved = figure(DEVON)
    assert (saved.value, saved.numerator, saved.updated_by) == (Decimal(86), Decimal(43), officer)
    assert figure("").numerator == Decimal(86)  # the headline is untouched
    records = ChangeRecord.objects.filter(route="form", kind="value").order_by("pk")
    assert [(r.object_key, r.field, r.old, r.new, r.username) for r in records] == [
        ("838 attendance_pct 2020-11 (in Devon schools)", "value", "82", "86", "officer"),
        ("838 attendance_pct 2020-11 (in Devon schools)", "numerator", "41", "43", "officer"),
    ]


def test_an_officer_adds_a_cohort_and_fills_in_a_listed_one(client, council, officer):
    form = open_form(client, officer)
    new = slot()
    response = post(
        client,
        form,
        {
            f"{new}-cohort": "  in schools elsewhere ",
            f"{new}-numerator": "3",
            f"{new}-denominator": "12",
            f"{slot(OTHERS)}-value": "30",
        },
    )
    assert response.status_code == 302, response.context["result"].errors
    added = figure("in schools elsewhere")
    assert (added.value, added.numerator, added.denominator, added.status) == (25, 3, 12, "")
    assert figure(OTHERS).value == 30 and figure(OTHERS).commentary == ""
    keys = set(ChangeRecord.objects.filter(route="form").values_list("object_key", flat=True))
    assert keys == {
        "838 attendance_pct 2020-11 (in schools elsewhere)",
        f"838 attendance_pct 2020-11 ({OTHERS})",
    }
    # Saved, the new cohort is listed after the others, in the order first stored.
    html = client.get(URL).content.decode()
    prefixes = [slot(DEVON), slot(OTHERS), slot("in schools elsewhere")]
    assert sorted(prefixes, key=lambda prefix: html.index(f'id="{prefix}-cohort"')) == prefixes


def test_a_cohorts_commentary_from_an_upload_is_kept_when_the_form_changes_its_figure(
    client, council, officer, make_value, attendance
):
    make_value(council, attendance, "2020-11", 20, cohort=OTHERS, commentary="From the virtual school")
    form = open_form(client, officer)
    assert post(client, form, {f"{slot(OTHERS)}-value": "21"}).status_code == 302
    assert (figure(OTHERS).value, figure(OTHERS).commentary) == (21, "From the virtual school")


def test_a_cohort_left_empty_writes_nothing(client, council, officer):
    form = open_form(client, officer)
    before = writes()
    response = post(client, form, {f"{slot(OTHERS)}-value": "", f"{slot()}-cohort": "  "})
    assert response.status_code == 302
    assert writes()[:2] == before[:2] and figure(OTHERS) is None


# Refused input: a message naming the indicator, the cohort and the field; nothing written --------------


def refused(client, officer, fields: dict[str, str]):
    form = open_form(client, officer)
    before = writes()
    response = post(client, form, fields)
    assert response.status_code == 400
    assert writes() == before
    return response


def summary_items(response) -> list[str]:
    return [f"{item['label']}: {item['message']}" for item in response.context["summary"]]


def test_a_cohort_with_a_status_is_refused_as_the_upload_refuses_it(client, council, officer):
    devon = slot(DEVON)
    fields = {
        f"{devon}-value": "",
        f"{devon}-numerator": "",
        f"{devon}-denominator": "",
        f"{devon}-status": "suppressed",
        "cic_count-value": "471",
    }
    response = refused(client, officer, fields)
    message = messages.COHORT_WITH_STATUS.format(cohort=DEVON, status="suppressed")
    assert summary_items(response) == [f"School attendance, cohort “{DEVON}”, cohort: {message}"]
    assert response.context["summary"][0]["anchor"] == f"{slot(DEVON)}-cohort"
    html = response.content.decode()
    assert f'<h4 class="entry-name" id="{slot(DEVON)}-cohort" tabindex="-1">' in html
    assert "cannot carry the status" in html and 'value="471"' in html  # the officer's input is kept


def test_a_cohorts_numerator_over_its_denominator_is_an_error_beside_the_field(client, council, officer):
    devon = slot(DEVON)
    response = refused(client, officer, {f"{devon}-value": "", f"{devon}-numerator": "60"})
    message = messages.NUMERATOR_OVER_DENOMINATOR.format(numerator="60", denominator="50")
    assert summary_items(response) == [f"School attendance, cohort “{DEVON}”, numerator: {message}"]
    html = response.content.decode()
    assert f'id="{devon}-numerator-error">{message}' in html
    assert f'aria-invalid="true" aria-describedby="{devon}-numerator-error"' in html


@pytest.mark.parametrize(
    ("fields", "column", "message"),
    [
        ({"numerator": "3", "denominator": "12"}, "cohort", NEW_COHORT_UNNAMED),
        ({"cohort": "x" * 121, "value": "5"}, "cohort", messages.TOO_LONG.format(length=121, limit=120)),
        ({"cohort": "tab\x07", "value": "5"}, "cohort", None),
        ({"cohort": "new group"}, "value", messages.VALUE_OR_STATUS_REQUIRED),
        ({"cohort": "new group", "value": "120"}, "value", None),
        ({"cohort": "new group", "value": "abc"}, "value", None),
    ],
)
def test_a_bad_new_cohort_is_refused_naming_its_field(client, council, officer, fields, column, message):
    new = slot()
    response = refused(client, officer, {f"{new}-{name}": value for name, value in fields.items()})
    (item,) = response.context["summary"]
    name = fields.get("cohort", "")
    assert item["label"] == f"School attendance, {f'cohort “{name}”' if name else 'new cohort'}, {column}"
    assert item["anchor"] == f"{new}-{column}"
    if message:
        assert item["message"] == message
    html = response.content.decode()
    assert f'<details class="key" id="{new}" open>' in html and f'id="{new}-{column}-error"' in html


def test_a_new_cohort_named_as_a_listed_one_is_sent_to_its_row(client, council, officer):
    response = refused(client, officer, {f"{slot()}-cohort": DEVON, f"{slot()}-value": "50"})
    expected = NEW_COHORT_LISTED.format(indicator="School attendance", cohort=DEVON)
    assert [item["message"] for item in response.context["summary"]] == [expected]


def test_one_bad_cohort_and_a_good_headline_write_nothing(client, council, officer):
    changes = {
        "attendance_pct-value": "87",
        "attendance_pct-numerator": "",
        "attendance_pct-denominator": "",
        f"{slot(DEVON)}-value": "-4",
        f"{slot(DEVON)}-numerator": "",
        f"{slot(DEVON)}-denominator": "",
    }
    response = refused(client, officer, changes)
    assert figure("").value == 86
    assert [item["anchor"] for item in response.context["summary"]] == [f"{slot(DEVON)}-value"]


def test_a_cohort_saved_by_someone_else_since_the_form_opened_is_a_conflict(
    client, council, officer, make_user
):
    form = open_form(client, officer)
    colleagues_form = open_form(client, make_user("colleague", "officer", council))
    devon = {f"{slot(DEVON)}-numerator": "", f"{slot(DEVON)}-denominator": ""}
    assert post(client, colleagues_form, {**devon, f"{slot(DEVON)}-value": "83"}).status_code == 302
    client.force_login(officer)
    response = post(client, form, {**devon, f"{slot(DEVON)}-value": "84"})
    assert response.status_code == 400 and response.context["result"].conflicts
    assert figure(DEVON).value == 83


# Who may -------------------------------------------------------------------------------------------------


def test_only_the_councils_people_who_enter_data_may_post_cohorts(
    client, council, officer, board_member, make_user, other_authority
):
    fields = {**open_form(client, officer), f"{slot()}-cohort": "sneaked", f"{slot()}-value": "5"}
    client.logout()
    assert client.get(URL)["Location"].startswith("/accounts/login/")  # anonymous: to sign in
    assert client.post(URL, fields)["Location"].startswith("/accounts/login/")
    client.force_login(board_member)
    assert client.get(URL).status_code == 404 and client.post(URL, fields).status_code == 404
    client.force_login(make_user("elsewhere", "officer", other_authority))
    assert client.get(URL).status_code == 404 and client.post(URL, fields).status_code == 404
    assert not MonthlyValue.objects.filter(cohort="sneaked").exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_form_refuses_other_methods(client, council, officer, method):
    client.force_login(officer)
    assert getattr(client, method)(URL, f"{slot()}-cohort=x&{slot()}-value=5").status_code == 405
    assert not MonthlyValue.objects.filter(cohort="x").exists()


# Sign-off: drafts for officers, snapshots for the board; a change re-opens an approved month ----------


def cohort_table(html: str) -> str:
    return html.split('id="cohorts-title"')[1].split("</section>")[0] if 'id="cohorts-title"' in html else ""


def test_a_cohort_from_the_form_reaches_the_indicator_page_and_after_approval_the_board(
    client, council, officer, approver, board_member
):
    new = slot()
    form = open_form(client, officer)
    fields = {f"{new}-cohort": "in schools elsewhere", f"{new}-numerator": "3", f"{new}-denominator": "12"}
    assert post(client, form, fields).status_code == 302
    assert "in schools elsewhere" in cohort_table(client.get(PAGE).content.decode())  # a draft, for officers
    client.force_login(board_member)
    assert "in schools elsewhere" not in cohort_table(client.get(PAGE).content.decode())

    month_submit(authority=council, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    month_approve(authority=council, period=NOV, user=approver, role=Role.APPROVER)
    table = cohort_table(client.get(PAGE).content.decode())
    assert "in schools elsewhere" in table and "25.0%" in table


def test_changing_a_cohort_of_an_approved_month_opens_a_revision_the_approver_reviews(
    client, council, officer, approver, approve_month
):
    approve_month(council, NOV)
    form = open_form(client, officer)
    assert (
        post(client, form, {f"{slot(DEVON)}-value": "", f"{slot(DEVON)}-numerator": "42"}).status_code == 302
    )
    month = ScorecardMonth.objects.get(authority=council, period=NOV)
    assert (month.state, month.revision) == (SignOffState.DRAFT, 2)
    reopened = ChangeRecord.objects.get(kind="month", period=NOV)
    assert (reopened.old, reopened.new) == ("approved", "draft (revision 2)")
    changes = [
        (c.indicator.code, c.cohort, c.field, c.old, c.new)
        for c in month_review(authority=council, period=NOV).changes
    ]
    assert changes == [
        ("attendance_pct", DEVON, "value", "82", "84"),
        ("attendance_pct", DEVON, "numerator", "41", "42"),
    ]
    client.force_login(approver)
    html = client.get("/scorecards/838/2020-11/approve/").content.decode()
    assert f"School attendance, cohort “{DEVON}”" in html


def test_a_cohort_is_not_its_indicators_figure_when_counting_the_month(council):
    # November: attendance's headline and one cohort; children in care has no figure.
    assert figure_count(authority=council, period=NOV) == (1, 2)
    review = month_review(authority=council, period=NOV)
    assert [indicator.code for indicator in review.missing] == ["cic_count"]
