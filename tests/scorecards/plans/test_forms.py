"""Officers keep plans and actions by form and by upload, under the same rules as an import, audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scorecards.models import Action, ActionUpdate, ChangeRecord, Plan
from scorecards.plans import messages

from .conftest import ACTION_HEADER, PLAN_HEADER, action_row, csv_bytes

ACTION_FORM = {
    "priority": "Line of enquiry 3",
    "title": "Run panels to one standard",
    "owner": "Head of Service",
    "due": "2019-09-30",
    "status": "on_track",
    "progress": "Agenda agreed.",
    "as_of": "2019-06-01",
}


def test_an_officer_adds_a_plan_by_form(client, home_authority, officer):
    client.force_login(officer)
    response = client.post(
        "/plans/838/new/",
        {
            "plan": "visit-2020",
            "title": "Focused visit",
            "source": "ofsted_visit",
            "source_date": "",
            "owner": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/plans/838/visit-2020/"
    plan = Plan.objects.get()
    assert (plan.code, plan.source) == ("visit-2020", "ofsted_visit")
    record = ChangeRecord.objects.get(kind="plan", field="title")
    assert (record.route, record.username, record.new) == ("plan", "officer", "Focused visit")
    assert record.get_route_display() == "Plan and action forms"


@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        ({"plan": "visit 2020"}, "plan", "is not a plan code"),
        ({"plan": "questions"}, "plan", "address of a page"),
        ({"title": ""}, "title", "a value is required"),
        ({"source_date": "2020-02-30"}, "source_date", "is not a date that exists"),
        ({"source": "gossip"}, "source", "is not a source of a plan"),
    ],
)
def test_a_bad_plan_form_names_the_field_and_writes_nothing(
    client, home_authority, officer, cells, column, words
):
    client.force_login(officer)
    data = {
        "plan": "visit-2020",
        "title": "Focused visit",
        "source": "ofsted_visit",
        "source_date": "",
        "owner": "",
    }
    response = client.post("/plans/838/new/", {**data, **cells})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_{column}"' in html and words in html.replace("&#x27;", "'")
    assert not Plan.objects.exists()


def test_an_officer_adds_then_updates_an_action_and_history_is_kept(client, peer_plan, officer):
    client.force_login(officer)
    response = client.post(
        "/plans/838/peer-2018/add-action/",
        {**ACTION_FORM, "action": "K3.2", "indicators": ["permanence_plan_pct"]},
    )
    assert response.status_code == 302 and response["Location"] == "/plans/838/peer-2018/#action-K3.2"
    action = Action.objects.get(code="K3.2")
    assert list(action.indicators.values_list("code", flat=True)) == ["permanence_plan_pct"]
    form = client.get("/plans/838/peer-2018/actions/K3.2/").content.decode()
    assert "Agenda agreed." in form and 'value="permanence_plan_pct" checked' in form
    response = client.post(
        "/plans/838/peer-2018/actions/K3.2/",
        {**ACTION_FORM, "action": "IGNORED", "status": "at_risk", "progress": "", "as_of": "2019-07-01",
         "indicators": ["permanence_plan_pct"]},
    )  # fmt: skip
    assert response.status_code == 302
    history = list(action.updates.order_by("as_of").values_list("as_of", "status", "progress"))
    assert history == [
        (datetime.date(2019, 6, 1), "on_track", "Agenda agreed."),
        (datetime.date(2019, 7, 1), "at_risk", "Agenda agreed."),
    ]
    assert ChangeRecord.objects.filter(kind="action", field="status", route="plan", new="at_risk").exists()


def test_an_earlier_as_of_in_the_form_is_refused_with_the_reason(client, peer_plan, officer):
    client.force_login(officer)
    response = client.post(
        "/plans/838/peer-2018/actions/K4.10/",
        {**ACTION_FORM, "status": "complete", "as_of": "2019-04-01", "indicators": []},
    )
    assert response.status_code == 400
    expected = messages.AS_OF_BEFORE_LATEST.format(value="2019-04-01", latest="2019-04-15")
    assert expected.replace("'", "&#x27;") in response.content.decode()
    assert ActionUpdate.objects.filter(action__code="K4.10").count() == 2


def test_a_long_progress_text_in_the_form_is_refused(client, peer_plan, officer):
    client.force_login(officer)
    response = client.post(
        "/plans/838/peer-2018/add-action/", {**ACTION_FORM, "action": "K3.3", "progress": "x" * 20_000}
    )
    assert response.status_code == 400
    assert "20000 characters is too long; at most 5000 are allowed" in response.content.decode()
    assert not Action.objects.filter(code="K3.3").exists()


def test_an_unknown_action_is_404(client, peer_plan, officer):
    client.force_login(officer)
    assert client.get("/plans/838/peer-2018/actions/Z9/").status_code == 404


def _upload(client, kind, content):
    return client.post(
        "/scorecards/838/upload/", {"kind": kind, "file": SimpleUploadedFile(f"{kind}.csv", content)}
    )


def test_the_upload_page_previews_and_applies_plans_and_actions(
    client, home_authority, evidence_indicators, officer
):
    client.force_login(officer)
    page = client.get("/scorecards/838/upload/").content.decode()
    assert 'value="plans"' in page and 'value="actions"' in page
    response = _upload(
        client, "plans", csv_bytes(PLAN_HEADER, [("838", "peer-2018", "Peer review", "peer_review", "", "")])
    )
    assert response.status_code == 200 and "1 new, 0 changed, 0 unchanged" in response.content.decode()
    client.post(
        "/scorecards/838/upload/confirm/",
        {"token": response.context["token"], "digest": response.context["plan"].digest()},
    )
    assert Plan.objects.filter(code="peer-2018").exists()
    response = _upload(client, "actions", csv_bytes(ACTION_HEADER, [action_row()]))
    assert response.status_code == 200
    client.post(
        "/scorecards/838/upload/confirm/",
        {"token": response.context["token"], "digest": response.context["plan"].digest()},
    )
    assert Action.objects.filter(code="K1.1").exists()
    assert ChangeRecord.objects.filter(kind="action", route="upload").exists()


def test_an_upload_naming_another_authority_is_refused(client, home_authority, other_authority, officer):
    client.force_login(officer)
    response = _upload(
        client, "plans", csv_bytes(PLAN_HEADER, [("839", "theirs", "Theirs", "other", "", "")])
    )
    assert response.status_code == 400
    assert not Plan.objects.exists()


def test_the_upload_templates_of_plans_and_actions_have_the_contract_s_columns(
    client, home_authority, officer
):
    client.force_login(officer)
    plans = client.get("/scorecards/838/upload/template/plans.csv").content.decode().splitlines()
    actions = client.get("/scorecards/838/upload/template/actions.csv").content.decode().splitlines()
    assert plans[0] == ",".join(PLAN_HEADER)
    assert actions[0] == ",".join(ACTION_HEADER) and actions[1].startswith("838,peer-2018,K1.1,")
