"""Board packs: request one, render it in a worker, keep it, and notice when a worker died.

A pack is kept as it was made (file, data as of when, who asked, month, approval state), so the record of
what a board saw never changes when the data is revised later. Rendering is safe to run twice: a pack is
claimed before it is drawn, a finished or failed pack is left alone, and only the claim that started a render
may finish it. A render that stops sending heartbeats is reported as failed, never left "rendering" for ever.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass

from celery.exceptions import Retry, SoftTimeLimitExceeded
from celery.utils import uuid
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from authorities.access import DRAFT_ROLES
from authorities.models import Authority
from scorecards import rating
from scorecards.core import selectors
from scorecards.models import BoardPack, ChangeRecord, MonthlyValue, PackState, ScorecardMonth, SignOffState
from scorecards.packs import pdf

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

ACTIVE_STATES = (PackState.QUEUED, PackState.RENDERING)


@dataclass(frozen=True)
class Approval:
    state: str
    revision: int | None

    @property
    def draft(self) -> bool:
        return self.state != SignOffState.APPROVED


def approval_for(*, authority: Authority, period: datetime.date) -> Approval:
    """Approved if the month's sign-off says so; anything else, or no sign-off yet, is a draft."""
    month = (
        ScorecardMonth.objects.filter(authority=authority, period=period).only("state", "revision").first()
    )
    if month is not None and month.state == SignOffState.APPROVED:
        return Approval(SignOffState.APPROVED, month.revision)
    return Approval(SignOffState.DRAFT, month.revision if month else None)


def pack_data_as_of(*, authority: Authority, period: datetime.date, months: int) -> datetime.datetime | None:
    """The newest change to any data the pack draws on: values, benchmarks, targets, indicators, sign-off."""
    window = rating.month_window(period, months)
    earliest = min(
        window[0], datetime.date(period.year - 2, period.month, 1)
    )  # headline tiles look back 2 years
    candidates = [
        MonthlyValue.objects.filter(authority=authority, period__gte=earliest, period__lte=period).aggregate(
            newest=Max("updated_at")
        )["newest"],
        ChangeRecord.objects.filter(
            Q(authority=authority, kind__in=["benchmark", "target", "value"]) | Q(kind="indicator")
        ).aggregate(newest=Max("at"))["newest"],
        ScorecardMonth.objects.filter(authority=authority, period=period).aggregate(newest=Max("updated_at"))[
            "newest"
        ],
    ]
    present = [moment for moment in candidates if moment is not None]
    return max(present) if present else None


def board_pack_request(
    *, authority: Authority, period: datetime.date, months: int = selectors.DEFAULT_MONTHS, user=None
) -> BoardPack:
    """Record a pack as queued and hand it to a worker once the record is committed."""
    approval = approval_for(authority=authority, period=period)
    pack = BoardPack.objects.create(
        authority=authority,
        period=period,
        months=months,
        requested_by=user if user is not None and user.is_authenticated else None,
        approval_state=approval.state,
        approval_revision=approval.revision,
    )
    transaction.on_commit(lambda: board_pack_enqueue(pack.pk))
    return pack


def packs_visible(*, authority: Authority, role) -> QuerySet[BoardPack]:
    """The packs a role may see: people who enter data see drafts; board members only approved months' packs."""
    visible = BoardPack.objects.filter(authority=authority)
    if role not in DRAFT_ROLES:
        visible = visible.filter(approval_state=SignOffState.APPROVED)
    return visible


def board_pack_pending(*, authority: Authority, period: datetime.date, months: int, user) -> BoardPack | None:
    """The same person's pack of the same month still being made, so a second click does not make another."""
    board_pack_refresh_stale(authority=authority)
    return (
        BoardPack.objects.filter(
            authority=authority, period=period, months=months, requested_by=user, state__in=ACTIVE_STATES
        )
        .order_by("-requested_at")
        .first()
    )


def board_pack_enqueue(pack_id: int) -> None:
    """Send the pack to the job queue; with no broker configured the task runs here and now."""
    from scorecards.tasks import board_pack_render_task

    if board_pack_render_task.app.conf.task_always_eager:
        _apply_in_process(board_pack_render_task, pack_id)
        return
    try:
        result = board_pack_render_task.delay(pack_id)
    except Exception:
        # The broker does not answer. The request that asked for the pack must not fail, and the pack must say why.
        logger.exception("Board pack %s could not be queued", pack_id)
        board_pack_fail(pack_id, QUEUE_UNAVAILABLE)
        return
    BoardPack.objects.filter(pk=pack_id, task_id="").update(task_id=(result.id or "")[:64])


def _apply_in_process(task, pack_id: int) -> None:
    """Run the task here, retrying as a worker would (eager Celery raises the first Retry instead)."""
    task_id = uuid()
    for attempt in range(task.max_retries + 1):
        try:
            task.apply(args=(pack_id,), task_id=task_id, retries=attempt, throw=True)
            return
        except Retry:
            continue
        except Exception as error:
            logger.exception("Board pack %s failed in process", pack_id)
            transient = isinstance(error, TRANSIENT_ERRORS)
            board_pack_fail(
                pack_id, RETRIES_EXHAUSTED if transient else RENDER_FAILED.format(pack_id=pack_id)
            )
            return


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
        approval = approval_for(authority=pack.authority, period=pack.period)
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


def board_pack_filename(pack: BoardPack) -> str:
    """The name a downloaded pack gets, e.g. board-pack-838-2020-11.pdf; drafts say so."""
    draft = "-draft" if pack.approval_state != SignOffState.APPROVED else ""
    return f"board-pack-{pack.authority.code}-{pack.period:%Y-%m}{draft}.pdf"


def board_pack_render(pack_id: int, *, task_id: str = "") -> BoardPack | None:
    """Render a queued pack and keep its file; safe to run twice. Transient errors are raised for a retry."""
    pack = _claim(pack_id, task_id)
    if pack is None:
        return BoardPack.objects.filter(pk=pack_id).first()
    try:
        draft = pack.approval_state != SignOffState.APPROVED
        # An approved month's pack is the board's record: the approved figures, as board members see them.
        # A draft pack is an officers' preview with the figures as entered, marked DRAFT on every page.
        scorecard = selectors.scorecard_build(
            authority=pack.authority, period=pack.period, months=pack.months, include_drafts=draft
        )
        data_as_of = pack_data_as_of(authority=pack.authority, period=pack.period, months=pack.months)
        result = pdf.scorecard_pdf_render(
            scorecard,
            draft=draft,
            produced_at=timezone.now(),
            data_as_of=data_as_of,
            progress=_Heartbeat(pack.pk, task_id),
        )
        stored_name = pack.file.storage.save(
            pack.file.field.generate_filename(
                pack, f"board-pack-{pack.authority.code}-{pack.period:%Y-%m}-{pack.pk}.pdf"
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
