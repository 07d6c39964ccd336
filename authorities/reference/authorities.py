"""Importing the authority list: DfE and GSS codes, names and regions, keyed on the DfE code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from authorities.models import Authority

from .files import ImportResult, ReferenceDataError, cell_at, code_at, open_rows, require_columns
from .neighbours import link_waiting_neighbours

AUTHORITY_LIST_COLUMNS = ("old_la_code", "new_la_code", "la_name", "region_name")
CONFLICTING_ROWS = "{file} row {row}: authority {code} appears again with different details."


@dataclass(frozen=True)
class _AuthorityRecord:
    code: str
    gss_code: str
    name: str
    region: str


@transaction.atomic
def import_authority_list(path: Path) -> ImportResult:
    """Create or update authorities from an EES CSV or a reference list, keyed on the DfE code.

    Accepts any Explore Education Statistics CSV (its local-authority rows carry ``old_la_code``,
    ``new_la_code``, ``la_name``, ``region_name``; the latest ``time_period`` wins) or a list with those four
    columns, such as ``derived/la_reference_2025.csv``. Other columns are ignored. New authorities are
    current; whether an existing one is current is decided by the reorganisations, not here.
    """
    path = Path(path)
    records: dict[str, tuple[str, _AuthorityRecord]] = {}
    with open_rows(path) as rows:
        header = next(rows, [])
        index = require_columns(header, AUTHORITY_LIST_COLUMNS, file=path.name, kind="an authority list")
        level_at, period_at = index.get("geographic_level"), index.get("time_period")
        for row_number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            if level_at is not None and cell_at(row, level_at) != "Local authority":
                continue
            code = code_at(
                row, index["old_la_code"], file=path.name, row_number=row_number, column="old_la_code"
            )
            record = _AuthorityRecord(
                code=code,
                gss_code=cell_at(row, index["new_la_code"]),
                name=cell_at(row, index["la_name"]),
                region=cell_at(row, index["region_name"]),
            )
            period = cell_at(row, period_at)
            seen = records.get(code)
            if seen is None or period > seen[0]:
                records[code] = (period, record)
            elif period_at is None and seen[1] != record:
                raise ReferenceDataError(CONFLICTING_ROWS.format(file=path.name, row=row_number, code=code))

    result = ImportResult()
    existing = {authority.code: authority for authority in Authority.objects.all()}
    to_create, to_update = [], []
    for _, record in records.values():
        authority = existing.get(record.code)
        if authority is None:
            to_create.append(
                Authority(code=record.code, gss_code=record.gss_code, name=record.name, region=record.region)
            )
            continue
        fields = {"gss_code": record.gss_code, "name": record.name, "region": record.region}
        if all(getattr(authority, name) == value for name, value in fields.items()):
            result.unchanged += 1
            continue
        for name, value in fields.items():
            setattr(authority, name, value)
        to_update.append(authority)
    Authority.objects.bulk_create(to_create, batch_size=500)
    Authority.objects.bulk_update(to_update, ["gss_code", "name", "region"], batch_size=500)
    result.created, result.changed = len(to_create), len(to_update)
    link_waiting_neighbours({authority.code for authority in to_create})
    return result
