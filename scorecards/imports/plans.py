"""What an import would do, row by row, before anything is written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .tables import RowError


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REJECT = "reject"


@dataclass(slots=True)
class PlannedRow:
    """One data row of the file and what importing it does."""

    #: The row number a spreadsheet shows (the header is row 1).
    row: int
    action: Action
    #: The natural key as written in the file, e.g. ("838", "dental_check_pct", "2020-11").
    key: tuple[str, ...] = ()
    #: For an update, each field that changes: (old, new).
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    #: The primary key of the existing object (update and unchanged).
    pk: int | None = None
    #: For create and update, every field to write (keys as model field names, foreign keys as ``*_id``).
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


@dataclass
class ImportPlan:
    """Every row of one file, checked and compared with the database, and every error found."""

    kind: str
    rows: list[PlannedRow] = field(default_factory=list)
    #: All errors in row order: the file's own first, then each rejected row's.
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> ImportSummary:
        counts = {action: 0 for action in Action}
        for planned in self.rows:
            counts[planned.action] += 1
        return ImportSummary(counts[Action.CREATE], counts[Action.UPDATE], counts[Action.UNCHANGED])

    def digest(self) -> str:
        """A fingerprint of what applying would do; it differs when the file or the database has changed.

        A page shows a preview, then applies the plan made again on confirmation only if the digests agree.
        """
        fingerprint = hashlib.sha256(self.kind.encode())
        for planned in self.rows:
            fingerprint.update(
                repr(
                    (
                        planned.row,
                        str(planned.action),
                        planned.key,
                        planned.pk,
                        sorted((name, str(old), str(new)) for name, (old, new) in planned.changes.items()),
                        sorted((name, str(value)) for name, value in planned.fields.items()),
                        [str(error) for error in planned.errors],
                    )
                ).encode()
            )
        for error in self.errors:
            fingerprint.update(str(error).encode())
        return fingerprint.hexdigest()

    def rows_to(self, action: Action) -> list[PlannedRow]:
        return [planned for planned in self.rows if planned.action == action]
