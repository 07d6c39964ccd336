"""Reads for board meetings: an authority's meetings, and what a meeting's board pack shows before the scorecard.

The pack's plan progress is each reviewed plan as it stood on the meeting's date (every plan of the authority
when the meeting names none), with overdue and red actions first; its challenge log is the questions still open
and the answers given since the previous meeting.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from authorities.models import Authority
from scorecards.models import BoardPack, Meeting, Plan, Question, QuestionState
from scorecards.plans import rules
from scorecards.plans.selectors import ActionView, PlanView, QuestionView, plan_build, question_view


@dataclass(frozen=True)
class MeetingPack:
    """Everything the meeting's pages of a board pack draw; presentation receives it and never queries."""

    meeting: Meeting
    produced_by: str
    plans: tuple[PlanView, ...]
    open_questions: tuple[QuestionView, ...]
    answered_since: tuple[QuestionView, ...]
    previous: Meeting | None

    @property
    def summary(self) -> dict[str, int]:
        totals = dict.fromkeys(rules.SUMMARY_KEYS, 0)
        for view in self.plans:
            for key, count in view.summary.items():
                totals[key] += count
        return totals

    @property
    def needing_attention(self) -> list[tuple[PlanView, ActionView]]:
        """Overdue and red actions of every reviewed plan, overdue first."""
        return [(view, action) for view in self.plans for action in view.needing_attention]

    @property
    def illustrative(self) -> bool:
        return any(view.illustrative for view in self.plans)


def meetings_list(*, authority: Authority) -> list[Meeting]:
    """The authority's meetings, newest first, with the plans each reviews (two queries)."""
    return list(
        Meeting.objects.filter(authority=authority).prefetch_related("plans").select_related("created_by")
    )


def meeting_get(*, authority: Authority, pk: int) -> Meeting | None:
    return (
        Meeting.objects.filter(authority=authority, pk=pk)
        .select_related("authority", "created_by")
        .prefetch_related("plans")
        .first()
    )


def meeting_packs(*, meeting: Meeting, visible) -> list[BoardPack]:
    """The packs made for the meeting that the reader may see (``visible`` is ``packs_visible``'s queryset)."""
    return list(visible.filter(meeting=meeting).select_related("requested_by"))


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(authority_id=meeting.authority_id)
        .filter(Q(date__lt=meeting.date) | Q(date=meeting.date, pk__lt=meeting.pk))
        .order_by("-date", "-pk")
        .first()
    )


def meeting_pack_build(
    *, meeting: Meeting, produced_by: str = "", today: datetime.date | None = None
) -> MeetingPack:
    """The meeting's plan progress and challenge log, in a fixed number of queries per reviewed plan."""
    plans = list(meeting.plans.select_related("authority")) or list(
        Plan.objects.filter(authority_id=meeting.authority_id).select_related("authority")
    )
    plans.sort(key=lambda plan: rules.natural_key(plan.code))
    views = tuple(
        plan_build(plan=plan, at=meeting.date, period=meeting.period, with_evidence=False) for plan in plans
    )
    today = today or timezone.localdate()
    previous = previous_meeting(meeting)
    questions = Question.objects.filter(authority_id=meeting.authority_id).select_related(
        "indicator", "action__plan", "authority"
    )
    open_questions = tuple(
        question_view(question, meeting.date)
        for question in questions.filter(state=QuestionState.OPEN).order_by("asked_at", "pk")
    )
    answered = questions.filter(answered_at__isnull=False).order_by("answered_at", "pk")
    if previous is not None:
        answered = answered.filter(answered_at__date__gt=previous.date)
    return MeetingPack(
        meeting=meeting,
        produced_by=produced_by,
        plans=views,
        open_questions=open_questions,
        answered_since=tuple(question_view(question, today) for question in answered),
        previous=previous,
    )


def pack_meeting(pack: BoardPack) -> MeetingPack | None:
    """The meeting part of a pack being rendered, or None for a pack of the scorecard alone."""
    if pack.meeting_id is None:
        return None
    meeting = Meeting.objects.select_related("authority").get(pk=pack.meeting_id)
    user = pack.requested_by
    produced_by = (user.get_full_name() or user.get_username()) if user is not None else "the system"
    return meeting_pack_build(meeting=meeting, produced_by=produced_by)
