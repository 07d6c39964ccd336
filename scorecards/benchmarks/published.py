"""Benchmarks computed from DfE's published children-looked-after statistics.

DfE publishes every year, on Explore Education Statistics (EES), a CSV per table with a national row, regional
rows and one row per local authority. Which figure of which file feeds which indicator is data, not code: the
``PublishedMeasure`` rows, seeded from ``data/published_measures.csv`` and editable in the admin. From the
authority-level figures this module computes, per indicator and financial year, what LAIT shows: England
(the published national row), the region (the published row of the authority's region), the statistical-
neighbour average, minimum and maximum, the authority's own figure, its rank among all authorities and its
quartile band.

Published symbols for a missing figure (``c`` suppressed, ``z`` not applicable, ``x``, ``low``, ``k``, ``u``,
LAIT's ``-``) stay missing: never zero, never part of an average or a rank.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from authorities.models import Authority, StatisticalNeighbour
from authorities.reference import (
    ImportResult,
    ReferenceDataError,
    open_rows,
    require_columns,
)
from scorecards.models import Benchmark, BenchmarkSource, Indicator, Polarity, PublishedMeasure, Unit
from scorecards.rating import financial_year_label

MEASURES_CSV = Path(__file__).resolve().parent / "data" / "published_measures.csv"

#: EES and LAIT symbols for a figure that is not there. Compared in lower case.
MISSING_SYMBOLS = ("c", "z", "x", "low", "k", "u", "-")
EES_COLUMNS = ("time_period", "geographic_level", "old_la_code", "region_code")
NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"
#: Benchmark figures are stored with four decimal places (``FIGURE``); averages are rounded half-up to them.
STORED_PLACES = Decimal("0.0001")
QUARTILES = ("A", "B", "C", "D")
NOTE = "DfE {file}, year to 31 March {year_end}"

MEASURE_COLUMNS = (
    "indicator",
    "section",
    "name",
    "unit",
    "polarity",
    "decimals",
    "file_name",
    "value_column",
)
FILTER_COLUMN = re.compile(r"^filter_column_(\d+)$")
INDICATOR_CODE = re.compile(r"^[-a-zA-Z0-9_]+$")
CREATED_INDICATOR_SOURCE = "DfE published statistics"

WRONG_EES_LAYOUT = (
    "{file} does not have the layout the published-measure mapping expects: expected the columns {expected}; "
    "missing {missing}."
)
NOT_A_NUMBER = (
    "{file} row {row}, column {column}: {value!r} is neither a number nor a DfE symbol for a missing figure "
    "(" + ", ".join(MISSING_SYMBOLS) + ")."
)
NOT_A_YEAR = "{file} row {row}, column time_period: {value!r} is not a year such as 2025 or 202425."
AMBIGUOUS_FILTERS = (
    "{file} row {row}: a second row for {area} in {year} matches the filters of {indicator}; "
    "the mapping needs another filter to pick one row."
)
NOT_A_CODE = "{file} row {row}, column old_la_code: {value!r} is not a DfE 3-digit LA code."
BAD_MEASURE = "{file} row {row}, column {column}: {reason}"
SHORT_ROW = "{file} row {row} has fewer cells than the {count} columns of its header."


@dataclass(frozen=True)
class MeasureSpec:
    """One published measure: the value column of the rows that match every filter."""

    key: str
    filters: tuple[tuple[str, str], ...]
    value_column: str

    @classmethod
    def of(cls, measure: PublishedMeasure) -> MeasureSpec:
        return cls(measure.indicator.code, tuple(sorted(measure.filters.items())), measure.value_column)


@dataclass
class YearFigures:
    """A measure's published figures for one year: England, each region, each authority with its region."""

    england: Decimal | None = None
    regions: dict[str, Decimal | None] = field(default_factory=dict)
    authorities: dict[str, tuple[Decimal | None, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchmarkFigures:
    england: Decimal | None
    region: Decimal | None
    sn_average: Decimal | None
    sn_min: Decimal | None
    sn_max: Decimal | None
    sn_count: int | None
    own: Decimal | None
    rank: int | None
    rank_of: int | None
    quartile: str


# Reading the published files --------------------------------------------------------------------------------


def parse_published_value(text: str, *, file: str = "", row: int = 0, column: str = "") -> Decimal | None:
    """A published figure as a Decimal, or None for an empty cell or a symbol for a missing figure."""
    text = text.strip()
    if not text or text.lower() in MISSING_SYMBOLS:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ReferenceDataError(NOT_A_NUMBER.format(file=file, row=row, column=column, value=text))
    return value


def published_year(time_period: str) -> str:
    """The financial year a published ``time_period`` covers.

    A 4-digit period is DfE's "reporting year" to 31 March (``2025`` is April 2024 to March 2025, so
    ``2024/25``); a 6-digit one is a financial or academic year already (``202425``).
    """
    if re.fullmatch(r"\d{4}", time_period):
        return financial_year_label(int(time_period) - 1)
    if re.fullmatch(r"\d{6}", time_period) and int(time_period[4:]) == (int(time_period[:4]) + 1) % 100:
        return financial_year_label(int(time_period[:4]))
    raise ValueError(time_period)


def read_published_file(path: Path, measures: Sequence[MeasureSpec]) -> dict[tuple[str, str], YearFigures]:
    """Stream one EES CSV and collect each measure's figures by (measure key, financial year)."""
    path = Path(path)
    figures: dict[tuple[str, str], YearFigures] = defaultdict(YearFigures)
    with open_rows(path) as rows:
        header = next(rows, [])
        expected = list(EES_COLUMNS)
        for measure in measures:
            expected.extend(name for name, _ in measure.filters if name not in expected)
            if measure.value_column not in expected:
                expected.append(measure.value_column)
        index = {name: position for position, name in enumerate(header)}
        missing = [name for name in expected if name not in index]
        if missing:
            raise ReferenceDataError(
                WRONG_EES_LAYOUT.format(
                    file=path.name, expected=", ".join(expected), missing=", ".join(missing)
                )
            )
        matchers = [
            (measure, [(index[name], value) for name, value in measure.filters], index[measure.value_column])
            for measure in measures
        ]
        at = {name: index[name] for name in EES_COLUMNS}
        for row_number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            if len(row) < len(header):
                raise ReferenceDataError(SHORT_ROW.format(file=path.name, row=row_number, count=len(header)))
            level = row[at["geographic_level"]]
            if level not in (NATIONAL, REGIONAL, LOCAL_AUTHORITY):
                continue
            for measure, filters, value_at in matchers:
                if any(row[position] != value for position, value in filters):
                    continue
                try:
                    year = published_year(row[at["time_period"]])
                except ValueError:
                    raise ReferenceDataError(
                        NOT_A_YEAR.format(file=path.name, row=row_number, value=row[at["time_period"]])
                    ) from None
                value = parse_published_value(
                    row[value_at], file=path.name, row=row_number, column=measure.value_column
                )
                year_figures = figures[(measure.key, year)]
                if level == NATIONAL:
                    area, seen = "England", year_figures.england is not None
                    year_figures.england = value
                elif level == REGIONAL:
                    area = row[at["region_code"]]
                    seen = area in year_figures.regions
                    year_figures.regions[area] = value
                else:
                    area = row[at["old_la_code"]]
                    if not re.fullmatch(r"\d{3}", area):
                        raise ReferenceDataError(
                            NOT_A_CODE.format(file=path.name, row=row_number, value=area)
                        )
                    seen = area in year_figures.authorities
                    year_figures.authorities[area] = (value, row[at["region_code"]])
                if seen:
                    raise ReferenceDataError(
                        AMBIGUOUS_FILTERS.format(
                            file=path.name, row=row_number, area=area, year=year, indicator=measure.key
                        )
                    )
    return dict(figures)


def locate_published_files(folder: Path, names: Iterable[str]) -> dict[str, Path]:
    """Find each named file anywhere under ``folder`` (EES CSVs keep their published names)."""
    wanted = set(names)
    found: dict[str, Path] = {}
    for path in sorted(Path(folder).rglob("*"), key=lambda path: (len(path.parts), str(path))):
        if path.name in wanted and path.name not in found and path.is_file():
            found[path.name] = path
    return found


# Computing benchmarks ---------------------------------------------------------------------------------------


def competition_ranks(values: Mapping[str, Decimal], polarity: str) -> dict[str, int]:
    """Rank every authority with a value, 1 the best by polarity; ties share the best rank (1, 2, 2, 4).

    A neutral indicator has no better direction, so no ranks.
    """
    if polarity == Polarity.NEUTRAL:
        return {}
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=polarity == Polarity.HIGHER_IS_BETTER)
    ranks: dict[str, int] = {}
    previous, previous_rank = None, 0
    for position, (code, value) in enumerate(ordered, start=1):
        rank = previous_rank if value == previous else position
        ranks[code] = rank
        previous, previous_rank = value, rank
    return ranks


def quartile_thresholds(values: Iterable[Decimal]) -> tuple[Decimal, Decimal, Decimal] | None:
    """The lower quartile, median and upper quartile as R's ``quantile()`` computes them by default (type 7).

    Sorted values x[0..n-1]; the p quantile sits at h = (n - 1) * p and interpolates linearly between
    x[floor(h)] and x[floor(h) + 1]. In Decimal, so exact for published figures.
    """
    ordered = sorted(values)
    if not ordered:
        return None

    def quantile(p: Decimal) -> Decimal:
        h = (len(ordered) - 1) * p
        low = int(h)
        fraction = h - low
        if fraction == 0 or low + 1 >= len(ordered):
            return ordered[low]
        return ordered[low] + fraction * (ordered[low + 1] - ordered[low])

    return quantile(Decimal("0.25")), quantile(Decimal("0.5")), quantile(Decimal("0.75"))


def quartile_band(
    value: Decimal | None, thresholds: tuple[Decimal, Decimal, Decimal] | None, polarity: str
) -> str:
    """LAIT's quartile band, A (best) to D (worst); empty for a missing value or a neutral indicator.

    The rule of DfE's Local Authority Interactive Tool (``calculate_quartile_band`` in
    dfe-analytical-services/local-authority-interactive-tool, ``R/fn_analysis.R``): with Q1, the median and Q3
    of every authority's value that year (see ``quartile_thresholds``), a value up to and including Q1 is in
    the lowest band, above Q1 up to and including the median the next, above the median up to and including
    Q3 the next, above Q3 the highest. Lower is better: lowest band A, highest D. Higher is better: lowest
    band D, highest A. Bands are by value, not by rank, so tied authorities always share a band.
    """
    if value is None or thresholds is None or polarity == Polarity.NEUTRAL:
        return ""
    lower, median, upper = thresholds
    band = 0 if value <= lower else 1 if value <= median else 2 if value <= upper else 3
    return QUARTILES[band] if polarity == Polarity.LOWER_IS_BETTER else QUARTILES[3 - band]


def _stored(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)


def compute_benchmarks(
    figures: YearFigures, *, polarity: str, neighbours: Mapping[str, Sequence[str]], codes: Iterable[str]
) -> dict[str, BenchmarkFigures]:
    """Each listed authority's benchmarks for one measure and year, from that year's published figures.

    The rank and the quartiles are among every authority with a published value (authorities that have since
    been replaced included, while DfE still publishes their figures). The SN average is the mean of the
    neighbours that have a value; ``sn_count`` says how many that was.
    """
    published = {code: value for code, (value, _) in figures.authorities.items() if value is not None}
    ranks = competition_ranks(published, polarity)
    thresholds = quartile_thresholds(published.values()) if polarity != Polarity.NEUTRAL else None
    benchmarks = {}
    for code in codes:
        own, region_code = figures.authorities.get(code, (None, ""))
        neighbour_values = [published[other] for other in neighbours.get(code, ()) if other in published]
        count = len(neighbour_values)
        benchmarks[code] = BenchmarkFigures(
            england=_stored(figures.england),
            region=_stored(figures.regions.get(region_code)),
            sn_average=_stored(sum(neighbour_values) / count) if count else None,
            sn_min=_stored(min(neighbour_values)) if count else None,
            sn_max=_stored(max(neighbour_values)) if count else None,
            sn_count=count if neighbours.get(code) else None,
            own=_stored(own),
            rank=ranks.get(code),
            rank_of=len(published) if code in ranks else None,
            quartile=quartile_band(own, thresholds, polarity),
        )
    return benchmarks


# The mapping ------------------------------------------------------------------------------------------------


@dataclass
class MeasureSeedResult(ImportResult):
    indicators_created: int = 0


def _measure_rows(path: Path) -> list[dict]:
    """Validate the shipped mapping file; every bad cell is reported with its row and column."""
    errors, measures, seen = [], [], set()
    units, polarities = set(Unit.values), set(Polarity.values)
    with open_rows(path) as rows:
        header = next(rows, [])
        index = require_columns(header, MEASURE_COLUMNS, file=path.name, kind="a published-measure mapping")
        filter_pairs = []
        for name, position in index.items():
            match = FILTER_COLUMN.fullmatch(name)
            if match:
                filter_pairs.append((position, index.get(f"filter_value_{match.group(1)}")))
        for row_number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            cell = {name: row[position] if position < len(row) else "" for name, position in index.items()}

            def error(column: str, reason: str, row_number: int = row_number) -> None:
                errors.append(
                    BAD_MEASURE.format(file=path.name, row=row_number, column=column, reason=reason)
                )

            if not INDICATOR_CODE.fullmatch(cell["indicator"]):
                error("indicator", f"{cell['indicator']!r} is not an indicator code")
            elif cell["indicator"] in seen:
                error("indicator", f"{cell['indicator']!r} is mapped twice; an indicator has one measure")
            seen.add(cell["indicator"])
            if cell["unit"] not in units:
                error("unit", f"{cell['unit']!r} is not one of {', '.join(sorted(units))}")
            if cell["polarity"] not in polarities:
                error("polarity", f"{cell['polarity']!r} is not one of {', '.join(sorted(polarities))}")
            if cell["decimals"] not in {"0", "1", "2", "3"}:
                error("decimals", f"{cell['decimals']!r} is not 0, 1, 2 or 3")
            if not cell["file_name"].lower().endswith(".csv"):
                error("file_name", f"{cell['file_name']!r} is not the name of a CSV file")
            if not cell["value_column"]:
                error("value_column", "is empty")
            filters = {}
            for column_at, value_at in filter_pairs:
                column = row[column_at] if column_at < len(row) else ""
                value = row[value_at] if value_at is not None and value_at < len(row) else ""
                if column and not value:
                    error(header[column_at], f"filter column {column!r} has no value beside it")
                elif column:
                    filters[column] = value
            measures.append({**cell, "filters": filters})
    if errors:
        raise ReferenceDataError("\n".join(errors))
    return measures


@transaction.atomic
def seed_published_measures(path: Path = MEASURES_CSV) -> MeasureSeedResult:
    """Add the shipped mappings the database does not have yet, creating any indicator they need.

    A mapping already in the database is the council's (it may have been edited in the admin) and is left
    as it is; so is an existing indicator.
    """
    path = Path(path)
    rows = _measure_rows(path)
    result = MeasureSeedResult()
    codes = [row["indicator"] for row in rows]
    indicators = {indicator.code: indicator for indicator in Indicator.objects.filter(code__in=codes)}
    next_position = (
        Indicator.objects.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    new_indicators = []
    for row in rows:
        if row["indicator"] not in indicators:
            new_indicators.append(
                Indicator(
                    code=row["indicator"],
                    section=row["section"],
                    name=row["name"],
                    unit=row["unit"],
                    polarity=row["polarity"],
                    decimals=int(row["decimals"]),
                    source=CREATED_INDICATOR_SOURCE,
                    definition=row.get("note", ""),
                    position=next_position + len(new_indicators),
                )
            )
    if new_indicators:
        Indicator.objects.bulk_create(new_indicators)
        indicators = {indicator.code: indicator for indicator in Indicator.objects.filter(code__in=codes)}
    result.indicators_created = len(new_indicators)

    mapped = set(
        PublishedMeasure.objects.filter(indicator__code__in=codes).values_list("indicator__code", flat=True)
    )
    new_measures = [
        PublishedMeasure(
            indicator=indicators[row["indicator"]],
            file_name=row["file_name"],
            filters=row["filters"],
            value_column=row["value_column"],
            note=row.get("note", ""),
        )
        for row in rows
        if row["indicator"] not in mapped
    ]
    PublishedMeasure.objects.bulk_create(new_measures)
    result.created, result.unchanged = len(new_measures), len(rows) - len(new_measures)
    return result


# Storing benchmarks -----------------------------------------------------------------------------------------


@dataclass
class BenchmarkImportResult(ImportResult):
    #: Mapped files not found under the folder, with the indicators each would have fed.
    missing_files: dict[str, list[str]] = field(default_factory=dict)


BENCHMARK_FIELDS = (
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
)


@transaction.atomic
def import_published_benchmarks(
    folder: Path, *, progress: Callable[[str], None] | None = None
) -> BenchmarkImportResult:
    """Read every mapped file found under ``folder`` and store the ``dfe`` benchmarks they give.

    One benchmark per authority, indicator and year the files cover, for every current authority the file
    lists and for a former one while it still has a published figure. Benchmarks entered by the council
    (source ``entered``) are never touched. A ``dfe`` benchmark for an indicator and year the files cover
    that they no longer give is removed, so the stored figures are always those of the release.
    """
    result = BenchmarkImportResult()
    measures = list(
        PublishedMeasure.objects.select_related("indicator").order_by("file_name", "indicator__code")
    )
    by_file: dict[str, list[PublishedMeasure]] = defaultdict(list)
    for measure in measures:
        by_file[measure.file_name].append(measure)
    paths = locate_published_files(folder, by_file)
    result.missing_files = {
        name: [measure.indicator.code for measure in group]
        for name, group in by_file.items()
        if name not in paths
    }

    figures: dict[tuple[str, str], YearFigures] = {}
    for name, path in sorted(paths.items()):
        figures.update(read_published_file(path, [MeasureSpec.of(measure) for measure in by_file[name]]))
        if progress:
            progress(name)

    authorities = {
        code: (pk, current) for pk, code, current in Authority.objects.values_list("id", "code", "is_current")
    }
    neighbours: dict[str, list[str]] = defaultdict(list)
    for code, neighbour_code in StatisticalNeighbour.objects.order_by("authority__code", "rank").values_list(
        "authority__code", "neighbour_code"
    ):
        neighbours[code].append(neighbour_code)

    measure_of = {measure.indicator.code: measure for measure in measures}
    wanted: dict[tuple[int, int, str], dict] = {}
    for (indicator_code, year), year_figures in figures.items():
        measure = measure_of[indicator_code]
        result.unknown_codes |= set(year_figures.authorities) - set(authorities)
        listed = [
            la
            for la, (value, _) in year_figures.authorities.items()
            if la in authorities and (authorities[la][1] or value is not None)
        ]
        computed = compute_benchmarks(
            year_figures, polarity=measure.indicator.polarity, neighbours=neighbours, codes=listed
        )
        note = NOTE.format(file=measure.file_name, year_end=int(year[:4]) + 1)
        for la, benchmark in computed.items():
            wanted[(authorities[la][0], measure.indicator_id, year)] = {**benchmark.__dict__, "note": note}
    if progress:
        progress("benchmarks computed")

    covered = {(indicator_id, year) for _, indicator_id, year in wanted}
    existing = Benchmark.objects.filter(
        source=BenchmarkSource.DFE, indicator_id__in={indicator_id for indicator_id, _ in covered}
    )
    to_update, to_delete = [], []
    for benchmark in existing:
        key = (benchmark.authority_id, benchmark.indicator_id, benchmark.year)
        values = wanted.pop(key, None)
        if values is None:
            if (benchmark.indicator_id, benchmark.year) in covered:
                to_delete.append(benchmark.pk)
            continue
        if all(getattr(benchmark, name) == values[name] for name in BENCHMARK_FIELDS):
            result.unchanged += 1
            continue
        for name in BENCHMARK_FIELDS:
            setattr(benchmark, name, values[name])
        to_update.append(benchmark)
    to_create = [
        Benchmark(
            authority_id=authority_id,
            indicator_id=indicator_id,
            year=year,
            source=BenchmarkSource.DFE,
            **values,
        )
        for (authority_id, indicator_id, year), values in wanted.items()
    ]
    Benchmark.objects.filter(pk__in=to_delete).delete()
    Benchmark.objects.bulk_update(to_update, BENCHMARK_FIELDS, batch_size=500)
    Benchmark.objects.bulk_create(to_create, batch_size=1000)
    result.created, result.changed, result.removed = len(to_create), len(to_update), len(to_delete)
    if progress:
        progress("benchmarks stored")
    return result
