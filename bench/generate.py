"""A synthetic national data set: every English authority, a full catalogue, ten years of months.

Deterministic: the catalogue and the authorities come from one ``random.Random(seed)``, and each
authority's series of an indicator from its own generator seeded with (seed, authority, indicator), so the
same seed always gives the same rows, and a series can be drawn again without keeping a million of them in
memory. Bulk: the large tables are written with PostgreSQL's ``COPY`` (``executemany`` on other databases,
for a small SQLite smoke run), never one INSERT per object.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import random
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, connection, models, transaction

from authorities.models import Authority, Membership, Role, StatisticalNeighbour
from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    ChangeRecord,
    ChangeRoute,
    Indicator,
    MonthlyValue,
    Polarity,
    ScorecardMonth,
    SignOffState,
    Target,
    TargetKind,
    Unit,
    ValueStatus,
)
from scorecards.rating import financial_year_label, month_window

#: The last month of the data set: a fixed month, so that two runs a year apart generate the same rows.
END_PERIOD = datetime.date(2025, 3, 1)
BENCH_PASSWORD = "benchmark-board-member-2025"
HOME_USERNAME = "bench-board"
LOAD_USERNAME = "bench-board-{number:02d}"
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
#: Sections of a 60-indicator catalogue and how many indicators each holds; smaller catalogues are spread
#: over the same sections in proportion.
SECTIONS = (
    ("Headline", 2),
    ("Profile", 5),
    ("Health", 7),
    ("Education", 10),
    ("Placement", 8),
    ("Permanence", 6),
    ("Adoption", 7),
    ("Care Leavers", 8),
    ("Emotional Wellbeing", 3),
    ("Safety", 4),
)
SECTION_PLAN = tuple(section for section, count in SECTIONS for _ in range(count))
#: unit: (share of the catalogue, decimals, lowest base level, highest base level, monthly step)
UNIT_SHAPES = {
    Unit.PERCENT: (0.5, 1, 30.0, 95.0, 2.0),
    Unit.RATE_PER_10K: (0.15, 1, 30.0, 130.0, 1.5),
    Unit.COUNT: (0.15, 0, 5.0, 250.0, 4.0),
    Unit.DAYS: (0.1, 0, 100.0, 600.0, 15.0),
    Unit.SCORE: (0.1, 2, -1.0, 1.0, 0.05),
}
STATUS_SHARE = 0.015
COMMENTARY_SHARE = 0.02
COMMENTARY = "Figure checked at the monthly performance meeting; see the service manager's note."
TARGET_SHARE = 0.3
COPY_CHUNK_ROWS = 5000


@dataclass(frozen=True)
class DatasetSize:
    """How much to generate; ``FULL`` is England, ``QUICK`` a smaller set for a run under a minute."""

    authorities: int
    indicators: int
    months: int
    neighbours: int = 10
    benchmark_years: int = 10
    #: board members for the load test, each a member of one authority
    load_users: int = 50
    #: monthly-value rows of the file the import measurement uploads
    import_rows: int = 100_000
    #: one audit record per monthly value, as importing them would have written
    audit: bool = True
    end: datetime.date = END_PERIOD

    @property
    def monthly_values(self) -> int:
        return self.authorities * self.indicators * self.months


FULL = DatasetSize(authorities=153, indicators=60, months=120)
QUICK = DatasetSize(authorities=20, indicators=60, months=24, import_rows=10_000)


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    section: str
    name: str
    unit: str
    polarity: str
    decimals: int
    position: int


@dataclass(frozen=True)
class AuthoritySpec:
    code: str
    name: str
    region: str
    neighbours: tuple[str, ...]


@dataclass
class Dataset:
    """What was generated: sizes for the report, and who and what the measurements use."""

    size: DatasetSize
    seed: int
    home_code: str
    end: datetime.date
    indicator_codes: list[str]
    authority_codes: list[str]
    load_users: list[tuple[str, str]]
    rows: dict[str, int] = field(default_factory=dict)


# What to generate ------------------------------------------------------------------------------------------


def authority_specs(rng: random.Random, size: DatasetSize) -> list[AuthoritySpec]:
    """Real-looking DfE codes (three digits, 201 to 943), regions in turn, ``neighbours`` others each."""
    codes = sorted(rng.sample(range(201, 944), size.authorities))
    specs = []
    for index, code in enumerate(codes):
        others = [other for other in codes if other != code]
        neighbours = rng.sample(others, min(size.neighbours, len(others)))
        region = REGIONS[index % len(REGIONS)]
        specs.append(
            AuthoritySpec(
                code=str(code),
                name=f"Synthetic {region} Council {code}",
                region=region,
                neighbours=tuple(str(neighbour) for neighbour in neighbours),
            )
        )
    return specs


def indicator_specs(rng: random.Random, size: DatasetSize) -> list[IndicatorSpec]:
    units = list(UNIT_SHAPES)
    weights = [shape[0] for shape in UNIT_SHAPES.values()]
    specs = []
    for index in range(size.indicators):
        section = SECTION_PLAN[index * len(SECTION_PLAN) // size.indicators]
        unit = rng.choices(units, weights)[0]
        if unit == Unit.COUNT and rng.random() < 0.5:
            polarity = Polarity.NEUTRAL
        else:
            polarity = rng.choice((Polarity.HIGHER_IS_BETTER, Polarity.LOWER_IS_BETTER))
        slug = section.lower().replace(" ", "_")
        specs.append(
            IndicatorSpec(
                code=f"{slug}_{index + 1:02d}",
                section=section,
                name=f"{section} measure {index + 1} ({Unit(unit).label.lower()})",
                unit=str(unit),
                polarity=str(polarity),
                decimals=UNIT_SHAPES[unit][1],
                position=index + 1,
            )
        )
    return specs


def _series_rng(
    seed: int, authority_code: str, indicator_code: str, purpose: str = "values"
) -> random.Random:
    # A string seed is hashed with SHA-512, so the stream does not depend on PYTHONHASHSEED.
    return random.Random(f"{seed}:{purpose}:{authority_code}:{indicator_code}")


def _base_level(rng: random.Random, indicator: IndicatorSpec) -> float:
    _share, _decimals, low, high, _step = UNIT_SHAPES[indicator.unit]
    return rng.uniform(low, high)


def _bounded(value: float, unit: str) -> float:
    if unit == Unit.PERCENT:
        return min(100.0, max(0.0, value))
    if unit == Unit.SCORE:
        return value
    return max(0.0, value)


def _figure(value: float, indicator: IndicatorSpec) -> str:
    text = f"{value:.{indicator.decimals}f}"
    return "0" if text.strip("-0.") == "" else text


def monthly_series(
    seed: int, authority_code: str, indicator: IndicatorSpec, months: list[datetime.date]
) -> Iterator[tuple[datetime.date, str | None, str, str]]:
    """(period, value as text or None, status, commentary) of one authority's indicator, month by month."""
    rng = _series_rng(seed, authority_code, indicator.code)
    level = _base_level(rng, indicator)
    step = UNIT_SHAPES[indicator.unit][4]
    for period in months:
        level = _bounded(level + rng.gauss(0, step), indicator.unit)
        draw = rng.random()
        commentary = COMMENTARY if rng.random() < COMMENTARY_SHARE else ""
        if draw < STATUS_SHARE:
            status = (ValueStatus.NOT_AVAILABLE, ValueStatus.NOT_YET_REPORTED, ValueStatus.SUPPRESSED)[
                int(draw / STATUS_SHARE * 3)
            ]
            yield period, None, str(status), commentary
        else:
            yield period, _figure(level, indicator), "", commentary


def benchmark_years(size: DatasetSize) -> list[str]:
    """The ``benchmark_years`` financial years that ended before the last month starts, oldest first."""
    latest = size.end.year - 1 if size.end.month >= 4 else size.end.year - 2
    return [financial_year_label(start) for start in range(latest - size.benchmark_years + 1, latest + 1)]


def _at(day: datetime.date, days: int, hour: int) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)
    return moment + datetime.timedelta(days=days)


# Writing in bulk -------------------------------------------------------------------------------------------


def _load(model: type[models.Model], field_names: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Write rows of these fields: COPY on PostgreSQL, batched ``executemany`` elsewhere. Returns how many."""
    fields = [model._meta.get_field(name) for name in field_names]
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
                            _at(period, 35, 9),
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
            _benchmark_rows(seed, authorities, indicators, years, authority_ids, indicator_ids),
        )
        say(f"{rows['benchmarks']:,} benchmarks")
        rows["targets and baselines"] = _load(
            Target,
            ("authority", "indicator", "kind", "year", "value", "note"),
            _target_rows(seed, rng, size, authorities, indicators, authority_ids, indicator_ids),
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
                    _at(period, 40, 10),
                    _at(period, 45, 10),
                    _at(period, 45, 10),
                )
                for spec in authorities
                for period in months
            ),
        )
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
                _audit_rows(seed, authorities, indicators, months, authority_ids, indicator_ids),
            )
            say(f"{rows['audit records']:,} audit records")

        load_users = _users(size, authorities, authority_ids)
        rows["users"] = len(load_users) + 1
    _analyze((StatisticalNeighbour, MonthlyValue, Benchmark, Target, ScorecardMonth, ChangeRecord))
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


def _benchmark_rows(seed, authorities, indicators, years, authority_ids, indicator_ids) -> Iterator[tuple]:
    """DfE's figures (England, region, neighbours, rank, quartile) and the council's own, per year."""
    for indicator in indicators:
        step = UNIT_SHAPES[indicator.unit][4]
        ranked = indicator.polarity != Polarity.NEUTRAL
        levels = {
            spec.code: _base_level(_series_rng(seed, spec.code, indicator.code), indicator)
            for spec in authorities
        }
        for year_index, year in enumerate(years):
            own = {}
            for spec in authorities:
                level = levels[spec.code]
                drift = _series_rng(seed, spec.code, indicator.code, f"benchmark-{year_index}").gauss(
                    0, step * 3
                )
                own[spec.code] = round(_bounded(level + drift, indicator.unit), indicator.decimals)
            england = statistics.fmean(own.values())
            by_region: dict[str, list[float]] = {}
            for spec in authorities:
                by_region.setdefault(spec.region, []).append(own[spec.code])
            region = {name: statistics.fmean(values) for name, values in by_region.items()}
            better_first = sorted(own.values(), reverse=indicator.polarity == Polarity.HIGHER_IS_BETTER)
            first_place = {}
            for place, value in enumerate(better_first, start=1):
                first_place.setdefault(value, place)
            count = len(own)
            for spec in authorities:
                neighbours = [own[code] for code in spec.neighbours]
                figures = (
                    _figure(england, indicator),
                    _figure(region[spec.region], indicator),
                    _figure(statistics.fmean(neighbours), indicator) if neighbours else None,
                    _figure(min(neighbours), indicator) if neighbours else None,
                    _figure(max(neighbours), indicator) if neighbours else None,
                )
                rank = first_place[own[spec.code]] if ranked else None
                quartile = "ABCD"[min(3, (rank - 1) * 4 // count)] if rank else ""
                key = (authority_ids[spec.code], indicator_ids[indicator.code], year)
                own_text = _figure(own[spec.code], indicator)
                yield (
                    *key,
                    BenchmarkSource.DFE.value,
                    *figures,
                    len(neighbours),
                    own_text,
                    rank,
                    count if ranked else None,
                    quartile,
                    "",
                )
                yield (
                    *key,
                    BenchmarkSource.ENTERED.value,
                    *figures,
                    None,
                    own_text,
                    None,
                    None,
                    "",
                    "From the council's benchmarking return",
                )


def _target_rows(seed, rng, size, authorities, indicators, authority_ids, indicator_ids) -> Iterator[tuple]:
    """Targets for this year and the next and a baseline, for about a third of the rated indicators."""
    this_year = size.end.year if size.end.month >= 4 else size.end.year - 1
    for spec in authorities:
        for indicator in indicators:
            if indicator.polarity == Polarity.NEUTRAL or rng.random() >= TARGET_SHARE:
                continue
            level = _base_level(_series_rng(seed, spec.code, indicator.code, "target"), indicator)
            better = 1.05 if indicator.polarity == Polarity.HIGHER_IS_BETTER else 0.95
            key = (authority_ids[spec.code], indicator_ids[indicator.code])
            for kind, start, factor in (
                (TargetKind.BASELINE, this_year - 2, 1.0),
                (TargetKind.TARGET, this_year, better),
                (TargetKind.TARGET, this_year + 1, better * better),
            ):
                value = _figure(_bounded(level * factor, indicator.unit), indicator)
                yield (*key, kind.value, financial_year_label(start), value, "Sufficiency strategy")


def _audit_rows(seed, authorities, indicators, months, authority_ids, indicator_ids) -> Iterator[tuple]:
    """What importing every value and approving every month would have recorded."""
    for spec in authorities:
        for indicator in indicators:
            for period, value, status, _commentary in monthly_series(seed, spec.code, indicator, months):
                yield (
                    _at(period, 35, 9),
                    "bench-officer",
                    ChangeRoute.UPLOAD.value,
                    "value",
                    authority_ids[spec.code],
                    indicator_ids[indicator.code],
                    period,
                    f"{spec.code} {indicator.code} {period:%Y-%m}",
                    "value" if value is not None else "status",
                    "",
                    value if value is not None else status,
                    "created",
                )
        for period in months:
            key = f"{spec.code} {period:%Y-%m}"
            for at, old, new in (
                (_at(period, 40, 10), "draft", "submitted (revision 1)"),
                (_at(period, 45, 10), "submitted", "approved (revision 1)"),
            ):
                yield (
                    at,
                    "bench-approver",
                    ChangeRoute.SIGN_OFF.value,
                    "month",
                    authority_ids[spec.code],
                    None,
                    period,
                    key,
                    "state",
                    old,
                    new,
                    "",
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


# The file the import measurement uploads -------------------------------------------------------------------


def write_import_csv(path: Path, *, seed: int, rows: int, after: datetime.date) -> tuple[datetime.date, int]:
    """A ``values`` file of ``rows`` new monthly values for the months after ``after``, every authority.

    Returns the last month it reaches and how many rows it holds.
    """
    rng = random.Random(f"{seed}:import")
    authorities = list(Authority.objects.order_by("code").values_list("code", flat=True))
    indicators = [
        IndicatorSpec(code, "", "", unit, polarity, decimals, 0)
        for code, unit, polarity, decimals in Indicator.objects.order_by("position", "code").values_list(
            "code", "unit", "polarity", "decimals"
        )
    ]
    written = 0
    period = after
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["authority", "indicator", "period", "value", "status", "commentary"])
        while written < rows:
            period = (period + datetime.timedelta(days=32)).replace(day=1)
            for code in authorities:
                for indicator in indicators:
                    if written >= rows:
                        break
                    level = _base_level(rng, indicator)
                    if rng.random() < STATUS_SHARE:
                        writer.writerow([code, indicator.code, f"{period:%Y-%m}", "", "not_yet_reported", ""])
                    else:
                        commentary = COMMENTARY if rng.random() < COMMENTARY_SHARE else ""
                        value = _figure(_bounded(level, indicator.unit), indicator)
                        writer.writerow([code, indicator.code, f"{period:%Y-%m}", value, "", commentary])
                    written += 1
    return period, written


def dataset_in_database(*, size: DatasetSize, seed: int) -> Dataset:
    """The data set as it stands in the database (after ``generate``, or when a kept database is reused)."""
    authority_codes = list(Authority.objects.order_by("code").values_list("code", flat=True))
    load_users = list(
        Membership.objects.filter(user__username__startswith=LOAD_USERNAME.split("{")[0])
        .exclude(user__username=HOME_USERNAME)
        .order_by("user__username")
        .values_list("user__username", "authority__code")
    )
    home = Membership.objects.filter(user__username=HOME_USERNAME).values_list("authority__code", flat=True)
    counted = (
        ("authorities", Authority),
        ("statistical neighbours", StatisticalNeighbour),
        ("indicators", Indicator),
        ("monthly values", MonthlyValue),
        ("benchmarks", Benchmark),
        ("targets and baselines", Target),
        ("scorecard months", ScorecardMonth),
        ("audit records", ChangeRecord),
    )
    return Dataset(
        size=size,
        seed=seed,
        home_code=home.first() or authority_codes[0],
        end=size.end,
        indicator_codes=list(Indicator.objects.order_by("position", "code").values_list("code", flat=True)),
        authority_codes=authority_codes,
        load_users=load_users,
        rows={name: model.objects.count() for name, model in counted}
        | {"users": get_user_model().objects.count()},
    )
