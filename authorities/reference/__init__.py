"""Importers for DfE's published reference data about authorities.

Three files, in their published layouts: the authority list (DfE and GSS codes, names, regions), the
reorganisations that replaced some authorities by others, and DfE's statistical-neighbour model. Everything
joins on the DfE 3-digit LA code, never on names: the sources spell names differently ("Bristol, City of",
"St. Helens"). Codes a file names that are not known here are collected and returned, never dropped silently.
Importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from authorities.models import Authority, StatisticalNeighbour

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REORGANISATIONS_CSV = DATA_DIR / "reorganisations.csv"

CODE_PATTERN = re.compile(r"^\d{3}$")
NEIGHBOURS_PER_AUTHORITY = 10
#: How far down a workbook the header may sit (LAIT's sheets carry two rows of column letters above it).
HEADER_SEARCH_ROWS = 10
#: Cells that mean "no neighbour here", e.g. Cumberland in the 2021 model, made before it existed.
NO_NEIGHBOUR = frozenset({"", "-"})

AUTHORITY_LIST_COLUMNS = ("old_la_code", "new_la_code", "la_name", "region_name")
REORGANISATION_COLUMNS = ("predecessor_code", "predecessor_name", "successor_code")
SN_WIDE_COLUMNS = ("old_la_code", *(f"SN_{rank}" for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1)))
SN_LAIT_COLUMNS = ("LA num", *(f"SN{rank}" for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1)))

WRONG_LAYOUT = (
    "{file} does not have the layout of {kind}: expected the columns {expected}; missing {missing}."
)
WRONG_SN_LAYOUT = (
    "{file} does not have the layout of a statistical-neighbour model: expected a header row with "
    "{wide}, each SN_n followed by SN_nP (DfE CSV), or {lait}, each SNn followed by SNP (LAIT workbook)."
)
NOT_A_CODE = "{file} row {row}, column {column}: {value!r} is not a DfE 3-digit LA code."
CONFLICTING_ROWS = "{file} row {row}: authority {code} appears again with different details."
NOT_UTF8 = "{file} is not a UTF-8 CSV file."
UNREADABLE = "{file} cannot be read as {kind}: {reason}."


class ReferenceDataError(Exception):
    """A reference file cannot be imported; the message says which file, row and column, and why."""


@dataclass
class ImportResult:
    """What an import did, for a one-line summary. Unknown codes are the file's codes not known here."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    unknown_codes: set[str] = field(default_factory=set)


# Reading CSV and XLSX ---------------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # openpyxl gives whole numbers typed as floats in some workbooks: 301.0 is LA 301.
        return str(int(value))
    return str(value).strip()


@contextmanager
def open_rows(path: Path) -> Iterator[Iterator[list[str]]]:
    """Yield the rows of a CSV (UTF-8, optional BOM) or of an XLSX's first sheet, as lists of stripped text.

    Rows are streamed, never held in memory at once.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged or mislabelled file
            raise ReferenceDataError(
                UNREADABLE.format(file=path.name, kind="an XLSX workbook", reason=error)
            ) from error
        try:
            sheet = workbook.worksheets[0]
            yield ([_cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True))
        finally:
            workbook.close()
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        try:
            yield ([cell.strip() for cell in row] for row in csv.reader(handle))
        except UnicodeDecodeError as error:
            raise ReferenceDataError(NOT_UTF8.format(file=path.name)) from error


def _header_index(header: Sequence[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name, position)
    return index


def require_columns(
    header: Sequence[str], expected: Sequence[str], *, file: str, kind: str
) -> dict[str, int]:
    """Map column names to positions, or raise naming the columns the layout expects."""
    index = _header_index(header)
    missing = [name for name in expected if name not in index]
    if missing:
        raise ReferenceDataError(
            WRONG_LAYOUT.format(
                file=file, kind=kind, expected=", ".join(expected), missing=", ".join(missing)
            )
        )
    return index


def _cell(row: Sequence[str], position: int | None) -> str:
    if position is None or position >= len(row):
        return ""
    return row[position]


def _code(row: Sequence[str], position: int, *, file: str, row_number: int, column: str) -> str:
    value = _cell(row, position)
    if not CODE_PATTERN.fullmatch(value):
        raise ReferenceDataError(NOT_A_CODE.format(file=file, row=row_number, column=column, value=value))
    return value


def _link_waiting_neighbours(codes: set[str]) -> None:
    """Link neighbour places that named these authorities before they were imported."""
    waiting = list(
        StatisticalNeighbour.objects.filter(neighbour__isnull=True, neighbour_code__in=codes).only(
            "id", "neighbour_code"
        )
    )
    if not waiting:
        return
    ids = dict(
        Authority.objects.filter(code__in={place.neighbour_code for place in waiting}).values_list(
            "code", "id"
        )
    )
    for place in waiting:
        place.neighbour_id = ids[place.neighbour_code]
    StatisticalNeighbour.objects.bulk_update(waiting, ["neighbour"], batch_size=500)


# The authority list -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AuthorityRecord:
    code: str
    gss_code: str
    name: str
    region: str


@transaction.atomic
def import_authority_list(path: Path) -> ImportResult:
    """Create or update authorities from an EES CSV or a reference list, keyed on the DfE code.

    Accepts any Explore Education Statistics CSV (its local-authority rows carry ``old_la_code``,
    ``new_la_code``, ``la_name``, ``region_name``; the latest ``time_period`` wins) or a list with those four
    columns, such as ``derived/la_reference_2025.csv``. Other columns are ignored. New authorities are
    current; whether an existing one is current is decided by the reorganisations, not here.
    """
    path = Path(path)
    records: dict[str, tuple[str, _AuthorityRecord]] = {}
    with open_rows(path) as rows:
        header = next(rows, [])
        index = require_columns(header, AUTHORITY_LIST_COLUMNS, file=path.name, kind="an authority list")
        level_at, period_at = index.get("geographic_level"), index.get("time_period")
        for row_number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            if level_at is not None and _cell(row, level_at) != "Local authority":
                continue
            code = _code(
                row, index["old_la_code"], file=path.name, row_number=row_number, column="old_la_code"
            )
            record = _AuthorityRecord(
                code=code,
                gss_code=_cell(row, index["new_la_code"]),
                name=_cell(row, index["la_name"]),
                region=_cell(row, index["region_name"]),
            )
            period = _cell(row, period_at)
            seen = records.get(code)
            if seen is None or period > seen[0]:
                records[code] = (period, record)
            elif period_at is None and seen[1] != record:
                raise ReferenceDataError(CONFLICTING_ROWS.format(file=path.name, row=row_number, code=code))

    result = ImportResult()
    existing = {authority.code: authority for authority in Authority.objects.all()}
    to_create, to_update = [], []
    for _, record in records.values():
        authority = existing.get(record.code)
        if authority is None:
            to_create.append(
                Authority(code=record.code, gss_code=record.gss_code, name=record.name, region=record.region)
            )
            continue
        fields = {"gss_code": record.gss_code, "name": record.name, "region": record.region}
        if all(getattr(authority, name) == value for name, value in fields.items()):
            result.unchanged += 1
            continue
        for name, value in fields.items():
            setattr(authority, name, value)
        to_update.append(authority)
    Authority.objects.bulk_create(to_create, batch_size=500)
    Authority.objects.bulk_update(to_update, ["gss_code", "name", "region"], batch_size=500)
    result.created, result.changed = len(to_create), len(to_update)
    _link_waiting_neighbours({authority.code for authority in to_create})
    return result


# Reorganisations --------------------------------------------------------------------------------------------


@transaction.atomic
def import_reorganisations(path: Path = REORGANISATIONS_CSV) -> ImportResult:
    """Mark predecessors as no longer current and link them to their successors.

    The file names each predecessor once per successor (``835`` old Dorset county -> ``838`` Dorset and
    ``839`` BCP). A predecessor not in the authority list (EES files no longer carry pre-2019 Dorset, Poole or
    Bournemouth) is created from the file; an unknown successor is reported, not created.
    """
    path = Path(path)
    pairs: list[tuple[str, str]] = []
    predecessors: dict[str, tuple[str, str]] = {}
    with open_rows(path) as rows:
        header = next(rows, [])
        index = require_columns(
            header, REORGANISATION_COLUMNS, file=path.name, kind="a list of reorganisations"
        )
        for row_number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            before = _code(
                row,
                index["predecessor_code"],
                file=path.name,
                row_number=row_number,
                column="predecessor_code",
            )
            after = _code(
                row, index["successor_code"], file=path.name, row_number=row_number, column="successor_code"
            )
            predecessors.setdefault(
                before, (_cell(row, index["predecessor_name"]), _cell(row, index.get("predecessor_gss_code")))
            )
            pairs.append((before, after))

    result = ImportResult()
    authorities = {
        authority.code: authority
        for authority in Authority.objects.filter(code__in={code for pair in pairs for code in pair})
    }
    regions = {after: authorities[after].region for _, after in pairs if after in authorities}
    new_predecessors = []
    for code, (name, gss_code) in predecessors.items():
        if code not in authorities:
            successor_region = next(
                (regions[after] for before, after in pairs if before == code and after in regions), ""
            )
            new_predecessors.append(
                Authority(code=code, name=name, gss_code=gss_code, region=successor_region, is_current=False)
            )
    if new_predecessors:
        Authority.objects.bulk_create(new_predecessors)
        result.created += len(new_predecessors)
        # Re-read: bulk_create does not set primary keys on every database.
        authorities.update(
            {a.code: a for a in Authority.objects.filter(code__in=[p.code for p in new_predecessors])}
        )

    no_longer_current = [authorities[code] for code in predecessors if authorities[code].is_current]
    for authority in no_longer_current:
        authority.is_current = False
    Authority.objects.bulk_update(no_longer_current, ["is_current"])
    result.changed += len(no_longer_current)

    Link = Authority.successors.through
    linked = set(
        Link.objects.filter(from_authority__code__in=predecessors).values_list(
            "from_authority__code", "to_authority__code"
        )
    )
    links = []
    for before, after in pairs:
        if after not in authorities:
            result.unknown_codes.add(after)
        elif (before, after) in linked:
            result.unchanged += 1
        else:
            links.append(Link(from_authority=authorities[before], to_authority=authorities[after]))
            linked.add((before, after))
    Link.objects.bulk_create(links)
    result.created += len(links)
    return result


# The statistical-neighbour model ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _NeighbourColumns:
    code_name: str
    code: int
    neighbours: tuple[int, ...]
    closeness: tuple[int | None, ...]


def _neighbour_columns(header: Sequence[str]) -> _NeighbourColumns | None:
    """Recognise DfE's wide CSV (``SN_1``, ``SN_1P``, ...) or LAIT's workbook (``SN1``, ``SNP``, ...)."""
    index = _header_index(header)
    if all(name in index for name in SN_WIDE_COLUMNS):
        neighbours = tuple(index[f"SN_{rank}"] for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1))
        closeness = tuple(index.get(f"SN_{rank}P") for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1))
        return _NeighbourColumns("old_la_code", index["old_la_code"], neighbours, closeness)
    if all(name in index for name in SN_LAIT_COLUMNS):
        neighbours = tuple(index[f"SN{rank}"] for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1))
        # Every closeness column is headed "SNP"; each belongs to the SNn column just before it.
        closeness = tuple(
            position + 1 if position + 1 < len(header) and header[position + 1] == "SNP" else None
            for position in neighbours
        )
        return _NeighbourColumns("LA num", index["LA num"], neighbours, closeness)
    return None


def _closeness(text: str) -> str:
    """``"Very Close"`` and ``"Very close "`` are the same band: one spelling, as DfE's 2025 CSV writes it."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:].lower() if text not in NO_NEIGHBOUR else ""


@transaction.atomic
def import_statistical_neighbours(path: Path) -> ImportResult:
    """Replace each listed authority's ordered neighbours with those of DfE's model (CSV or XLSX).

    Reads DfE's ``sn_model_2025_wide.csv`` layout or LAIT's ``sn_may_2025.xlsx`` (header on row 3, repeated
    ``SNP`` closeness columns, a separate block of pre-reorganisation authorities). Neighbour 1 is the
    nearest. A row for an authority not known here is skipped and its code reported; a neighbour not known
    here is kept by its code, reported, and linked when that authority is imported.
    """
    path = Path(path)
    lists: dict[str, dict[int, tuple[str, str]]] = {}
    with open_rows(path) as rows:
        columns = None
        header_row = 0
        for header_row, header in enumerate(rows, start=1):
            columns = _neighbour_columns(header)
            if columns is not None or header_row >= HEADER_SEARCH_ROWS:
                break
        if columns is None:
            raise ReferenceDataError(
                WRONG_SN_LAYOUT.format(
                    file=path.name, wide=", ".join(SN_WIDE_COLUMNS), lait=", ".join(SN_LAIT_COLUMNS)
                )
            )
        for row_number, row in enumerate(rows, start=header_row + 1):
            if not _cell(row, columns.code):
                continue  # blank lines and LAIT's "Old SNs:" caption row
            code = _code(row, columns.code, file=path.name, row_number=row_number, column=columns.code_name)
            places = {}
            for rank, (at, closeness_at) in enumerate(
                zip(columns.neighbours, columns.closeness, strict=True), start=1
            ):
                if _cell(row, at) in NO_NEIGHBOUR:
                    continue
                neighbour = _code(row, at, file=path.name, row_number=row_number, column=header[at])
                places[rank] = (neighbour, _closeness(_cell(row, closeness_at)))
            lists[code] = places

    result = ImportResult()
    mentioned = set(lists) | {neighbour for places in lists.values() for neighbour, _ in places.values()}
    ids = dict(Authority.objects.filter(code__in=mentioned).values_list("code", "id"))
    result.unknown_codes = mentioned - set(ids)
    existing: dict[tuple[int, int], StatisticalNeighbour] = {
        (place.authority_id, place.rank): place
        for place in StatisticalNeighbour.objects.filter(authority__code__in=lists.keys())
    }
    to_create, to_update = [], []
    for code, places in lists.items():
        authority_id = ids.get(code)
        if authority_id is None:
            continue
        for rank, (neighbour_code, closeness) in places.items():
            wanted = {
                "neighbour_code": neighbour_code,
                "neighbour_id": ids.get(neighbour_code),
                "closeness": closeness,
            }
            place = existing.pop((authority_id, rank), None)
            if place is None:
                to_create.append(StatisticalNeighbour(authority_id=authority_id, rank=rank, **wanted))
            elif all(getattr(place, name) == value for name, value in wanted.items()):
                result.unchanged += 1
            else:
                for name, value in wanted.items():
                    setattr(place, name, value)
                to_update.append(place)
    # What is left held ranks the model no longer fills, e.g. a "-" in the 2021 model.
    to_delete = [place.pk for place in existing.values()]
    StatisticalNeighbour.objects.filter(pk__in=to_delete).delete()
    StatisticalNeighbour.objects.bulk_update(
        to_update, ["neighbour_code", "neighbour", "closeness"], batch_size=500
    )
    StatisticalNeighbour.objects.bulk_create(to_create, batch_size=500)
    result.created, result.changed, result.removed = len(to_create), len(to_update), len(to_delete)
    return result
