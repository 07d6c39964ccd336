"""A plan reads in a fixed number of queries: the same for 20 actions as for 200 (2,000 updates, 300 links)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecards.models import Action, ActionUpdate, Plan, Question

STATUSES = ("not_started", "on_track", "at_risk", "off_track", "complete", "dropped")


@pytest.fixture
def build_plan(home_authority, make_indicator, make_value, approve_month):
    indicators = [make_indicator(code=f"evidence_{number}", position=number) for number in range(12)]
    for indicator in indicators:
        for month in range(1, 6):
            make_value(home_authority, indicator, f"2019-{month:02d}", 40 + month + indicator.pk % 7)
    for month in range(1, 6):
        approve_month(home_authority, datetime.date(2019, month, 1))

    def build(code: str, actions: int) -> Plan:
        plan = Plan.objects.create(
            authority=home_authority, code=code, title=f"Plan {code}", source="strategy"
        )
        Action.objects.bulk_create(
            Action(plan=plan, code=f"K{number // 10}.{number % 10}", priority=f"Priority {number % 7}",
                   title=f"Action {number}", owner="Owner", due=datetime.date(2019, 1 + number % 12, 28))
            for number in range(actions)
        )  # fmt: skip
        created = list(plan.actions.order_by("pk"))
        ActionUpdate.objects.bulk_create(
            ActionUpdate(action=action, as_of=datetime.date(2019, 1, 1) + datetime.timedelta(days=10 * step),
                         status=STATUSES[(index + step) % 6], progress=f"Update {step} of {action.code}.")
            for index, action in enumerate(created)
            for step in range(10)
        )  # fmt: skip
        through = Action.indicators.through
        through.objects.bulk_create(
            through(action_id=action.pk, indicator_id=indicators[(index + extra) % 12].pk)
            for index, action in enumerate(created)
            for extra in range(1 + index % 2)
        )
        for action in created[::10]:
            Question.objects.create(
                authority=home_authority,
                action=action,
                text="Why?",
                asked_at=datetime.datetime(2019, 5, 1, tzinfo=datetime.UTC),
            )
        return plan

    return build


def _count(client, url: str) -> tuple[int, float]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return len(queries), elapsed


@pytest.mark.parametrize("persona", ["board_member", "officer"])
def test_a_plan_page_takes_the_same_queries_for_20_and_200_actions(client, request, build_plan, persona):
    build_plan("small", 20)
    large = build_plan("large", 200)
    assert ActionUpdate.objects.filter(action__plan=large).count() == 2_000
    assert Action.indicators.through.objects.filter(action__plan=large).count() == 300
    client.force_login(request.getfixturevalue(persona))
    client.get("/plans/838/small/")  # warm: sessions, the template loader
    small_queries, _ = _count(client, "/plans/838/small/?as_at=2019-06-30")
    large_queries, seconds = _count(client, "/plans/838/large/?as_at=2019-06-30")
    assert small_queries == large_queries
    print(f"{persona}: plan page {large_queries} queries; 200 actions rendered in {seconds * 1000:.0f} ms")


def test_the_list_the_export_and_the_indicator_page_take_fixed_queries(client, build_plan, board_member):
    build_plan("small", 20)
    client.force_login(board_member)
    client.get("/plans/838/")
    list_small, _ = _count(client, "/plans/838/")
    json_small, _ = _count(client, "/plans/838/small/?format=json")
    indicator_small, _ = _count(client, "/scorecards/838/2019-05/evidence_3/")
    build_plan("large", 200)
    assert _count(client, "/plans/838/")[0] == list_small
    assert _count(client, "/plans/838/large/?format=json")[0] == json_small
    assert _count(client, "/scorecards/838/2019-05/evidence_3/")[0] == indicator_small
