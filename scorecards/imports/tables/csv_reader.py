"""Reading a CSV file's records as a stream, every limit checked on the way (at C speed)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from .. import messages
from .limits import MAX_CELL_CHARS, Limits
from .table import CONTROL_CHARACTERS, RowError, Table, _Refused, _too_many_columns

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
