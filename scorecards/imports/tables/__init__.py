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

The package: ``limits`` (what one file may hold), ``table`` (the rows and errors read), ``reader`` (``read_table``
and the text of each cell), ``csv_reader`` and ``xlsx_reader`` (each format's stream, with its limits checked).
"""

from . import csv_reader, limits, xlsx_reader
from .limits import MAX_CELL_CHARS, Limits
from .reader import read_table
from .table import CONTROL_CHARACTERS, RowError, Table, TableRow, control_character_message

__all__ = [
    "CONTROL_CHARACTERS",
    "MAX_CELL_CHARS",
    "Limits",
    "RowError",
    "Table",
    "TableRow",
    "control_character_message",
    "csv_reader",
    "limits",
    "read_table",
    "xlsx_reader",
]
