"""Reads: an authority's plans, one plan as it stood at a date with its evidence, and who cites an indicator.

Every read runs a fixed number of queries whatever the number of plans, actions, updates and evidence links:
actions, their updates and their indicators are each loaded in one query, and the evidence is one scorecard
(``core.selectors.scorecard_build``) of every indicator the plan cites, so the page, the export and the pack
show the same rows as the scorecard.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from authorities.models import Authority
from scorecards.core import selectors as scorecard_selectors
from scorecards.formatting import RAG_LABELS, RAG_SYMBOLS
from scorecards.models import Action, ActionUpdate, Indicator, Plan, Question, QuestionState
from scorecards.plans import rules
from scorecards.rating import Rag
from scorecards.rows import ScorecardRow

EVIDENCE_MONTHS = 6
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class StatusWords:
    """A status as a shape and a word, for a class whose ``status_code`` is one of ``rules.STATUSES``."""

    status_code: str

    @property
    def status_label(self) -> str:
        return rules.STATUS_LABELS[self.status_code]

    @property
    def status_symbol(self) -> str:
        return rules.STATUS_SYMBOLS[self.status_code]


@dataclass(frozen=True)
class ActionView(StatusWords):
    """One action as it stood at a date, with the scorecard rows that evidence it."""

    action: Action
    state: rules.ActionAt
    evidence: tuple[ScorecardRow, ...] = ()
    open_questions: int = 0

    code = property(lambda self: self.action.code)
    status_code = property(lambda self: self.state.status)
    due_text = property(lambda self: short_date(self.action.due))
    as_of_text = property(lambda self: short_date(self.state.as_of))
    rag = property(lambda self: self.state.rag)
    rag_label = property(lambda self: RAG_LABELS[self.state.rag])
    rag_symbol = property(lambda self: RAG_SYMBOLS[self.state.rag])

    @property
    def history(self) -> list[HistoryEntry]:
        """Each update oldest first, noting where its progress repeats the one before (carried forward)."""
        return [HistoryEntry(update, repeated) for update, repeated in history_repeats(self.state.history)]


@dataclass(frozen=True)
class HistoryEntry(StatusWords):
    update: rules.Update
    repeated: bool

    status_code = property(lambda self: self.update.status)
    as_of_text = property(lambda self: short_date(self.update.as_of))


def history_repeats(updates: tuple[rules.Update, ...]) -> Iterator[tuple[rules.Update, bool]]:
    """Each update with whether its progress repeats the one before it (carried forward)."""
    previous = None
    for update in updates:
        yield update, previous is not None and update.progress == previous
        previous = update.progress


def short_date(day: datetime.date) -> str:
    """1 Jun 2019: written here rather than by the date filter, which a page of 2,000 updates felt."""
    return f"{day.day} {MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class PlanView:
    """A plan as it stood at a date: its actions in the natural order of their codes, and their summary."""

    plan: Plan
    at: datetime.date
    period: datetime.date | None
    actions: tuple[ActionView, ...]
    #: Actions whose first update is after the date: not part of the plan then.
    later: int = 0
    illustrative: bool = False

    @property
    def summary(self) -> dict[str, int]:
        return rules.summary(view.state for view in self.actions)

    @property
    def priorities(self) -> list[tuple[str, list[ActionView]]]:
        """Actions grouped by the finding or priority they answer, groups in the order of their first action."""
        grouped: dict[str, list[ActionView]] = {}
        for view in self.actions:
            grouped.setdefault(view.action.priority, []).append(view)
        return list(grouped.items())

    @property
    def needing_attention(self) -> list[ActionView]:
        """Overdue and red actions, overdue first."""
        return sorted(
            (view for view in self.actions if view.state.overdue or view.rag == Rag.RED),
            key=lambda view: (not view.state.overdue, rules.natural_key(view.code)),
        )

    @property
    def open_questions(self) -> int:
        return sum(view.open_questions for view in self.actions)


@dataclass(frozen=True)
class PlanSummary:
    """One line of an authority's list of plans."""

    plan: Plan
    counts: dict[str, int]
    actions: int
    open_questions: int = 0
    illustrative: bool = False


@dataclass(frozen=True)
class IndicatorAccountability:
    """What the indicator page shows of plans: the actions citing it, and its open questions."""

    actions: list[ActionView] = field(default_factory=list)
    open_questions: int = 0


def today() -> datetime.date:
    from scorecards.imports.plan_kinds import today_in_london

    return today_in_london()


def is_illustrative(plan: Plan) -> bool:
    from scorecards.demo.plans import ILLUSTRATIVE_PLANS

    return (plan.authority.code, plan.code) in ILLUSTRATIVE_PLANS


def _updates_by_action(action_ids) -> dict[int, list[rules.Update]]:
    by_action: dict[int, list[rules.Update]] = defaultdict(list)
    # In the order they were recorded, sorted here: the default ordering would join the action, plan and
    # authority only to sort. ``rules.history_until`` orders them by date, so same-day updates stay as recorded.
    updates = ActionUpdate.objects.filter(action_id__in=action_ids).order_by()
    for _, action_id, as_of, status, progress in sorted(
        updates.values_list("pk", "action_id", "as_of", "status", "progress")
    ):
        by_action[action_id].append(rules.Update(as_of, status, progress))
    return by_action


def _states(actions, at: datetime.date) -> tuple[dict[int, rules.ActionAt], int]:
    updates = _updates_by_action([action.pk for action in actions])
    states, later = {}, 0
    for action in actions:
        state = rules.action_at(updates.get(action.pk, ()), due=action.due, at=at)
        if state is None:
            later += 1
        else:
            states[action.pk] = state
    return states, later


def evidence_period(*, authority: Authority, at: datetime.date, include_drafts: bool) -> datetime.date | None:
    """The newest month the reader may see with figures, on or before the date's month."""
    month = at.replace(day=1)
    periods = scorecard_selectors.periods_with_data(authority=authority, include_drafts=include_drafts)
    return next((period for period in periods if period <= month), None)


def plan_build(
    *,
    plan: Plan,
    at: datetime.date,
    period: datetime.date | None,
    include_drafts: bool = False,
    months: int = EVIDENCE_MONTHS,
    with_evidence: bool = True,
    evidence_series: bool = True,
) -> PlanView:
    """The plan as it stood at ``at``, with each action's evidence from the scorecard at ``period``.

    Fixed queries: actions, updates, cited indicators, open questions, and one scorecard for all evidence.
    Without ``evidence_series`` (the page, whose evidence lines show a figure, its RAG and direction and a
    sparkline of the window) the evidence rows have their SPC icons but no series and no cohorts, as the
    scorecard's grid has: exports and packs, which chart and list them, keep the default.
    """
    actions = sorted(Action.objects.filter(plan=plan), key=lambda a: rules.natural_key(a.code))
    for action in actions:
        action.plan = plan  # known already: no join, and one plan object rather than one per action
    states, later = _states(actions, at)
    cited: dict[int, list[str]] = defaultdict(list)
    for action_id, code in Action.indicators.through.objects.filter(action__plan=plan).values_list(
        "action_id", "indicator__code"
    ):
        cited[action_id].append(code)
    rows: dict[str, tuple[int, ScorecardRow]] = {}
    if with_evidence and period is not None and cited:
        scorecard = scorecard_selectors.scorecard_build(
            authority=plan.authority,
            period=period,
            months=months,
            indicator_codes=sorted({code for codes in cited.values() for code in codes}),
            include_drafts=include_drafts,
            with_cohorts=evidence_series,
            with_series=evidence_series,
        )
        rows = {row.code: (position, row) for position, row in enumerate(scorecard.rows)}
    questions = dict(
        Question.objects.filter(action__plan=plan, state=QuestionState.OPEN)
        .values("action_id")
        .annotate(count=Count("pk"))
        .values_list("action_id", "count")
    )
    views = tuple(
        ActionView(
            action=action,
            state=states[action.pk],
            evidence=tuple(
                row for _, row in sorted(rows[code] for code in cited.get(action.pk, ()) if code in rows)
            ),
            open_questions=questions.get(action.pk, 0),
        )
        for action in actions
        if action.pk in states
    )
    return PlanView(
        plan=plan, at=at, period=period, actions=views, later=later, illustrative=is_illustrative(plan)
    )


def plans_list(*, authority: Authority, at: datetime.date) -> list[PlanSummary]:
    """Every plan of the authority with its counts by RAG and overdue at the date, in code order."""
    plans = list(Plan.objects.filter(authority=authority).select_related("authority"))
    actions = list(Action.objects.filter(plan__authority=authority).only("pk", "plan_id", "due", "code"))
    states, _ = _states(actions, at)
    by_plan: dict[int, list[rules.ActionAt]] = defaultdict(list)
    for action in actions:
        if action.pk in states:
            by_plan[action.plan_id].append(states[action.pk])
    questions = dict(
        Question.objects.filter(action__plan__authority=authority, state=QuestionState.OPEN)
        .values("action__plan_id")
        .annotate(count=Count("pk"))
        .values_list("action__plan_id", "count")
    )
    return [
        PlanSummary(
            plan=plan,
            counts=rules.summary(by_plan.get(plan.pk, ())),
            actions=len(by_plan.get(plan.pk, ())),
            open_questions=questions.get(plan.pk, 0),
            illustrative=is_illustrative(plan),
        )
        for plan in sorted(plans, key=lambda plan: rules.natural_key(plan.code))
    ]


def plan_get(*, authority: Authority, code: str) -> Plan | None:
    return Plan.objects.select_related("authority").filter(authority=authority, code=code).first()


def indicator_accountability(
    *, authority: Authority, indicator: Indicator, at: datetime.date
) -> IndicatorAccountability:
    """The actions of the authority's plans that cite the indicator (as they stand at the date), and how many
    questions about the indicator are open. Three queries."""
    actions = sorted(
        Action.objects.filter(plan__authority=authority, indicators=indicator).select_related("plan"),
        key=lambda action: (rules.natural_key(action.plan.code), rules.natural_key(action.code)),
    )
    states, _ = _states(actions, at)
    open_questions = Question.objects.filter(
        authority=authority, indicator=indicator, state=QuestionState.OPEN
    ).count()
    return IndicatorAccountability(
        actions=[
            ActionView(action=action, state=states[action.pk]) for action in actions if action.pk in states
        ],
        open_questions=open_questions,
    )


def open_question_counts(*, authority: Authority) -> dict[str, int]:
    """How many questions of the authority are open, answered and closed."""
    counts = Question.objects.filter(authority=authority).aggregate(
        **{state: Count("pk", filter=Q(state=state)) for state in QuestionState.values}
    )
    return {state: counts[state] or 0 for state in QuestionState.values}


# Questions ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    """A question with its age: days open so far, or days it waited for its answer."""

    question: Question
    age_days: int

    @property
    def subject(self) -> str:
        question = self.question
        if question.action_id:
            return f"Action {question.action.code} of {question.action.plan.title}"
        if question.indicator_id:
            month = f", {question.period:%B %Y}" if question.period else ""
            return f"{question.indicator.name}{month}"
        return f"Scorecard of {question.period:%B %Y}" if question.period else "The scorecard"


def question_view(question: Question, today_: datetime.date) -> QuestionView:
    asked = timezone.localtime(question.asked_at).date()
    if question.state == QuestionState.OPEN or question.answered_at is None:
        return QuestionView(question, rules.age_in_days(asked, today_))
    return QuestionView(question, rules.age_in_days(asked, timezone.localtime(question.answered_at).date()))


def questions_list(
    *, authority: Authority, today_: datetime.date | None = None
) -> dict[str, list[QuestionView]]:
    """The authority's questions by state: open ones oldest first, answered and closed newest first. One query."""
    today_ = today_ or today()
    grouped: dict[str, list[QuestionView]] = {state: [] for state in QuestionState.values}
    for question in Question.objects.filter(authority=authority).select_related(
        "indicator", "action__plan", "authority"
    ):
        grouped[question.state].append(question_view(question, today_))
    grouped[QuestionState.OPEN].sort(key=lambda view: (view.question.asked_at, view.question.pk))
    return grouped


def question_get(*, authority: Authority, pk: int) -> Question | None:
    return Question.objects.select_related("authority").filter(authority=authority, pk=pk).first()
