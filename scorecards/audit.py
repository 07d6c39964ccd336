"""The audit trail: every change to a value, benchmark, target, indicator or sign-off, by route.

Services call ``changes_record`` inside their own transaction, so a change and its record are written
together or not at all.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .models import ChangeRecord, ChangeRoute


@dataclass(frozen=True)
class Change:
    """One field of one object changing from ``old`` to ``new``."""

    kind: str
    object_key: str
    field: str
    old: Any
    new: Any
    authority_id: int | None = None
    indicator_id: int | None = None
    period: datetime.date | None = None
    note: str = ""


def audit_text(value: Any) -> str:
    """How a value is written in the audit: numbers without trailing zeros, missing as empty."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(audit_text(item) for item in value)
    return str(value)


def changes_record(changes: Iterable[Change], *, user=None, route: ChangeRoute | str) -> int:
    """Write one record per changed field; returns how many."""
    route = ChangeRoute(route)
    username = user.get_username() if user is not None and user.is_authenticated else ""
    records = [
        ChangeRecord(
            user=user if username else None,
            username=username,
            route=route,
            kind=change.kind,
            authority_id=change.authority_id,
            indicator_id=change.indicator_id,
            period=change.period,
            object_key=change.object_key[:200],
            field=change.field,
            old=audit_text(change.old),
            new=audit_text(change.new),
            note=change.note[:250],
        )
        for change in changes
        if audit_text(change.old) != audit_text(change.new) or change.field == "state"
    ]
    ChangeRecord.objects.bulk_create(records, batch_size=1000)
    return len(records)
