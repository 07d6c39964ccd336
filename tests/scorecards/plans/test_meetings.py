"""Meetings and their board pack: the cover names the meeting and who produced it; plan progress (overdue and
red first) and the challenge log come before the scorecard pages. Rendered for real, in process."""

from __future__ import annotations

import datetime
import time

import pytest
from django.utils import timezone

from scorecards.models import BoardPack, Meeting, PackState, Question
from scorecards.plans import messages
from scorecards.plans.meetings import meeting_pack_build
from tests.scorecards.packs.test_packs import _packs_in_tmp_and_tasks_in_process  # noqa: F401 - autouse
from tests.scorecards.packs.test_pdf import pdf_text

LONDON = timezone.get_fixed_timezone(0)


def _at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T12:00:00+00:00")


@pytest.fixture
def board_story(peer_plan, evidence_indicators, make_value, approve_month, board_member, officer):
    """May 2019 approved; a meeting in March and one in July; questions answered before and after March."""
    authority = peer_plan.authority
    for month, value in [("2019-04", 60), ("2019-05", 70)]:
        make_value(authority, evidence_indicators[0], month, value)
        approve_month(authority, datetime.date(2019, int(month[5:]), 1))
    for day, title, period in [
        ("2019-03-12", "Board, March 2019", "2019-01-01"),
        ("2019-07-10", "Board, July 2019", "2019-05-01"),
    ]:
        july = Meeting.objects.create(authority=authority, date=day, title=title, period=period)
    july.refresh_from_db()
    july.plans.set([peer_plan])
    action = peer_plan.actions.get(code="K4.9")
    for subject, text, asked, answer, answered in [
        ({"action": action}, "Old question, old answer", "2019-02-01", "Answered in February", "2019-02-20"),
        (
            {"indicator": evidence_indicators[0]},
            "Why did permanence plans dip?",
            "2019-04-02",
            "A recording backlog, now cleared.",
            "2019-04-20",
        ),
        ({"action": action}, "Is K4.9 really on track?", "2019-06-26", "", None),
    ]:
        Question.objects.create(
            authority=authority,
            text=text,
            asked_at=_at(asked),
            asked_by_name="board",
            answer=answer,
            answered_at=_at(answered) if answered else None,
            answered_by_name="officer" if answer else "",
            state="answered" if answer else "open",
            **subject,
        )
    return july  # fmt: skip


def test_an_officer_records_a_meeting_and_a_board_member_cannot(client, peer_plan, officer, board_member):
    data = {"title": "Board, July 2019", "date": "2019-07-10", "period": "2019-05", "plans": ["peer-2018"]}
    client.force_login(board_member)
    assert client.post("/plans/838/meetings/", data).status_code == 404
    assert not Meeting.objects.exists()
    client.force_login(officer)
    response = client.post("/plans/838/meetings/", data)
    meeting = Meeting.objects.get()
    assert response["Location"] == f"/plans/838/meetings/{meeting.pk}/"
    assert list(meeting.plans.values_list("code", flat=True)) == ["peer-2018"]
    assert (meeting.period, meeting.created_by) == (datetime.date(2019, 5, 1), officer)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, messages.MEETING_TITLE_MISSING),
        ({"date": "2019-02-30"}, messages.MEETING_DATE_BAD),
        ({"period": "May 2019"}, messages.MEETING_PERIOD_BAD),
        ({"plans": ["not-ours"]}, messages.MEETING_PLAN_UNKNOWN.format(value="not-ours")),
    ],
)
def test_a_bad_meeting_is_refused_with_a_clear_message(client, peer_plan, officer, changes, message):
    client.force_login(officer)
    data = {"title": "Board", "date": "2019-07-10", "period": "2019-05", **changes}
    response = client.post("/plans/838/meetings/", data)
    assert response.status_code == 400 and message.replace("'", "&#x27;") in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_meeting_pack_reads_the_plans_on_the_meeting_day_and_the_answers_since_the_last_meeting(
    board_story,
):
    pack = meeting_pack_build(meeting=board_story, produced_by="officer", today=datetime.date(2019, 7, 1))
    assert [view.plan.code for view in pack.plans] == ["peer-2018"]
    assert pack.summary == {"red": 1, "amber": 0, "green": 1, "none": 1, "overdue": 1}
    assert [(view.plan.code, action.code) for view, action in pack.needing_attention] == [
        ("peer-2018", "K4.10")
    ]
    assert [item.question.text for item in pack.open_questions] == ["Is K4.9 really on track?"]
    assert pack.open_questions[0].age_days == 14  # 26 June to the meeting on 10 July
    assert [item.question.text for item in pack.answered_since] == ["Why did permanence plans dip?"]
    assert pack.previous.title == "Board, March 2019"


def test_the_meeting_pack_is_made_in_process_with_plans_and_challenge_before_the_scorecard(
    client, board_story, board_member, django_capture_on_commit_callbacks, tmp_path
):
    client.force_login(board_member)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/plans/838/meetings/{board_story.pk}/pack/")
    seconds = time.perf_counter() - started
    pack = BoardPack.objects.get()
    assert response["Location"] == f"/scorecards/838/packs/{pack.pk}/"
    assert pack.state == PackState.DONE, pack.error
    assert pack.meeting == board_story and pack.approval_state == "approved"
    text = pdf_text(pack.file.read(), tmp_path)
    cover = text.index("Board, July 2019, 10 July 2019")
    assert "Produced by board" in text
    progress = text.index("Plan progress at 10 July 2019")
    challenge = text.index("Challenge log", progress)
    headlines = text.index("Headline figures", challenge)
    assert cover < progress < challenge < headlines
    assert text.index("Overdue and red actions (1)") < text.index("Action K4.10") < challenge
    assert "Is K4.9 really on track?" in text and "14 days" in text
    assert "A recording backlog, now cleared." in text and "Answered in February" not in text
    assert pack.page_count >= 6
    print(f"meeting pack: {pack.page_count} pages in {seconds:.2f}s")


def test_board_members_cannot_make_a_meeting_pack_of_a_month_not_approved(client, peer_plan, board_member):
    meeting = Meeting.objects.create(
        authority=peer_plan.authority,
        date=datetime.date(2019, 7, 10),
        title="Board",
        period=datetime.date(2019, 6, 1),
    )
    client.force_login(board_member)
    response = client.post(f"/plans/838/meetings/{meeting.pk}/pack/")
    assert response.status_code == 302 and not BoardPack.objects.exists()


def test_a_pack_without_a_meeting_has_no_plan_pages(board_story, tmp_path):
    from scorecards.core.selectors import scorecard_build
    from scorecards.packs.pdf import pack_html

    scorecard = scorecard_build(authority=board_story.authority, period=datetime.date(2019, 5, 1))
    html = pack_html(scorecard, draft=False)
    assert "Plan progress" not in html and "Challenge log" not in html
