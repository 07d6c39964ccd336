"""Sign-off of a month: draft, submitted, approved; who may do what; what a change after approval does."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from authorities.models import Role
from scorecards.core.selectors import scorecard_build
from scorecards.entry.signoff import (
    ALREADY_SUBMITTED,
    NOT_ALLOWED_TO_APPROVE,
    NOT_ALLOWED_TO_SUBMIT,
    NOT_SUBMITTED,
    NOTHING_TO_SUBMIT,
    SignOffError,
    month_approve,
    month_return,
    month_submit,
)
from scorecards.entry.signoff_views import RETURN_NEEDS_REASON
from scorecards.imports import apply_import, plan_import
from scorecards.models import ChangeRecord, MonthlyValue, ScorecardMonth, SignOffState

NOV = datetime.date(2020, 11, 1)
OCT = datetime.date(2020, 10, 1)
ACTIONS = ("submit", "approve", "return")


@pytest.fixture
def dental(make_indicator):
    return make_indicator(code="dental_check_pct", name="Dental checks within 12 months")


@pytest.fixture
def november(home_authority, dental, make_value):
    make_value(home_authority, dental, "2020-10", 55)
    make_value(home_authority, dental, "2020-11", 42)
    return home_authority


def submitted(authority, user) -> ScorecardMonth:
    return month_submit(authority=authority, period=NOV, user=user, role=Role.OFFICER, confirm_missing=True)


def approved(authority, officer, approver) -> ScorecardMonth:
    submitted(authority, officer)
    return month_approve(authority=authority, period=NOV, user=approver, role=Role.APPROVER)


def values_csv(text: str):
    return io.BytesIO(("authority,indicator,period,value,status,commentary\n" + text).encode())


def month_records(authority) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(authority=authority, kind="month").order_by("pk"))


# Services ----------------------------------------------------------------------------------------------


def test_an_officer_submits_a_draft_month(november, officer):
    month = submitted(november, officer)
    assert month.state == SignOffState.SUBMITTED
    assert month.submitted_by == officer and month.submitted_at is not None
    record = month_records(november)[-1]
    assert (record.field, record.old, record.new) == ("state", "draft", "submitted (revision 1)")
    assert (record.route, record.username) == ("sign_off", "officer")


def test_an_approver_approves_a_submitted_month(november, officer, approver):
    month = approved(november, officer, approver)
    assert (month.state, month.revision, month.approved_by) == (SignOffState.APPROVED, 1, approver)
    assert [record.new for record in month_records(november)] == [
        "submitted (revision 1)",
        "approved (revision 1)",
    ]


def test_an_administrator_may_approve(november, officer, administrator):
    submitted(november, officer)
    month = month_approve(authority=november, period=NOV, user=administrator, role=Role.ADMINISTRATOR)
    assert month.state == SignOffState.APPROVED


def test_an_officer_cannot_approve(november, officer):
    submitted(november, officer)
    with pytest.raises(SignOffError, match=NOT_ALLOWED_TO_APPROVE):
        month_approve(authority=november, period=NOV, user=officer, role=Role.OFFICER)
    assert ScorecardMonth.objects.get(authority=november, period=NOV).state == SignOffState.SUBMITTED


def test_a_board_member_cannot_submit(november, board_member):
    with pytest.raises(SignOffError, match=NOT_ALLOWED_TO_SUBMIT):
        month_submit(
            authority=november, period=NOV, user=board_member, role=Role.BOARD_MEMBER, confirm_missing=True
        )
    assert not ScorecardMonth.objects.filter(authority=november, state=SignOffState.SUBMITTED).exists()


def test_a_board_member_cannot_approve(november, officer, board_member):
    submitted(november, officer)
    with pytest.raises(SignOffError, match=NOT_ALLOWED_TO_APPROVE):
        month_approve(authority=november, period=NOV, user=board_member, role=Role.BOARD_MEMBER)


def test_approving_needs_a_submitted_month(november, approver):
    with pytest.raises(SignOffError) as raised:
        month_approve(authority=november, period=NOV, user=approver, role=Role.APPROVER)
    assert str(raised.value) == NOT_SUBMITTED.format(state="draft")


def test_a_month_is_submitted_once(november, officer):
    submitted(november, officer)
    with pytest.raises(SignOffError, match=ALREADY_SUBMITTED):
        submitted(november, officer)


def test_an_approved_unchanged_month_cannot_be_submitted_again(november, officer, approver):
    approved(november, officer, approver)
    with pytest.raises(SignOffError, match=NOTHING_TO_SUBMIT):
        submitted(november, officer)


def test_an_approver_returns_a_submitted_month_with_a_reason(november, officer, approver):
    submitted(november, officer)
    month = month_return(
        authority=november, period=NOV, user=approver, role=Role.APPROVER, reason="Check SDQ"
    )
    assert month.state == SignOffState.DRAFT
    record = month_records(november)[-1]
    assert (record.old, record.new, record.note) == ("submitted", "draft (revision 1)", "Check SDQ")


def test_an_officer_cannot_return_a_month(november, officer):
    submitted(november, officer)
    with pytest.raises(SignOffError, match=NOT_ALLOWED_TO_APPROVE):
        month_return(authority=november, period=NOV, user=officer, role=Role.OFFICER, reason="no")


def test_only_a_submitted_month_can_be_returned(november, approver):
    with pytest.raises(SignOffError):
        month_return(authority=november, period=NOV, user=approver, role=Role.APPROVER, reason="no")


def test_an_upload_to_an_approved_month_makes_a_new_draft_revision(november, officer, approver):
    first = approved(november, officer, approver)
    plan = plan_import("values", values_csv("838,dental_check_pct,2020-11,44,,\n"), "values.csv")
    apply_import(plan, user=officer, route="upload")
    month = ScorecardMonth.objects.get(authority=november, period=NOV)
    assert (month.state, month.revision) == (SignOffState.DRAFT, 2)
    assert month.approved_at == first.approved_at and month.approved_by == approver
    record = month_records(november)[-1]
    assert (record.old, record.new) == ("approved", "draft (revision 2)")
    assert record.note == "data changed by spreadsheet upload"
    assert record.username == "officer"


def test_a_form_save_to_an_approved_month_makes_a_new_draft_revision(
    client, november, officer, approver, dental
):
    approved(november, officer, approver)
    client.force_login(officer)
    page = client.get("/scorecards/838/2020-11/enter/")
    response = client.post(
        "/scorecards/838/2020-11/enter/",
        {"version": page.context["version"], "dental_check_pct-value": "44"},
    )
    assert response.status_code == 302
    month = ScorecardMonth.objects.get(authority=november, period=NOV)
    assert (month.state, month.revision) == (SignOffState.DRAFT, 2)
    assert month_records(november)[-1].note == "data changed by month-entry form"


def test_a_change_to_a_submitted_month_returns_it_to_draft_without_a_new_revision(november, officer):
    submitted(november, officer)
    plan = plan_import("values", values_csv("838,dental_check_pct,2020-11,44,,\n"), "values.csv")
    apply_import(plan, user=officer, route="upload")
    month = ScorecardMonth.objects.get(authority=november, period=NOV)
    assert (month.state, month.revision) == (SignOffState.DRAFT, 1)


def test_an_unchanged_upload_leaves_an_approved_month_approved(november, officer, approver):
    approved(november, officer, approver)
    plan = plan_import("values", values_csv("838,dental_check_pct,2020-11,42,,\n"), "values.csv")
    apply_import(plan, user=officer, route="upload")
    assert ScorecardMonth.objects.get(authority=november, period=NOV).state == SignOffState.APPROVED


def test_revised_values_are_marked_until_the_month_is_approved_again(november, officer, approver, dental):
    approved(november, officer, approver)
    plan = plan_import("values", values_csv("838,dental_check_pct,2020-11,44,,\n"), "values.csv")
    apply_import(plan, user=officer, route="upload")
    scorecard = scorecard_build(authority=november, period=NOV, include_drafts=False)
    cell = scorecard.row("dental_check_pct").cells[-1]
    assert cell.revised_since == ScorecardMonth.objects.get(period=NOV).approved_at
    assert scorecard.month_notes[-1] == "revised" and scorecard.has_revisions

    month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    month = month_approve(authority=november, period=NOV, user=approver, role=Role.APPROVER)
    assert month.revision == 2
    scorecard = scorecard_build(authority=november, period=NOV, include_drafts=False)
    assert scorecard.row("dental_check_pct").cells[-1].revised_since is None
    assert scorecard.month_notes[-1] == "" and not scorecard.has_revisions
    assert scorecard.row("dental_check_pct").cells[-1].value == Decimal(44)


def test_a_month_never_approved_is_withheld_from_board_members_and_marked_draft_for_officers(november):
    for_board = scorecard_build(authority=november, period=NOV, include_drafts=False)
    cell = for_board.row("dental_check_pct").cells[-1]
    assert cell.withheld and cell.value is None
    for_officers = scorecard_build(authority=november, period=NOV, include_drafts=True)
    cell = for_officers.row("dental_check_pct").cells[-1]
    assert cell.draft and cell.value == Decimal(42)
    assert for_officers.month_notes[-1] == "draft"


# Views -------------------------------------------------------------------------------------------------


def action_url(action: str, code: str = "838") -> str:
    return f"/scorecards/{code}/2020-11/{action}/"


@pytest.mark.parametrize("action", ACTIONS)
def test_sign_off_actions_answer_only_post(client, november, approver, action):
    client.force_login(approver)
    # Approving has a review page to read first; the other actions have no page.
    assert client.get(action_url(action)).status_code == (200 if action == "approve" else 405)
    assert client.put(action_url(action)).status_code == 405
    assert not ScorecardMonth.objects.filter(authority=november).exclude(state="draft").exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_sign_off_actions_send_anonymous_visitors_to_sign_in(client, november, action):
    response = client.post(action_url(action))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not ScorecardMonth.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_sign_off_actions_are_404_for_another_council(
    client, november, other_council_user, make_user, action
):
    client.force_login(other_council_user)
    assert client.post(action_url(action)).status_code == 404
    assert client.post(action_url(action, "999")).status_code == 404
    # An approver of another council is no approver here.
    client.force_login(
        make_user("approver-elsewhere", "approver", other_council_user.memberships.get().authority)
    )
    assert client.post(action_url(action), {"reason": "x"}).status_code == 404
    assert not ScorecardMonth.objects.filter(authority=november).exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_sign_off_actions_are_404_for_board_members(client, november, board_member, action):
    client.force_login(board_member)
    assert client.post(action_url(action), {"reason": "x"}).status_code == 404
    assert not ScorecardMonth.objects.filter(authority=november).exists()


def test_submit_view_submits_and_says_so(client, november, officer):
    client.force_login(officer)
    response = client.post(action_url("submit"), follow=True)
    assert response.redirect_chain[0] == ("/scorecards/838/2020-11/", 302)
    assert "November 2020 submitted for approval." in response.content.decode()
    assert ScorecardMonth.objects.get(authority=november, period=NOV).state == SignOffState.SUBMITTED


def test_approve_view_approves_and_board_members_then_see_the_month(
    client, november, officer, approver, board_member
):
    client.force_login(officer)
    client.post(action_url("submit"))
    client.force_login(approver)
    response = client.post(action_url("approve"), follow=True)
    html = response.content.decode()
    assert "November 2020 approved: board members can now see it." in html
    assert "Approved</strong> on" in html
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "42%" in html and "awaiting approval" in html  # October was never approved
    assert "Approved</strong> on" in html


def test_approve_view_tells_an_officer_they_may_not_approve(client, november, officer):
    client.force_login(officer)
    client.post(action_url("submit"))
    response = client.post(action_url("approve"), follow=True)
    assert NOT_ALLOWED_TO_APPROVE in response.content.decode()
    assert ScorecardMonth.objects.get(authority=november, period=NOV).state == SignOffState.SUBMITTED


def test_approve_view_refuses_a_draft_month_with_a_message(client, november, approver):
    client.force_login(approver)
    response = client.post(action_url("approve"), follow=True)
    assert NOT_SUBMITTED.format(state="draft") in response.content.decode()


def test_return_view_needs_a_reason(client, november, officer, approver):
    client.force_login(officer)
    client.post(action_url("submit"))
    client.force_login(approver)
    response = client.post(action_url("return"), {"reason": "  "}, follow=True)
    assert RETURN_NEEDS_REASON in response.content.decode()
    assert ScorecardMonth.objects.get(authority=november, period=NOV).state == SignOffState.SUBMITTED
    response = client.post(action_url("return"), {"reason": "Check the SDQ figure"}, follow=True)
    assert "November 2020 returned to the officers as a draft." in response.content.decode()
    assert ScorecardMonth.objects.get(authority=november, period=NOV).state == SignOffState.DRAFT
    assert month_records(november)[-1].note == "Check the SDQ figure"


def test_scorecard_offers_the_actions_each_role_may_take(client, november, officer, approver, board_member):
    client.force_login(officer)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "Submit November 2020 for approval" in html and "Enter figures for November 2020" in html
    client.post(action_url("submit"))
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "awaiting an approver" in html and "Approve November 2020" not in html
    client.force_login(approver)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "Review and approve November 2020" in html
    client.force_login(board_member)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "Submit November 2020" not in html and "Enter figures" not in html


def test_officers_see_a_revised_month_marked_with_its_approval_date(client, november, officer, approver):
    approved(november, officer, approver)
    ScorecardMonth.objects.filter(period=NOV).update(
        approved_at=timezone.make_aware(datetime.datetime(2020, 12, 3))
    )
    MonthlyValue.objects.filter(period=NOV).update(value=44)  # a change made after approval
    apply_import(
        plan_import("values", values_csv("838,dental_check_pct,2020-11,45,,\n"), "values.csv"),
        user=officer,
        route="upload",
    )
    client.force_login(officer)
    html = client.get("/scorecards/838/2020-11/").content.decode()
    assert "revised since approval on 3 Dec 2020" in html
    assert "revision 2, changed since approval" in html


def test_board_members_read_the_approved_figures_until_a_revision_is_approved(
    november, officer, approver, make_indicator, make_value
):
    children = make_indicator(code="cic_count", section="Headline", unit="count", polarity="neutral")
    make_indicator(code="immunisations_pct")  # no figure for November when it is approved
    make_value(november, children, "2020-10", 470)
    make_value(november, children, "2020-11", 476, commentary="As approved")
    approved(november, officer, approver)
    revision = values_csv(
        "838,dental_check_pct,2020-11,,not_available,Lost\n"
        "838,cic_count,2020-11,478,,Two late entries\n"
        "838,immunisations_pct,2020-11,80,,\n"
    )
    apply_import(plan_import("values", revision, "values.csv"), user=officer, route="upload")
    for_board = scorecard_build(authority=november, period=NOV, include_drafts=False)
    dental = for_board.row("dental_check_pct").cells[-1]
    assert (dental.value, dental.status, dental.commentary) == (Decimal(42), "", "")
    assert dental.revised_since is not None
    children_cell = for_board.row("cic_count").cells[-1]
    assert (children_cell.value, children_cell.commentary) == (Decimal(476), "As approved")
    new_since = for_board.row("immunisations_pct").cells[-1]
    assert new_since.value is None and new_since.text == "–"  # it had no figure when approved
    assert for_board.headlines[0].latest.value == Decimal(476)
    assert for_board.row("dental_check_pct").latest.value == Decimal(42)  # rated on what was approved

    for_officers = scorecard_build(authority=november, period=NOV, include_drafts=True)
    assert for_officers.row("dental_check_pct").cells[-1].status == "not_available"
    assert for_officers.row("cic_count").cells[-1].value == Decimal(478)
    assert for_officers.headlines[0].latest.value == Decimal(478)

    month_submit(authority=november, period=NOV, user=officer, role=Role.OFFICER, confirm_missing=True)
    month_approve(authority=november, period=NOV, user=approver, role=Role.APPROVER)
    for_board = scorecard_build(authority=november, period=NOV, include_drafts=False)
    assert for_board.row("dental_check_pct").cells[-1].status == "not_available"
    assert for_board.row("cic_count").cells[-1].value == Decimal(478)
    assert for_board.row("immunisations_pct").cells[-1].value == Decimal(80)
    assert for_board.headlines[0].latest.value == Decimal(478)
