"""The scorecard grid's cache: a rendered fragment per authority, month, window and reader kind.

A cached grid is never stale. Its key holds the authority's ``data_version``, which database triggers change in
the same transaction as every write to the data the grid shows (migrations authorities 0002, scorecards 0005;
the ``scorecards.W001`` system check fails when one is missing), and a digest of the code and templates that
turn data into the grid, so that a deploy changes every key without anyone keeping a list of files.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

GRID_CACHE_SECONDS = 24 * 60 * 60
PACKAGE_DIR = Path(__file__).resolve().parent.parent


@functools.cache
def code_digest() -> str:
    """A digest of every Python module of the app and every template: any deploy that changes one changes it."""
    digest = hashlib.sha256()
    template_dirs = [Path(folder) for config in settings.TEMPLATES for folder in config.get("DIRS", [])]
    files = sorted(PACKAGE_DIR.rglob("*.py"))
    for folder in template_dirs:
        files.extend(sorted(folder.rglob("*.html")))
    for path in files:
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def grid_cache_key(authority, period_label: str, months: int, *, include_drafts: bool) -> str:
    """The cached grid's key: whose, which period and window, which reader kind, which data and code.

    ``authority.data_version`` must have been read in this request (the membership query reads it with the
    authority).
    """
    names = hashlib.sha256(f"{authority.code}\n{authority.name}".encode()).hexdigest()[:12]
    return (
        f"scorecard-grid:{authority.pk}:{names}:{period_label}:{months}:{int(include_drafts)}:"
        f"{authority.data_version}:{code_digest()}"
    )


def grid_get(key: str) -> str | None:
    try:
        return caches["default"].get(key)
    except Exception:  # noqa: BLE001 - a cache that is down means building the page, not an error page
        logger.warning("Scorecard cache unavailable", exc_info=True)
        return None


def grid_set(key: str, fragment: str) -> None:
    try:
        caches["default"].set(key, fragment, GRID_CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("Scorecard cache unavailable", exc_info=True)
