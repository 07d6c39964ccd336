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

from scorecards.labels import period_key
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
    "range_group",
    "target_period",
)
#: The ``spc`` object, the interval and the attention reasons as flat columns for CSV and XLSX.
SPC_COLUMNS = (
    "spc_points",
    "spc_mean",
    "spc_lower",
    "spc_upper",
    "variation",
    "assurance",
    "spc_flags_latest",
    "interval_lower",
    "interval_upper",
    "attention",
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
        "values": {cell.key: _number(cell.value) for cell in row.cells},
        "numerators": {cell.key: _number(cell.numerator) for cell in row.cells},
        "denominators": {cell.key: _number(cell.denominator) for cell in row.cells},
        "latest_period": row.latest_cell.key if row.latest_cell else None,
        "england": _number(figures.england),
        "sn_average": _number(figures.sn_average),
        "sn_min": _number(figures.sn_min),
        "sn_max": _number(figures.sn_max),
        "range_group": figures.range_group or None,
        "benchmark_year": figures.year,
        "target": _number(row.target[1]) if row.target else None,
        "baseline": _number(row.baseline[1]) if row.baseline else None,
        "direction": row.direction.value,
        "rag": row.rag.value,
        "cohorts": [
            {
                "cohort": cohort.cohort,
                "values": {cell.key: _number(cell.value) for cell in cohort.cells},
                "numerators": {cell.key: _number(cell.numerator) for cell in cohort.cells},
                "denominators": {cell.key: _number(cell.denominator) for cell in cohort.cells},
            }
            for cohort in row.cohorts
        ],
        "polarity": indicator.polarity,
        "decimals": indicator.decimals,
        "region": _number(figures.region),
        "own": _number(figures.own),
        "sn_count": figures.sn_count,
        "target_year": row.target[0] if row.target else None,
        "baseline_year": row.baseline[0] if row.baseline else None,
        "rag_reason": row.rag_reason,
        "target_period": f"{row.target_month:%Y-%m}" if row.target_month else None,
        "spc": row.spc.as_json(lambda period: period_key(period, row.quarterly)),
        "interval": [round(float(end), 6) for end in row.interval] if row.interval else None,
        "attention": [str(reason) for reason in row.attention],
    }


def scorecard_dict(scorecard: Scorecard) -> dict[str, Any]:
    return {
        "authority": scorecard.authority.code,
        "period": scorecard.period_key,
        # A quarter's scorecard names its columns "quarters" (shared/CONTRACT.md).
        scorecard.unit_word: [period_key(month, scorecard.quarterly) for month in scorecard.months],
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
    months = [period_key(month, scorecard.quarterly) for month in scorecard.months]
    keys = [key for key in ROW_KEYS if key != "values"]
    at = keys.index("latest_period")
    # The counts come last, so that the contract's columns keep their places for readers that count them.
    return keys[:at] + months + keys[at:] + list(EXTRA_KEYS) + list(SPC_COLUMNS) + _count_columns(scorecard)


def _count_columns(scorecard: Scorecard) -> list[str]:
    """ "numerator 2020-11" and "denominator 2020-11" beside the values, for the periods that have them."""
    columns = []
    for index, month in enumerate(scorecard.months):
        cells = [row.cells[index] for row in scorecard.rows]
        key = period_key(month, scorecard.quarterly)
        if any(cell.numerator is not None for cell in cells):
            columns.append(f"numerator {key}")
        if any(cell.denominator is not None for cell in cells):
            columns.append(f"denominator {key}")
    return columns


def _spc_columns(row: ScorecardRow, data: dict[str, Any]) -> dict[str, Any]:
    """A JSON row's ``spc``, ``interval`` and ``attention`` as the flat columns of SPC_COLUMNS."""
    chart, interval = data["spc"], data["interval"] or [None, None]
    # The flags of the series' latest month, the one variation is read from.
    latest_flags = row.spc.flags.get(row.series[-1][0], ()) if row.series else ()
    return {
        "spc_points": chart["points"],
        "spc_mean": chart["mean"],
        "spc_lower": chart["lower"],
        "spc_upper": chart["upper"],
        "variation": chart["variation"],
        "assurance": chart["assurance"],
        "spc_flags_latest": " ".join(latest_flags),
        "interval_lower": interval[0],
        "interval_upper": interval[1],
        "attention": " ".join(data["attention"]),
    }


def table_rows(scorecard: Scorecard) -> list[list[Any]]:
    header = table_header(scorecard)
    rows = []
    for row in scorecard.rows:
        data = scorecard_row_dict(row)
        counts = {f"numerator {key}": value for key, value in data.pop("numerators").items()}
        counts.update({f"denominator {key}": value for key, value in data.pop("denominators").items()})
        data.pop("cohorts")
        flat = {**data, **data.pop("values"), **counts, **_spc_columns(row, data)}
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
    sheet.title = f"{scorecard.authority.code} {scorecard.period_key}"
    sheet.append(table_header(scorecard))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in table_rows(scorecard):
        sheet.append(values)
    sheet.freeze_panes = "D2"
    cohorts = cohort_table(scorecard)
    if len(cohorts) > 1:
        breakdowns = workbook.create_sheet("Cohorts")
        for values in cohorts:
            breakdowns.append([escape_formula(value) for value in values])
        for cell in breakdowns[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cohort_table(scorecard: Scorecard) -> list[list[Any]]:
    """Each cohort of each indicator in the window: value, numerator (number) and denominator (cohort size)."""
    keys = [period_key(month, scorecard.quarterly) for month in scorecard.months]
    table: list[list[Any]] = [["indicator", "cohort", "measure", *keys]]
    for row in scorecard.rows:
        for cohort in row.cohorts:
            for measure in ("value", "numerator", "denominator"):
                figures = [_number(getattr(cell, measure)) for cell in cohort.cells]
                table.append([row.indicator.code, cohort.cohort, measure, *figures])
    return table
