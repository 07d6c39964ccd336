"""Board packs' Celery tasks and their enqueueing: thin wrappers that take ids, call a service, run twice safely.

This module owns handing a pack to a worker; the services never import it, so there is no cycle.
"""

from __future__ import annotations

import datetime
import logging

from celery import Task, shared_task
from celery.exceptions import Retry
from celery.utils import uuid
from django.db import transaction

from authorities.models import Authority
from scorecards.core.selectors import DEFAULT_MONTHS
from scorecards.models import BoardPack
from scorecards.packs import services as packs
from scorecards.quarters import Quarter

logger = logging.getLogger(__name__)


class BoardPackTask(Task):
    """Records on the pack why it failed once retries are spent, so nobody waits on a pack that is not coming."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        pack_id = args[0] if args else kwargs.get("pack_id")
        try:
            packs.board_pack_fail(pack_id, packs.RETRIES_EXHAUSTED)
        except Exception:  # noqa: BLE001 - the database may be what failed; the stale check will catch the pack
            logger.exception("Board pack %s could not be marked as failed", pack_id)


@shared_task(
    bind=True,
    base=BoardPackTask,
    name="scorecards.board_pack_render",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=packs.TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=4,
    soft_time_limit=240,
    time_limit=300,
)
def board_pack_render_task(self, pack_id: int) -> str:
    """Render one board pack by id; returns the pack's state."""
    pack = packs.board_pack_render(pack_id, task_id=self.request.id or "")
    return pack.state if pack is not None else "missing"


@shared_task(name="scorecards.board_pack_refresh_stale", ignore_result=True)
def board_pack_refresh_stale_task() -> int:
    """Fail packs whose worker stopped; every page showing a pack does this too, so a schedule is optional."""
    return packs.board_pack_refresh_stale()


def board_pack_request(
    *,
    authority: Authority,
    period: datetime.date | Quarter,
    months: int = DEFAULT_MONTHS,
    user=None,
    meeting=None,
) -> BoardPack:
    """Record a pack of a month or a quarter as queued and hand it to a worker once the record is committed."""
    pack = packs.board_pack_create(
        authority=authority, period=period, months=months, user=user, meeting=meeting
    )
    transaction.on_commit(lambda: board_pack_enqueue(pack.pk))
    return pack


def board_pack_enqueue(pack_id: int) -> None:
    """Send the pack to the job queue; with no broker configured the task runs here and now."""
    if board_pack_render_task.app.conf.task_always_eager:
        _apply_in_process(board_pack_render_task, pack_id)
        return
    try:
        result = board_pack_render_task.delay(pack_id)
    except Exception:
        # The broker does not answer. The request that asked for the pack must not fail, and the pack must say why.
        logger.exception("Board pack %s could not be queued", pack_id)
        packs.board_pack_fail(pack_id, packs.QUEUE_UNAVAILABLE)
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
            transient = isinstance(error, packs.TRANSIENT_ERRORS)
            packs.board_pack_fail(
                pack_id, packs.RETRIES_EXHAUSTED if transient else packs.RENDER_FAILED.format(pack_id=pack_id)
            )
            return
