"""Board packs: request one, render it in a worker, keep it, and notice when a worker died.

A pack is kept as it was made (file, data as of when, who asked, month or quarter, approval state), so the
record of what a board saw never changes when the data is revised later. Rendering is safe to run twice: a pack is
claimed before it is drawn, a finished or failed pack is left alone, and only the claim that started a render
may finish it. A render that stops sending heartbeats is reported as failed, never left "rendering" for ever.
"""

from __future__ import annotations

import datetime
import logging
import time

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from authorities.models import Authority
from scorecards.core import selectors
from scorecards.models import BoardPack, PackState, SignOffState
from scorecards.packs import pdf
from scorecards.packs.selectors import ACTIVE_STATES, approval_for, pack_data_as_of, pack_key, pack_period
from scorecards.plans.meetings import pack_meeting
from scorecards.quarters import Quarter

logger = logging.getLogger(__name__)

#: A render sends a heartbeat at least every few seconds; this long without one means its worker is gone.
STALE_RENDERING = datetime.timedelta(minutes=2)
#: A queued pack that no worker has started in this long is not going to be started.
STALE_QUEUED = datetime.timedelta(minutes=15)
#: Progress is written at most this often, so a render does not spend its time writing progress.
HEARTBEAT_SECONDS = 1.0
#: Errors worth another try (the database or the broker briefly unavailable), retried by the task.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)

WORKER_STOPPED = "The worker stopped before finishing the pack. Please request it again."
NEVER_STARTED = (
    "No worker started the pack within 15 minutes, so the job queue may be down. Please request it again."
)
RENDER_FAILED = (
    "The pack could not be made because of an error while laying it out. Please request it again; "
    "if it fails again, tell the system administrator (pack {pack_id})."
)
TOO_SLOW = "The pack took too long to make and was stopped. Please request it again."
QUEUE_UNAVAILABLE = (
    "The pack could not be queued because the job queue is not answering. Please try again shortly."
)
RETRIES_EXHAUSTED = "The pack could not be made because the database or the job queue stayed unavailable. Please request it again."
FILE_MISSING = "The file of this pack is no longer available."
NOT_APPROVED_YET = (
    "{month} has not been approved yet, so its board pack is not available to board members. "
    "It can be made once the month is approved."
)
QUARTER_NOT_APPROVED_YET = (
    "{quarter} has a month not yet approved, so its board pack is not available to board members. "
    "It can be made once every month of the quarter with figures is approved."
)


def _kept_period(period: datetime.date | Quarter) -> dict:
    """How a pack keeps what it is of: a month as ``period``; a quarter as its label, with its last month."""
    if isinstance(period, Quarter):
        return {"period": period.last_month, "quarter": period.label}
    return {"period": period, "quarter": ""}


def board_pack_create(
    *,
    authority: Authority,
    period: datetime.date | Quarter,
    months: int = selectors.DEFAULT_MONTHS,
    user=None,
    meeting=None,
) -> BoardPack:
    """Record a pack as queued (``scorecards.packs.tasks.board_pack_request`` also hands it to a worker).

    A quarter's pack keeps the quarter, its last month as ``period`` and ``months`` counting quarters. A pack for
    a ``meeting`` adds its plan progress and challenge log before the scorecard pages.
    """
    approval = approval_for(authority=authority, period=period)
    pack = BoardPack.objects.create(
        authority=authority,
        **_kept_period(period),
        months=months,
        requested_by=user if user is not None and user.is_authenticated else None,
        approval_state=approval.state,
        approval_revision=approval.revision,
        meeting=meeting,
    )
    return pack


def board_pack_pending(
    *, authority: Authority, period: datetime.date | Quarter, months: int, user
) -> BoardPack | None:
    """The same person's pack of the same month (or quarter) still being made, so a second click does not make
    another."""
    board_pack_refresh_stale(authority=authority)
    return (
        BoardPack.objects.filter(
            authority=authority,
            **_kept_period(period),
            months=months,
            requested_by=user,
            state__in=ACTIVE_STATES,
        )
        .order_by("-requested_at")
        .first()
    )


def _is_stale(pack: BoardPack, now: datetime.datetime) -> bool:
    if pack.state == PackState.RENDERING:
        last_sign = pack.heartbeat_at or pack.started_at or pack.requested_at
        return last_sign < now - STALE_RENDERING
    if pack.state == PackState.QUEUED:
        return pack.requested_at < now - STALE_QUEUED
    return False


def _claim(pack_id: int, task_id: str) -> BoardPack | None:
    """Mark the pack as being rendered by this task, or return None if it is not this task's to render."""
    with transaction.atomic():
        pack = BoardPack.objects.select_for_update().select_related("authority").filter(pk=pack_id).first()
        if pack is None:
            return None
        now = timezone.now()
        ours = pack.state == PackState.QUEUED or (
            pack.state == PackState.RENDERING
            and ((task_id and pack.task_id == task_id) or _is_stale(pack, now))
        )
        if not ours:
            return None
        # The label on the cover must match the data drawn, so the approval is read again as the render starts.
        approval = approval_for(authority=pack.authority, period=pack_period(pack))
        pack.state = PackState.RENDERING
        pack.task_id = task_id or pack.task_id
        pack.started_at = pack.heartbeat_at = now
        pack.progress_done = 0
        pack.error = ""
        pack.approval_state, pack.approval_revision = approval.state, approval.revision
        pack.save(
            update_fields=[
                "state",
                "task_id",
                "started_at",
                "heartbeat_at",
                "progress_done",
                "error",
                "approval_state",
                "approval_revision",
            ]
        )
        return pack


def _release(pack_id: int, task_id: str) -> None:
    """Put a pack back in the queue so that the retry of the same task can claim it again."""
    try:
        BoardPack.objects.filter(pk=pack_id, state=PackState.RENDERING, task_id=task_id).update(
            state=PackState.QUEUED
        )
    except TRANSIENT_ERRORS:
        logger.warning(
            "Board pack %s could not be released for a retry; the stale check will fail it", pack_id
        )


def board_pack_fail(pack_id: int, reason: str) -> bool:
    """Mark an unfinished pack as failed with a reason people can read; a finished pack is left alone."""
    return bool(
        BoardPack.objects.filter(pk=pack_id, state__in=ACTIVE_STATES).update(
            state=PackState.FAILED, error=reason, finished_at=timezone.now()
        )
    )


class _Heartbeat:
    """The render's progress callback: writes progress and a sign of life, at most once a second."""

    def __init__(self, pack_id: int, task_id: str):
        self.pack_id, self.task_id = pack_id, task_id
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < HEARTBEAT_SECONDS:
            return
        self.last = now
        BoardPack.objects.filter(pk=self.pack_id, state=PackState.RENDERING).update(
            progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )


def board_pack_render(pack_id: int, *, task_id: str = "") -> BoardPack | None:
    """Render a queued pack and keep its file; safe to run twice. Transient errors are raised for a retry."""
    pack = _claim(pack_id, task_id)
    if pack is None:
        return BoardPack.objects.filter(pk=pack_id).first()
    try:
        draft, period = pack.approval_state != SignOffState.APPROVED, pack_period(pack)
        # An approved month's (or quarter's) pack is the board's record: the approved figures, as board members
        # see them. A draft pack is an officers' preview with the figures as entered, marked DRAFT on every page.
        scorecard = selectors.scorecard_build(
            authority=pack.authority, period=period, months=pack.months, include_drafts=draft
        )
        data_as_of = pack_data_as_of(authority=pack.authority, period=period, months=pack.months)
        result = pdf.scorecard_pdf_render(
            scorecard,
            draft=draft,
            produced_at=timezone.now(),
            data_as_of=data_as_of,
            progress=_Heartbeat(pack.pk, task_id),
            meeting=pack_meeting(pack),
        )
        stored_name = pack.file.storage.save(
            pack.file.field.generate_filename(
                pack, f"board-pack-{pack.authority.code}-{pack_key(pack)}-{pack.pk}.pdf"
            ),
            ContentFile(result.content),
        )
    except SoftTimeLimitExceeded:
        board_pack_fail(pack.pk, TOO_SLOW)
        return BoardPack.objects.get(pk=pack.pk)
    except TRANSIENT_ERRORS:
        _release(pack.pk, task_id)
        raise
    except Exception:
        logger.exception("Board pack %s failed", pack.pk)
        board_pack_fail(pack.pk, RENDER_FAILED.format(pack_id=pack.pk))
        return BoardPack.objects.get(pk=pack.pk)

    now = timezone.now()
    finished = BoardPack.objects.filter(pk=pack.pk, state=PackState.RENDERING, task_id=pack.task_id).update(
        state=PackState.DONE,
        file=stored_name,
        page_count=result.page_count,
        size_bytes=len(result.content),
        data_as_of=data_as_of,
        finished_at=now,
        heartbeat_at=now,
        progress_done=F("progress_total"),
        error="",
    )
    if not finished:
        # The stale check gave up on this render while it ran: the record says failed, so no file is kept.
        pack.file.storage.delete(stored_name)
    return BoardPack.objects.get(pk=pack.pk)


def board_pack_refresh_stale(
    *,
    authority: Authority | None = None,
    pack_id: int | None = None,
    rendering_after: datetime.timedelta = STALE_RENDERING,
    queued_after: datetime.timedelta = STALE_QUEUED,
    now: datetime.datetime | None = None,
) -> int:
    """Mark packs whose worker stopped (no heartbeat) or never started as failed; returns how many."""
    now = now or timezone.now()
    scope = BoardPack.objects.all()
    if authority is not None:
        scope = scope.filter(authority=authority)
    if pack_id is not None:
        scope = scope.filter(pk=pack_id)
    silent_since = now - rendering_after
    rendering = scope.filter(state=PackState.RENDERING).filter(
        Q(heartbeat_at__lt=silent_since)
        | Q(heartbeat_at__isnull=True, started_at__lt=silent_since)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, requested_at__lt=silent_since)
    )
    stopped = rendering.update(state=PackState.FAILED, error=WORKER_STOPPED, finished_at=now)
    never_started = scope.filter(state=PackState.QUEUED, requested_at__lt=now - queued_after).update(
        state=PackState.FAILED, error=NEVER_STARTED, finished_at=now
    )
    if stopped or never_started:
        logger.warning(
            "Board packs failed by the stale check: %s stopped, %s never started", stopped, never_started
        )
    return stopped + never_started


def board_pack_check(pack: BoardPack) -> BoardPack:
    """The pack as it stands, after failing it if its worker has gone quiet."""
    if pack.state in ACTIVE_STATES and board_pack_refresh_stale(pack_id=pack.pk):
        pack.refresh_from_db()
    return pack
