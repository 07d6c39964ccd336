"""Sign-off of a month: draft, submitted, approved; and what a change after approval does."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from authorities.access import APPROVE_ROLES, ENTER_ROLES
from authorities.models import Authority, Role
from scorecards.audit import Change, changes_record
from scorecards.models import ChangeRoute, ScorecardMonth, SignOffState

NOT_ALLOWED_TO_SUBMIT = "Only officers, approvers and administrators can submit a month."
NOT_ALLOWED_TO_APPROVE = "Only approvers can approve a month."
ALREADY_SUBMITTED = "This month has already been submitted."
NOT_SUBMITTED = "Only a submitted month can be approved or returned; this one is {state}."
NOTHING_TO_SUBMIT = "This month is already approved and has not changed since."


class SignOffError(ValueError):
    pass


def month_for(*, authority: Authority, period: datetime.date, lock: bool = False) -> ScorecardMonth:
    month, _created = ScorecardMonth.objects.get_or_create(authority=authority, period=period)
    if lock:
        month = ScorecardMonth.objects.select_for_update().get(pk=month.pk)
    return month


def _record(month: ScorecardMonth, old_state: str, user, note: str = "") -> None:
    changes_record(
        [
            Change(
                kind="month",
                object_key=f"{month.authority.code} {month.period:%Y-%m}",
                field="state",
                old=old_state,
                new=f"{month.state} (revision {month.revision})",
                authority_id=month.authority_id,
                period=month.period,
                note=note,
            )
        ],
        user=user,
        route=ChangeRoute.SIGN_OFF,
    )


@transaction.atomic
def month_submit(*, authority: Authority, period: datetime.date, user, role: Role) -> ScorecardMonth:
    if role not in ENTER_ROLES:
        raise SignOffError(NOT_ALLOWED_TO_SUBMIT)
    month = month_for(authority=authority, period=period, lock=True)
    if month.state == SignOffState.SUBMITTED:
        raise SignOffError(ALREADY_SUBMITTED)
    if month.state == SignOffState.APPROVED:
        raise SignOffError(NOTHING_TO_SUBMIT)
    old = month.state
    month.state = SignOffState.SUBMITTED
    month.submitted_at, month.submitted_by = timezone.now(), user
    month.save()
    _record(month, old, user)
    return month


@transaction.atomic
def month_approve(*, authority: Authority, period: datetime.date, user, role: Role) -> ScorecardMonth:
    if role not in APPROVE_ROLES:
        raise SignOffError(NOT_ALLOWED_TO_APPROVE)
    month = month_for(authority=authority, period=period, lock=True)
    if month.state != SignOffState.SUBMITTED:
        raise SignOffError(NOT_SUBMITTED.format(state=month.get_state_display().lower()))
    old = month.state
    month.state = SignOffState.APPROVED
    month.approved_at, month.approved_by = timezone.now(), user
    month.save()
    _record(month, old, user)
    return month


@transaction.atomic
def month_return(
    *, authority: Authority, period: datetime.date, user, role: Role, reason: str
) -> ScorecardMonth:
    """An approver sends a submitted month back to the officers, saying why."""
    if role not in APPROVE_ROLES:
        raise SignOffError(NOT_ALLOWED_TO_APPROVE)
    month = month_for(authority=authority, period=period, lock=True)
    if month.state != SignOffState.SUBMITTED:
        raise SignOffError(NOT_SUBMITTED.format(state=month.get_state_display().lower()))
    old = month.state
    month.state = SignOffState.DRAFT
    month.save()
    _record(month, old, user, note=reason)
    return month


def months_changed(
    *, authority_id: int, periods: Iterable[datetime.date], user, route: ChangeRoute | str
) -> None:
    """Data of these months changed: an approved or submitted month goes back to draft as a new revision.

    Called inside the transaction that made the change. ``approved_at`` is kept, so the scorecard can mark
    values changed since the last approval, and board members keep seeing the month they approved.
    """
    periods = sorted(set(periods))
    if not periods:
        return
    existing = {
        month.period: month
        for month in ScorecardMonth.objects.select_for_update().filter(
            authority_id=authority_id, period__in=periods
        )
    }
    for period in periods:
        month = existing.get(period)
        if month is None:
            ScorecardMonth.objects.create(authority_id=authority_id, period=period)
            continue
        if month.state == SignOffState.DRAFT:
            continue
        old = month.state
        if month.state == SignOffState.APPROVED:
            month.revision += 1
        month.state = SignOffState.DRAFT
        month.save(update_fields=["state", "revision", "updated_at"])
        _record(month, old, user, note=f"data changed by {ChangeRoute(route).label.lower()}")
