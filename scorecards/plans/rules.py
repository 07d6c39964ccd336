"""The contract's rules for plans and actions, in plain Python with no Django.

``shared/CONTRACT.md`` ("Plans and actions"): at a date D an action is overdue when its due date is before D and
its status is neither complete nor dropped; its RAG is red when overdue or off track, amber when at risk, green
when on track and none otherwise. Status, progress and history are those of the latest update on or before D,
and an action with no update on or before D is not part of the plan at D. Missing data is a result, never an
exception.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scorecards.rating import Rag

NOT_STARTED = "not_started"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
COMPLETE = "complete"
DROPPED = "dropped"
#: Every status, in the order the contract lists them (and forms offer them).
STATUSES = (NOT_STARTED, ON_TRACK, AT_RISK, OFF_TRACK, COMPLETE, DROPPED)
#: Statuses that end an action: it can no longer be overdue.
CLOSED = frozenset({COMPLETE, DROPPED})
STATUS_LABELS = {
    NOT_STARTED: "Not started",
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    OFF_TRACK: "Off track",
    COMPLETE: "Complete",
    DROPPED: "Dropped",
}
#: A shape for each status, so that it reads without colour (in greyscale print, to colour-blind readers).
STATUS_SYMBOLS = {
    NOT_STARTED: "○",
    ON_TRACK: "●",
    AT_RISK: "◆",
    OFF_TRACK: "▲",
    COMPLETE: "✔",
    DROPPED: "✕",
}
SUMMARY_KEYS = ("red", "amber", "green", "none", "overdue")

PLAN_CODE = re.compile(r"[A-Za-z0-9_-]+")
#: Addresses under /plans/CODE/ that are pages, not plans, so no plan may take these codes.
RESERVED_PLAN_CODES = frozenset({"questions", "meetings", "new"})
ACTION_CODE = re.compile(r"[A-Za-z0-9._-]+")
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_NUMBER_OR_TEXT = re.compile(r"([0-9]+)")


@dataclass(frozen=True, slots=True)
class Update:
    """An action's status and progress as recorded on one day."""

    as_of: datetime.date
    status: str
    progress: str = ""


@dataclass(frozen=True, slots=True)
class ActionAt:
    """An action as it stood at a date: the latest update on or before it, and what follows from it."""

    at: datetime.date
    due: datetime.date
    latest: Update
    history: tuple[Update, ...]

    @property
    def status(self) -> str:
        return self.latest.status

    @property
    def progress(self) -> str:
        return self.latest.progress

    @property
    def as_of(self) -> datetime.date:
        return self.latest.as_of

    @property
    def overdue(self) -> bool:
        return is_overdue(due=self.due, status=self.status, at=self.at)

    @property
    def rag(self) -> Rag:
        return action_rag(due=self.due, status=self.status, at=self.at)


def is_overdue(*, due: datetime.date, status: str, at: datetime.date) -> bool:
    """Due before the date and neither complete nor dropped; due on the date itself is not overdue."""
    return due < at and status not in CLOSED


def action_rag(*, due: datetime.date, status: str, at: datetime.date) -> Rag:
    """Red if overdue or off track; amber if at risk; green if on track; none otherwise."""
    if status == OFF_TRACK or is_overdue(due=due, status=status, at=at):
        return Rag.RED
    if status == AT_RISK:
        return Rag.AMBER
    if status == ON_TRACK:
        return Rag.GREEN
    return Rag.NONE


def history_until(updates: Iterable[Update], at: datetime.date) -> tuple[Update, ...]:
    """Every update on or before the date, oldest first."""
    return tuple(sorted((update for update in updates if update.as_of <= at), key=lambda u: u.as_of))


def action_at(updates: Iterable[Update], *, due: datetime.date, at: datetime.date) -> ActionAt | None:
    """The action as it stood at the date, or None when it had no update yet (it was not part of the plan)."""
    history = history_until(updates, at)
    if not history:
        return None
    return ActionAt(at=at, due=due, latest=history[-1], history=history)


def summary(actions: Iterable[ActionAt]) -> dict[str, int]:
    """How many actions are red, amber, green and not rated, and how many are overdue."""
    counts = dict.fromkeys(SUMMARY_KEYS, 0)
    for action in actions:
        counts[action.rag.value] += 1
        counts["overdue"] += action.overdue
    return counts


def natural_key(code: str) -> tuple:
    """Sorts codes as people number them: K4.9 before K4.10, 2 before 10; ties by the code itself."""
    parts = _NUMBER_OR_TEXT.split(code)
    return (
        tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in parts if part),
        code,
    )


def natural_sorted(codes: Sequence[str]) -> list[str]:
    return sorted(codes, key=natural_key)


def parse_iso_date(text: str) -> datetime.date | None:
    """A date written YYYY-MM-DD that exists, or None (2021-02-30, 2021-2-3 and 30/06/2019 are not)."""
    match = ISO_DATE.fullmatch(text)
    if not match:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def age_in_days(asked: datetime.date, today: datetime.date) -> int:
    """How many days a question has waited: 0 on the day it was asked."""
    return max((today - asked).days, 0)
