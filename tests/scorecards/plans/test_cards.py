"""The plan page's action cards: values prepared once, lines shared by the cards that show them alike."""

from __future__ import annotations

import datetime

import pytest

from .conftest import ACTION_HEADER, action_row, run_import


def _card(html: str, code: str) -> str:
    start = html.index(f'id="action-{code}"')
    return html[start : html.index("</article>", start)]


def test_an_evidence_line_shows_under_every_action_citing_it(
    client, peer_plan, board_member, today, evidence_indicators, make_value, approve_month
):
    make_value(peer_plan.authority, evidence_indicators[0], "2019-05", 70)
    approve_month(peer_plan.authority, datetime.date(2019, 5, 1))
    run_import(
        "actions",
        ACTION_HEADER,
        [action_row("K4.10", status="on_track", progress="Started.", as_of="2019-04-15", indicators="permanence_plan_pct")],
    )  # fmt: skip
    client.force_login(board_member)
    html = client.get("/plans/838/peer-2018/").content.decode()
    link = 'href="/scorecards/838/2019-05/permanence_plan_pct/">Permanence plans</a>'
    for code in ("K4.9", "K4.10"):
        assert link in _card(html, code) and "70%" in _card(html, code)
    assert "Three or more placements" in _card(html, "K4.9")
    assert "Three or more placements" not in _card(html, "K4.10")
    assert "Evidence from the scorecard" not in _card(html, "K2.1")


def test_progress_keeps_its_line_breaks_and_is_escaped(client, peer_plan, board_member, today):
    run_import(
        "actions",
        ACTION_HEADER,
        [action_row("K2.1", status="complete", progress="Done.\n<b>Signed off</b>", as_of="2019-05-01")],
    )
    client.force_login(board_member)
    card = _card(client.get("/plans/838/peer-2018/").content.decode(), "K2.1")
    assert "Done.<br>&lt;b&gt;Signed off&lt;/b&gt;" in card
    assert "<summary>History: 2 updates</summary>" in card
    assert "No progress recorded." in _card(client.get("/plans/838/peer-2018/").content.decode(), "K4.9")


@pytest.mark.parametrize(("persona", "can_update"), [("officer", True), ("board_member", False)])
def test_each_card_links_to_ask_about_and_for_officers_to_update_its_action(
    client, request, peer_plan, today, persona, can_update
):
    client.force_login(request.getfixturevalue(persona))
    card = _card(client.get("/plans/838/peer-2018/").content.decode(), "K4.10")
    assert 'href="/plans/838/questions/?subject=action:peer-2018/K4.10#ask"' in card
    assert ('href="/plans/838/peer-2018/actions/K4.10/">Update this action' in card) is can_update
    assert '<span class="symbol" aria-hidden="true">●</span> On track</span>' in card


def test_the_history_lists_each_update_and_says_when_progress_is_carried_forward(
    client, peer_plan, board_member, today
):
    run_import(
        "actions",
        ACTION_HEADER,
        [action_row("K4.10", status="at_risk", progress="Started.", as_of="2019-05-20")],
    )
    client.force_login(board_member)
    card = _card(client.get("/plans/838/peer-2018/").content.decode(), "K4.10")
    history = card[card.index('<ol class="history-list">') : card.index("</ol>")]
    assert history.count("<li>") == 3 and "<summary>History: 3 updates</summary>" in card
    assert (
        '<li><strong>1 Mar 2019</strong> · <span class="status status-not_started"><span aria-hidden="true">○'
        "</span> Not started</span><br>Planned.</li>"
    ) in history
    assert history.index("1 Mar 2019") < history.index("15 Apr 2019") < history.index("20 May 2019")
    assert history.endswith('At risk</span><br><span class="repeat">Progress unchanged.</span></li>')


def test_a_card_counts_its_open_questions(client, peer_plan, board_member, today):
    from scorecards.models import Action, Question

    action = Action.objects.get(plan=peer_plan, code="K4.9")
    for text in ("When?", "Who?"):
        Question.objects.create(
            authority=peer_plan.authority,
            action=action,
            text=text,
            asked_at=datetime.datetime(2019, 6, 1, tzinfo=datetime.UTC),
        )
    client.force_login(board_member)
    html = client.get("/plans/838/peer-2018/").content.decode()
    assert '<a href="/plans/838/questions/">2 open questions</a>' in _card(html, "K4.9")
    assert "open question" not in _card(html, "K4.10")
