"""What every kind of import shares: reading a row's cells, and finding and writing objects in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import connections, router
from django.db.models import Model

from scorecards.audit import Change

from . import cells, messages
from .cells import CellError
from .plans import PlannedRow
from .tables import RowError, TableRow

BATCH_SIZE = 500

ABSENT = object()  # the column is not in the file
INVALID = object()  # the cell had an error, already recorded


class RowReader:
    """Reads one row's cells, recording an error per bad cell rather than stopping at the first."""

    __slots__ = ("cells", "errors", "number")

    def __init__(self, row: TableRow, errors: list[RowError]) -> None:
        self.number = row.number
        self.cells = row.cells
        self.errors = errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def has_error(self, column: str) -> bool:
        return bool(self.errors) and any(error.column == column for error in self.errors)

    def read(self, column: str, parse: Callable[[str], Any] | None = None, *, required: bool = False) -> Any:
        """The parsed cell; None when empty; ABSENT without the column; INVALID after recording an error."""
        if column not in self.cells:
            return ABSENT
        if self.has_error(column):
            return INVALID
        text = self.cells[column]
        if not text:
            if required:
                self.error(column, messages.REQUIRED)
                return INVALID
            return None
        if parse is None:
            return text
        try:
            return parse(text)
        except CellError as error:
            self.error(column, str(error))
            return INVALID


def update_objects(objects: list[Model], field_names: tuple[str, ...]) -> None:
    """Save these fields of existing objects with one parameterised UPDATE run for every object.

    QuerySet.bulk_update writes a CASE expression per field holding every object of the batch; the database
    then compares each row with every object, and a 100,000-row file took minutes. This is linear.
    """
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in field_names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [field.get_db_prep_save(field.pre_save(obj, False), connection) for field in fields] + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def text_of(max_length: int) -> Callable[[str], str]:
    # Text is stored as written, even "=1+1" or "@cmd": it is never evaluated here, and exports escape it.
    return lambda text: cells.check_length(text, max_length)


def max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def is_set(value: Any) -> bool:
    return value is not ABSENT and value is not INVALID


def same(old: Any, new: Any) -> bool:
    """Equal as stored: Decimals compare by number (70.1 == 70.1000), None only equals None."""
    if old is None or new is None:
        return old is None and new is None
    return old == new


class KindImport:
    """One kind of file. Subclasses fill in the columns and the four steps of an import."""

    name: str
    model: type
    required: tuple[str, ...]
    optional: tuple[str, ...]
    key_columns: tuple[str, ...]
    #: The fields an update writes: every field a file can set.
    update_fields: tuple[str, ...]
    #: How the audit trail names this kind of object, and the fields it records.
    audit_kind: str
    audited_fields: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def stored(self) -> tuple[str, ...]:
        """The fields a file can set, in the order ``existing`` returns their values."""
        return tuple(name for name in self.update_fields if name not in ("updated_by", "updated_at"))

    def prepare(self) -> None:
        """Load what rows refer to (authorities, indicators), in a fixed number of queries."""

    def parse(self, reader: RowReader, ordinal: int) -> tuple[tuple, dict, dict] | None:
        """Return (database key, key fields, other fields) for a row, or None when a key cell is bad."""
        raise NotImplementedError

    def existing(self, keys: Iterable[tuple]) -> dict[tuple, tuple[int, tuple]]:
        """Existing objects for these keys, in a fixed number of queries: key -> (pk, ``stored`` values).

        Tuples, not dicts or model instances: a large file can have a hundred thousand of them.
        """
        raise NotImplementedError

    def apply(self, creates: list[PlannedRow], updates: list[PlannedRow], *, user=None) -> None:
        # Objects are built a batch at a time, so a large file never holds every model instance at once.
        for batch in batched(creates, BATCH_SIZE):
            self.model.objects.bulk_create([self.build(planned.fields, user=user) for planned in batch])
        for batch in batched(updates, BATCH_SIZE):
            update_objects(
                [self.build(planned.fields, pk=planned.pk, user=user) for planned in batch],
                self.update_fields,
            )

    def build(self, fields: dict[str, Any], *, pk: int | None = None, user=None):
        return self.model(pk=pk, **fields)

    def changes(
        self, creates: list[PlannedRow], updates: list[PlannedRow], notes_by_row: Mapping[int, str]
    ) -> Iterator[Change]:
        """The audit trail's view of an applied plan: each field set on creation, each field changed."""
        for created, rows in ((True, creates), (False, updates)):
            for planned in rows:
                yield from self._row_changes(planned, created, notes_by_row.get(planned.row, ""))

    def _row_changes(self, planned: PlannedRow, created: bool, note: str) -> Iterator[Change]:
        authority_id, indicator_id, period = self.audit_ids(planned)
        if created:
            pairs = [(name, None, planned.fields.get(name)) for name in self.audited_fields]
            note = "; ".join(filter(None, ["created", note]))
        else:
            pairs = [(name, old, new) for name, (old, new) in planned.changes.items()]
        for name, old, new in pairs:
            if name not in self.audited_fields or (created and new in (None, "", ())):
                continue
            yield Change(
                kind=self.audit_kind,
                object_key=self.object_key(planned),
                field=name,
                old=old,
                new=new,
                authority_id=authority_id,
                indicator_id=indicator_id,
                period=period,
                note=note,
            )

    def object_key(self, planned: PlannedRow) -> str:
        return " ".join(planned.key)

    def audit_ids(self, planned: PlannedRow) -> tuple[int | None, int | None, Any]:
        """(authority id, indicator id, period) for the audit record of an applied row."""
        fields = planned.fields
        return fields.get("authority_id"), fields.get("indicator_id"), fields.get("period")


def not_negative(number: Decimal, what: str) -> Decimal:
    if number < 0:
        raise CellError(messages.NEGATIVE_NUMBER.format(value=cells.plain(number), what=what))
    return number
