"""Reading DfE's published files: each mapped measure's England, regional and authority figures by year.

Published symbols for a missing figure (``c`` suppressed, ``z`` not applicable, ``x``, ``low``, ``k``, ``u``,
LAIT's ``-``) stay missing: never zero, never part of an average or a rank.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from authorities.reference import ReferenceDataError, open_rows
from scorecards.models import PublishedMeasure
from scorecards.rating import financial_year_label

#: EES and LAIT symbols for a figure that is not there. Compared in lower case.
MISSING_SYMBOLS = ("c", "z", "x", "low", "k", "u", "-")
EES_COLUMNS = ("time_period", "geographic_level", "old_la_code", "region_code")
NATIONAL, REGIONAL, LOCAL_AUTHORITY = "National", "Regional", "Local authority"

WRONG_EES_LAYOUT = (
    "{file} does not have the layout the published-measure mapping expects: expected the columns {expected}; "
    "missing {missing}."
)
NOT_A_NUMBER = (
    "{file} row {row}, column {column}: {value!r} is neither a number nor a DfE symbol for a missing figure "
    "(" + ", ".join(MISSING_SYMBOLS) + ")."
)
NOT_A_YEAR = "{file} row {row}, column time_period: {value!r} is not a year such as 2025 or 202425."
AMBIGUOUS_FILTERS = (
    "{file} row {row}: a second row for {area} in {year} matches the filters of {indicator}; "
    "the mapping needs another filter to pick one row."
)
NOT_A_CODE = "{file} row {row}, column old_la_code: {value!r} is not a DfE 3-digit LA code."
SHORT_ROW = "{file} row {row} has fewer cells than the {count} columns of its header."


@dataclass(frozen=True)
class MeasureSpec:
    """One published measure: the value column of the rows that match every filter."""

    key: str
    filters: tuple[tuple[str, str], ...]
    value_column: str

    @classmethod
    def of(cls, measure: PublishedMeasure) -> MeasureSpec:
        return cls(measure.indicator.code, tuple(sorted(measure.filters.items())), measure.value_column)


@dataclass
class YearFigures:
    """A measure's published figures for one year: England, each region, each authority with its region."""

    england: Decimal | None = None
    regions: dict[str, Decimal | None] = field(default_factory=dict)
    authorities: dict[str, tuple[Decimal | None, str]] = field(default_factory=dict)


def parse_published_value(text: str, *, file: str = "", row: int = 0, column: str = "") -> Decimal | None:
    """A published figure as a Decimal, or None for an empty cell or a symbol for a missing figure."""
    text = text.strip()
    if not text or text.lower() in MISSING_SYMBOLS:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ReferenceDataError(NOT_A_NUMBER.format(file=file, row=row, column=column, value=text))
    return value


def published_year(time_period: str) -> str:
    """The financial year a published ``time_period`` covers.

    A 4-digit period is DfE's "reporting year" to 31 March (``2025`` is April 2024 to March 2025, so
    ``2024/25``); a 6-digit one is a financial or academic year already (``202425``).
    """
    if re.fullmatch(r"\d{4}", time_period):
        return financial_year_label(int(time_period) - 1)
    if re.fullmatch(r"\d{6}", time_period) and int(time_period[4:]) == (int(time_period[:4]) + 1) % 100:
        return financial_year_label(int(time_period[:4]))
    raise ValueError(time_period)


def read_published_file(path: Path, measures: Sequence[MeasureSpec]) -> dict[tuple[str, str], YearFigures]:
    """Stream one EES CSV and collect each measure's figures by (measure key, financial year)."""
    path = Path(path)
    figures: dict[tuple[str, str], YearFigures] = defaultdict(YearFigures)
    with open_rows(path) as rows:
        header = next(rows, [])
        expected = list(EES_COLUMNS)
        for measure in measures:
            expected.extend(name for name, _ in measure.filters if name not in expected)
            if measure.value_column not in expected:
                expected.append(measure.value_column)
        index = {name: position for position, name in enumerate(header)}
        missing = [name for name in expected if name not in index]
        if missing:
            raise ReferenceDataError(
                WRONG_EES_LAYOUT.format(
                    file=path.name, expected=", ".join(expected), missing=", ".join(missing)
                )
            )
        matchers = [
            (measure, [(index[name], value) for name, value in measure.filters], index[measure.value_column])
            for measure in measures
        ]
        at = {name: index[name] for name in EES_COLUMNS}
        for row_number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            if len(row) < len(header):
                raise ReferenceDataError(SHORT_ROW.format(file=path.name, row=row_number, count=len(header)))
            level = row[at["geographic_level"]]
            if level not in (NATIONAL, REGIONAL, LOCAL_AUTHORITY):
                continue
            for measure, filters, value_at in matchers:
                if any(row[position] != value for position, value in filters):
                    continue
                try:
                    year = published_year(row[at["time_period"]])
                except ValueError:
                    raise ReferenceDataError(
                        NOT_A_YEAR.format(file=path.name, row=row_number, value=row[at["time_period"]])
                    ) from None
                value = parse_published_value(
                    row[value_at], file=path.name, row=row_number, column=measure.value_column
                )
                year_figures = figures[(measure.key, year)]
                if level == NATIONAL:
                    area, seen = "England", year_figures.england is not None
                    year_figures.england = value
                elif level == REGIONAL:
                    area = row[at["region_code"]]
                    seen = area in year_figures.regions
                    year_figures.regions[area] = value
                else:
                    area = row[at["old_la_code"]]
                    if not re.fullmatch(r"\d{3}", area):
                        raise ReferenceDataError(
                            NOT_A_CODE.format(file=path.name, row=row_number, value=area)
                        )
                    seen = area in year_figures.authorities
                    year_figures.authorities[area] = (value, row[at["region_code"]])
                if seen:
                    raise ReferenceDataError(
                        AMBIGUOUS_FILTERS.format(
                            file=path.name, row=row_number, area=area, year=year, indicator=measure.key
                        )
                    )
    return dict(figures)


def locate_published_files(folder: Path, names: Iterable[str]) -> dict[str, Path]:
    """Find each named file anywhere under ``folder`` (EES CSVs keep their published names)."""
    wanted = set(names)
    found: dict[str, Path] = {}
    for path in sorted(Path(folder).rglob("*"), key=lambda path: (len(path.parts), str(path))):
        if path.name in wanted and path.name not in found and path.is_file():
            found[path.name] = path
    return found
