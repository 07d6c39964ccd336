"""What every kind of import shares: reading a row's cells, and finding and writing objects in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from scorecards.audit import COPY_FROM, Change, parameter_limit

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
        text = self.cells.get(column, ABSENT)
        if text is ABSENT:
            return ABSENT
        if self.errors and self.has_error(column):
            return INVALID
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


#: The fields an update stamps with who wrote it and when, the same for every row of an import.
STAMPS = ("updated_by", "updated_at")


def update_rows(
    model: type[Model],
    field_names: tuple[str, ...],
    rows: Iterable[tuple[Any, tuple]],
    *,
    stamps: Mapping[str, Any] | None = None,
) -> int:
    """Write these fields of existing objects, given as (pk, values in ``field_names`` order); returns how many.

    Set-based: on PostgreSQL the rows are copied into a temporary table and one ``UPDATE ... FROM`` writes
    them all, so statement-level triggers (the data version, migration scorecards 0005) fire once for the
    import rather than once per row; one UPDATE per row made correcting 100,000 figures take several times as
    long as creating them. Elsewhere ``UPDATE ... FROM (VALUES ...)`` a batch at a time. ``stamps`` are
    fields set to the same value on every row (who updated, and when), sent once as parameters.

    Runs a fixed number of statements on PostgreSQL whatever the number of rows. Values are prepared by each
    field as ``save()`` would; only table and column names from the model's metadata are put in the text.
    """
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [meta.get_field(name) for name in field_names]
    stamped = [(meta.get_field(name), value) for name, value in (stamps or {}).items()]
    preparers = [_preparer(field, connection) for field in (meta.pk, *fields)]
    prepared = (
        tuple(prepare(value) for prepare, value in zip(preparers, (pk, *values), strict=True))
        for pk, values in rows
    )
    stamp_values = [field.get_db_prep_save(value, connection) for field, value in stamped]
    with transaction.atomic(using=connection.alias, savepoint=False):
        if connection.vendor == "postgresql":
            return _update_from_copy(connection, meta, fields, stamped, stamp_values, prepared)
        if connection.vendor == "sqlite" and connection.Database.sqlite_version_info < (3, 33):
            return _update_row_by_row(connection, meta, fields, stamped, stamp_values, prepared)
        return _update_from_values(connection, meta, fields, stamped, stamp_values, prepared)


#: Python types that fields of these kinds would save unchanged (finite Decimals only): preparing them again
#: was a third of the time of an update's Python side, five fields for each of 100,000 rows.
#: Integers too, of integer fields and of foreign keys to them: two foreign keys of each created figure.
SAVED_AS_IS = {
    "CharField": str, "TextField": str, "SlugField": str, "DecimalField": Decimal,
    "IntegerField": int, "BigIntegerField": int, "AutoField": int, "BigAutoField": int,
}  # fmt: skip


def _preparer(field, connection) -> Callable[[Any], Any]:
    """The field's ``get_db_prep_save``, skipped for None and values already stored as they are."""
    target = field.target_field if field.get_internal_type() == "ForeignKey" else field
    as_is = SAVED_AS_IS.get(target.get_internal_type())

    def prepare(value):
        if as_is is not None and (
            value is None or (type(value) is as_is and (as_is is not Decimal or value.is_finite()))
        ):
            return value
        return field.get_db_prep_save(value, connection)

    return prepare


def _assignments(quote, fields, stamped, source: str) -> str:
    return ", ".join(
        [f"{quote(field.column)} = {source}.{quote(field.column)}" for field in fields]
        + [f"{quote(field.column)} = %s" for field, _ in stamped]
    )


def _update_from_copy(connection, meta, fields, stamped, stamp_values, prepared) -> int:
    """PostgreSQL: COPY into a temporary table shaped like the model's, then one UPDATE joining it."""
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    changed = quote(f"{meta.db_table}_changed")
    columns = ", ".join(quote(field.column) for field in (meta.pk, *fields))
    count = 0
    with connection.cursor() as cursor:
        # The columns' own types, so COPY parses each value as the table would; gone at the end of the
        # transaction whatever happens, and dropped below when all went well.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {changed} ON COMMIT DROP AS "  # noqa: S608 - names from the model
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {changed} ({columns}) FROM STDIN") as copy:
            for row in prepared:
                copy.write_row(row)
                count += 1
        if count:
            cursor.execute(f"ANALYZE {changed}")
            pk = quote(meta.pk.column)
            cursor.execute(
                f"UPDATE {table} SET {_assignments(quote, fields, stamped, 'changed')} "  # noqa: S608
                f"FROM {changed} AS changed WHERE {table}.{pk} = changed.{pk}",
                stamp_values,
            )
        cursor.execute(f"DROP TABLE {changed}")
    return count


def insert_rows(model: type[Model], rows: Iterable[Mapping[str, Any]], *, stamps: Mapping[str, Any]) -> int:
    """Create objects from their fields (foreign keys as ``*_id``) with one COPY (PostgreSQL); returns how many.

    What ``bulk_create`` writes of instances made from the same fields: a field not given gets its default, an
    ``auto_now`` field the time of the call, ``stamps`` (by field name) the same value on every row; each value
    prepared by its field. One statement, so the statement-level triggers (the data version, migration
    scorecards 0005) fire once; an instance and an INSERT's parameters for each of 100,000 new figures took
    half of a create import's time. Only names from the model's metadata are put in the statement.
    """
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [field for field in meta.concrete_fields if not isinstance(field, AutoFieldMixin)]
    fixed = {meta.get_field(name).attname: value for name, value in stamps.items()}
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fixed[field.attname] = now
    getters = [_getter(field, fixed, connection) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([get(row) for get in getters])
            count += 1
    return count


def _getter(field, fixed: Mapping[str, Any], connection) -> Callable[[Mapping[str, Any]], Any]:
    """A row's value of this field, prepared for the database: the fixed one, the row's own, or the default."""
    name = field.attname
    if name in fixed:
        value = field.get_db_prep_save(fixed[name], connection)
        return lambda row: value
    prepare = _preparer(field, connection)
    if callable(field.default):  # e.g. a fresh uuid4 for every object
        return lambda row: prepare(row[name] if name in row else field.get_default())
    default = field.get_default()
    return lambda row: prepare(row.get(name, default))


def _update_from_values(connection, meta, fields, stamped, stamp_values, prepared) -> int:
    """SQLite (3.33 and later) and others: ``UPDATE ... FROM`` a VALUES list, as many rows as fit a statement
    (5,000 and more on SQLite: ``parameter_limit``)."""
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    pk = quote(meta.pk.column)
    width = len(fields) + 1
    names = ", ".join(quote(field.column) for field in (meta.pk, *fields))
    # Stamps are parameters too; SQLite counts every one against its limit.
    size = max(1, (parameter_limit(connection) - len(stamped)) // width)
    row_placeholders = "(" + ", ".join(["%s"] * width) + ")"
    count = 0
    with connection.cursor() as cursor:
        for batch in batched(prepared, size):
            values = ", ".join([row_placeholders] * len(batch))
            cursor.execute(
                f"WITH changed ({names}) AS (VALUES {values}) "  # noqa: S608 - names from the model
                f"UPDATE {table} SET {_assignments(quote, fields, stamped, 'changed')} "
                f"FROM changed WHERE {table}.{pk} = changed.{pk}",
                [value for row in batch for value in row] + stamp_values,
            )
            count += len(batch)
    return count


def _update_row_by_row(connection, meta, fields, stamped, stamp_values, prepared) -> int:
    """SQLite before 3.33 (no ``UPDATE ... FROM``): one parameterised UPDATE run for every row."""
    quote = connection.ops.quote_name
    assignments = ", ".join(quote(field.column) + " = %s" for field in (*fields, *(f for f, _ in stamped)))
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [[*row[1:], *stamp_values, row[0]] for row in prepared]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


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


def all_set(*values: Any) -> bool:
    """Whether every value is set: ``is_set`` of each, in two searches (``in`` compares by identity first)."""
    return ABSENT not in values and INVALID not in values


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
    #: Whether new objects may be written by COPY (``insert_rows``): ``build`` makes a plain instance of the
    #: planned fields and the update's stamps (who and when), with nothing else to write for it.
    copies_creates: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def stored(self) -> tuple[str, ...]:
        """The fields a file can set, in the order ``existing`` returns their values."""
        return tuple(name for name in self.update_fields if name not in STAMPS)

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
        """Create new objects; update existing ones in one set-based write (``update_rows``).

        Creates are written by COPY on PostgreSQL for kinds that allow it (``copies_creates``, from
        ``COPY_FROM`` rows, as audit records are), straight from the planned fields; otherwise built as model
        instances a batch at a time, so a large file never holds them all at once. Updates are written from
        the planned fields without building instances.
        """
        connection = connections[router.db_for_write(self.model)]
        if self.copies_creates and connection.vendor == "postgresql" and len(creates) >= COPY_FROM:
            insert_rows(self.model, (planned.fields for planned in creates), stamps=self.stamps(user))
        else:
            for batch in batched(creates, BATCH_SIZE):
                self.model.objects.bulk_create([self.build(planned.fields, user=user) for planned in batch])
        written = tuple(name for name in self.update_fields if name not in STAMPS)
        if updates:
            update_rows(
                self.model,
                written,
                ((planned.pk, tuple(planned.fields[name] for name in written)) for planned in updates),
                stamps=self.stamps(user),
            )

    def stamps(self, user) -> dict[str, Any]:
        """Who updated and when, for the kinds that record it (``updated_by``, ``updated_at``)."""
        values = {"updated_by": user.pk if user is not None else None, "updated_at": timezone.now()}
        return {name: values[name] for name in self.update_fields if name in STAMPS}

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
