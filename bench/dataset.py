"""The synthetic national data set: its sizes, its catalogue and authorities, and each series of figures.

Deterministic: the catalogue and the authorities come from one ``random.Random(seed)``, and each
authority's series of an indicator from its own generator seeded with (seed, authority, indicator), so the
same seed always gives the same rows, and a series can be drawn again without keeping a million of them in
memory. ``bench.generate`` writes it; ``dataset_in_database`` reads back what was written.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from authorities.models import Authority, Membership, StatisticalNeighbour
from scorecards.models import (
    Benchmark,
    ChangeRecord,
    Indicator,
    MonthlyValue,
    Polarity,
    ScorecardMonth,
    SnapshotFigure,
    Target,
    Unit,
    ValueStatus,
)
from scorecards.rating import financial_year_label

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


def series_rng(seed: int, authority_code: str, indicator_code: str, purpose: str = "values") -> random.Random:
    # A string seed is hashed with SHA-512, so the stream does not depend on PYTHONHASHSEED.
    return random.Random(f"{seed}:{purpose}:{authority_code}:{indicator_code}")


def base_level(rng: random.Random, indicator: IndicatorSpec) -> float:
    _share, _decimals, low, high, _step = UNIT_SHAPES[indicator.unit]
    return rng.uniform(low, high)


def bounded(value: float, unit: str) -> float:
    if unit == Unit.PERCENT:
        return min(100.0, max(0.0, value))
    if unit == Unit.SCORE:
        return value
    return max(0.0, value)


def figure_text(value: float, indicator: IndicatorSpec) -> str:
    text = f"{value:.{indicator.decimals}f}"
    return "0" if text.strip("-0.") == "" else text


def monthly_series(
    seed: int, authority_code: str, indicator: IndicatorSpec, months: list[datetime.date]
) -> Iterator[tuple[datetime.date, str | None, str, str]]:
    """(period, value as text or None, status, commentary) of one authority's indicator, month by month."""
    rng = series_rng(seed, authority_code, indicator.code)
    level = base_level(rng, indicator)
    step = UNIT_SHAPES[indicator.unit][4]
    for period in months:
        level = bounded(level + rng.gauss(0, step), indicator.unit)
        draw = rng.random()
        commentary = COMMENTARY if rng.random() < COMMENTARY_SHARE else ""
        if draw < STATUS_SHARE:
            status = (ValueStatus.NOT_AVAILABLE, ValueStatus.NOT_YET_REPORTED, ValueStatus.SUPPRESSED)[
                int(draw / STATUS_SHARE * 3)
            ]
            yield period, None, str(status), commentary
        else:
            yield period, figure_text(level, indicator), "", commentary


def benchmark_years(size: DatasetSize) -> list[str]:
    """The ``benchmark_years`` financial years that ended before the last month starts, oldest first."""
    latest = size.end.year - 1 if size.end.month >= 4 else size.end.year - 2
    return [financial_year_label(start) for start in range(latest - size.benchmark_years + 1, latest + 1)]


def moment(day: datetime.date, days: int, hour: int) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)
    return moment + datetime.timedelta(days=days)


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
        ("approved snapshot figures", SnapshotFigure),
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
