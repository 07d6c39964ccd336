"""Correcting figures costs what loading them costs: an update import writes its rows set-based.

One UPDATE per row fired the data version's statement-level trigger (migration scorecards 0005) once per row
on PostgreSQL; the number of statements an update import runs must not grow with its rows.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scorecards.audit import COPY_FROM
from scorecards.imports import apply_import, import_file, plan_import
from scorecards.imports import base as imports_base
from scorecards.models import ChangeRecord, Indicator, MonthlyValue, ScorecardMonth, SignOffState

NOV = datetime.date(2020, 11, 1)
STAMPED = datetime.datetime(2020, 12, 5, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def figures(home_authority):
    """900 indicators with an approved November figure each (10, or "not available" every tenth)."""
    Indicator.objects.bulk_create(
        Indicator(
            code=f"measure_{number:03d}",
            section="Health",
            name=f"Measure {number}",
            unit="percent",
            polarity="higher_is_better",
            position=number,
        )
        for number in range(900)
    )
    indicators = list(Indicator.objects.order_by("code"))
    MonthlyValue.objects.bulk_create(
        MonthlyValue(
            authority=home_authority,
            indicator=indicator,
            period=NOV,
            value=None if number % 10 == 9 else Decimal(10),
            status="not_available" if number % 10 == 9 else "",
        )
        for number, indicator in enumerate(indicators)
    )
    MonthlyValue.objects.update(updated_at=STAMPED)
    ScorecardMonth.objects.create(
        authority=home_authority, period=NOV, state=SignOffState.APPROVED, revision=1
    )
    return indicators


def _file(indicators, rows: int, *, varied: bool = True) -> io.BytesIO:
    """New figures for the first ``rows`` indicators: 20, with commentary; varied, a status for every seventh.

    Not varied, a row changes one audited field (two where a status gives way to the value).
    """
    lines = ["authority,indicator,period,value,status,commentary"]
    for number, indicator in enumerate(indicators[:rows]):
        if not varied:
            lines.append(f"838,{indicator.code},2020-11,20,,")
        elif number % 7 == 6:
            lines.append(f"838,{indicator.code},2020-11,,suppressed,")
        else:
            lines.append(f"838,{indicator.code},2020-11,20,,Checked {number}")
    return io.BytesIO("\n".join(lines).encode())


class _Statements:
    """Every statement run, counting an ``executemany`` once per set of parameters (per row)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += len(params) if many else 1
        return execute(sql, params, many, context)


def _update_import_statements(indicators, rows: int) -> tuple[int, int]:
    """(statements, Django's query log entries) of an update import of ``rows`` rows, rolled back."""
    statements = _Statements()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(statements):
            summary = import_file("values", _file(indicators, rows, varied=False), "values.csv")
        assert (summary.updated, summary.created) == (rows, 0)
        transaction.set_rollback(True)
    return statements.count, len(queries)


# Both sizes of a pair write their audit records (about 1.1 a row) the same way, in one batch: PostgreSQL
# copies from COPY_FROM records, unseen by the query log, and inserts fewer.
@pytest.mark.parametrize(("few", "many"), [(10, 150), (250, 900)])
def test_an_update_import_runs_as_many_statements_for_many_rows_as_for_few(figures, few, many):
    assert _update_import_statements(figures, few) == _update_import_statements(figures, many)


def test_the_figures_are_written_by_one_update_statement(figures):
    updates = []

    def watch(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("UPDATE", "WITH")) and MonthlyValue._meta.db_table in sql:
            updates.append(len(params) if many else 1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        import_file("values", _file(figures, 300), "values.csv")
    assert updates == [1]


@pytest.mark.parametrize("rows", [5, COPY_FROM + 50])
def test_a_set_based_update_audits_old_and_new_values_and_stamps_the_writer(figures, officer, rows):
    before = timezone.now()
    summary = import_file("values", _file(figures, rows), "values.csv", user=officer)
    assert (summary.updated, summary.unchanged) == (rows, 0)

    values = {
        value.indicator.code: value
        for value in MonthlyValue.objects.select_related("indicator", "updated_by")
    }
    records = {}
    for record in ChangeRecord.objects.filter(kind="value"):
        records.setdefault(record.object_key.split()[1], {})[record.field] = (record.old, record.new)
    assert len(records) == rows
    for number, indicator in enumerate(figures):
        value, audited = values[indicator.code], records.get(indicator.code)
        if number >= rows:
            assert (value.updated_by, value.updated_at, audited) == (None, STAMPED, None)
            continue
        assert value.updated_by == officer and value.updated_at >= before
        was_status = number % 10 == 9
        old_value, old_status = ("", "not_available") if was_status else ("10", "")
        if number % 7 == 6:
            assert (value.value, value.status, value.commentary) == (None, "suppressed", "")
            expected = {"value": (old_value, ""), "status": (old_status, "suppressed")}
            if was_status:
                expected = {"status": ("not_available", "suppressed")}
        else:
            assert (value.value, value.status, value.commentary) == (20, "", f"Checked {number}")
            expected = {"value": (old_value, "20"), "commentary": ("", f"Checked {number}")}
            if was_status:
                expected["status"] = ("not_available", "")
        assert audited == expected, indicator.code
    assert {record.username for record in ChangeRecord.objects.filter(kind="value")} == {"officer"}

    month = ScorecardMonth.objects.get(period=NOV)
    assert (month.state, month.revision) == (SignOffState.DRAFT, 2)


def test_an_update_refused_by_a_check_constraint_writes_nothing(figures):
    plan = plan_import("values", _file(figures, 300), "values.csv")
    # As if the plan had been made against other data: a value and a status, which the table refuses.
    plan.rows[-1].fields.update(value=Decimal(20), status="suppressed")
    with pytest.raises(IntegrityError), transaction.atomic():
        apply_import(plan)
    assert set(MonthlyValue.objects.values_list("value", flat=True)) == {Decimal(10), None}
    assert not ChangeRecord.objects.filter(kind="value").exists()
    assert ScorecardMonth.objects.get(period=NOV).state == SignOffState.APPROVED


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(imports_base._update_row_by_row, id="row by row"),
        pytest.param(
            imports_base._update_from_values,
            id="from values",
            marks=pytest.mark.skipif(
                connection.vendor == "postgresql", reason="PostgreSQL updates from a copied table"
            ),
        ),
    ],
)
def test_the_other_ways_of_updating_write_the_same(figures, write):
    meta = MonthlyValue._meta
    fields = [meta.get_field(name) for name in ("value", "status", "commentary")]
    stamped = [(meta.get_field("updated_at"), STAMPED.replace(day=6))]
    stamp_values = [field.get_db_prep_save(value, connection) for field, value in stamped]
    rows = [
        (pk, Decimal("33.3") if number % 2 else None, "" if number % 2 else "suppressed", f"note {number}")
        for number, pk in enumerate(MonthlyValue.objects.order_by("pk").values_list("pk", flat=True)[:40])
    ]
    with transaction.atomic():
        assert write(connection, meta, fields, stamped, stamp_values, iter(rows)) == 40
    written = dict(
        (pk, (value, status, commentary, updated_at))
        for pk, value, status, commentary, updated_at in MonthlyValue.objects.values_list(
            "pk", "value", "status", "commentary", "updated_at"
        )
    )
    for pk, value, status, commentary in rows:
        assert written[pk] == (value, status, commentary, STAMPED.replace(day=6))


def test_a_breakdown_of_the_month_is_never_the_row_a_file_updates(figures, home_authority):
    headline = MonthlyValue.objects.get(indicator=figures[0])
    breakdown = MonthlyValue.objects.create(
        authority=home_authority,
        indicator=figures[0],
        period=NOV,
        value=Decimal(55),
        cohort="in Devon schools",
    )
    assert import_file("values", _file(figures, 1), "values.csv").updated == 1
    headline.refresh_from_db()
    breakdown.refresh_from_db()
    assert (headline.value, breakdown.value) == (20, 55)
