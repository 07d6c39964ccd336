"""``read_table``: a file's type decided, its records read by the CSV or XLSX reader, named by the header."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import PurePath
from typing import IO

from .. import messages
from .csv_reader import _csv_records
from .limits import MAX_CELL_CHARS, Limits
from .table import CONTROL_CHARACTERS, RowError, Table, TableRow, _CellError, _column_letter, _Refused
from .xlsx_reader import ZIP_MAGIC, _xlsx_records, _XlsxCell

CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
#: The old binary Excel format (and other OLE files): openpyxl cannot read it.
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
#: Columns whose XLSX date cells are read as the month they fall in.
PERIOD_COLUMNS = frozenset({"period"})
#: Columns whose XLSX date cells are read as their day (YYYY-MM-DD), as the plans and actions kinds take them.
DATE_COLUMNS = frozenset({"due", "as_of", "source_date"})


def read_table(file_obj: IO[bytes] | IO[str], filename: str, *, limits: Limits | None = None) -> Table:
    """Read the first sheet of an XLSX file, or a UTF-8 CSV file (with or without BOM), by its content.

    The file type is decided by content where it can be (an XLSX file is a zip archive), else by the name's
    extension. Rows with no content at all are skipped wherever they are, keeping the numbering. A file beyond
    ``limits`` (by default those of the settings) is refused with one error, before its rows are read.
    """
    limits = limits or Limits.from_settings()
    data = file_obj.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    suffix = PurePath(filename or "").suffix.lower()
    table = Table()
    if data.startswith(ZIP_MAGIC):
        records = _xlsx_records(data, table, limits)
        check_controls = True
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
        records, check_controls = _csv_records(data, table, limits)
    if records is None:
        return table
    _build(records, table, check_controls=check_controls)
    return table


def _build(records, table: Table, *, check_controls: bool) -> None:
    """Turn (row number, raw cells) records into the header and named rows."""
    header_number = 0
    positions: list[tuple[int, str]] = []
    named: dict[int, str] = {}
    unnamed_with_values: set[int] = set()
    try:
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
                        table.errors.append(
                            RowError(number, name, messages.DUPLICATE_COLUMN.format(column=name))
                        )
                        continue
                    positions.append((index, normalised))
                    named[index] = normalised
                    table.header.append(normalised)
                    table.labels[normalised] = name
                continue
            texts = []
            for index, cell in enumerate(raw):
                if type(cell) is str and not check_controls and len(cell) <= MAX_CELL_CHARS:
                    text = cell.strip()  # the common case, without a call per cell
                else:
                    column = named.get(index) or _column_letter(index)
                    text = _cell_text(cell, number, column, table, check_controls)
                if text and index not in named:
                    unnamed_with_values.add(index)
                texts.append(text)
            if texts.count("") == len(texts):
                continue
            cells = {name: (texts[index] or "") if index < len(texts) else "" for index, name in positions}
            table.rows.append(TableRow(number, cells))
    except _Refused as refused:
        table.errors.append(refused.error)
        return
    if table.errors and not table.bad_cells.issuperset((e.row, e.column) for e in table.errors):
        return  # the file could not be read to the end; that error says why
    if not header_number:
        table.errors.append(RowError(1, messages.FILE_COLUMN, messages.EMPTY_FILE))
        return
    for index in sorted(unnamed_with_values):
        letter = _column_letter(index)
        table.errors.append(RowError(header_number, letter, messages.UNNAMED_COLUMN.format(letter=letter)))


def _header_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, _XlsxCell):
        cell = cell.value
    return str(cell).strip()


def _cell_text(cell, number: int, column: str, table: Table, check_controls: bool) -> str | None:
    """The cell as trimmed text; None when it cannot be text (the error is recorded)."""
    if cell is None:
        return ""
    try:
        if isinstance(cell, str):
            return _checked_text(cell.strip(), check_controls)
        return _plain_text(cell.value, column, cell.number_format)
    except _CellError as error:
        table.bad_cells.add((number, column))
        table.errors.append(RowError(number, column, str(error)))
        return None


def _checked_text(text: str, check_controls: bool) -> str:
    if len(text) > MAX_CELL_CHARS:
        raise _CellError(messages.TOO_LONG.format(length=len(text), limit=MAX_CELL_CHARS))
    if check_controls and (control := CONTROL_CHARACTERS.search(text)):
        if control.group() == "\x00":
            raise _CellError(messages.NUL_CHARACTER)
        raise _CellError(messages.CONTROL_CHARACTER.format(code=f"U+{ord(control.group()):04X}"))
    return text


def _plain_text(value, column: str, number_format: str) -> str:
    """An XLSX cell value as the text a person would have typed for it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime | datetime.date):
        if column in PERIOD_COLUMNS:
            return f"{value:%Y-%m}"
        if column in DATE_COLUMNS:
            return _day_text(value)
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
    return _checked_text(str(value).strip(), True)


def _day_text(value: datetime.date) -> str:
    """A date cell's day; a time of day other than midnight is refused rather than dropped unseen."""
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0):
            raise _CellError(messages.DATE_WITH_TIME.format(value=f"{value:%Y-%m-%d %H:%M:%S}"))
        value = value.date()
    return value.isoformat()


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
