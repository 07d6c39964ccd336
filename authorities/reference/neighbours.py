"""Importing DfE's statistical-neighbour model: each authority's ten nearest, in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from authorities.models import Authority, StatisticalNeighbour

from .files import ImportResult, ReferenceDataError, cell_at, code_at, header_index, open_rows

NEIGHBOURS_PER_AUTHORITY = 10
#: How far down a workbook the header may sit (LAIT's sheets carry two rows of column letters above it).
HEADER_SEARCH_ROWS = 10
#: Cells that mean "no neighbour here", e.g. Cumberland in the 2021 model, made before it existed.
NO_NEIGHBOUR = frozenset({"", "-"})

SN_WIDE_COLUMNS = ("old_la_code", *(f"SN_{rank}" for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1)))
SN_LAIT_COLUMNS = ("LA num", *(f"SN{rank}" for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1)))

WRONG_SN_LAYOUT = (
    "{file} does not have the layout of a statistical-neighbour model: expected a header row with "
    "{wide}, each SN_n followed by SN_nP (DfE CSV), or {lait}, each SNn followed by SNP (LAIT workbook)."
)


def link_waiting_neighbours(codes: set[str]) -> None:
    """Link neighbour places that named these authorities before they were imported."""
    waiting = list(
        StatisticalNeighbour.objects.filter(neighbour__isnull=True, neighbour_code__in=codes).only(
            "id", "neighbour_code"
        )
    )
    if not waiting:
        return
    ids = dict(
        Authority.objects.filter(code__in={place.neighbour_code for place in waiting}).values_list(
            "code", "id"
        )
    )
    for place in waiting:
        place.neighbour_id = ids[place.neighbour_code]
    StatisticalNeighbour.objects.bulk_update(waiting, ["neighbour"], batch_size=500)


@dataclass(frozen=True)
class _NeighbourColumns:
    code_name: str
    code: int
    neighbours: tuple[int, ...]
    closeness: tuple[int | None, ...]


def _neighbour_columns(header: Sequence[str]) -> _NeighbourColumns | None:
    """Recognise DfE's wide CSV (``SN_1``, ``SN_1P``, ...) or LAIT's workbook (``SN1``, ``SNP``, ...)."""
    index = header_index(header)
    if all(name in index for name in SN_WIDE_COLUMNS):
        neighbours = tuple(index[f"SN_{rank}"] for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1))
        closeness = tuple(index.get(f"SN_{rank}P") for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1))
        return _NeighbourColumns("old_la_code", index["old_la_code"], neighbours, closeness)
    if all(name in index for name in SN_LAIT_COLUMNS):
        neighbours = tuple(index[f"SN{rank}"] for rank in range(1, NEIGHBOURS_PER_AUTHORITY + 1))
        # Every closeness column is headed "SNP"; each belongs to the SNn column just before it.
        closeness = tuple(
            position + 1 if position + 1 < len(header) and header[position + 1] == "SNP" else None
            for position in neighbours
        )
        return _NeighbourColumns("LA num", index["LA num"], neighbours, closeness)
    return None


def _closeness(text: str) -> str:
    """``"Very Close"`` and ``"Very close "`` are the same band: one spelling, as DfE's 2025 CSV writes it."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:].lower() if text not in NO_NEIGHBOUR else ""


@transaction.atomic
def import_statistical_neighbours(path: Path) -> ImportResult:
    """Replace each listed authority's ordered neighbours with those of DfE's model (CSV or XLSX).

    Reads DfE's ``sn_model_2025_wide.csv`` layout or LAIT's ``sn_may_2025.xlsx`` (header on row 3, repeated
    ``SNP`` closeness columns, a separate block of pre-reorganisation authorities). Neighbour 1 is the
    nearest. A row for an authority not known here is skipped and its code reported; a neighbour not known
    here is kept by its code, reported, and linked when that authority is imported.
    """
    path = Path(path)
    lists: dict[str, dict[int, tuple[str, str]]] = {}
    with open_rows(path) as rows:
        columns = None
        header_row = 0
        for header_row, header in enumerate(rows, start=1):
            columns = _neighbour_columns(header)
            if columns is not None or header_row >= HEADER_SEARCH_ROWS:
                break
        if columns is None:
            raise ReferenceDataError(
                WRONG_SN_LAYOUT.format(
                    file=path.name, wide=", ".join(SN_WIDE_COLUMNS), lait=", ".join(SN_LAIT_COLUMNS)
                )
            )
        for row_number, row in enumerate(rows, start=header_row + 1):
            if not cell_at(row, columns.code):
                continue  # blank lines and LAIT's "Old SNs:" caption row
            code = code_at(row, columns.code, file=path.name, row_number=row_number, column=columns.code_name)
            places = {}
            for rank, (at, closeness_at) in enumerate(
                zip(columns.neighbours, columns.closeness, strict=True), start=1
            ):
                if cell_at(row, at) in NO_NEIGHBOUR:
                    continue
                neighbour = code_at(row, at, file=path.name, row_number=row_number, column=header[at])
                places[rank] = (neighbour, _closeness(cell_at(row, closeness_at)))
            lists[code] = places

    result = ImportResult()
    mentioned = set(lists) | {neighbour for places in lists.values() for neighbour, _ in places.values()}
    ids = dict(Authority.objects.filter(code__in=mentioned).values_list("code", "id"))
    result.unknown_codes = mentioned - set(ids)
    existing: dict[tuple[int, int], StatisticalNeighbour] = {
        (place.authority_id, place.rank): place
        for place in StatisticalNeighbour.objects.filter(authority__code__in=lists.keys())
    }
    to_create, to_update = [], []
    for code, places in lists.items():
        authority_id = ids.get(code)
        if authority_id is None:
            continue
        for rank, (neighbour_code, closeness) in places.items():
            wanted = {
                "neighbour_code": neighbour_code,
                "neighbour_id": ids.get(neighbour_code),
                "closeness": closeness,
            }
            place = existing.pop((authority_id, rank), None)
            if place is None:
                to_create.append(StatisticalNeighbour(authority_id=authority_id, rank=rank, **wanted))
            elif all(getattr(place, name) == value for name, value in wanted.items()):
                result.unchanged += 1
            else:
                for name, value in wanted.items():
                    setattr(place, name, value)
                to_update.append(place)
    # What is left held ranks the model no longer fills, e.g. a "-" in the 2021 model.
    to_delete = [place.pk for place in existing.values()]
    StatisticalNeighbour.objects.filter(pk__in=to_delete).delete()
    StatisticalNeighbour.objects.bulk_update(
        to_update, ["neighbour_code", "neighbour", "closeness"], batch_size=500
    )
    StatisticalNeighbour.objects.bulk_create(to_create, batch_size=500)
    result.created, result.changed, result.removed = len(to_create), len(to_update), len(to_delete)
    return result
