"""Writes: plans and actions from forms, questions and their answers, meetings and their packs.

A plan or action saved from a form goes through the import engine as a one-row file of the same kind, so a
form and an upload follow the same rules (history, codes, dates, the as_of order) with the same messages, and
are audited the same way, with the route "Plan and action forms" (``ChangeRoute.PLAN``). Questions and meetings
are audited as ``question`` and ``meeting`` changes by that route too: they are the same pages' forms.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from authorities.models import Authority
from scorecards.audit import Change, changes_record
from scorecards.imports import messages as import_messages
from scorecards.imports.service import apply_import, plan_table
from scorecards.imports.tables import CONTROL_CHARACTERS, Table, TableRow
from scorecards.models import (
    Action,
    BoardPack,
    ChangeRoute,
    Indicator,
    Meeting,
    Plan,
    Question,
    QuestionState,
)
from scorecards.plans import messages

#: The most characters a question or an answer may have.
TEXT_LIMIT = 5_000
FORM_ROW = 2


class PlanningError(ValueError):
    """A question, answer or meeting that cannot be saved; the message is one of ``messages``."""

    def __init__(self, message: str, *, field_name: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field_name = field_name


@dataclass
class FormResult:
    """What saving a form did: a summary when saved, else the errors by column."""

    errors: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _control_errors(cells: Mapping[str, str]) -> dict[str, str]:
    errors = {}
    for column, text in cells.items():
        if control := CONTROL_CHARACTERS.search(text):
            errors[column] = (
                import_messages.NUL_CHARACTER
                if control.group() == "\x00"
                else import_messages.CONTROL_CHARACTER.format(code=f"U+{ord(control.group()):04X}")
            )
    return errors


def _save_row(kind: str, cells: Mapping[str, str], *, user) -> FormResult:
    cells = {column: (text or "").strip() for column, text in cells.items()}
    if errors := _control_errors(cells):
        return FormResult(errors=errors)
    table = Table(header=list(cells), rows=[TableRow(number=FORM_ROW, cells=cells)])
    planned = plan_table(kind, table)
    if planned.errors:
        errors: dict[str, str] = {}
        for error in planned.errors:
            errors.setdefault(error.column, error.message)
        return FormResult(errors=errors)
    summary = planned.summary
    if summary.unchanged:
        return FormResult(summary=messages.NOTHING_CHANGED)
    apply_import(planned, user=user, route=ChangeRoute.PLAN)
    return FormResult(summary=messages.SAVED.format(summary=summary))


@transaction.atomic
def plan_save(*, authority: Authority, cells: Mapping[str, str], user) -> FormResult:
    """Create or change a plan from a form's cells (the ``plans`` columns, authority set here)."""
    return _save_row("plans", {**cells, "authority": authority.code}, user=user)


@transaction.atomic
def action_save(*, plan: Plan, cells: Mapping[str, str], user) -> FormResult:
    """Create or change an action of the plan from a form's cells (the ``actions`` columns)."""
    return _save_row("actions", {**cells, "authority": plan.authority.code, "plan": plan.code}, user=user)


# Questions ----------------------------------------------------------------------------------------------------


def _text(text: str, *, empty: str) -> str:
    text = (text or "").strip()
    if not text:
        raise PlanningError(empty, field_name="text")
    if len(text) > TEXT_LIMIT:
        raise PlanningError(
            messages.TEXT_TOO_LONG.format(length=len(text), limit=TEXT_LIMIT), field_name="text"
        )
    if _control_errors({"text": text}):
        raise PlanningError(_control_errors({"text": text})["text"], field_name="text")
    return text


def _name(user) -> str:
    return (user.get_full_name() or user.get_username())[:150]


def _audit(
    kind: str,
    obj,
    authority: Authority,
    pairs: Iterable[tuple[str, object, object]],
    *,
    user,
):
    # Not tied to an indicator: an indicator's change history lists its figures, benchmarks and targets.
    changes_record(
        [
            Change(
                kind=kind,
                object_key=f"{authority.code} {kind} {obj.pk}",
                field=name,
                old=old,
                new=new,
                authority_id=authority.pk,
            )
            for name, old, new in pairs
        ],
        user=user,
        route=ChangeRoute.PLAN,
    )


@transaction.atomic
def question_ask(
    *,
    authority: Authority,
    user,
    text: str,
    indicator_code: str = "",
    action_key: tuple[str, str] | None = None,
    period: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> Question:
    """Record a question on an indicator (optionally at a month), an action, or a month's scorecard.

    ``at`` is for loading a record of questions asked earlier (the demonstration); a page asks now.
    """
    text = _text(text, empty=messages.QUESTION_EMPTY)
    indicator = action = None
    if indicator_code:
        indicator = Indicator.objects.filter(code=indicator_code).first()
        if indicator is None:
            raise PlanningError(messages.QUESTION_SUBJECT_UNKNOWN, field_name="subject")
    if action_key:
        action = Action.objects.filter(
            plan__authority=authority, plan__code=action_key[0], code=action_key[1]
        ).first()
        if action is None:
            raise PlanningError(messages.QUESTION_SUBJECT_UNKNOWN, field_name="subject")
    if indicator is None and action is None and period is None:
        raise PlanningError(messages.QUESTION_SUBJECT_MISSING, field_name="subject")
    question = Question.objects.create(
        authority=authority,
        indicator=indicator,
        action=action,
        period=period,
        text=text,
        asked_at=at or timezone.now(),
        asked_by=user,
        asked_by_name=_name(user),
    )
    _audit(
        "question",
        question,
        authority,
        [("state", None, QuestionState.OPEN.value), ("text", None, text)],
        user=user,
    )
    return question


@transaction.atomic
def question_answer(*, question: Question, user, text: str, at: datetime.datetime | None = None) -> Question:
    """An officer's answer: the question becomes answered (an answer may be improved until it is closed)."""
    text = _text(text, empty=messages.ANSWER_EMPTY)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.state == QuestionState.CLOSED:
        raise PlanningError(messages.QUESTION_NOT_OPEN.format(state=question.get_state_display().lower()))
    old_state, old_answer = question.state, question.answer
    question.answer, question.state = text, QuestionState.ANSWERED
    question.answered_at, question.answered_by = at or timezone.now(), user
    question.answered_by_name = _name(user)
    question.save(update_fields=["answer", "state", "answered_at", "answered_by", "answered_by_name"])
    _audit(
        "question",
        question,
        question.authority,
        [("state", old_state, question.state), ("answer", old_answer, text)],
        user=user,
    )
    return question


@transaction.atomic
def question_close(*, question: Question, user) -> Question:
    """Close a question: the board has what it needs, or it is no longer a question."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.state == QuestionState.CLOSED:
        raise PlanningError(messages.QUESTION_ALREADY_CLOSED)
    old_state = question.state
    question.state, question.closed_at = QuestionState.CLOSED, timezone.now()
    question.save(update_fields=["state", "closed_at"])
    _audit(
        "question",
        question,
        question.authority,
        [("state", old_state, question.state)],
        user=user,
    )
    return question


# Meetings -----------------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *,
    authority: Authority,
    user,
    date: datetime.date,
    title: str,
    period: datetime.date,
    plan_codes: Iterable[str] = (),
) -> Meeting:
    """Record a board meeting: its date, title, the scorecard month it reads and the plans it reviews."""
    title = (title or "").strip()
    if not title:
        raise PlanningError(messages.MEETING_TITLE_MISSING, field_name="title")
    if len(title) > Meeting._meta.get_field("title").max_length:
        raise PlanningError(
            messages.TEXT_TOO_LONG.format(
                length=len(title), limit=Meeting._meta.get_field("title").max_length
            ),
            field_name="title",
        )
    codes = list(dict.fromkeys(plan_codes))
    plans = {plan.code: plan for plan in Plan.objects.filter(authority=authority, code__in=codes)}
    for code in codes:
        if code not in plans:
            raise PlanningError(messages.MEETING_PLAN_UNKNOWN.format(value=code), field_name="plans")
    meeting = Meeting.objects.create(
        authority=authority, date=date, title=title, period=period.replace(day=1), created_by=user
    )
    meeting.plans.set(plans.values())
    _audit(
        "meeting",
        meeting,
        authority,
        [
            ("title", None, title),
            ("date", None, date),
            ("period", None, meeting.period),
            ("plans", None, tuple(codes)),
        ],
        user=user,
    )
    return meeting


def meeting_pack_request(*, meeting: Meeting, user) -> BoardPack:
    """Ask for the meeting's board pack: plan progress and the challenge log before the scorecard pages."""
    from scorecards.packs.tasks import board_pack_request

    return board_pack_request(authority=meeting.authority, period=meeting.period, user=user, meeting=meeting)
