"""Importing the reorganisations that replaced some authorities by others."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from authorities.models import Authority

from .files import ImportResult, cell_at, code_at, open_rows, require_columns

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
REORGANISATIONS_CSV = DATA_DIR / "reorganisations.csv"

REORGANISATION_COLUMNS = ("predecessor_code", "predecessor_name", "successor_code")


@transaction.atomic
def import_reorganisations(path: Path = REORGANISATIONS_CSV) -> ImportResult:
    """Mark predecessors as no longer current and link them to their successors.

    The file names each predecessor once per successor (``835`` old Dorset county -> ``838`` Dorset and
    ``839`` BCP). A predecessor not in the authority list (EES files no longer carry pre-2019 Dorset, Poole or
    Bournemouth) is created from the file; an unknown successor is reported, not created.
    """
    path = Path(path)
    pairs: list[tuple[str, str]] = []
    predecessors: dict[str, tuple[str, str]] = {}
    with open_rows(path) as rows:
        header = next(rows, [])
        index = require_columns(
            header, REORGANISATION_COLUMNS, file=path.name, kind="a list of reorganisations"
        )
        for row_number, row in enumerate(rows, start=2):
            if not any(row):
                continue
            before = code_at(
                row,
                index["predecessor_code"],
                file=path.name,
                row_number=row_number,
                column="predecessor_code",
            )
            after = code_at(
                row, index["successor_code"], file=path.name, row_number=row_number, column="successor_code"
            )
            predecessors.setdefault(
                before,
                (cell_at(row, index["predecessor_name"]), cell_at(row, index.get("predecessor_gss_code"))),
            )
            pairs.append((before, after))

    result = ImportResult()
    authorities = {
        authority.code: authority
        for authority in Authority.objects.filter(code__in={code for pair in pairs for code in pair})
    }
    regions = {after: authorities[after].region for _, after in pairs if after in authorities}
    new_predecessors = []
    for code, (name, gss_code) in predecessors.items():
        if code not in authorities:
            successor_region = next(
                (regions[after] for before, after in pairs if before == code and after in regions), ""
            )
            new_predecessors.append(
                Authority(code=code, name=name, gss_code=gss_code, region=successor_region, is_current=False)
            )
    if new_predecessors:
        Authority.objects.bulk_create(new_predecessors)
        result.created += len(new_predecessors)
        # Re-read: bulk_create does not set primary keys on every database.
        authorities.update(
            {a.code: a for a in Authority.objects.filter(code__in=[p.code for p in new_predecessors])}
        )

    no_longer_current = [authorities[code] for code in predecessors if authorities[code].is_current]
    for authority in no_longer_current:
        authority.is_current = False
    Authority.objects.bulk_update(no_longer_current, ["is_current"])
    result.changed += len(no_longer_current)

    Link = Authority.successors.through
    linked = set(
        Link.objects.filter(from_authority__code__in=predecessors).values_list(
            "from_authority__code", "to_authority__code"
        )
    )
    links = []
    for before, after in pairs:
        if after not in authorities:
            result.unknown_codes.add(after)
        elif (before, after) in linked:
            result.unchanged += 1
        else:
            links.append(Link(from_authority=authorities[before], to_authority=authorities[after]))
            linked.add((before, after))
    Link.objects.bulk_create(links)
    result.created += len(links)
    return result
