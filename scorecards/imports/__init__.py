"""Importing the files officers upload: authorities, indicators, values, benchmarks and targets.

The columns and rules are those of ``shared/CONTRACT.md`` ("Files officers upload"). An import is two steps:
``plan_import`` reads and checks every row and compares it with the database without writing, so a page can
preview it; ``apply_import`` writes a plan with no errors, all or nothing. ``import_file`` does both and
raises ``ImportFailed`` (carrying every ``RowError``) when the file has errors. Applying records each set or
changed field in the audit trail (``scorecards.audit``, with the caller's route) and sends months whose
values changed back to draft (``scorecards.entry.signoff.months_changed``), as any other change of data does.

Decisions the contract leaves open, made here:

- A file is read by its content where it can be (an XLSX file is a zip archive), else by its extension;
  ``.csv`` and ``.txt`` are CSV (UTF-8, with or without BOM), ``.xlsx`` and ``.xlsm`` are read from the first
  sheet. Column names are trimmed and compared without regard to case. Rows with nothing in them are skipped
  wherever they are; row numbers stay those a spreadsheet shows (the header is row 1).
- In an XLSX file a formula is read as its text (``=B2/C2``) and never as a value: where text is allowed it is
  stored as written, where a number is expected it is an error. A date cell is a month in the ``period``
  column and an error anywhere else. A cell formatted as a percentage (0.42 shown as 42%) reads as ``42%``.
- Cells are trimmed. **A column present in the file sets its field for every row, an empty cell meaning
  empty (text) or none (numbers); a column absent from the file leaves the field of existing objects as it
  is.** The exception is a ``values`` row, which states the month completely: value, numerator, denominator
  and status are always replaced, so that a new figure never keeps the numerator of an old one. Commentary
  follows the general rule.
- Figures are stored to the database's 4 decimal places (rounded half-up); "unchanged" compares numbers, so
  70.1 and 70.1000 are the same. Numbers may be negative (``-1.23``, a Progress 8 score) except where the
  unit forbids it: percentages lie in 0-100; counts, days and rates, numerators and denominators, and amber
  tolerances are never negative. The numerator may not exceed the denominator for percentages and rates per
  10,000; for other units the ratio is an average (days per child) and may.
- An indicators file's row order is the catalogue order: each imported indicator's ``position`` is its data
  row's place in the file (1, 2, ...), so importing the catalogue again reorders it.
- A ``statistical_neighbours`` cell replaces the authority's list; codes not yet imported are kept and linked
  when an authorities file brings those authorities. Empty items (a trailing ``;``) are ignored.
- Benchmarks from a file are the council's own (``source`` ``entered``); DfE-computed ones are not touched.
"""

from .cells import CellError, parse_number, parse_period
from .messages import *  # noqa: F403 - the message constants are part of the interface tests assert on
from .plans import Action, ImportPlan, ImportSummary, PlannedRow
from .service import KINDS as _KIND_IMPORTS
from .service import ImportFailed, ImportRefused, apply_import, import_file, plan_import, plan_table
from .tables import RowError, Table, TableRow, read_table

#: The kinds of file, in the order a full load imports them.
KINDS = tuple(_KIND_IMPORTS)

__all__ = [  # noqa: F405
    "KINDS",
    "Action",
    "CellError",
    "ImportPlan",
    "ImportFailed",
    "ImportRefused",
    "ImportSummary",
    "PlannedRow",
    "RowError",
    "Table",
    "TableRow",
    "apply_import",
    "import_file",
    "parse_number",
    "parse_period",
    "plan_import",
    "plan_table",
    "read_table",
]
