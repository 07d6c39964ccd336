"""Writing what the published files give: the shipped measure mapping, then the ``dfe`` benchmarks."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

from django.db import transaction

from authorities.models import Authority, StatisticalNeighbour
from authorities.reference import ImportResult, ReferenceDataError, open_rows, require_columns
from scorecards.models import Benchmark, BenchmarkSource, Indicator, Polarity, PublishedMeasure, Unit

from .files import MeasureSpec, YearFigures, locate_published_files, read_published_file
from .ranking import BenchmarkFigures, compute_benchmarks

MEASURES_CSV = Path(__file__).resolve().parent.parent / "data" / "published_measures.csv"

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

BAD_MEASURE = "{file} row {row}, column {column}: {reason}"

#: What a stored ``dfe`` benchmark holds: the computed figures and the note naming their file and year.
BENCHMARK_FIELDS = (*(figure.name for figure in fields(BenchmarkFigures)), "note")


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
