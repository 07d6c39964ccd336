"""What an approver signs off is what the board sees: snapshots, separated duties, and their safeguards."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import DatabaseError, connection, transaction

from authorities.models import Authority, Role
from scorecards.checks import MISSING_TRIGGER, triggers_check
from scorecards.core.selectors import scorecard_build
from scorecards.entry.selectors import month_review
from scorecards.entry.signoff import (
    OWN_CHANGES,
    MissingFigures,
    SignOffError,
    month_approve,
    month_submit,
)
from scorecards.imports import apply_import, plan_import
from scorecards.models import MonthlyValue, MonthSnapshot, ScorecardMonth, SnapshotFigure

NOV = datetime.date(2020, 11, 1)


@pytest.fixture
def catalogue(make_indicator):
    return [
        make_indicator(code="dental_check_pct", name="Dental checks"),
        make_indicator(code="rha_pct", name="Health assessments"),
        make_indicator(code="cic_count", name="Children in care", unit="count", polarity="neutral"),
    ]


@pytest.fixture
def november(home_authority, catalogue, make_value):
    make_value(
        home_authority, catalogue[0], "2020-11", 42, numerator=21, denominator=50, commentary="Backlog."
    )
    make_value(home_authority, catalogue[2], "2020-11", 470)
    return home_authority


def upload(user, text: str) -> None:
    csv = "authority,indicator,period,value,status,commentary\n" + text
    apply_import(plan_import("values", io.BytesIO(csv.encode()), "values.csv"), user=user, route="upload")


def approve(authority, officer, approver) -> ScorecardMonth:
    month_submit(authority=authority, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    return month_approve(authority=authority, period=NOV, user=approver, role=Role.APPROVER)


# Snapshots ---------------------------------------------------------------------------------------------------


def test_approval_keeps_every_figure_of_the_month_as_a_snapshot(november, officer, approver):
    approve(november, officer, approver)
    snapshot = MonthSnapshot.objects.get(authority=november, period=NOV)
    assert (snapshot.revision, snapshot.approved_by_name) == (1, "approver")
    figures = {figure.indicator.code: figure for figure in snapshot.figures.select_related("indicator")}
    assert set(figures) == {"dental_check_pct", "cic_count"}
    dental = figures["dental_check_pct"]
    assert (dental.value, dental.numerator, dental.denominator, dental.commentary) == (
        Decimal(42),
        Decimal(21),
        Decimal(50),
        "Backlog.",
    )


def test_a_change_behind_the_applications_back_never_reaches_the_board(november, officer, approver):
    approve(november, officer, approver)
    MonthlyValue.objects.filter(authority=november, period=NOV, value=42).update(value=99, commentary="x")
    with connection.cursor() as cursor:  # a data fix in SQL, no audit, no sign-off change
        cursor.execute("UPDATE scorecards_monthlyvalue SET value = 1 WHERE value = 470")
    board = scorecard_build(authority=november, period=NOV)
    assert board.row("dental_check_pct").cells[-1].value == Decimal(42)
    assert board.row("dental_check_pct").cells[-1].commentary == "Backlog."
    assert board.row("cic_count").cells[-1].value == Decimal(470)
    officers = scorecard_build(authority=november, period=NOV, include_drafts=True)
    assert officers.row("dental_check_pct").cells[-1].value == Decimal(99)


def test_a_revision_is_seen_by_the_board_only_once_approved(november, officer, approver, make_user):
    approve(november, officer, approver)
    upload(officer, "838,dental_check_pct,2020-11,44,,\n")
    assert scorecard_build(authority=november, period=NOV).row("dental_check_pct").cells[-1].value == 42
    month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    month_approve(authority=november, period=NOV, user=approver, role=Role.APPROVER)
    assert scorecard_build(authority=november, period=NOV).row("dental_check_pct").cells[-1].value == 44
    assert list(
        MonthSnapshot.objects.filter(authority=november)
        .order_by("revision")
        .values_list("revision", flat=True)
    ) == [1, 2]


@pytest.mark.parametrize("table", ["scorecards_monthsnapshot", "scorecards_snapshotfigure"])
def test_the_database_refuses_to_edit_a_snapshot(november, officer, approver, table):
    approve(november, officer, approver)
    column = "summary" if table == "scorecards_monthsnapshot" else "commentary"
    with (
        pytest.raises(DatabaseError, match="never edited"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET {column} = 'rewritten'")  # noqa: S608 - constant names
    assert not SnapshotFigure.objects.filter(commentary="rewritten").exists()


def test_board_members_are_never_shown_drafts_by_default(november):
    board = scorecard_build(authority=november, period=NOV)
    assert not board.include_drafts
    cell = board.row("dental_check_pct").cells[-1]
    assert cell.value is None and cell.withheld


# Separation of duties ----------------------------------------------------------------------------------------


def test_whoever_changed_a_figure_of_the_revision_cannot_approve_it(november, officer, make_user):
    both = make_user("both", "approver", november)
    upload(both, "838,rha_pct,2020-11,80,,\n")
    month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    with pytest.raises(SignOffError, match="cannot approve"):
        month_approve(authority=november, period=NOV, user=both, role=Role.APPROVER)
    assert ScorecardMonth.objects.get(authority=november, period=NOV).state == "submitted"
    assert not MonthSnapshot.objects.exists()


def test_changes_before_the_last_approval_do_not_bar_an_approver(november, officer, approver, make_user):
    second = make_user("second", "approver", november)
    upload(second, "838,rha_pct,2020-11,80,,\n")
    month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    month_approve(authority=november, period=NOV, user=approver, role=Role.APPROVER)
    upload(officer, "838,rha_pct,2020-11,81,,\n")  # revision 2, changed by the officer only
    month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    month_approve(authority=november, period=NOV, user=second, role=Role.APPROVER)
    assert MonthSnapshot.objects.filter(authority=november).count() == 2


def test_the_approve_page_refuses_an_approver_their_own_changes(client, november, make_user, officer):
    both = make_user("both", "approver", november)
    upload(both, "838,rha_pct,2020-11,80,,\n")
    month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    client.force_login(both)
    html = client.get("/scorecards/838/2020-11/approve/").content.decode()
    assert "you cannot approve it" in html and "Approve November 2020</button>" not in html
    response = client.post("/scorecards/838/2020-11/approve/", follow=True)
    assert OWN_CHANGES in response.content.decode()


# Submitting with gaps, reviewing before approving --------------------------------------------------------------


def test_submitting_with_missing_figures_needs_a_confirmation(november, officer):
    with pytest.raises(MissingFigures) as refused:
        month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER)
    assert (
        str(refused.value)
        == "2 of 3 indicators have a figure for November 2020. Confirm to submit it as it is."
    )
    assert not ScorecardMonth.objects.filter(authority=november, period=NOV, state="submitted").exists()


def test_the_submit_page_asks_for_confirmation_and_lists_what_is_missing(client, november, officer):
    client.force_login(officer)
    response = client.post("/scorecards/838/2020-11/submit/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 of 3 indicators have a figure" in html and "Health assessments" in html
    assert 'name="confirm_missing" value="1"' in html
    assert not ScorecardMonth.objects.filter(authority=november, period=NOV, state="submitted").exists()
    client.post("/scorecards/838/2020-11/submit/", {"confirm_missing": "1"})
    assert ScorecardMonth.objects.get(authority=november, period=NOV).state == "submitted"


def test_a_complete_month_is_submitted_without_a_question(november, officer, catalogue, make_value):
    make_value(november, catalogue[1], "2020-11", None, status="not_yet_reported")
    month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER)
    assert ScorecardMonth.objects.get(authority=november, period=NOV).state == "submitted"


def test_the_approver_reviews_changes_since_the_last_approval_and_the_gaps(
    client, november, officer, approver
):
    approve(november, officer, approver)
    upload(officer, "838,dental_check_pct,2020-11,44,,Caught up.\n")
    month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    review = month_review(authority=november, period=NOV)
    assert [(c.indicator.code, c.field, c.old, c.new) for c in review.changes] == [
        ("dental_check_pct", "value", "42", "44"),
        ("dental_check_pct", "numerator", "21", ""),
        ("dental_check_pct", "denominator", "50", ""),
        ("dental_check_pct", "commentary", "Backlog.", "Caught up."),
    ]
    assert [indicator.code for indicator in review.missing] == ["rha_pct"]
    client.force_login(approver)
    html = client.get("/scorecards/838/2020-11/approve/").content.decode()
    assert "Changed since revision 1 was approved" in html and "Caught up." in html
    assert "2 of 3 indicators have a figure" in html and "Approve November 2020</button>" in html


@pytest.mark.parametrize("persona", ["board_member", "other_council_user"])
def test_the_review_page_is_404_to_readers_and_other_councils(client, november, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/scorecards/838/2020-11/approve/").status_code == 404


def test_the_review_page_sends_anonymous_visitors_to_sign_in(client, november):
    assert client.get("/scorecards/838/2020-11/approve/")["Location"].startswith("/accounts/login/")


# The demo's dates, the cache version, the trigger check ---------------------------------------------------------


def test_the_demo_approvals_carry_the_demos_own_dates(db):
    from scorecards.demo import demo_load

    demo_load()
    month = ScorecardMonth.objects.get(authority__code="838", period=NOV)
    assert (month.approved_at.year, month.approved_at.month, month.approved_at.day) == (2020, 12, 15)
    assert (month.submitted_at.year, month.submitted_at.month, month.submitted_at.day) == (2020, 12, 10)
    snapshot = MonthSnapshot.objects.get(authority__code="838", period=NOV)
    assert snapshot.approved_at == month.approved_at


def test_a_stale_save_of_an_authority_cannot_write_an_old_data_version_back(
    home_authority, make_value, catalogue
):
    stale = Authority.objects.get(pk=home_authority.pk)
    make_value(home_authority, catalogue[0], "2020-11", 42)
    after_write = Authority.objects.get(pk=home_authority.pk).data_version
    assert after_write != stale.data_version
    stale.name = "Dorset Council"
    stale.save()  # writes every column, data_version as read before the write
    saved = Authority.objects.get(pk=home_authority.pk).data_version
    assert saved not in (stale.data_version, after_write)


def test_the_authority_admin_form_has_no_data_version_field(admin_client, home_authority):
    html = admin_client.get(f"/admin/authorities/authority/{home_authority.pk}/change/").content.decode()
    assert 'name="name"' in html and 'name="data_version"' not in html


@pytest.mark.django_db
def test_the_system_check_names_a_missing_trigger():
    assert triggers_check(databases=["default"]) == []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER scorecards_monthlyvalue_version_insert ON scorecards_monthlyvalue")
        else:
            cursor.execute("DROP TRIGGER scorecards_monthlyvalue_version_insert")
    errors = triggers_check(databases=["default"])
    assert [error.id for error in errors] == [MISSING_TRIGGER]
    assert "scorecards_monthlyvalue_version_insert" in errors[0].msg
    with pytest.raises(SystemCheckError):
        call_command("check", "--database", "default")
