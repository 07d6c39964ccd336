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
#: SQLite writes any number with multi-row INSERTs (``_insert``); fewer on PostgreSQL go through bulk_create.
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
    if connection.vendor == "sqlite":
        _insert(connection, rows, at=timezone.now(), user_id=user_id, username=username, route=route.value)
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


def parameter_limit(connection) -> int:
    """The most parameters one statement may carry on this connection.

    SQLite's own limit (32,766 from SQLite 3.32, often more), not the 999 Django assumes of every SQLite: at
    999, ``bulk_create`` wrote an import's audit records 76 to a statement.
    """
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(connection.Database.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 65535


def _insert(connection, rows: list[tuple], *, at, user_id, username: str, route: str) -> None:
    """SQLite: the same records as ``bulk_create`` would write (one time for the batch), as many to a
    multi-row INSERT as the connection's parameter limit allows; each value prepared by its field."""
    if not rows:
        return
    fields = [ChangeRecord._meta.get_field(name) for name in COPIED_FIELDS]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, parameter_limit(connection) // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {quote(ChangeRecord._meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
                f"VALUES {', '.join([placeholders] * len(batch))}",
                [
                    field.get_db_prep_save(value, connection)
                    for row in batch
                    for field, value in zip(fields, (at, user_id, username, route, *row), strict=True)
                ],
            )


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
