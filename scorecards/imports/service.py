"""Plan an import without writing, then apply a valid plan in one transaction."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO

from django.db import connections, router, transaction
from django.db.models import Q

from scorecards.audit import changes_record, parameter_limit
from scorecards.entry.signoff import months_changed
from scorecards.models import ChangeRoute, ScorecardMonth, SignOffState

from . import messages
from .base import KindImport, RowReader, batched, same
from .figures import BenchmarkImport, TargetImport, ValueImport
from .plan_kinds import ActionImport, PlanImport
from .plans import Action, ImportPlan, ImportSummary, PlannedRow
from .reference import AuthorityImport, IndicatorImport
from .tables import RowError, Table, read_table

AUDIT_BATCH_SIZE = 1000

KINDS: dict[str, type[KindImport]] = {
    kind.name: kind
    for kind in (
        AuthorityImport,
        IndicatorImport,
        ValueImport,
        BenchmarkImport,
        TargetImport,
        PlanImport,
        ActionImport,
    )
}


class ImportFailed(ValueError):
    """The file has errors, so nothing was written; ``errors`` holds every one, in row order."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(messages.PLAN_HAS_ERRORS.format(count=len(self.errors)))


#: What ``apply_import`` raises for a plan with errors: the same exception, by the name callers use for it.
ImportRefused = ImportFailed


def plan_import(kind: str, file_obj: IO[bytes] | IO[str], filename: str) -> ImportPlan:
    """Read and check every row of the file and compare it with the database, without writing anything.

    Runs a fixed number of queries whatever the number of rows: what rows refer to, and the existing objects
    for the file's keys, are each loaded in one query.
    """
    if kind not in KINDS:
        raise ValueError(messages.UNKNOWN_KIND.format(kind=kind, expected=", ".join(KINDS)))
    return plan_table(kind, read_table(file_obj, filename))


def plan_table(kind: str, table: Table) -> ImportPlan:
    """Plan rows already read (from a file by ``read_table``, or built by a form), as ``plan_import`` does."""
    if kind not in KINDS:
        raise ValueError(messages.UNKNOWN_KIND.format(kind=kind, expected=", ".join(KINDS)))
    importer = KINDS[kind]()
    plan = ImportPlan(kind=kind)
    cell_errors: dict[int, list[RowError]] = {}
    for error in table.errors:
        if (error.row, error.column) in table.bad_cells:
            cell_errors.setdefault(error.row, []).append(error)
        else:
            plan.errors.append(error)
    if any(error.column == messages.FILE_COLUMN for error in plan.errors):
        return plan  # the file itself could not be read: its columns are not worth checking
    plan.errors.extend(_header_errors(importer, table))
    if plan.errors:
        return plan

    importer.prepare()
    parsed: list[tuple[PlannedRow, tuple]] = []
    first_row_of: dict[tuple, int] = {}
    for ordinal, row in enumerate(table.rows, start=1):
        errors = list(cell_errors.get(row.number, ()))
        result = importer.parse(RowReader(row, errors), ordinal)
        planned = PlannedRow(row=row.number, action=Action.REJECT, errors=errors)
        planned.key = tuple([row.cells.get(column, "") for column in importer.key_columns])
        plan.rows.append(planned)
        if result is not None:
            key, key_fields, fields = result
            if key in first_row_of:
                errors.append(_duplicate(importer, planned, first_row_of[key]))
            else:
                first_row_of[key] = row.number
                if not errors:
                    planned.fields = {**key_fields, **fields}
                    parsed.append((planned, key))
        plan.errors.extend(errors)
    del table, first_row_of

    existing = importer.existing(key for _, key in parsed)
    position = {name: index for index, name in enumerate(importer.stored)}
    for planned, key in parsed:
        if key not in existing:
            planned.action = Action.CREATE
            continue
        planned.pk, old = existing[key]
        planned.changes = {
            name: (old[position[name]], new)
            for name, new in planned.fields.items()
            if name in position and not same(old[position[name]], new)
        }
        if planned.changes:
            planned.action = Action.UPDATE
            for name, index in position.items():
                planned.fields.setdefault(name, old[index])
        else:
            planned.action = Action.UNCHANGED
            planned.fields = {}
    return plan


def _duplicate(importer: KindImport, planned: PlannedRow, first: int) -> RowError:
    described = ", ".join(
        f"{column} {value}" for column, value in zip(importer.key_columns, planned.key, strict=True)
    )
    return RowError(
        planned.row, importer.key_columns[0], messages.DUPLICATE_KEY.format(key=described, first=first)
    )


def _header_errors(importer: KindImport, table: Table) -> list[RowError]:
    errors = []
    expected = ", ".join(importer.columns)
    for column in table.header:
        if column not in importer.columns:
            label = table.labels.get(column, column)
            errors.append(
                RowError(
                    table.header_row, label, messages.UNKNOWN_COLUMN.format(column=label, expected=expected)
                )
            )
    for column in importer.required:
        if column not in table.header:
            errors.append(RowError(table.header_row, column, messages.MISSING_COLUMN.format(column=column)))
    return errors


@transaction.atomic
def apply_import(
    plan: ImportPlan,
    *,
    user=None,
    route: ChangeRoute | str = ChangeRoute.UPLOAD,
    notes_by_row: Mapping[int, str] | None = None,
) -> ImportSummary:
    """Write a valid plan, all or nothing: creates and updates in batches, each changed field audited.

    A plan with errors is refused (``ImportFailed``). Months whose values changed go back to draft, as any
    change after approval does (``signoff.months_changed``). ``notes_by_row`` adds a note to the audit
    records of a row (e.g. the confirmation of an unusual figure).
    """
    if plan.errors or any(planned.action == Action.REJECT for planned in plan.rows):
        raise ImportFailed(plan.errors)
    importer = KINDS[plan.kind]()
    creates, updates = plan.rows_to(Action.CREATE), plan.rows_to(Action.UPDATE)
    importer.apply(creates, updates, user=user)
    for batch in batched(importer.changes(creates, updates, notes_by_row or {}), AUDIT_BATCH_SIZE):
        changes_record(batch, user=user, route=route)
    if plan.kind == ValueImport.name:
        periods_by_authority: dict[int, set] = {}
        for planned in creates + updates:
            periods_by_authority.setdefault(planned.fields["authority_id"], set()).add(
                planned.fields["period"]
            )
        _months_changed(periods_by_authority, user=user, route=route)
    return plan.summary


def _months_changed(periods_by_authority: dict[int, set], *, user, route: ChangeRoute | str) -> None:
    """What ``signoff.months_changed`` does for each authority's months, in a few queries, not a few for each
    authority and one for each new month: the months there are locked (``select_for_update``, exactly the rows
    ``months_changed`` locks), those not there are created as drafts in one ``bulk_create``, and only an
    authority with a month past draft goes through ``months_changed``, which sends it back to draft.
    """
    states: dict[tuple[int, object], str] = {}
    for group in _authority_groups(periods_by_authority):
        wanted = Q()
        for authority_id, periods in group:
            wanted |= Q(authority_id=authority_id, period__in=periods)
        months = ScorecardMonth.objects.select_for_update().filter(wanted)
        states.update(
            ((a, p), state) for a, p, state in months.values_list("authority_id", "period", "state")
        )
    ScorecardMonth.objects.bulk_create(
        ScorecardMonth(authority_id=authority_id, period=period)
        for authority_id, periods in periods_by_authority.items()
        for period in sorted(periods)
        if (authority_id, period) not in states
    )
    for authority_id, periods in periods_by_authority.items():
        past_draft = {
            p for p in periods if states.get((authority_id, p), SignOffState.DRAFT) != SignOffState.DRAFT
        }
        if past_draft:
            months_changed(authority_id=authority_id, periods=past_draft, user=user, route=route)


def _authority_groups(periods_by_authority: dict[int, set]) -> Iterator[list[tuple[int, set]]]:
    """The authorities and their months in groups whose ids and months fit one statement's parameters."""
    room = parameter_limit(connections[router.db_for_write(ScorecardMonth)])
    group, size = [], 0
    for authority_id, periods in periods_by_authority.items():
        if group and size + len(periods) + 1 > room:
            yield group
            group, size = [], 0
        group.append((authority_id, periods))
        size += len(periods) + 1
    if group:
        yield group


def import_file(
    kind: str,
    file_obj: IO[bytes] | IO[str],
    filename: str,
    *,
    user=None,
    dry_run: bool = False,
    route: ChangeRoute | str = ChangeRoute.UPLOAD,
) -> ImportSummary:
    """Plan the file and, unless this is a dry run, apply it; what was (or would be) done.

    Raises ``ImportFailed`` with every error when the file has any, having written nothing.
    """
    with transaction.atomic():
        plan = plan_import(kind, file_obj, filename)
        if plan.errors:
            raise ImportFailed(plan.errors)
        if dry_run:
            return plan.summary
        return apply_import(plan, user=user, route=route)
