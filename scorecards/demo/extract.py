"""The demo's extract of DfE's published statistics: the rows the mapped measures read, from the official files.

``manage.py make_demo_extract SOURCE OUTPUT`` reads a folder laid out like ``shared/data`` and writes, in the
same layout and the same CSV formats, only what the demo needs: for each Explore Education Statistics (EES)
file of the published-measure mapping, the England, regional and local-authority rows that match a mapped
measure's filters, with the geography columns, the filter columns and the mapped value columns; and DfE's
statistical-neighbour model as published. ``rundemo`` loads it with ``load_reference_data``, the command that
loads the full files, so the comparison and league pages work without ``../shared``.

Every local authority's row is kept, not only the demo councils' and their neighbours': ranks, quartiles, a
council's place in its region and the league are computed over all authorities, and would be wrong over a few.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from authorities.reference import ReferenceDataError, open_rows
from scorecards.benchmarks.published import LOCAL_AUTHORITY, MEASURES_CSV, NATIONAL, REGIONAL

#: The extract shipped with the demo, which ``rundemo`` loads.
DEMO_REFERENCE = Path(__file__).resolve().parent / "reference"
#: Where the published files sit, in shared/data's layout (``load_reference_data`` finds them by name).
EES_FOLDER = "dfe_csc_outcomes"
NEIGHBOUR_MODEL = "sn_model_2025_wide.csv"
#: The EES geography columns, kept whole so that the files stay the published format (the authority list is
#: read from ``cla_number_and_rate_per_10k_children.csv``'s).
GEOGRAPHY = (
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
    "region_name", "old_la_code", "la_name", "new_la_code",
)  # fmt: skip
#: What the benchmark import reads of the other files' geography (``published.EES_COLUMNS``).
GEOGRAPHY_READ = ("time_period", "geographic_level", "region_code", "old_la_code")
#: The file whose geography columns are kept whole: it is also the authority list.
AUTHORITY_LIST = "cla_number_and_rate_per_10k_children.csv"
LEVELS = (NATIONAL, REGIONAL, LOCAL_AUTHORITY)

MISSING_FILE = "{path} lacks {name}, which the published-measure mapping reads."


@dataclass(frozen=True)
class Measure:
    file_name: str
    filters: tuple[tuple[str, str], ...]
    value_column: str


@dataclass
class ExtractResult:
    files: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        written = ", ".join(f"{name} ({rows} rows)" for name, rows in sorted(self.files.items()))
        return f"wrote {written}"


def mapped_measures(path: Path = MEASURES_CSV) -> list[Measure]:
    """The measures of the shipped mapping (the file ``load_reference_data`` seeds), by file."""
    measures = []
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            filters = tuple(
                (row[name], row[name.replace("column", "value")])
                for name in sorted(row)
                if name.startswith("filter_column_") and row[name]
            )
            measures.append(Measure(row["file_name"], filters, row["value_column"]))
    return measures


def extract_write(source: Path, output: Path) -> ExtractResult:
    """Write the extract of ``source`` (laid out like shared/data) into ``output``, and its README."""
    source, output = Path(source), Path(output)
    by_file: dict[str, list[Measure]] = defaultdict(list)
    for measure in mapped_measures():
        by_file[measure.file_name].append(measure)
    result = ExtractResult()
    folder = output / EES_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    provenance = []
    for name, measures in sorted(by_file.items()):
        path = source / EES_FOLDER / name
        if not path.is_file():
            raise ReferenceDataError(MISSING_FILE.format(path=source, name=name))
        result.files[name] = _write_ees(path, folder / name, measures)
        provenance.append((name, _digest(path)))
    model = source / EES_FOLDER / NEIGHBOUR_MODEL
    if not model.is_file():
        raise ReferenceDataError(MISSING_FILE.format(path=source, name=NEIGHBOUR_MODEL))
    (folder / NEIGHBOUR_MODEL).write_bytes(model.read_bytes())
    with open_rows(model) as rows:
        result.files[NEIGHBOUR_MODEL] = sum(1 for _ in rows) - 1
    provenance.append((NEIGHBOUR_MODEL, _digest(model)))
    (output / "README.md").write_text(readme(provenance, by_file), encoding="utf-8")
    return result


def _write_ees(path: Path, target: Path, measures: list[Measure]) -> int:
    """Copy the rows any measure reads (England, regions, every authority), with the columns it reads."""
    columns = list(GEOGRAPHY if target.name == AUTHORITY_LIST else GEOGRAPHY_READ)
    for measure in measures:
        columns += [name for name, _ in measure.filters if name not in columns]
        if measure.value_column not in columns:
            columns.append(measure.value_column)
    written = 0
    with open_rows(path) as rows, target.open("w", encoding="utf-8", newline="") as handle:
        header = next(rows, [])
        index = {name: position for position, name in enumerate(header)}
        keep = [index[name] for name in columns if name in index]
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([header[position] for position in keep])
        for row in rows:
            if len(row) < len(header) or row[index["geographic_level"]] not in LEVELS:
                continue
            if any(all(row[index[name]] == value for name, value in m.filters) for m in measures):
                writer.writerow([row[position] for position in keep])
                written += 1
    return written


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def readme(provenance: list[tuple[str, str]], by_file: dict[str, list[Measure]]) -> str:
    """Where the extract comes from, what it keeps, and the licence it is used under."""
    files = "\n".join(
        f"| `{EES_FOLDER}/{name}` | {', '.join(sorted({m.value_column for m in by_file.get(name, [])})) or 'all'}"
        f" | `{digest}` |"
        for name, digest in provenance
    )
    return f"""# Extract of DfE published statistics for the demonstration

Written by `manage.py make_demo_extract SOURCE OUTPUT` ({datetime.date.today():%d %B %Y}) from the official
files in SOURCE, a folder laid out like `shared/data`; `manage.py rundemo` loads it with
`manage.py load_reference_data`, the command that loads the full files. Nothing here is typed in or changed:
each file keeps its published name, columns and values.

## Sources

- Explore Education Statistics (EES) CSVs of DfE's statistical release "Children looked after in England
  including adoptions" (reporting year 2025, published November 2025), as copied in the repository
  `dfe-analytical-services/CSC_outcomes_and_enablers` at commit `2f5d11a431050523dab58810083259d3313029ae`,
  folder `data-raw/` (`shared/data/dfe_csc_outcomes/`, see `shared/data/README.md`).
- DfE's children's services statistical-neighbour model, May 2025, as `sn_model_2025_wide.csv` in the same
  repository (commit `1329930`), copied whole.

## What is kept

For each EES file the published-measure mapping (`scorecards/benchmarks/data/published_measures.csv`) reads:
the England, regional and local-authority rows that match one of its measures' filters, every year published
(2021 to 2025), with the filter columns, the mapped value columns and the geography the import reads
(`time_period`, `geographic_level`, `region_code`, `old_la_code`; all the EES geography columns in
`{AUTHORITY_LIST}`, which is also the authority list: codes, GSS codes, names and regions). Every local
authority is kept, not only the demo's councils and their neighbours, because ranks, quartiles, a council's
place in its region and the league table are computed over all authorities. Suppressed and missing figures keep
DfE's symbols (`c`, `z`, `x`, ...).

| file | value columns | SHA-256 of the source file (first 16 hex digits) |
| --- | --- | --- |
{files}

## Licence

Contains public sector information licensed under the Open Government Licence v3.0
(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/): the statistics are Department for
Education official statistics. The repository they were copied from is under the MIT licence (Copyright (c)
2020 lauraselby), whose notice is kept in `shared/data/dfe_csc_outcomes/LICENSE`.
"""
