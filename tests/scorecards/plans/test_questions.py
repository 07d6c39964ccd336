"""The board's challenge: every role asks, officers answer, anyone closes; own authority only."""

from __future__ import annotations

import datetime

import pytest

from scorecards.models import ChangeRecord, Question, QuestionState
from scorecards.plans import messages
from scorecards.plans.services import TEXT_LIMIT

QUESTIONS = "/plans/838/questions/"


def _ask(client, subject, text="Why has this worsened?"):
    return client.post(QUESTIONS, {"subject": subject, "text": text})


@pytest.mark.parametrize("persona", ["board_member", "officer", "approver", "administrator"])
@pytest.mark.parametrize(
    ("subject", "field"),
    [
        ("indicator:permanence_plan_pct", "indicator"),
        ("action:peer-2018/K4.9", "action"),
        ("month:2019-05", "period"),
    ],
)
def test_every_role_can_ask_about_an_indicator_an_action_or_a_month(
    client, request, peer_plan, persona, subject, field
):
    client.force_login(request.getfixturevalue(persona))
    response = _ask(client, subject)
    assert response.status_code == 302 and response["Location"] == QUESTIONS
    question = Question.objects.get()
    assert question.state == QuestionState.OPEN and getattr(question, field) is not None
    assert ChangeRecord.objects.filter(kind="question", field="state", new="open", route="plan").count() == 1
    assert messages.QUESTION_ASKED in client.get(QUESTIONS).content.decode()


@pytest.mark.parametrize(
    ("subject", "text", "message"),
    [
        ("month:2019-05", "", messages.QUESTION_EMPTY),
        ("month:2019-05", "   \n ", messages.QUESTION_EMPTY),
        (
            "month:2019-05",
            "x" * (TEXT_LIMIT + 1),
            messages.TEXT_TOO_LONG.format(length=TEXT_LIMIT + 1, limit=TEXT_LIMIT),
        ),
        ("month:2019-05", "a\x00b", "NUL character"),
        ("", "Why?", messages.QUESTION_SUBJECT_MISSING),
        ("month:2019-13", "Why?", messages.QUESTION_SUBJECT_MISSING),
        ("action:peer-2018/K9.9", "Why?", messages.QUESTION_SUBJECT_UNKNOWN),
        ("indicator:no_such", "Why?", messages.QUESTION_SUBJECT_UNKNOWN),
    ],
)
def test_bad_questions_are_refused_with_a_clear_message(
    client, peer_plan, board_member, subject, text, message
):
    client.force_login(board_member)
    response = _ask(client, subject, text)
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not Question.objects.exists()


def test_a_question_of_exactly_the_limit_is_accepted(client, peer_plan, board_member):
    client.force_login(board_member)
    assert _ask(client, "month:2019-05", "x" * TEXT_LIMIT).status_code == 302


@pytest.fixture
def open_question(client, peer_plan, board_member):
    client.force_login(board_member)
    _ask(client, "action:peer-2018/K4.9", "When will this finish?")
    client.logout()
    return Question.objects.get()


def test_an_officer_answers_and_the_question_is_answered(client, open_question, officer, board_member):
    client.force_login(officer)
    response = client.post(f"{QUESTIONS}{open_question.pk}/answer/", {"answer": "By September."})
    assert response.status_code == 302 and response["Location"].endswith(f"#question-{open_question.pk}")
    open_question.refresh_from_db()
    assert (open_question.state, open_question.answer) == ("answered", "By September.")
    assert open_question.answered_at is not None and open_question.answered_by == officer
    client.force_login(board_member)
    html = client.get(QUESTIONS).content.decode()
    assert "By September." in html and "answered after 0 days" in html


def test_a_board_member_cannot_answer(client, open_question, board_member):
    client.force_login(board_member)
    assert client.post(f"{QUESTIONS}{open_question.pk}/answer/", {"answer": "Me!"}).status_code == 404
    open_question.refresh_from_db()
    assert open_question.state == "open" and open_question.answer == ""
    assert "Save the answer" not in client.get(QUESTIONS).content.decode()


def test_an_empty_answer_is_refused(client, open_question, officer):
    client.force_login(officer)
    client.post(f"{QUESTIONS}{open_question.pk}/answer/", {"answer": "  "})
    open_question.refresh_from_db()
    assert open_question.state == "open"
    assert messages.ANSWER_EMPTY in client.get(QUESTIONS).content.decode()


def test_anyone_of_the_council_closes_and_a_closed_question_takes_no_answer(
    client, open_question, board_member, officer
):
    client.force_login(board_member)
    assert client.post(f"{QUESTIONS}{open_question.pk}/close/").status_code == 302
    open_question.refresh_from_db()
    assert open_question.state == "closed" and open_question.closed_at is not None
    client.force_login(officer)
    client.post(f"{QUESTIONS}{open_question.pk}/answer/", {"answer": "Late."})
    open_question.refresh_from_db()
    assert open_question.answer == ""
    assert "cannot be answered" in client.get(QUESTIONS).content.decode()


def test_another_council_s_user_can_neither_see_ask_answer_nor_close(
    client, open_question, other_council_user
):
    client.force_login(other_council_user)
    assert client.get(QUESTIONS).status_code == 404
    assert _ask(client, "month:2019-05").status_code == 404
    assert client.post(f"{QUESTIONS}{open_question.pk}/answer/", {"answer": "x"}).status_code == 404
    assert client.post(f"{QUESTIONS}{open_question.pk}/close/").status_code == 404
    open_question.refresh_from_db()
    assert open_question.state == "open"


def test_a_question_of_another_authority_is_404_at_your_own_address(
    client, peer_plan, make_user, other_authority, officer
):
    other = Question.objects.create(
        authority=other_authority, text="Theirs", asked_at=datetime.datetime(2019, 5, 1, tzinfo=datetime.UTC),
        period=datetime.date(2019, 5, 1),
    )  # fmt: skip
    client.force_login(officer)
    assert client.post(f"{QUESTIONS}{other.pk}/answer/", {"answer": "x"}).status_code == 404
    assert client.post(f"{QUESTIONS}{other.pk}/close/").status_code == 404


def test_open_questions_show_their_age_and_count_on_the_plan(
    client, open_question, board_member, monkeypatch
):
    from scorecards.plans import selectors

    asked = open_question.asked_at.date()
    monkeypatch.setattr(selectors, "today", lambda: asked + datetime.timedelta(days=12))
    client.force_login(board_member)
    assert "open 12 days" in client.get(QUESTIONS).content.decode()
    html = client.get("/plans/838/peer-2018/").content.decode()
    assert "1 open question</a> on these actions" in html
    assert "1 question from the board is open" in client.get("/plans/838/").content.decode()


def test_a_link_from_an_action_chooses_it_in_advance(client, peer_plan, board_member):
    client.force_login(board_member)
    html = client.get(QUESTIONS, {"subject": "action:peer-2018/K4.9"}).content.decode()
    assert '<option value="action:peer-2018/K4.9" selected>' in html


def test_the_text_of_a_question_is_escaped(client, peer_plan, board_member):
    client.force_login(board_member)
    _ask(client, "month:2019-05", "<img src=x onerror=alert(1)>")
    html = client.get(QUESTIONS).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
