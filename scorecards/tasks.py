"""Celery tasks: thin wrappers that take ids, call a service and are safe to run twice."""

from __future__ import annotations

import logging

from celery import Task, shared_task

from scorecards.packs import services as packs

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
