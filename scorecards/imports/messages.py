"""Every message an import can report, defined once so that tests and the command agree on the words.

Each is a format string; the row and column are carried beside it by ``RowError``, never inside it.
"""

# The whole file (reported on row 1, or on the line that cannot be read) ------------------------------------

#: Column name reported for problems with the file as a whole rather than one column.
FILE_COLUMN = "(file)"

EMPTY_FILE = "the file is empty: expected a header row naming the columns"
WRONG_FILE_TYPE = (
    "{filename!r} is not a CSV or XLSX file; save it as CSV UTF-8 (.csv) or Excel workbook (.xlsx)"
)
UNREADABLE_XLSX = "the workbook cannot be read ({reason}); save it again as an Excel workbook (.xlsx)"
UNREADABLE_CSV = "the CSV file cannot be read ({reason})"
NOT_UTF8 = "the file is not UTF-8 text (byte {byte} cannot be read); save it as CSV UTF-8"
MISSING_COLUMN = "required column {column!r} is missing"
UNKNOWN_COLUMN = "unknown column {column!r}; expected some of: {expected}"
DUPLICATE_COLUMN = "column {column!r} appears more than once in the header"
UNNAMED_COLUMN = "column {letter} has values but no name in the header row"
DUPLICATE_KEY = "{key} appears again: it was first given on row {first}"

# Limits on what one file may hold, checked while it is read, before any work on its rows -------------------

TOO_MANY_ROWS = (
    "the file has more than {limit:,} rows below the header, the most one import takes; "
    "split it into smaller files"
)
TOO_MANY_COLUMNS = (
    "this row has a value in column {letter}, but a file may have at most {limit} columns (A to {last}); "
    "delete the columns after {last}"
)
TOO_MANY_CELLS = (
    "the file has more than {limit:,} cells (each row counted up to its last value), the most one import "
    "takes; split it into smaller files"
)
ROW_TOO_LONG = "this row is longer than {limit:,} characters, more than {columns} full cells can hold"
CELL_TOO_LONG_IN_ROW = "a cell in this row is longer than {limit:,} characters, the most a cell may have"
UNTERMINATED_QUOTE = (
    'a quote (") opened in this row, which starts on line {line} of the file, is never closed, so the lines '
    'after it would all be read into one cell; close the quote, or write a quote inside a cell as two ("")'
)
XLSX_TOO_LARGE = (
    "the workbook expands to {size} when opened, more than the {limit} one import takes; "
    "save only the data, in a new workbook or as CSV"
)
XLSX_BOMB = (
    "the workbook's part {part!r} expands {ratio:,}-fold ({size} from {compressed}), far more than any "
    "spreadsheet does: it is refused as a possible zip bomb"
)
XLSX_TOO_COMPLEX = (
    "the workbook holds more than {limit:,} XML elements, far more than its data can need; "
    "save only the data, in a new workbook or as CSV"
)
XLSX_TOO_MANY_PARTS = (
    "the workbook is an archive of {count:,} parts, more than the {limit:,} any workbook needs; "
    "save only the data, in a new workbook or as CSV"
)
XLSX_CELL_TOO_COMPLEX = (
    "a cell in this row holds more than {limit:,} XML elements, far more than any value needs"
)

# One cell ------------------------------------------------------------------------------------------------

REQUIRED = "a value is required"
TOO_LONG = "{length} characters is too long; at most {limit} are allowed"
DATE_NOT_ALLOWED = "a date is not allowed here; enter the value as text or a number"
DATE_WITH_TIME = "{value} has a time of day; this column takes a day only (format the cell as a date)"
NUL_CHARACTER = "the text has a NUL character (U+0000), which cannot be stored; remove it"
CONTROL_CHARACTER = (
    "the text has the invisible control character {code}, often pasted from another system, "
    "which cannot be stored; remove it"
)
NOT_PLAIN_DIGITS = (
    "{value!r} has digits other than the plain 0-9 (such as full-width or Arabic-Indic digits); "
    "type it again with 0-9"
)
NOT_A_NUMBER = "{value!r} is not a number; write numbers like 42, 42.0, -1.5 or 1,234"
FORMULA_NOT_A_NUMBER = "{value!r} looks like a formula, which is never evaluated; enter the figure itself"
PERCENT_SIGN_NOT_ALLOWED = "{value!r} has a % sign, which only a percent indicator's figures may have"
TOO_LARGE = "{value!r} is too large: at most 12 digits before the decimal point"
NOT_A_WHOLE_NUMBER = "{value!r} is not a whole number"
PERCENT_OUT_OF_RANGE = "{value} is not a percentage between 0 and 100"
NEGATIVE_NUMBER = "{value} is negative, which {what} cannot be"
BAD_PERIOD = "{value!r} is not a month written YYYY-MM, such as 2020-11"
BAD_FINANCIAL_YEAR = "{value!r} is not a financial year written YYYY/YY, such as 2019/20"
BAD_AUTHORITY_CODE = "{value!r} is not a DfE authority code of 3 digits, such as 838"
BAD_GSS_CODE = "{value!r} is not a GSS code: a capital letter and 8 digits, such as E06000059"
BAD_INDICATOR_CODE = "{value!r} is not an indicator code: use only letters, digits, _ and -"
BAD_DECIMALS = "{value!r} is not a number of decimals from 0 to 3"
UNKNOWN_UNIT = "{value!r} is not a unit; expected one of: {expected}"
UNKNOWN_POLARITY = "{value!r} is not a polarity; expected one of: {expected}"
UNKNOWN_STATUS = "{value!r} is not a status; expected one of: {expected} (or empty when there is a value)"
UNKNOWN_TARGET_KIND = "{value!r} is not a kind of target; expected one of: {expected}"
UNKNOWN_AUTHORITY = "no authority has the code {value!r}; import it with the authorities file first"
UNKNOWN_INDICATOR = "no indicator has the code {value!r}; import it with the indicators file first"

# Statistical neighbours ------------------------------------------------------------------------------------

BAD_NEIGHBOUR_CODE = "{value!r} is not a 3-digit DfE code; separate codes with ;"
DUPLICATE_NEIGHBOUR = "{value!r} is named more than once"
SELF_NEIGHBOUR = "{value!r} is the authority itself, which cannot be its own statistical neighbour"

# A monthly value -------------------------------------------------------------------------------------------

VALUE_OR_STATUS_REQUIRED = "give a value, a numerator and denominator, or a status such as not_available"
VALUE_AND_STATUS = "give a value or a status, not both: this row has a figure and the status {status!r}"
NUMERATOR_AND_DENOMINATOR = "give both a numerator and a denominator, or neither"
ZERO_DENOMINATOR = "the denominator is 0, so no value can be computed"
NUMERATOR_OVER_DENOMINATOR = "the numerator {numerator} is larger than the denominator {denominator}"
VALUE_DIFFERS_FROM_RATIO = (
    "the value {value} differs from {computed}, "
    "computed from numerator {numerator} and denominator {denominator}"
)

# A benchmark -----------------------------------------------------------------------------------------------

MIN_OVER_MAX = "sn_min {minimum} is larger than sn_max {maximum}"

# Using the import service ----------------------------------------------------------------------------------

UNKNOWN_KIND = "{kind!r} is not a kind of import; expected one of: {expected}"
PLAN_HAS_ERRORS = "the import has {count} error(s), so nothing was written"

# Quarters, cohorts and trajectories (shared/CONTRACT.md) ---------------------------------------------------

UNKNOWN_QUARTER_RULE = "{value!r} is not a quarter rule; expected one of: {expected}"
POOLED_COUNT = (
    "a count cannot be pooled: pooled adds numerators over denominators, which a count does not have; "
    "use sum for a count in the month (children who came into care) or end for a count on a day "
    "(children in care)"
)
POOLED_WITHOUT_COUNTS = (
    "pooled makes a quarter from numerators and denominators, but {count} stored figure(s) of {code} have "
    "none; import them with their numerator and denominator first, or use end"
)
COHORT_WITH_STATUS = (
    "a cohort row needs a figure: the cohort {cohort!r} cannot carry the status {status!r}; "
    "leave the row out, or give its value"
)
INTERIM_ON_BASELINE = "a baseline has no period: only a target can have an interim target for a month"
INTERIM_OUTSIDE_YEAR = (
    "{period} is not in {year} (April {start} to March {end}): an interim target's month lies inside its year"
)
