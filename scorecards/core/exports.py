"""The scorecard as JSON, CSV and XLSX: the rows of shared/CONTRACT.md's JSON export, one per indicator.

Presentation only: everything comes from ``selectors.scorecard_build``.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from scorecards.rows import Scorecard, ScorecardRow

#: Text a spreadsheet would treat as a formula (OWASP's list: = + - @ and the control characters).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

ROW_KEYS = (
    "indicator",
    "section",
    "name",
    "unit",
    "values",
    "latest_period",
    "england",
    "sn_average",
    "sn_min",
    "sn_max",
    "benchmark_year",
    "target",
    "baseline",
    "direction",
    "rag",
)
EXTRA_KEYS = (
    "polarity",
    "decimals",
    "region",
    "own",
    "sn_count",
    "target_year",
    "baseline_year",
    "rag_reason",
)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    # JSON has no decimal type; a stored figure has at most 4 decimal places, which a float carries exactly
    # enough to read back as the same figure (Decimal('70.1000') -> 70.1).
    return float(value)


def scorecard_row_dict(row: ScorecardRow) -> dict[str, Any]:
    indicator = row.indicator
    figures = row.benchmark
    return {
        "indicator": indicator.code,
        "section": indicator.section,
        "name": indicator.name,
        "unit": indicator.unit,
        "values": {f"{cell.period:%Y-%m}": _number(cell.value) for cell in row.cells},
        "latest_period": f"{row.latest.period:%Y-%m}" if row.latest else None,
        "england": _number(figures.england),
        "sn_average": _number(figures.sn_average),
        "sn_min": _number(figures.sn_min),
        "sn_max": _number(figures.sn_max),
        "benchmark_year": figures.year,
        "target": _number(row.target[1]) if row.target else None,
        "baseline": _number(row.baseline[1]) if row.baseline else None,
        "direction": row.direction.value,
        "rag": row.rag.value,
        "polarity": indicator.polarity,
        "decimals": indicator.decimals,
        "region": _number(figures.region),
        "own": _number(figures.own),
        "sn_count": figures.sn_count,
        "target_year": row.target[0] if row.target else None,
        "baseline_year": row.baseline[0] if row.baseline else None,
        "rag_reason": row.rag_reason,
    }


def scorecard_dict(scorecard: Scorecard) -> dict[str, Any]:
    return {
        "authority": scorecard.authority.code,
        "period": f"{scorecard.period:%Y-%m}",
        "months": [f"{month:%Y-%m}" for month in scorecard.months],
        "rows": [scorecard_row_dict(row) for row in scorecard.rows],
    }


def scorecard_json(scorecard: Scorecard) -> str:
    return json.dumps(scorecard_dict(scorecard), indent=2, ensure_ascii=False)


def escape_formula(value: Any) -> Any:
    """Make text that a spreadsheet would evaluate inert by prefixing an apostrophe; numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def table_header(scorecard: Scorecard) -> list[str]:
    months = [f"{month:%Y-%m}" for month in scorecard.months]
    keys = [key for key in ROW_KEYS if key != "values"]
    at = keys.index("latest_period")
    return keys[:at] + months + keys[at:] + list(EXTRA_KEYS)


def table_rows(scorecard: Scorecard) -> list[list[Any]]:
    header = table_header(scorecard)
    rows = []
    for row in scorecard.rows:
        data = scorecard_row_dict(row)
        flat = {**data, **data.pop("values")}
        rows.append([escape_formula(flat.get(column)) for column in header])
    return rows


def scorecard_csv(scorecard: Scorecard) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table_header(scorecard))
    for values in table_rows(scorecard):
        writer.writerow(["" if value is None else value for value in values])
    return buffer.getvalue()


def scorecard_xlsx(scorecard: Scorecard) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{scorecard.authority.code} {scorecard.period:%Y-%m}"
    sheet.append(table_header(scorecard))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in table_rows(scorecard):
        sheet.append(values)
    sheet.freeze_panes = "D2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
