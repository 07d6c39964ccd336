"""Writing the synthetic national data set (``bench.dataset``) into the benchmark database.

Bulk: the large tables are written with PostgreSQL's ``COPY`` (``executemany`` on other databases, for a small
SQLite smoke run), never one INSERT per object.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterable
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, models, transaction

from authorities.models import Authority, Membership, Role, StatisticalNeighbour
from bench.dataset import (
    BENCH_PASSWORD,
    HOME_USERNAME,
    LOAD_USERNAME,
    AuthoritySpec,
    Dataset,
    DatasetSize,
    authority_specs,
    benchmark_years,
    indicator_specs,
    moment,
    monthly_series,
)
from bench.rows import audit_rows, benchmark_rows, target_rows
from scorecards.core.series import series_summaries_refresh
from scorecards.models import (
    Benchmark,
    ChangeRecord,
    Indicator,
    MonthlyValue,
    MonthSnapshot,
    ScorecardMonth,
    SeriesSummary,
    SignOffState,
    SnapshotFigure,
    Target,
)
from scorecards.rating import month_window

COPY_CHUNK_ROWS = 5000
#: Who approved every generated month, as the audit records name them.
APPROVER = "bench-approver"
#: What a snapshot keeps of each monthly value.
SNAPSHOT_FIELDS = ("value", "numerator", "denominator", "status", "commentary", "cohort", "source_note")


# Writing in bulk -------------------------------------------------------------------------------------------


def _required_defaults(model: type[models.Model], field_names: tuple[str, ...]) -> list[tuple]:
    """(field, value) for the columns the rows leave out that the table requires: the model's default, or
    empty text for blank text fields. A field added later (a cohort, a note) then needs no change here."""
    defaults = []
    for each in model._meta.concrete_fields:
        if each.primary_key or each.name in field_names or each.null or each.has_db_default():
            continue
        if each.has_default():
            defaults.append((each, each.get_default()))
        elif each.blank and each.get_internal_type() in {"CharField", "TextField", "SlugField"}:
            defaults.append((each, ""))
    return defaults


def _load(model: type[models.Model], field_names: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Write rows of these fields: COPY on PostgreSQL, batched ``executemany`` elsewhere. Returns how many."""
    defaults = _required_defaults(model, field_names)
    fields = [model._meta.get_field(name) for name in field_names] + [each for each, _ in defaults]
    rest = tuple(value for _, value in defaults)
    if rest:
        rows = ((*row, *rest) for row in rows)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(each.column) for each in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        iterator = iter(rows)
        while batch := list(islice(iterator, COPY_CHUNK_ROWS)):
            cursor.executemany(
                sql,
                [
                    [
                        each.get_db_prep_save(value, connection)
                        for each, value in zip(fields, row, strict=True)
                    ]
                    for row in batch
                ],
            )
            count += len(batch)
    return count


def _snapshot_figures() -> int:
    """Each approved month's figures as approving it kept them, copied from the monthly values in one statement
    (a snapshot per month and revision is written first). Returns how many."""
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    copied = [name for name in SNAPSHOT_FIELDS if name != "source_note"]
    targets = ", ".join(column(SnapshotFigure, name) for name in ("snapshot", "indicator", *SNAPSHOT_FIELDS))
    sources = ", ".join(
        [f"s.{column(MonthSnapshot, 'id')}", f"v.{column(MonthlyValue, 'indicator')}"]
        + [f"v.{column(MonthlyValue, name)}" for name in copied]
        + ["%s"]
    )
    matches = " AND ".join(
        f"s.{column(MonthSnapshot, name)} = v.{column(MonthlyValue, name)}"
        for name in ("authority", "period")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(SnapshotFigure._meta.db_table)} ({targets}) "  # noqa: S608 - names from the models
            f"SELECT {sources} FROM {quote(MonthlyValue._meta.db_table)} v "
            f"JOIN {quote(MonthSnapshot._meta.db_table)} s ON {matches}",
            [""],
        )
        return cursor.rowcount


def _analyze(models_written: Iterable[type[models.Model]]) -> None:
    """Fresh planner statistics (and, outside a transaction, the visibility map) for the loaded tables.

    Outside a transaction a CHECKPOINT follows, so that PostgreSQL is not still writing the loaded data out
    while the first measurements run.
    """
    if connection.vendor != "postgresql":
        return
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for model in models_written:
            cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
        if not connection.in_atomic_block:
            with contextlib.suppress(DatabaseError):  # a role without pg_checkpoint just skips it
                cursor.execute("CHECKPOINT")


def generate(*, size: DatasetSize, seed: int, progress=None) -> Dataset:
    """Write the synthetic data set into the (empty) default database; the same seed gives the same rows."""
    say = progress or (lambda message: None)
    rng = random.Random(seed)
    authorities = authority_specs(rng, size)
    indicators = indicator_specs(rng, size)
    months = month_window(size.end, size.months)
    years = benchmark_years(size)
    rows: dict[str, int] = {}

    # One transaction: SQLite in autocommit would commit, and sync, every row of a batch.
    with transaction.atomic():
        Authority.objects.bulk_create(
            Authority(code=spec.code, name=spec.name, region=spec.region, gss_code=f"E06000{spec.code}")
            for spec in authorities
        )
        authority_ids = dict(Authority.objects.values_list("code", "pk"))
        rows["authorities"] = len(authority_ids)
        rows["statistical neighbours"] = _load(
            StatisticalNeighbour,
            ("authority", "rank", "neighbour_code", "neighbour", "closeness"),
            (
                (
                    authority_ids[spec.code],
                    rank,
                    code,
                    authority_ids[code],
                    "Very close" if rank <= 3 else "Close",
                )
                for spec in authorities
                for rank, code in enumerate(spec.neighbours, start=1)
            ),
        )
        Indicator.objects.bulk_create(
            Indicator(
                code=spec.code,
                section=spec.section,
                name=spec.name,
                unit=spec.unit,
                polarity=spec.polarity,
                decimals=spec.decimals,
                source="Synthetic",
                position=spec.position,
            )
            for spec in indicators
        )
        indicator_ids = dict(Indicator.objects.values_list("code", "pk"))
        rows["indicators"] = len(indicator_ids)
        say(f"{rows['authorities']} authorities, {rows['indicators']} indicators")

        def value_rows():
            for spec in authorities:
                for indicator in indicators:
                    for period, value, status, commentary in monthly_series(
                        seed, spec.code, indicator, months
                    ):
                        yield (
                            authority_ids[spec.code],
                            indicator_ids[indicator.code],
                            period,
                            value,
                            status,
                            commentary,
                            moment(period, 35, 9),
                        )

        rows["monthly values"] = _load(
            MonthlyValue,
            ("authority", "indicator", "period", "value", "status", "commentary", "updated_at"),
            value_rows(),
        )
        say(f"{rows['monthly values']:,} monthly values")
        rows["benchmarks"] = _load(
            Benchmark,
            (
                "authority",
                "indicator",
                "year",
                "source",
                "england",
                "region",
                "sn_average",
                "sn_min",
                "sn_max",
                "sn_count",
                "own",
                "rank",
                "rank_of",
                "quartile",
                "note",
            ),
            benchmark_rows(seed, authorities, indicators, years, authority_ids, indicator_ids),
        )
        say(f"{rows['benchmarks']:,} benchmarks")
        rows["targets and baselines"] = _load(
            Target,
            ("authority", "indicator", "kind", "year", "value", "note"),
            target_rows(seed, rng, size, authorities, indicators, authority_ids, indicator_ids),
        )
        rows["scorecard months"] = _load(
            ScorecardMonth,
            (
                "authority",
                "period",
                "state",
                "revision",
                "summary",
                "submitted_at",
                "approved_at",
                "updated_at",
            ),
            (
                (
                    authority_ids[spec.code],
                    period,
                    SignOffState.APPROVED.value,
                    1,
                    "",
                    moment(period, 40, 10),
                    moment(period, 45, 10),
                    moment(period, 45, 10),
                )
                for spec in authorities
                for period in months
            ),
        )
        # Board members read approved months from their snapshots, as approving them would have kept them.
        _load(
            MonthSnapshot,
            ("authority", "period", "revision", "approved_at", "approved_by_name"),
            (
                (authority_ids[spec.code], period, 1, moment(period, 45, 10), APPROVER)
                for spec in authorities
                for period in months
            ),
        )
        rows["approved snapshot figures"] = _snapshot_figures()
        # And the approved series' SPC sums, as approving each month would have kept them.
        series_summaries_refresh(authority_id=None, start=months[0])
        rows["series summaries"] = SeriesSummary.objects.count()
        if size.audit:
            rows["audit records"] = _load(
                ChangeRecord,
                (
                    "at",
                    "username",
                    "route",
                    "kind",
                    "authority",
                    "indicator",
                    "period",
                    "object_key",
                    "field",
                    "old",
                    "new",
                    "note",
                ),
                audit_rows(seed, authorities, indicators, months, authority_ids, indicator_ids),
            )
            say(f"{rows['audit records']:,} audit records")

        load_users = _users(size, authorities, authority_ids)
        rows["users"] = len(load_users) + 1
    _analyze(
        (
            StatisticalNeighbour,
            MonthlyValue,
            Benchmark,
            Target,
            ScorecardMonth,
            MonthSnapshot,
            SnapshotFigure,
            SeriesSummary,
            ChangeRecord,
        )
    )
    return Dataset(
        size=size,
        seed=seed,
        home_code=authorities[0].code,
        end=size.end,
        indicator_codes=[spec.code for spec in indicators],
        authority_codes=[spec.code for spec in authorities],
        load_users=load_users,
        rows=rows,
    )


def _users(size: DatasetSize, authorities: list[AuthoritySpec], authority_ids) -> list[tuple[str, str]]:
    """The board member the in-process measurements sign in as, and the load test's board members."""
    user_model = get_user_model()
    password = make_password(BENCH_PASSWORD)  # hashed once: the hash is slow by design
    home = user_model.objects.create(username=HOME_USERNAME, password=password)
    Membership.objects.create(
        user=home, authority_id=authority_ids[authorities[0].code], role=Role.BOARD_MEMBER
    )
    load_users = []
    for number in range(1, size.load_users + 1):
        spec = authorities[(number - 1) % len(authorities)]
        user = user_model.objects.create(username=LOAD_USERNAME.format(number=number), password=password)
        Membership.objects.create(user=user, authority_id=authority_ids[spec.code], role=Role.BOARD_MEMBER)
        load_users.append((user.username, spec.code))
    return load_users
