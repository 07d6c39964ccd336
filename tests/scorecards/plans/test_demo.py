"""The demonstration: one plan per seed council, with history, questions and a meeting; safe to load twice."""

from __future__ import annotations

import pytest

from scorecards.demo import DEMO_USERS, demo_load
from scorecards.models import Action, ActionUpdate, Meeting, Plan, Question


@pytest.mark.django_db
def test_the_demo_has_a_plan_per_seed_council_that_says_it_is_illustrative(client):
    demo_load()
    plans = dict(Plan.objects.values_list("authority__code", "code"))
    assert plans == {
        "823": "peer-review-2018",
        "839": "focused-visit-2019",
        "929": "strategy-2019",
        "878": "ilacs-improvement-2020",
    }
    assert Plan.objects.get(authority__code="823").actions.count() == 18  # the five lines' recommendations
    assert ActionUpdate.objects.count() > Action.objects.count()  # later updates, so history shows
    assert (
        Question.objects.filter(state="open").count() == 2
        and Question.objects.filter(state="answered").count() == 1
    )
    assert Meeting.objects.filter(authority__code="839").count() == 2
    roles = {username: codes for username, _role, codes in DEMO_USERS}
    assert {"823", "929", "878", "838", "839"} <= set(roles["board"]) and set(roles["approver"]) == {"838"}

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="board"))
    html = client.get("/plans/823/peer-review-2018/").content.decode()
    assert "owners, due dates, statuses and progress notes are illustrative" in html
    assert "Line of enquiry 5: management and leadership" in html

    updates, questions = ActionUpdate.objects.count(), Question.objects.count()
    summary = demo_load()
    assert "already recorded" in summary
    assert (ActionUpdate.objects.count(), Question.objects.count(), Meeting.objects.count()) == (
        updates,
        questions,
        2,
    )
