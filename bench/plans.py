"""Plans for the plan page and meeting pack measurements, written with ``bulk_create`` through the plan models.

A plan is a set of actions grouped by the priority each answers, each action with its dated updates (status and
progress, never overwritten: ``ActionUpdate``) and the scorecard indicators that evidence it (the actions'
``indicators``). Deterministic: the same seed and code give the same rows. The measurements write them inside
a transaction they roll back, so the benchmark database stays the generated data set.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from authorities.models import Authority
from scorecards.models import Action, ActionStatus, ActionUpdate, Meeting, Plan, PlanSource

ACTIONS_PER_PRIORITY = 10
#: Statuses an update may record, the later ones as likely as an inspection plan's are.
STATUSES = (
    ActionStatus.ON_TRACK,
    ActionStatus.ON_TRACK,
    ActionStatus.AT_RISK,
    ActionStatus.OFF_TRACK,
    ActionStatus.NOT_STARTED,
    ActionStatus.COMPLETE,
)
OWNERS = (
    "Head of Service, Children in Care",
    "Virtual School Head",
    "Designated Nurse for Looked After Children",
    "Head of Fostering",
    "Leaving Care Service Manager",
)
PROGRESS = (
    "Audit of {n} case files completed; findings reported to the performance board.",
    "Training for social workers delivered to {n} staff; impact to be checked at the next audit.",
    "New tracking summary goes to the monthly leadership meeting; {n} cases reviewed so far.",
    "Recruitment campaign under way: {n} enquiries this quarter, assessments booked.",
    "Delayed: the provider market offers few options; escalated to the commissioning board.",
)


@dataclass(frozen=True)
class PlanSize:
    actions: int
    updates_per_action: int
    #: action-to-indicator links, spread over the actions in turn (at most the catalogue's size per action)
    evidence_links: int

    @property
    def updates(self) -> int:
        return self.actions * self.updates_per_action


LARGE = PlanSize(actions=200, updates_per_action=10, evidence_links=300)
REALISTIC = PlanSize(actions=20, updates_per_action=10, evidence_links=30)


def plan_create(
    *,
    authority: Authority,
    code: str,
    size: PlanSize,
    indicator_ids: list[int],
    start: datetime.date,
    seed: int,
) -> Plan:
    """A plan of ``size``: updates every 30 days from ``start``, due dates around its end, some overdue."""
    rng = random.Random(f"{seed}:plan:{authority.code}:{code}")
    plan = Plan.objects.create(
        authority=authority,
        code=code,
        title=f"Improvement plan {code}: recommendations of the inspection of services for children in care",
        source=PlanSource.IMPROVEMENT_PLAN,
        source_date=start,
        owner="Director of Children's Services",
    )
    span = 30 * size.updates_per_action
    actions = Action.objects.bulk_create(
        Action(
            plan=plan,
            code=f"P{number // ACTIONS_PER_PRIORITY + 1}.{number % ACTIONS_PER_PRIORITY + 1}",
            priority=f"Priority {number // ACTIONS_PER_PRIORITY + 1}: stability and permanence for children in care",
            title=f"Action {number + 1}: make sure every child's plan is reviewed on time and acted upon",
            owner=rng.choice(OWNERS),
            due=start + datetime.timedelta(days=rng.randint(span // 2, span + 180)),
        )
        for number in range(size.actions)
    )
    ActionUpdate.objects.bulk_create(_updates(rng, actions, size.updates_per_action, start))
    through = Action.indicators.through
    through.objects.bulk_create(
        through(
            action_id=actions[link % len(actions)].pk,
            indicator_id=indicator_ids[
                (link % len(actions) + 17 * (link // len(actions))) % len(indicator_ids)
            ],
        )
        for link in range(size.evidence_links)
    )
    return plan


def _updates(rng: random.Random, actions: list[Action], count: int, start: datetime.date):
    for action in actions:
        progress = ""
        for step in range(count):
            # About a quarter of updates carry the previous progress forward, as officers often do.
            if not progress or rng.random() > 0.25:
                progress = rng.choice(PROGRESS).format(n=step * 3 + 2)
            yield ActionUpdate(
                action=action,
                as_of=start + datetime.timedelta(days=30 * step),
                status=rng.choice(STATUSES),
                progress=progress,
            )


def meeting_create(
    *, authority: Authority, plans: list[Plan], date: datetime.date, period: datetime.date
) -> Meeting:
    meeting = Meeting.objects.create(
        authority=authority, date=date, title="Corporate parenting board", period=period
    )
    meeting.plans.set(plans)
    return meeting
