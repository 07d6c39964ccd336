"""Celery finds each app's tasks here; the board packs' tasks live with their concern."""

from scorecards.packs.tasks import board_pack_refresh_stale_task, board_pack_render_task

__all__ = ["board_pack_refresh_stale_task", "board_pack_render_task"]
