"""Entering a month by form: what the form shows, and saving it with the import's own rules.

A form submission is turned into the rows of a ``values`` upload and checked by the same planner, so a
figure the form accepts is exactly a figure an upload would accept, and so is a cohort's (``entry.cohorts``).
On top of that the form asks for confirmation of unusual figures, and refuses to overwrite a colleague's save
made since the form was opened.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max

from authorities.models import Authority
from scorecards.core.selectors import indicators_in_catalogue_order
from scorecards.entry.cohorts import (
    CohortSlot,
    cohort_cells,
    cohort_slots,
    new_cohort_error,
    stored_text,
)
from scorecards.imports import Action, ImportPlan, apply_import
from scorecards.imports.service import plan_table
from scorecards.imports.tables import RowError, Table, TableRow, control_character_message
from scorecards.models import ChangeRecord, ChangeRoute, Indicator, MonthlyValue, ValueStatus

FIELDS = ("value", "numerator", "denominator", "status", "commentary")
PERCENT_JUMP = Decimal(25)
MEDIAN_MULTIPLE = 3
HISTORY_MONTHS = 12

UNUSUAL_PERCENT = "{change} points from {previous} last month: more than 25 points."
UNUSUAL_MEDIAN = "a change of {change} from {previous}, over three times the usual monthly change ({median})."
CONFLICT = "Someone else saved this month after you opened the form. Nothing of yours was saved: check their changes below, then enter yours again."
CONFIRM_NOTE = "unusual figure confirmed: {reason}"


@dataclass
class EntryRow:
    indicator: Indicator
    current: MonthlyValue | None
    previous_value: Decimal | None
    previous_period: datetime.date | None
    history: list[Decimal] = field(default_factory=list)
    #: the indicator's cohorts with a figure in the month or before, then an empty one to add a cohort
    cohorts: list[CohortSlot] = field(default_factory=list)

    def initial(self, name: str) -> str:
        return stored_text(self.current, name)


@dataclass
class SaveResult:
    plan: ImportPlan | None = None
    #: errors by (indicator code, or a cohort's field prefix, field)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)
    #: unusual figures awaiting confirmation, by indicator code
    confirmations: dict[str, str] = field(default_factory=dict)
    conflicts: list[ChangeRecord] = field(default_factory=list)
    saved: int = 0

    @property
    def ok(self) -> bool:
        return not (self.errors or self.confirmations or self.conflicts)


def _month_before(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_entry_rows(*, authority: Authority, period: datetime.date) -> list[EntryRow]:
    """Every indicator with this month's stored figure, last month's figure, a year of history and its cohorts
    (3 queries). The history is the headline figure's: a cohort's figures are not the indicator's."""
    indicators = indicators_in_catalogue_order(list(Indicator.objects.all()))
    stored: dict[int, dict[datetime.date, MonthlyValue]] = defaultdict(dict)
    cohorts_now: dict[tuple[int, str], MonthlyValue] = {}
    cohorts_before: dict[tuple[int, str], MonthlyValue] = {}
    for monthly_value in MonthlyValue.objects.filter(
        authority=authority, period__gte=_month_before(period, HISTORY_MONTHS), period__lte=period
    ).order_by("period"):
        key = (monthly_value.indicator_id, monthly_value.cohort)
        if not monthly_value.cohort:
            stored[monthly_value.indicator_id][monthly_value.period] = monthly_value
        elif monthly_value.period == period:
            cohorts_now[key] = monthly_value
        elif monthly_value.value is not None:
            cohorts_before[key] = monthly_value  # months in order: the latest stays
    slots = cohort_slots(
        authority=authority,
        period=period,
        indicators=indicators,
        current=cohorts_now,
        previous=cohorts_before,
    )
    rows = []
    for indicator in indicators:
        by_month = stored.get(indicator.pk, {})
        earlier = sorted((p, v.value) for p, v in by_month.items() if p < period and v.value is not None)
        rows.append(
            EntryRow(
                indicator=indicator,
                current=by_month.get(period),
                previous_value=earlier[-1][1] if earlier else None,
                previous_period=earlier[-1][0] if earlier else None,
                history=[value for _, value in earlier],
                cohorts=slots[indicator.pk],
            )
        )
    return rows


def _month_records(*, authority: Authority, period: datetime.date):
    return ChangeRecord.objects.filter(authority=authority, period=period, kind="value")


def month_version(*, authority: Authority, period: datetime.date) -> str:
    """A token that changes whenever any figure of the month is saved.

    It ends with the newest audit record of the month's figures, so that a conflict can list exactly the
    changes made after the form was opened (not the save that produced what the form showed).
    """
    state = MonthlyValue.objects.filter(authority=authority, period=period).aggregate(
        newest=Max("updated_at"), count=Count("pk")
    )
    newest = state["newest"].isoformat() if state["newest"] else "none"
    last_record = _month_records(authority=authority, period=period).aggregate(last=Max("pk"))["last"] or 0
    return f"{newest}|{state['count']}|{last_record}"


def _records_since(version: str) -> int:
    """The newest audit record the form had seen; 0 (show every record) when the token is not one of ours."""
    try:
        return max(int(version.rsplit("|", 1)[1]), 0)
    except (IndexError, ValueError):
        return 0


def unusual_change(row: EntryRow, new: Decimal | None) -> str | None:
    """Why a new figure looks unusual against the indicator's last 12 months, or None."""
    if new is None or row.previous_value is None:
        return None
    change = abs(new - row.previous_value)
    previous = format(row.previous_value.normalize(), "f")
    if row.indicator.unit == "percent" and change > PERCENT_JUMP:
        return UNUSUAL_PERCENT.format(change=format(change.normalize(), "f"), previous=previous)
    steps = [abs(b - a) for a, b in zip(row.history, row.history[1:], strict=False)]
    if len(steps) >= 3:
        median = Decimal(statistics.median(steps))
        if median > 0 and change > MEDIAN_MULTIPLE * median:
            return UNUSUAL_MEDIAN.format(
                change=format(change.normalize(), "f"),
                previous=previous,
                median=format(median.normalize(), "f"),
            )
    return None


def authority_lock(*, authority: Authority) -> None:
    """Take the authority's write lock until the transaction ends: writers of its figures go one at a time.

    Every write of figures through a page takes it first (the month form, confirming an upload), so that what
    a writer checks (the form's version, an upload's preview) cannot change before it writes. On PostgreSQL
    it is the authority's row, locked; SQLite has no row locks, but its transactions take the database's write
    lock when they begin (``transaction_mode`` IMMEDIATE in config/settings.py).
    """
    list(Authority.objects.select_for_update().filter(pk=authority.pk).values_list("pk", flat=True))


def _form_cells(row: EntryRow, submitted: dict[str, dict[str, str]]):
    """(field prefix, cells, what the form refuses of them) of each of the row's figures the form would write:
    the headline figure, then its cohorts."""
    entry = submitted.get(row.indicator.code, {})
    cells = {name: (entry.get(name) or "").strip() for name in FIELDS}
    if any(cells.values()) or row.current is not None:
        yield row.indicator.code, cells, None
    listed = [slot.cohort for slot in row.cohorts if not slot.is_new]
    for slot in row.cohorts:
        cells = cohort_cells(slot, submitted.get(slot.prefix, {}))
        if cells is not None:
            yield slot.prefix, cells, new_cohort_error(slot, cells, listed)


def _table(
    *, authority: Authority, period: datetime.date, submitted: dict[str, dict[str, str]], rows
) -> tuple[Table, dict[int, str]]:
    """The form as a ``values`` table, and the field prefix of each of its rows by row number."""
    header = ["authority", "indicator", "period", *FIELDS, "cohort"]
    table = Table(header=header, labels={name: name for name in header})
    prefixes: dict[int, str] = {}
    for row in rows:
        for prefix, cells, refused in _form_cells(row, submitted):
            number = len(prefixes) + 2
            prefixes[number] = prefix
            problems = [(name, control_character_message(text)) for name, text in cells.items()]
            # A file's reader refuses these characters; a form's fields are checked here (NUL cannot be stored).
            for name, message in [*problems, ("cohort", refused)]:
                if message and (number, name) not in table.bad_cells:
                    table.errors.append(RowError(number, name, message))
                    table.bad_cells.add((number, name))
            table.rows.append(
                TableRow(
                    number=number,
                    cells={
                        "authority": authority.code,
                        "indicator": row.indicator.code,
                        "period": f"{period:%Y-%m}",
                        **cells,
                    },
                )
            )
    return table, prefixes


@transaction.atomic
def month_values_save(
    *,
    authority: Authority,
    period: datetime.date,
    submitted: dict[str, dict[str, str]],
    confirmed: set[str],
    version: str,
    user,
) -> SaveResult:
    """Check and save a whole month from the form; nothing is written unless everything is right.

    The version is compared under the authority's write lock, so of two officers saving at once the second
    waits for the first and is then shown its changes. The month's sign-off is made only when figures are
    written (``apply_import``), never by a save that was refused.
    """
    result = SaveResult()
    authority_lock(authority=authority)
    current_version = month_version(authority=authority, period=period)
    if version != current_version:
        records = _month_records(authority=authority, period=period).filter(pk__gt=_records_since(version))
        result.conflicts = list(records.select_related("indicator")[:200])
        result.errors[("", "")] = CONFLICT
        return result

    rows = month_entry_rows(authority=authority, period=period)
    by_code = {row.indicator.code: row for row in rows}
    table, code_by_row = _table(authority=authority, period=period, submitted=submitted, rows=rows)
    plan = plan_table("values", table)
    result.plan = plan
    for error in plan.errors:
        result.errors[(code_by_row.get(error.row, ""), error.column)] = error.message
    if result.errors:
        return result

    notes: dict[str, str] = {}
    for planned in plan.rows:
        code = code_by_row[planned.row]
        if planned.action not in (Action.CREATE, Action.UPDATE) or code not in by_code:
            continue  # unchanged, or a cohort's figure (never rated, so never unusual)
        if planned.action == Action.UPDATE and "value" not in planned.changes:
            continue  # the figure itself is not changing (e.g. only its commentary): nothing to confirm again
        reason = unusual_change(by_code[code], planned.fields.get("value"))
        if reason and code not in confirmed:
            result.confirmations[code] = reason
        elif reason:
            notes[code] = CONFIRM_NOTE.format(reason=reason)
    if result.confirmations:
        return result

    apply_import(
        plan,
        user=user,
        route=ChangeRoute.FORM,
        notes_by_row={
            planned.row: notes[code_by_row[planned.row]]
            for planned in plan.rows
            if code_by_row[planned.row] in notes
        },
    )
    result.saved = plan.summary.created + plan.summary.updated
    return result


STATUS_CHOICES = [("", "Reported (give a value)")] + [
    (status.value, status.label) for status in ValueStatus if status.value
]
