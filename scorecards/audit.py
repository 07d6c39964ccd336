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

from django.db import connections, router
from django.utils import timezone

from scorecards.models import ChangeRecord, ChangeRoute


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


#: From this many records at once, PostgreSQL's COPY writes them. An import of 100,000 values records as many
#: changes, and building a model instance and the INSERT's parameters for each field took half its time.
COPY_FROM = 200
COPIED_FIELDS = (
    "at", "user", "username", "route", "kind", "authority", "indicator", "period", "object_key", "field",
    "old", "new", "note",
)  # fmt: skip


def changes_record(changes: Iterable[Change], *, user=None, route: ChangeRoute | str) -> int:
    """Write one record per changed field; returns how many."""
    route = ChangeRoute(route)
    username = user.get_username() if user is not None and user.is_authenticated else ""
    user_id = user.pk if username else None
    rows = []
    for change in changes:
        old, new = audit_text(change.old), audit_text(change.new)
        if old != new or change.field == "state":
            rows.append(
                (
                    change.kind,
                    change.authority_id,
                    change.indicator_id,
                    change.period,
                    change.object_key[:200],
                    change.field,
                    old,
                    new,
                    change.note[:250],
                )
            )
    connection = connections[router.db_for_write(ChangeRecord)]
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        _copy(connection, rows, at=timezone.now(), user_id=user_id, username=username, route=route.value)
        return len(rows)
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                user=user if username else None,
                username=username,
                route=route,
                kind=kind,
                authority_id=authority_id,
                indicator_id=indicator_id,
                period=period,
                object_key=object_key,
                field=field,
                old=old,
                new=new,
                note=note,
            )
            for kind, authority_id, indicator_id, period, object_key, field, old, new, note in rows
        ],
        batch_size=1000,
    )
    return len(rows)


def _copy(connection, rows: list[tuple], *, at, user_id, username: str, route: str) -> None:
    """The same records as ``bulk_create`` would write (one time for the batch), through COPY."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(ChangeRecord._meta.get_field(name).column) for name in COPIED_FIELDS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(ChangeRecord._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((at, user_id, username, route, *row))
