"""Plans, actions, questions, meetings and pending uploads in the admin: found there, changed only elsewhere."""

from __future__ import annotations

import datetime

import pytest

from scorecards.models import Action, Meeting, PendingUpload, Plan, Question
from scorecards.plans import services

from .conftest import PLAN_HEADER, run_import

MODELS = ["plan", "action", "question", "meeting", "pendingupload"]


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw")


@pytest.fixture
def council_admin(make_user, home_authority):
    return make_user("council-admin", "administrator", home_authority, is_staff=True)


@pytest.fixture
def rows(peer_plan, officer, other_authority):
    """One object of each model for Dorset (838), and a plan of another council."""
    run_import("plans", PLAN_HEADER, [("839", "theirs", "Their plan", "other", "", "")])
    services.question_ask(
        authority=peer_plan.authority, user=officer, text="Why?", indicator_code="permanence_plan_pct"
    )
    services.meeting_create(
        authority=peer_plan.authority,
        user=officer,
        date=datetime.date(2019, 7, 10),
        title="Corporate parenting board",
        period=datetime.date(2019, 5, 1),
        plan_codes=["peer-2018"],
    )
    PendingUpload.objects.create(
        token="t" * 40,
        authority=peer_plan.authority,
        user=officer,
        kind="actions",
        filename="actions.xlsx",
        stored_name="x.xlsx",
        digest="d" * 64,
    )
    return {
        "plan": peer_plan,
        "action": Action.objects.get(plan=peer_plan, code="K4.10"),
        "question": Question.objects.get(),
        "meeting": Meeting.objects.get(),
        "pendingupload": PendingUpload.objects.get(),
    }


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("persona", ["superuser", "council_admin"])
def test_staff_find_them_in_the_admin_shown_read_only(client, request, rows, persona, model):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/admin/scorecards/{model}/?q=a").status_code == 200
    page = client.get(f"/admin/scorecards/{model}/{rows[model].pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("model", MODELS)
def test_nobody_adds_changes_or_deletes_them_in_the_admin(client, rows, superuser, model):
    client.force_login(superuser)
    obj = rows[model]
    assert client.get(f"/admin/scorecards/{model}/add/").status_code == 403
    assert client.post(f"/admin/scorecards/{model}/{obj.pk}/change/", {"title": "x"}).status_code == 403
    assert client.post(f"/admin/scorecards/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/scorecards/{model}/", {"action": "delete_selected", "_selected_action": [obj.pk]})
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_a_council_administrator_sees_only_their_council_s_plans(client, rows, council_admin):
    client.force_login(council_admin)
    response = client.get("/admin/scorecards/plan/")
    assert [plan.code for plan in response.context["cl"].result_list] == ["peer-2018"]
    theirs = Plan.objects.get(code="theirs")
    assert client.get(f"/admin/scorecards/plan/{theirs.pk}/change/").status_code == 302


def test_a_plan_links_to_its_edit_page_and_lists_its_actions(client, rows, superuser):
    client.force_login(superuser)
    html = client.get(f"/admin/scorecards/plan/{rows['plan'].pk}/change/").content.decode()
    assert 'href="/plans/838/peer-2018/edit/"' in html
    assert "K4.10" in html and "K4.9" in html and "K2.1" in html


def test_an_action_shows_its_history_and_evidence_and_links_to_its_edit_page(client, rows, superuser):
    client.force_login(superuser)
    html = client.get(f"/admin/scorecards/action/{rows['action'].pk}/change/").content.decode()
    assert 'href="/plans/838/peer-2018/actions/K4.10/"' in html
    assert "Planned." in html and "Started." in html  # both updates of its history
    evidenced = Action.objects.get(code="K4.9")
    html = client.get(f"/admin/scorecards/action/{evidenced.pk}/change/").content.decode()
    assert "Permanence plans" in html and "Three or more placements" in html  # the indicators evidencing it


def test_the_audit_trail_names_the_plan_and_action_forms(client, home_authority, superuser, officer):
    result = services.plan_save(
        authority=home_authority,
        cells={"plan": "visit-2020", "title": "Visit", "source": "ofsted_visit"},
        user=officer,
    )
    assert result.ok
    client.force_login(superuser)
    html = client.get("/admin/scorecards/changerecord/?route__exact=plan").content.decode()
    assert "Plan and action forms" in html and "838 visit-2020" in html


def test_a_pending_upload_s_confirmation_token_is_not_shown(client, rows, superuser):
    client.force_login(superuser)
    html = client.get(f"/admin/scorecards/pendingupload/{rows['pendingupload'].pk}/change/").content.decode()
    assert "actions.xlsx" in html and "t" * 40 not in html
