"""Reading an XLSX workbook's first sheet as a stream, the archive judged from its directory before it opens."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from .. import messages
from .limits import Limits
from .table import RowError, Table, _Refused, _too_many_columns

ZIP_MAGIC = b"PK\x03\x04"
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
