"""Sign-off of a month: draft, submitted, approved; and what a change after approval does."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from authorities.access import APPROVE_ROLES, ENTER_ROLES
from authorities.models import Authority, Role
from scorecards.audit import Change, changes_record
from scorecards.core.series import series_summaries_refresh
from scorecards.models import (
    ChangeRecord,
    ChangeRoute,
    Indicator,
    MonthlyValue,
    MonthSnapshot,
    ScorecardMonth,
    SignOffState,
    SnapshotFigure,
)
from scorecards.returns.notes import source_note

NOT_ALLOWED_TO_SUBMIT = "Only officers, approvers and administrators can submit a month."
NOT_ALLOWED_TO_APPROVE = "Only approvers can approve a month."
ALREADY_SUBMITTED = "This month has already been submitted."
NOT_SUBMITTED = "Only a submitted month can be approved or returned; this one is {state}."
NOTHING_TO_SUBMIT = "This month is already approved and has not changed since."
OWN_CHANGES = (
    "You entered or changed figures in this revision, so you cannot approve it: another approver must check "
    "your work."
)
MISSING_FIGURES = "{present} of {total} indicators have a figure for {period}. Confirm to submit it as it is."


class SignOffError(ValueError):
    pass


class MissingFigures(SignOffError):
    """Submitting would send a month with indicators that have no figure and no reason; confirm first."""

    def __init__(self, *, present: int, total: int, period: datetime.date) -> None:
        self.present, self.total = present, total
        super().__init__(MISSING_FIGURES.format(present=present, total=total, period=f"{period:%B %Y}"))


def figure_count(*, authority: Authority, period: datetime.date) -> tuple[int, int]:
    """(indicators with a figure or a reason for none, indicators in the catalogue) for the month; a cohort's
    figure is not its indicator's."""
    present = MonthlyValue.objects.filter(authority=authority, period=period, cohort="").count()
    return present, Indicator.objects.count()


def revision_started(*, authority: Authority, period: datetime.date) -> datetime.datetime | None:
    """When the current revision began: the last approval of the month, or None if it was never approved."""
    return (
        MonthSnapshot.objects.filter(authority=authority, period=period)
        .order_by("-revision")
        .values_list("approved_at", flat=True)
        .first()
    )


def changed_this_revision(*, authority: Authority, period: datetime.date, user) -> bool:
    """Whether the user entered or changed any of the month's figures since its last approval.

    Changes with no user (commands, the demo loader) belong to nobody who could approve them.
    """
    if user is None or not user.is_authenticated:
        return False
    records = ChangeRecord.objects.filter(authority=authority, period=period, kind="value", user=user)
    started = revision_started(authority=authority, period=period)
    if started is not None:
        records = records.filter(at__gt=started)
    return records.exists()


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
def month_submit(
    *,
    authority: Authority,
    period: datetime.date,
    user,
    role: Role,
    confirm_missing: bool = False,
    at: datetime.datetime | None = None,
) -> ScorecardMonth:
    """Send the month for approval; with indicators missing a figure, only once the officer confirms."""
    if role not in ENTER_ROLES:
        raise SignOffError(NOT_ALLOWED_TO_SUBMIT)
    month = month_for(authority=authority, period=period, lock=True)
    if month.state == SignOffState.SUBMITTED:
        raise SignOffError(ALREADY_SUBMITTED)
    if month.state == SignOffState.APPROVED:
        raise SignOffError(NOTHING_TO_SUBMIT)
    present, total = figure_count(authority=authority, period=period)
    if present < total and not confirm_missing:
        raise MissingFigures(present=present, total=total, period=period)
    old = month.state
    month.state = SignOffState.SUBMITTED
    month.submitted_at, month.submitted_by = at or timezone.now(), user
    month.save()
    _record(month, old, user)
    return month


@transaction.atomic
def month_approve(
    *, authority: Authority, period: datetime.date, user, role: Role, at: datetime.datetime | None = None
) -> ScorecardMonth:
    """Approve a submitted month and keep what was approved as the month's snapshot for this revision.

    Nobody approves their own work: whoever entered or changed a figure of this revision cannot approve it.
    """
    if role not in APPROVE_ROLES:
        raise SignOffError(NOT_ALLOWED_TO_APPROVE)
    month = month_for(authority=authority, period=period, lock=True)
    if month.state != SignOffState.SUBMITTED:
        raise SignOffError(NOT_SUBMITTED.format(state=month.get_state_display().lower()))
    if changed_this_revision(authority=authority, period=period, user=user):
        raise SignOffError(OWN_CHANGES)
    old = month.state
    month.state = SignOffState.APPROVED
    month.approved_at, month.approved_by = at or timezone.now(), user
    month.save()
    snapshot_take(month, user=user)
    _record(month, old, user)
    return month


def snapshot_take(month: ScorecardMonth, *, user) -> MonthSnapshot:
    """Copy the month's figures, as they are at approval, into a snapshot that is never edited."""
    snapshot = MonthSnapshot.objects.create(
        authority_id=month.authority_id,
        period=month.period,
        revision=month.revision,
        approved_at=month.approved_at,
        approved_by_name=user.get_username() if user is not None else "",
        summary=month.summary,
    )
    # The headline figure and its cohorts, in the order they were stored (the cohorts' order on the page).
    fields = ("value", "numerator", "denominator", "status", "commentary", "cohort")
    # How each figure was made, kept in words as it stood at approval: "computed from the 903 return of ...".
    made = ("updated_at", "computed_from__uploaded_at", "computed_from__applied_at")
    rows = (
        MonthlyValue.objects.filter(authority_id=month.authority_id, period=month.period)
        .order_by("pk")
        .values_list("indicator_id", *fields, *made)
    )
    SnapshotFigure.objects.bulk_create(
        SnapshotFigure(
            snapshot=snapshot,
            indicator_id=row[0],
            source_note=source_note(updated_at=row[7], uploaded_at=row[8], applied_at=row[9]),
            **dict(zip(fields, row[1:7], strict=True)),
        )
        for row in rows
    )
    # The approved series' SPC sums from this month on, which the grid's icons read (scorecards.core.series).
    series_summaries_refresh(authority_id=month.authority_id, start=month.period)
    return snapshot


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
