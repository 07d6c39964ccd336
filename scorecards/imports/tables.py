"""Reading an uploaded CSV or XLSX file into rows of text cells, numbered as a spreadsheet shows them.

A file is read as a stream, and what it may hold is checked as it is read, so that a hostile or broken file is
refused (one ``RowError`` on the file, naming the row) before it costs the work its rows would:

- at most ``SCORECARD_UPLOAD_MAX_ROWS`` rows below the header (default 200,000), at most
  ``SCORECARD_UPLOAD_MAX_COLUMNS`` columns with values (default 60) and at most ``SCORECARD_UPLOAD_MAX_CELLS``
  cells (default 2,000,000), each a Django setting;
- a cell holds at most 32,767 characters, as in Excel (a longer cell is an error of that cell), and a CSV row at
  most what its columns' cells can hold;
- a CSV quote that is never closed, which would read every later line into one cell, is refused on the row
  where it opened;
- an XLSX archive expands to at most ``SCORECARD_UPLOAD_MAX_EXPANDED_BYTES`` (default 100 MB), judged from its
  directory before anything is opened; a part that expands more than 100-fold is refused as a zip bomb, and the
  XML elements of the whole archive are counted before any is parsed.

Text may not hold NUL (PostgreSQL cannot store it) or other control characters than tab and line breaks: each
such cell is an error of its own, as are the cells of every other kind of mistake.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
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

#: The most characters a cell may hold: Excel's own limit, so no spreadsheet makes a longer one.
MAX_CELL_CHARS = 32_767
#: Characters that are never text. Tab, line feed and carriage return are; NUL cannot even be stored.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Spreadsheet XML compresses 5- to 20-fold; a large part that expanded more is a zip bomb.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
#: Parts of an XLSX archive that openpyxl parses as XML, whose elements are counted before it does.
XML_PARTS = (".xml", ".rels", ".vml")
ZIP_CHUNK = 1024 * 1024
#: A workbook has a few dozen parts (a few hundred with many sheets and pictures).
MAX_PARTS = 10_000
#: Enough of a tag to hold its name and prefix: a piece of XML is never cut closer than this after a "<".
MAX_TAG_NAME = 256
PREFIXED_ROW_TAG = re.compile(rb"<[A-Za-z_][\w.-]*:row[\s/>]")
#: The XML elements one cell may hold: a value, a formula, rich text of a few dozen runs.
MAX_CELL_ELEMENTS = 1000


DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_COLUMNS = 60
DEFAULT_MAX_CELLS = 2_000_000
DEFAULT_MAX_EXPANDED_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one file may hold. ``from_settings`` reads each from Django settings, with these defaults."""

    #: Rows below the header, blank ones included (``SCORECARD_UPLOAD_MAX_ROWS``). The benchmark imports
    #: 100,000 values in one file.
    rows: int = DEFAULT_MAX_ROWS
    #: Columns with a value (``SCORECARD_UPLOAD_MAX_COLUMNS``); the widest kind of file has 10.
    columns: int = DEFAULT_MAX_COLUMNS
    #: Cells, each row counted up to its last value (CSV) or cells with a value (XLSX)
    #: (``SCORECARD_UPLOAD_MAX_CELLS``): 200,000 rows of 10.
    cells: int = DEFAULT_MAX_CELLS
    #: An XLSX archive's parts, uncompressed (``SCORECARD_UPLOAD_MAX_EXPANDED_BYTES``): 200,000 rows of 8
    #: columns, strings inline, are about 66 MB.
    expanded_bytes: int = DEFAULT_MAX_EXPANDED_BYTES

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        if not settings.configured:
            return cls()
        return cls(
            rows=getattr(settings, "SCORECARD_UPLOAD_MAX_ROWS", DEFAULT_MAX_ROWS),
            columns=getattr(settings, "SCORECARD_UPLOAD_MAX_COLUMNS", DEFAULT_MAX_COLUMNS),
            cells=getattr(settings, "SCORECARD_UPLOAD_MAX_CELLS", DEFAULT_MAX_CELLS),
            expanded_bytes=getattr(
                settings, "SCORECARD_UPLOAD_MAX_EXPANDED_BYTES", DEFAULT_MAX_EXPANDED_BYTES
            ),
        )

    @property
    def row_chars(self) -> int:
        """A CSV row's most characters: every cell full, quoted, each character a doubled quote."""
        return self.columns * (2 * MAX_CELL_CHARS + 3)

    @property
    def xml_elements(self) -> int:
        """An XLSX archive's most XML elements: a cell is 2 or 3 (c and v, or c, is and t), a row 1."""
        return 4 * self.cells + 2 * self.rows + 100_000


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


class _Refused(Exception):
    """The file is refused as a whole, on this row, and reading stops."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.error = RowError(max(row, 1), messages.FILE_COLUMN, message)


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


def _decimal_text(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# CSV -------------------------------------------------------------------------------------------------------

#: Fed to the csv reader after the file's last line: inside a quote it ends up in a cell, else it is a row.
_END_OF_FILE = "\x00end of file\x00"


def _csv_records(data: bytes, table: Table, limits: Limits) -> tuple[Iterator[tuple[int, list]] | None, bool]:
    """The CSV file's records, once every limit has been checked by reading it through (at C speed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = f"0x{data[error.start]:02x}"
        table.errors.append(RowError(line, messages.FILE_COLUMN, messages.NOT_UTF8.format(byte=byte)))
        return None, False
    try:
        for _ in _csv_rows(text, limits):
            pass
    except _Refused as refused:
        table.errors.append(refused.error)
        return None, False
    # Cells are searched for control characters only when the file has one somewhere.
    return _csv_rows(text, limits), CONTROL_CHARACTERS.search(text) is not None


class _RowTooLong(Exception):
    pass


class _Lines:
    """The physical lines read, the characters of the row being read, and whether the file has ended."""

    __slots__ = ("chars", "count", "ended")

    def __init__(self) -> None:
        self.count = self.chars = 0
        self.ended = False


def _csv_lines(text: str, lines: _Lines, limit: int) -> Iterator[str]:
    for line in io.StringIO(text, newline=""):
        lines.count += 1
        lines.chars += len(line)
        if lines.chars > limit:
            raise _RowTooLong
        yield line
    lines.ended = True
    yield _END_OF_FILE


def _csv_rows(text: str, limits: Limits) -> Iterator[tuple[int, list]]:
    # A generator, so that a large file is never held twice (as raw records and as named rows).
    lines = _Lines()
    reader = csv.reader(_csv_lines(text, lines, limits.row_chars))
    number = cells = 0
    while True:
        first_line = lines.count + 1
        lines.chars = 0
        try:
            raw = next(reader, None)
        except _RowTooLong:
            if lines.count > first_line:
                raise _Refused(number + 1, messages.UNTERMINATED_QUOTE.format(line=first_line)) from None
            raise _Refused(
                number + 1, messages.ROW_TOO_LONG.format(limit=limits.row_chars, columns=limits.columns)
            ) from None
        except csv.Error as error:
            if "field larger than field limit" not in str(error):
                raise _Refused(number + 1, messages.UNREADABLE_CSV.format(reason=error)) from None
            if lines.count > first_line:
                raise _Refused(number + 1, messages.UNTERMINATED_QUOTE.format(line=first_line)) from None
            raise _Refused(number + 1, messages.CELL_TOO_LONG_IN_ROW.format(limit=MAX_CELL_CHARS)) from None
        if raw is None:
            return
        if lines.ended:  # the reader asked for a line after the last: this row holds _END_OF_FILE
            if raw == [_END_OF_FILE]:
                return
            raise _Refused(number + 1, messages.UNTERMINATED_QUOTE.format(line=first_line))
        number += 1
        if number > limits.rows + 1:
            raise _Refused(number, messages.TOO_MANY_ROWS.format(limit=limits.rows))
        if len(raw) > limits.columns:
            raw = _within_columns(raw, number, limits.columns)
        while raw and not raw[-1]:
            raw.pop()
        cells += len(raw)
        if cells > limits.cells:
            raise _Refused(number, messages.TOO_MANY_CELLS.format(limit=limits.cells))
        yield number, raw


def _within_columns(raw: list[str], number: int, columns: int) -> list[str]:
    """The row's first ``columns`` cells, if every later one is empty; else the row is refused."""
    rest = raw[columns:]
    if any(rest):  # at C speed: a row of 200,000 empty cells costs nothing like checking each
        for offset, cell in enumerate(rest):
            if cell.strip():
                raise _too_many_columns(number, columns + offset, columns)
    return raw[:columns]


def _too_many_columns(number: int, index: int, columns: int) -> _Refused:
    return _Refused(
        number,
        messages.TOO_MANY_COLUMNS.format(
            letter=_column_letter(index), limit=columns, last=_column_letter(columns - 1)
        ),
    )


# XLSX ------------------------------------------------------------------------------------------------------


class _XlsxCell:
    """A cell's value and number format, detached from the workbook so it can be closed."""

    __slots__ = ("number_format", "value")

    def __init__(self, value, number_format: str) -> None:
        self.value = value
        self.number_format = number_format


def _xlsx_records(data: bytes, table: Table, limits: Limits) -> Iterator[tuple[int, list]] | None:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            refusal = _archive_refusal(archive, limits)
        if refusal is None:
            # data_only=False: a formula is read as its text ("=A2/B2"), never as a value we did not see computed.
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # zipfile and openpyxl raise many kinds of error for a damaged or foreign file
        table.errors.append(
            RowError(1, messages.FILE_COLUMN, messages.UNREADABLE_XLSX.format(reason=_reason(error)))
        )
        return None
    if refusal is not None:
        table.errors.append(RowError(1, messages.FILE_COLUMN, refusal))
        return None
    return _xlsx_rows(workbook, limits)


def _archive_refusal(archive: zipfile.ZipFile, limits: Limits) -> str | None:
    """Why the archive is refused before anything in it is parsed, or None.

    The sizes are those the archive's directory declares; zipfile never expands a part beyond its declared size
    (it stops there and reports a damaged archive), so they bound what opening it can cost.
    """
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        return messages.XLSX_TOO_MANY_PARTS.format(count=len(parts), limit=MAX_PARTS)
    expanded = sum(part.file_size for part in parts)
    if expanded > limits.expanded_bytes:
        return messages.XLSX_TOO_LARGE.format(size=_size(expanded), limit=_size(limits.expanded_bytes))
    for part in parts:
        compressed = max(part.compress_size, 1)
        if part.file_size >= RATIO_CHECKED_FROM and part.file_size > MAX_COMPRESSION_RATIO * compressed:
            return messages.XLSX_BOMB.format(
                part=part.filename,
                ratio=part.file_size // compressed,
                size=_size(part.file_size),
                compressed=_size(compressed),
            )
    # Count XML elements, and each part's rows, at the speed of zlib (a tag opens with "<", an end tag with
    # "</"): parsing is a hundred times slower, and openpyxl parses the shared strings and styles whole when it
    # opens a workbook, and every sheet without a <dimension> element through to its end.
    elements = 0
    for part in parts:
        if not part.filename.lower().endswith(XML_PARTS):
            continue
        rows = 0
        for segment in _tag_segments(archive, part):
            elements += segment.count(b"<") - segment.count(b"</")
            if elements > limits.xml_elements:
                return messages.XLSX_TOO_COMPLEX.format(limit=limits.xml_elements)
            # "<row" also finds the one <rowBreaks> of a sheet; a row written with a prefix (<x:row>) is rare.
            rows += segment.count(b"<row")
            if b":row" in segment:
                rows += sum(1 for _ in PREFIXED_ROW_TAG.finditer(segment))
            if rows > limits.rows + 2:
                return messages.TOO_MANY_ROWS.format(limit=limits.rows)
    return None


def _tag_segments(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in pieces of about ZIP_CHUNK that split no tag's name (each piece but the first starts
    at a "<"), so that counting in each piece counts each tag once."""
    carried = b""
    with archive.open(part) as stream:
        while chunk := stream.read(ZIP_CHUNK):
            data = carried + chunk if carried else chunk
            cut = data.rfind(b"<")
            if cut >= 0 and len(data) - cut <= MAX_TAG_NAME:
                data, carried = data[:cut], data[cut:]
            else:
                carried = b""
            yield data
    yield carried


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:,.0f} KB"
    return f"{size / 1024 / 1024:,.1f} MB"


def _xlsx_rows(workbook, limits: Limits) -> Iterator[tuple[int, list]]:
    """The first sheet's rows, parsed as a stream with every limit checked as each element starts.

    openpyxl's own ``iter_rows`` cannot be stopped in time: it builds a whole row (however many cells) before
    yielding it, pads every row to its last cell (a value in column XFD makes 16,384 cells) and yields an empty
    row for every row number skipped (a row numbered 1,000,000,000 makes a billion). So its cell parser is used
    here on a stream that this function walks, counting rows, cells and elements; ended elements are dropped
    at once, so memory holds one row at most. (``WorkSheetParser`` and the sheet's source and shared strings
    are what ``ReadOnlyWorksheet.iter_rows`` uses: openpyxl is pinned in requirements.lock.)
    """
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.xml.functions import iterparse

    number = 0
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        formats: dict[int, str] = {}
        with sheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                sheet._shared_strings,
                data_only=False,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            open_elements: list = []
            cell_depth = 0  # the depth of the cell being read, 0 outside cells
            rows = cells = elements = cell_elements = 0
            values: list = []
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start":
                    elements += 1
                    if elements > limits.xml_elements:
                        raise _Refused(number, messages.XLSX_TOO_COMPLEX.format(limit=limits.xml_elements))
                    open_elements.append(element)
                    if cell_depth:
                        cell_elements += 1
                        if cell_elements > MAX_CELL_ELEMENTS:
                            raise _Refused(
                                number, messages.XLSX_CELL_TOO_COMPLEX.format(limit=MAX_CELL_ELEMENTS)
                            )
                    elif element.tag == CELL_TAG:
                        cell_depth, cell_elements = len(open_elements), 0
                    elif element.tag == ROW_TAG:
                        rows += 1
                        number = _start_row(parser, element)
                        if rows > limits.rows + 1:
                            raise _Refused(number, messages.TOO_MANY_ROWS.format(limit=limits.rows))
                        values = []
                    continue
                depth = len(open_elements)
                open_elements.pop()
                if cell_depth and depth > cell_depth:
                    continue  # inside a cell: kept until the cell ends, for the cell parser
                if depth == cell_depth:
                    cell_depth = 0
                    cell = parser.parse_cell(element)
                    value = cell["value"]
                    if value is not None and value != "":
                        cells += 1
                        if cells > limits.cells:
                            raise _Refused(number, messages.TOO_MANY_CELLS.format(limit=limits.cells))
                        index = cell["column"] - 1
                        if index >= limits.columns:
                            raise _too_many_columns(number, index, limits.columns)
                        if not isinstance(value, str):
                            style = cell["style_id"]
                            if style not in formats:
                                formats[style] = ReadOnlyCell(
                                    sheet, number, index + 1, None, "n", style
                                ).number_format
                            value = _XlsxCell(value, formats[style] or "")
                        if index >= len(values):
                            values.extend([None] * (index + 1 - len(values)))
                        values[index] = value
                elif element.tag == ROW_TAG:
                    yield number, values
                    values = []
                elif element.tag == DATA_TAG:
                    break  # nothing after the data is needed
                if open_elements:
                    open_elements[-1].remove(element)
    except _Refused:
        raise
    except Exception as error:  # a sheet can be damaged even when the archive opens
        raise _Refused(number, messages.UNREADABLE_XLSX.format(reason=_reason(error))) from error
    finally:
        workbook.close()


def _start_row(parser, element) -> int:
    """The row's number, as openpyxl's ``WorkSheetParser.parse_row`` counts it (the cells need its counters)."""
    given = element.get("r")
    if given is None:
        parser.row_counter += 1
    else:
        try:
            parser.row_counter = int(given)
        except ValueError:
            number = float(given)
            if not number.is_integer():
                raise ValueError(f"{given} is not a valid row number") from None
            parser.row_counter = int(number)
    parser.col_counter = 0
    return parser.row_counter


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__
