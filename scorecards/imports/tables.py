"""Reading an uploaded CSV or XLSX file into rows of text cells, numbered as a spreadsheet shows them."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import IO

from . import messages

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
ZIP_MAGIC = b"PK\x03\x04"
#: The old binary Excel format (and other OLE files): openpyxl cannot read it.
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
#: Columns whose XLSX date cells are read as the month they fall in.
PERIOD_COLUMNS = frozenset({"period"})


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem with one cell, one row or the whole file. Row 1 is the header row."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass(slots=True)
class TableRow:
    #: The row number a spreadsheet shows: the header is row 1, the first data row is row 2.
    number: int
    #: Cells by (normalised) column name, trimmed; an empty cell is "".
    cells: dict[str, str]


@dataclass
class Table:
    #: Column names as normalised (trimmed, lower case), in the file's order.
    header: list[str] = field(default_factory=list)
    #: The header's row number: 1 unless the file starts with empty rows.
    header_row: int = 1
    #: Each column name as written in the file, by its normalised name.
    labels: dict[str, str] = field(default_factory=dict)
    rows: list[TableRow] = field(default_factory=list)
    #: Problems found while reading: the file as a whole, or a cell that cannot become text (a date).
    errors: list[RowError] = field(default_factory=list)
    #: Cells with a reading error, as (row, column), so that they are not reported a second time.
    bad_cells: set[tuple[int, str]] = field(default_factory=set)


class _CellError(Exception):
    pass


def read_table(file_obj: IO[bytes] | IO[str], filename: str) -> Table:
    """Read the first sheet of an XLSX file, or a UTF-8 CSV file (with or without BOM), by its content.

    The file type is decided by content where it can be (an XLSX file is a zip archive), else by the name's
    extension. Rows with no content at all are skipped wherever they are, keeping the numbering.
    """
    data = file_obj.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    suffix = PurePath(filename or "").suffix.lower()
    table = Table()
    if data.startswith(ZIP_MAGIC):
        records = _xlsx_records(data, table)
    elif suffix in XLSX_SUFFIXES:
        table.errors.append(
            RowError(
                1, messages.FILE_COLUMN, messages.UNREADABLE_XLSX.format(reason="it is not a zip archive")
            )
        )
        return table
    elif data.startswith(OLE_MAGIC) or suffix not in CSV_SUFFIXES:
        table.errors.append(
            RowError(1, messages.FILE_COLUMN, messages.WRONG_FILE_TYPE.format(filename=filename))
        )
        return table
    else:
        records = _csv_records(data, table)
    if records is None:
        return table
    _build(records, table)
    return table


def _build(records, table: Table) -> None:
    """Turn (row number, raw cells) records into the header and named rows."""
    header_number = 0
    positions: list[tuple[int, str]] = []
    named: dict[int, str] = {}
    unnamed_with_values: set[int] = set()
    for number, raw in records:
        if not header_number:
            texts = [_header_text(cell) for cell in raw]
            if not any(texts):
                continue
            header_number = number
            table.header_row = number
            for index, name in enumerate(texts):
                normalised = name.lower()
                if not name:
                    continue
                if normalised in table.header:
                    table.errors.append(RowError(number, name, messages.DUPLICATE_COLUMN.format(column=name)))
                    continue
                positions.append((index, normalised))
                named[index] = normalised
                table.header.append(normalised)
                table.labels[normalised] = name
            continue
        texts = []
        for index, cell in enumerate(raw):
            text = _cell_text(cell, number, named.get(index) or _column_letter(index), table)
            if text and index not in named:
                unnamed_with_values.add(index)
            texts.append(text)
        if not any(text != "" for text in texts):
            continue
        cells = {name: (texts[index] or "") if index < len(texts) else "" for index, name in positions}
        table.rows.append(TableRow(number, cells))
    if table.errors and not table.bad_cells.issuperset((e.row, e.column) for e in table.errors):
        return  # the file could not be read to the end; that error says why
    if not header_number:
        table.errors.append(RowError(1, messages.FILE_COLUMN, messages.EMPTY_FILE))
        return
    for index in sorted(unnamed_with_values):
        letter = _column_letter(index)
        table.errors.append(RowError(header_number, letter, messages.UNNAMED_COLUMN.format(letter=letter)))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _header_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, _XlsxCell):
        cell = cell.value
    return str(cell).strip()


def _cell_text(cell, number: int, column: str, table: Table) -> str | None:
    """The cell as trimmed text; None when it cannot be text (the error is recorded)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell.strip()
    try:
        return _plain_text(cell.value, column, cell.number_format)
    except _CellError as error:
        table.bad_cells.add((number, column))
        table.errors.append(RowError(number, column, str(error)))
        return None


def _plain_text(value, column: str, number_format: str) -> str:
    """An XLSX cell value as the text a person would have typed for it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime | datetime.date):
        if column in PERIOD_COLUMNS:
            return f"{value:%Y-%m}"
        raise _CellError(messages.DATE_NOT_ALLOWED)
    if isinstance(value, datetime.time | datetime.timedelta):
        raise _CellError(messages.DATE_NOT_ALLOWED)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        # repr() is the shortest text that reads back as the same float: 70.1, not 70.09999999999999.
        exact = Decimal(repr(value)) if isinstance(value, float) else value
        if not exact.is_finite():
            return str(value)
        if "%" in (number_format or ""):
            return _decimal_text(exact * 100) + "%"
        return _decimal_text(exact)
    return str(value).strip()


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# CSV -------------------------------------------------------------------------------------------------------


def _csv_records(data: bytes, table: Table) -> Iterator[tuple[int, list]] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = f"0x{data[error.start]:02x}"
        table.errors.append(RowError(line, messages.FILE_COLUMN, messages.NOT_UTF8.format(byte=byte)))
        return None
    return _csv_rows(text, table)


def _csv_rows(text: str, table: Table) -> Iterator[tuple[int, list]]:
    # A generator, so that a large file is never held twice (as raw records and as named rows).
    number = 0
    try:
        for number, raw in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):  # noqa: B007
            yield number, raw
    except csv.Error as error:
        table.errors.append(
            RowError(number + 1, messages.FILE_COLUMN, messages.UNREADABLE_CSV.format(reason=error))
        )


# XLSX ------------------------------------------------------------------------------------------------------


class _XlsxCell:
    """A cell's value and number format, detached from the workbook so it can be closed."""

    __slots__ = ("number_format", "value")

    def __init__(self, value, number_format: str) -> None:
        self.value = value
        self.number_format = number_format


def _xlsx_records(data: bytes, table: Table) -> Iterator[tuple[int, list]] | None:
    import openpyxl

    try:
        # data_only=False: a formula is read as its text ("=A2/B2"), never as a value we did not see computed.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds of error for a damaged or foreign file
        table.errors.append(
            RowError(1, messages.FILE_COLUMN, messages.UNREADABLE_XLSX.format(reason=_reason(error)))
        )
        return None
    return _xlsx_rows(workbook, table)


def _xlsx_rows(workbook, table: Table) -> Iterator[tuple[int, list]]:
    number = 0
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        # The stored dimensions can be wrong (some tools write "A1"), and would silently cut rows off.
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(), start=1):  # noqa: B007
            yield number, [_xlsx_value(cell) for cell in row]
    except Exception as error:  # a sheet can be damaged even when the archive opens
        table.errors.append(
            RowError(number + 1, messages.FILE_COLUMN, messages.UNREADABLE_XLSX.format(reason=_reason(error)))
        )
    finally:
        workbook.close()


def _xlsx_value(cell):
    value = cell.value
    if value is None or isinstance(value, str):
        return value
    return _XlsxCell(value, getattr(cell, "number_format", "") or "")


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__
