"""Reading reference files row by row, and what every reference import shares: its error and its result."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CODE_PATTERN = re.compile(r"^\d{3}$")

WRONG_LAYOUT = (
    "{file} does not have the layout of {kind}: expected the columns {expected}; missing {missing}."
)
NOT_A_CODE = "{file} row {row}, column {column}: {value!r} is not a DfE 3-digit LA code."
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


def header_index(header: Sequence[str]) -> dict[str, int]:
    """Each column name's position; the first wins where a header repeats a name."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(name, position)
    return index


def require_columns(
    header: Sequence[str], expected: Sequence[str], *, file: str, kind: str
) -> dict[str, int]:
    """Map column names to positions, or raise naming the columns the layout expects."""
    index = header_index(header)
    missing = [name for name in expected if name not in index]
    if missing:
        raise ReferenceDataError(
            WRONG_LAYOUT.format(
                file=file, kind=kind, expected=", ".join(expected), missing=", ".join(missing)
            )
        )
    return index


def cell_at(row: Sequence[str], position: int | None) -> str:
    """The cell at ``position``; empty where the column is absent or the row stops short."""
    if position is None or position >= len(row):
        return ""
    return row[position]


def code_at(row: Sequence[str], position: int, *, file: str, row_number: int, column: str) -> str:
    """The DfE 3-digit LA code at ``position``, or raise naming the file, row and column."""
    value = cell_at(row, position)
    if not CODE_PATTERN.fullmatch(value):
        raise ReferenceDataError(NOT_A_CODE.format(file=file, row=row_number, column=column, value=value))
    return value
