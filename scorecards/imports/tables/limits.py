"""How much one uploaded file may hold: each limit a Django setting, with a default."""

from __future__ import annotations

from dataclasses import dataclass

#: The most characters a cell may hold: Excel's own limit, so no spreadsheet makes a longer one.
MAX_CELL_CHARS = 32_767

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
