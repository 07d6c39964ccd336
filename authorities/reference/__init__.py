"""Importers for DfE's published reference data about authorities.

Three files, in their published layouts: the authority list (DfE and GSS codes, names, regions), the
reorganisations that replaced some authorities by others, and DfE's statistical-neighbour model. Everything
joins on the DfE 3-digit LA code, never on names: the sources spell names differently ("Bristol, City of",
"St. Helens"). Codes a file names that are not known here are collected and returned, never dropped silently.
Importing the same file twice changes nothing.

One module a file kind (``authorities``, ``reorganisations``, ``neighbours``) over ``files``, which reads the
rows; the public names are re-exported here.
"""

from .authorities import AUTHORITY_LIST_COLUMNS, CONFLICTING_ROWS, import_authority_list
from .files import (
    CODE_PATTERN,
    NOT_A_CODE,
    NOT_UTF8,
    UNREADABLE,
    WRONG_LAYOUT,
    ImportResult,
    ReferenceDataError,
    open_rows,
    require_columns,
)
from .neighbours import (
    HEADER_SEARCH_ROWS,
    NEIGHBOURS_PER_AUTHORITY,
    NO_NEIGHBOUR,
    SN_LAIT_COLUMNS,
    SN_WIDE_COLUMNS,
    WRONG_SN_LAYOUT,
    import_statistical_neighbours,
)
from .reorganisations import DATA_DIR, REORGANISATION_COLUMNS, REORGANISATIONS_CSV, import_reorganisations

__all__ = [
    "AUTHORITY_LIST_COLUMNS",
    "CODE_PATTERN",
    "CONFLICTING_ROWS",
    "DATA_DIR",
    "HEADER_SEARCH_ROWS",
    "NEIGHBOURS_PER_AUTHORITY",
    "NOT_A_CODE",
    "NOT_UTF8",
    "NO_NEIGHBOUR",
    "REORGANISATIONS_CSV",
    "REORGANISATION_COLUMNS",
    "SN_LAIT_COLUMNS",
    "SN_WIDE_COLUMNS",
    "UNREADABLE",
    "WRONG_LAYOUT",
    "WRONG_SN_LAYOUT",
    "ImportResult",
    "ReferenceDataError",
    "import_authority_list",
    "import_reorganisations",
    "import_statistical_neighbours",
    "open_rows",
    "require_columns",
]
