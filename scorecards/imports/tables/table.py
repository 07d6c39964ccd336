"""What reading a file makes: its rows of text cells, numbered as a spreadsheet shows them, and its errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import messages

#: Characters that are never text. Tab, line feed and carriage return are; NUL cannot even be stored.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_message(text: str) -> str | None:
    """Why the text cannot be stored: it holds NUL or another control character; None when it can."""
    control = CONTROL_CHARACTERS.search(text)
    if control is None:
        return None
    if control.group() == "\x00":
        return messages.NUL_CHARACTER
    return messages.CONTROL_CHARACTER.format(code=f"U+{ord(control.group()):04X}")


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


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _too_many_columns(number: int, index: int, columns: int) -> _Refused:
    return _Refused(
        number,
        messages.TOO_MANY_COLUMNS.format(
            letter=_column_letter(index), limit=columns, last=_column_letter(columns - 1)
        ),
    )
