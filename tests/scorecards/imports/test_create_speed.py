"""Creating figures costs a fixed number of statements: on PostgreSQL new rows are written by COPY.

A create import of 100,000 values took 27 s, most of it building a model instance and an INSERT's parameters
for each row and one INSERT for each new sign-off month. COPY must write what ``bulk_create`` wrote: the same
rows, audit records and sign-off months, the data version changed by the triggers (migration scorecards 0005).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection, transaction

from authorities.models import Authority
from scorecards.audit import COPY_FROM
from scorecards.imports import import_file
from scorecards.imports.figures import FigureImport
from scorecards.models import (
    Benchmark,
    ChangeRecord,
    Indicator,
    MonthlyValue,
    ScorecardMonth,
    SignOffState,
    Target,
)

MONTHS = [datetime.date(2021, month, 1) for month in range(1, 13)]
#: Each kind's file: its header and a row's cells after authority and indicator.
FIGURE_FILES = {
    "benchmarks": ("authority,indicator,year,england,sn_min,sn_max,note", "{year},{n}.5,1,99,noted {n}"),
    "targets": ("authority,indicator,kind,year,value,note", "target,{year},{n}.5,noted {n}"),
}


@pytest.fixture
def catalogue(make_authority):
    """6 authorities and 30 indicators of every unit; the first authority's January 2021 approved."""
    authorities = [make_authority() for _ in range(6)]
    units = ("percent", "rate_per_10k", "count", "days", "score")
    Indicator.objects.bulk_create(
        Indicator(
            code=f"measure_{number:02d}",
            section="Health",
            name=f"Measure {number}",
            unit=units[number % len(units)],
            polarity="higher_is_better",
            decimals=number % 3,
            position=number,
        )
        for number in range(30)
    )
    ScorecardMonth.objects.create(
        authority=authorities[0], period=MONTHS[0], state=SignOffState.APPROVED, revision=1
    )
    return authorities, list(Indicator.objects.order_by("code"))


def _values_file(authorities, indicators, months) -> bytes:
    """New figures: a status every ninth row, else a value or (every seventh) a ratio; some commentary and
    cohorts."""
    lines = ["authority,indicator,period,value,numerator,denominator,status,commentary,cohort"]
    number = 0
    for period in months:
        for authority in authorities:
            for indicator in indicators:
                number += 1
                if number % 9 == 0:
                    figures = ",,,not_yet_reported,"
                elif number % 7 == 0:
                    figures = ",3,8,,"
                else:
                    figures = f"{number % 97}.{number % 10},,,,"
                commentary = f"Checked {number}" if number % 5 == 0 else ""
                cohort = "in care" if number % 11 == 0 and number % 9 else ""
                lines.append(
                    f"{authority.code},{indicator.code},{period:%Y-%m},{figures}{commentary},{cohort}"
                )
    return "\n".join(lines).encode()


def _figures_file(kind: str, authorities, indicators) -> bytes:
    header, cells = FIGURE_FILES[kind]
    pairs = [(authority, indicator) for authority in authorities for indicator in indicators]
    return "\n".join(
        [header]
        + [
            f"{authority.code},{indicator.code}," + cells.format(year=year, n=number % 90)
            for year in ("2019/20", "2020/21")
            for number, (authority, indicator) in enumerate(pairs)
        ]
    ).encode()


def _rows(model) -> list[dict]:
    """Every row of the table, without primary key and times."""
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if not field.primary_key and field.get_internal_type() != "DateTimeField"
    ]
    return sorted(model.objects.values(*names), key=repr)


def _both_ways(kind: str, data: bytes, user=None) -> list[dict]:
    """What importing the file writes, created by COPY (where the database has it), then by ``bulk_create``;
    each rolled back. Also whether every new row is stamped with one time at or after the import began."""
    outcomes = []
    for copies in (True, False):
        FigureImport.copies_creates, saved = copies, FigureImport.copies_creates
        try:
            with transaction.atomic():
                started = datetime.datetime.now(datetime.UTC)
                created = import_file(kind, io.BytesIO(data), f"{kind}.csv", user=user).created
                outcome = {model.__name__: _rows(model) for model in (MonthlyValue, Benchmark, Target)}
                outcome |= {"audit": _rows(ChangeRecord), "months": _rows(ScorecardMonth), "created": created}
                stamps = set(MonthlyValue.objects.values_list("updated_at", flat=True))
                outcome["stamped"] = all(stamp >= started for stamp in stamps)
                outcome["times"] = len(stamps) == 1 if connection.vendor == "postgresql" and stamps else None
                transaction.set_rollback(True)
        finally:
            FigureImport.copies_creates = saved
        outcomes.append(outcome)
    return outcomes


def test_a_copied_create_writes_what_bulk_create_wrote(catalogue, officer):
    authorities, indicators = catalogue
    copied, built = _both_ways("values", _values_file(authorities, indicators, MONTHS[:2]), officer)
    if connection.vendor == "postgresql":
        assert copied.pop("times") is True  # one time for the rows of one COPY, as an update stamps them
        built.pop("times")
    assert copied == built

    values, months, audit = copied["MonthlyValue"], copied["months"], copied["audit"]
    assert copied["created"] == len(values) == 6 * 30 * 2 >= COPY_FROM and copied["stamped"]
    assert {row["updated_by_id"] for row in values} == {officer.pk}
    assert Decimal("37.5000") in {row["value"] for row in values}  # 3 of 8 as a percent, computed
    assert {row["cohort"] for row in values} == {"", "in care"}
    assert len(months) == 6 * 2
    # The approved month went back to draft as a new revision, and the audit says so.
    approved = next(
        row for row in months if (row["authority_id"], row["period"]) == (authorities[0].pk, MONTHS[0])
    )
    assert (approved["state"], approved["revision"]) == ("draft", 2)
    assert [row["new"] for row in audit if row["kind"] == "month"] == ["draft (revision 2)"]
    audited = ("value", "numerator", "denominator", "status", "commentary")
    assert sum(row["kind"] == "value" for row in audit) == sum(
        row[name] not in (None, "") for row in values for name in audited
    )


@pytest.mark.parametrize("kind", FIGURE_FILES)
def test_copied_benchmarks_and_targets_are_what_bulk_create_wrote(catalogue, kind):
    authorities, indicators = catalogue
    copied, built = _both_ways(kind, _figures_file(kind, authorities, indicators))
    assert copied == built
    assert copied["created"] == len(copied[kind.title()[:-1]]) == 6 * 30 * 2 >= COPY_FROM


def test_a_create_import_changes_the_data_version_of_every_authority_it_writes(catalogue):
    authorities, indicators = catalogue
    before = dict(Authority.objects.values_list("pk", "data_version"))
    import_file("values", io.BytesIO(_values_file(authorities[:4], indicators, MONTHS[1:3])), "values.csv")
    after = dict(Authority.objects.values_list("pk", "data_version"))
    assert {pk for pk in before if before[pk] != after[pk]} == {authority.pk for authority in authorities[:4]}


class _Inserts:
    """The INSERT statements run into tables whose names hold ``table``."""

    def __init__(self, table: str) -> None:
        self.table, self.count = table, 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and self.table in sql:
            self.count += len(params) if many else 1
        return execute(sql, params, many, context)


@pytest.mark.parametrize(("authorities", "months"), [(1, 1), (6, 11)])
def test_the_new_sign_off_months_are_created_by_one_insert(catalogue, authorities, months):
    every_authority, indicators = catalogue
    inserts = _Inserts(ScorecardMonth._meta.db_table)
    data = _values_file(every_authority[-authorities:], indicators[:2], MONTHS[-months:])
    with connection.execute_wrapper(inserts):
        import_file("values", io.BytesIO(data), "values.csv")
    assert inserts.count == 1
    assert ScorecardMonth.objects.filter(state=SignOffState.DRAFT).count() == authorities * months


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL copies new rows; SQLite inserts them"
)
def test_a_create_import_runs_as_many_statements_for_many_rows_as_for_few(catalogue):
    authorities, indicators = catalogue

    def inserts(months: int) -> int:
        counted = _Inserts("")
        data = _values_file(authorities, indicators, MONTHS[1 : 1 + months])
        with transaction.atomic(), connection.execute_wrapper(counted):
            import_file("values", io.BytesIO(data), "values.csv")
            transaction.set_rollback(True)
        return counted.count

    assert inserts(2) == inserts(6) == 1  # the sign-off months; the figures and audit records are copied
