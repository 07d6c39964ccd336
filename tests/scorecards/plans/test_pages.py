"""The plan pages at their stable addresses: who sees them, what they show, and what they refuse."""

from __future__ import annotations

import datetime

import pytest

from scorecards.models import Meeting

PAGES = ["/plans/838/", "/plans/838/peer-2018/", "/plans/838/questions/", "/plans/838/meetings/"]
OFFICER_PAGES = [
    "/plans/838/new/",
    "/plans/838/peer-2018/edit/",
    "/plans/838/peer-2018/add-action/",
    "/plans/838/peer-2018/actions/K4.9/",
]
POST_ONLY = ["/plans/838/questions/1/answer/", "/plans/838/questions/1/close/", "/plans/838/meetings/1/pack/"]
PERSONAS = ["board_member", "officer", "approver", "administrator"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", PAGES)
def test_each_role_of_the_council_sees_the_pages(client, request, peer_plan, today, persona, page):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("page", [*PAGES, *OFFICER_PAGES, "/plans/838/peer-2018/?format=json"])
def test_another_council_s_user_gets_404(client, peer_plan, other_council_user, page):
    client.force_login(other_council_user)
    assert client.get(page).status_code == 404


def test_an_authority_that_does_not_exist_and_a_plan_that_does_not_exist_are_404(
    client, peer_plan, board_member
):
    client.force_login(board_member)
    assert client.get("/plans/999/").status_code == 404
    assert client.get("/plans/838/no-such-plan/").status_code == 404


@pytest.mark.parametrize("page", [*PAGES, *OFFICER_PAGES, *POST_ONLY])
def test_anonymous_visitors_are_sent_to_sign_in(client, peer_plan, page):
    response = client.post(page) if page in POST_ONLY else client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_pages_reject_the_wrong_method(client, peer_plan, board_member, page, method):
    client.force_login(board_member)
    assert getattr(client, method)(page).status_code == 405


@pytest.mark.parametrize("page", ["/plans/838/", "/plans/838/peer-2018/"])
def test_read_only_pages_refuse_a_post(client, peer_plan, board_member, page):
    client.force_login(board_member)
    assert client.post(page).status_code == 405


@pytest.mark.parametrize("page", POST_ONLY)
def test_actions_refuse_a_get(client, peer_plan, officer, page):
    client.force_login(officer)
    assert client.get(page).status_code == 405


@pytest.mark.parametrize("page", OFFICER_PAGES)
def test_officer_forms_are_404_to_board_members_and_open_to_officers(
    client, peer_plan, board_member, officer, page
):
    client.force_login(board_member)
    assert client.get(page).status_code == 404
    assert client.post(page, {"title": "x"}).status_code == 404
    client.force_login(officer)
    assert client.get(page).status_code == 200


def test_the_list_shows_each_plan_with_counts_by_rag_and_overdue(client, peer_plan, board_member, today):
    client.force_login(board_member)
    html = client.get("/plans/838/").content.decode()
    assert 'href="/plans/838/peer-2018/"' in html and "Peer review" in html
    assert "3 actions" in html
    assert "</span> 1</li>" in html  # one of each of red, green and not rated
    assert '<span class="overdue-flag">Overdue</span> 1' in html


def test_the_plan_groups_actions_by_priority_with_status_as_shape_and_word(
    client, peer_plan, board_member, today
):
    client.force_login(board_member)
    html = client.get("/plans/838/peer-2018/").content.decode()
    # Groups come in the order of their first action in the codes' natural order: K2.1, K4.9, K4.10.
    assert html.index("Line of enquiry 2") < html.index("Line of enquiry 4") < html.index("Line of enquiry 1")
    assert html.index('id="action-K2.1"') < html.index('id="action-K4.9"') < html.index('id="action-K4.10"')
    assert '<span class="symbol" aria-hidden="true">●</span> On track</span>' in html
    assert '<span class="symbol" aria-hidden="true">✔</span> Complete</span>' in html
    assert '<span class="overdue-flag">Overdue</span>' in html
    assert "Started." in html and "update of 15 Apr 2019" in html
    assert "<summary>History: 2 updates</summary>" in html and "Planned." in html


def test_evidence_links_each_indicator_to_its_page_with_figure_rag_direction_and_sparkline(
    client, peer_plan, board_member, today, evidence_indicators, make_value, approve_month
):
    permanence = evidence_indicators[0]
    for month, value in [("2019-04", 60), ("2019-05", 70)]:
        make_value(peer_plan.authority, permanence, month, value)
        approve_month(peer_plan.authority, datetime.date(2019, int(month[5:]), 1))
    client.force_login(board_member)
    html = client.get("/plans/838/peer-2018/").content.decode()
    assert 'href="/scorecards/838/2019-05/permanence_plan_pct/">Permanence plans</a>' in html
    assert "70%" in html and 'class="dir dir-improved"' in html and 'class="sparkline"' in html
    assert "Evidence is the scorecard of May 2019" in html


def test_board_members_see_only_approved_figures_as_evidence(
    client, peer_plan, board_member, officer, today, evidence_indicators, make_value
):
    make_value(peer_plan.authority, evidence_indicators[0], "2019-05", 70)
    client.force_login(board_member)
    assert (
        "No month of the scorecard up to this date has figures"
        in client.get("/plans/838/peer-2018/").content.decode()
    )
    client.force_login(officer)
    assert "Evidence is the scorecard of May 2019" in client.get("/plans/838/peer-2018/").content.decode()


def test_as_at_shows_the_plan_as_it_stood(client, peer_plan, board_member, today):
    client.force_login(board_member)
    html = client.get("/plans/838/peer-2018/?as_at=2019-04-01").content.decode()
    assert "Shown as the plan stood on 1 April 2019" in html
    assert "Planned." in html and "Started." not in html
    assert 'value="2019-04-01"' in html
    early = client.get("/plans/838/peer-2018/?as_at=2019-02-01").content.decode()
    assert "No action had been recorded by 1 February 2019" in early


@pytest.mark.parametrize("value", ["2019-02-30", "yesterday", "<script>"])
def test_a_bad_as_at_date_says_so_and_shows_today(client, peer_plan, board_member, today, value):
    client.force_login(board_member)
    response = client.get("/plans/838/peer-2018/", {"as_at": value})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "is not a date that exists" in html and "<script>" not in html.split("<main")[1].split("</main>")[0]
    )


def test_the_plan_downloads_as_json_and_csv(client, peer_plan, board_member, today):
    client.force_login(board_member)
    response = client.get("/plans/838/peer-2018/?as_at=2019-06-30&format=json")
    assert response["Content-Disposition"] == 'attachment; filename="plan-838-peer-2018-2019-06-30.json"'
    assert response.json()["summary"]["overdue"] == 1
    csv_response = client.get("/plans/838/peer-2018/?format=csv")
    assert csv_response.content.decode().startswith("authority,plan,as_of,action,")


def test_the_indicator_page_lists_the_actions_that_cite_it(
    client, peer_plan, board_member, today, evidence_indicators, make_value, approve_month
):
    make_value(peer_plan.authority, evidence_indicators[1], "2019-05", 9)
    approve_month(peer_plan.authority, datetime.date(2019, 5, 1))
    client.force_login(board_member)
    html = client.get("/scorecards/838/2019-05/three_plus_placements_pct/").content.decode()
    assert "Plans that cite this indicator" in html
    assert 'href="/plans/838/peer-2018/#action-K4.9">K4.9 Action K4.9</a>' in html
    assert "K4.10" not in html
    assert "?subject=indicator:three_plus_placements_pct#ask" in html


def test_the_scorecard_links_to_the_authority_s_plans(
    client, peer_plan, board_member, evidence_indicators, make_value, approve_month
):
    make_value(peer_plan.authority, evidence_indicators[0], "2019-05", 70)
    approve_month(peer_plan.authority, datetime.date(2019, 5, 1))
    client.force_login(board_member)
    assert 'href="/plans/838/">Plans</a>' in client.get("/scorecards/838/2019-05/").content.decode()


def test_texts_are_escaped_on_the_page(client, peer_plan, board_member, today):
    from .conftest import ACTION_HEADER, action_row, run_import

    run_import(
        "actions", ACTION_HEADER, [action_row("X1", title="<script>alert(1)</script>", as_of="2019-03-02")]
    )
    client.force_login(board_member)
    html = client.get("/plans/838/peer-2018/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_meetings_list_and_detail(client, peer_plan, board_member, officer):
    meeting = Meeting.objects.create(
        authority=peer_plan.authority, date=datetime.date(2019, 7, 10), title="Board, July 2019",
        period=datetime.date(2019, 5, 1),
    )  # fmt: skip
    client.force_login(board_member)
    assert "Board, July 2019" in client.get("/plans/838/meetings/").content.decode()
    assert "Record a meeting" not in client.get("/plans/838/meetings/").content.decode()
    html = client.get(f"/plans/838/meetings/{meeting.pk}/").content.decode()
    assert "The pack can be made once May 2019 is approved" in html
    client.force_login(officer)
    assert (
        "Make the meeting's board pack" in client.get(f"/plans/838/meetings/{meeting.pk}/").content.decode()
    )
