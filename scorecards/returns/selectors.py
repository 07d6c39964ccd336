"""Reads: a return's figures beside those held, the year-end check against DfE, and notes for the indicator page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from authorities.models import Authority
from scorecards.core.selectors import latest_snapshots
from scorecards.formatting import format_value
from scorecards.imports import Action, ImportPlan, plan_table
from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    DataQualityProblem,
    Indicator,
    MonthlyValue,
    PublishedMeasure,
    ReturnImport,
    ReturnState,
    SnapshotFigure,
)

from .catalogue import INDICATORS
from .notes import note_with_counts, source_note
from .services import values_table

#: More than this many points between a computed year-end percentage and DfE's is flagged to the officer.
RECONCILE_POINTS = Decimal(2)
#: Computed from the return, published by DfE as something else: shown side by side, never subtracted.
NOT_COMPARABLE = {
    "cic_count": (
        "cic_rate_per_10k",
        "not comparable: DfE publishes a rate per 10,000 children aged under 18, and the return gives the "
        "number of children; the area's population of children is not held here.",
    ),
}
STATE_LABELS = {
    "new": "New",
    "changed": "Changed",
    "unchanged": "Unchanged",
    "new_indicator": "New (indicator added to the catalogue)",
}


@dataclass(frozen=True)
class StoredFigure:
    indicator: str
    period: datetime.date
    value: Decimal
    numerator: int | None
    denominator: int | None


def figures_of(return_import: ReturnImport) -> list[StoredFigure]:
    return [
        StoredFigure(
            figure["indicator"],
            datetime.date(int(figure["period"][:4]), int(figure["period"][5:7]), 1),
            Decimal(figure["value"]),
            figure["numerator"],
            figure["denominator"],
        )
        for figure in return_import.figures
    ]


def _units() -> dict[str, tuple[str, str, int]]:
    """Indicator code -> (name, unit, decimals), from the catalogue, else from the return's own entries."""
    units = {entry.code: (entry.name, entry.unit, entry.decimals) for entry in INDICATORS}
    codes = list(units)
    for code, name, unit, decimals in Indicator.objects.filter(code__in=codes).values_list(
        "code", "name", "unit", "decimals"
    ):
        units[code] = (name, unit, decimals)
    return units


def _text(value: Decimal | None, unit: str, decimals: int, numerator=None, denominator=None) -> str:
    if value is None:
        return "–"
    shown = format_value(value, unit, max(decimals, 1) if unit == "percent" else decimals)
    if numerator is None or denominator is None:
        return shown
    return f"{shown} ({int(numerator):,} of {int(denominator):,})"


@dataclass(frozen=True)
class PreviewRow:
    period: datetime.date
    indicator: str
    name: str
    computed: str
    held: str
    state: str

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class Preview:
    rows: list[PreviewRow]
    counts: dict[str, int]
    digest: str

    @property
    def new(self) -> int:
        return self.counts["new"] + self.counts["new_indicator"]

    @property
    def to_write(self) -> int:
        return self.new + self.counts["changed"]


def return_plan(return_import: ReturnImport) -> ImportPlan:
    """What confirming would do to the figures held, for the indicators already in the catalogue (no writes)."""
    present = set(Indicator.objects.values_list("code", flat=True))
    return plan_table("values", values_table(return_import, codes=present))


def return_preview(return_import: ReturnImport) -> Preview:
    """Each computed figure beside the figure held now: new, changed (old → new) or unchanged."""
    plan = return_plan(return_import)
    actions = {(planned.key[1], planned.key[2]): planned.action for planned in plan.rows}
    figures = figures_of(return_import)
    held = {
        (code, period): (value, numerator, denominator, status)
        for code, period, value, numerator, denominator, status in MonthlyValue.objects.filter(
            authority_id=return_import.authority_id,
            period__gte=return_import.first_month,
            period__lte=return_import.last_month,
            indicator__code__in={figure.indicator for figure in figures},
            cohort="",
        ).values_list("indicator__code", "period", "value", "numerator", "denominator", "status")
    }
    units = _units()
    rows = []
    counts = dict.fromkeys(STATE_LABELS, 0)
    for figure in figures:
        name, unit, decimals = units[figure.indicator]
        action = actions.get((figure.indicator, f"{figure.period:%Y-%m}"))
        state = {Action.CREATE: "new", Action.UPDATE: "changed", Action.UNCHANGED: "unchanged"}.get(
            action, "new_indicator"
        )
        counts[state] += 1
        old = held.get((figure.indicator, figure.period))
        if old is None:
            held_text = "–"
        elif old[0] is None:
            held_text = old[3].replace("_", " ") or "–"
        else:
            held_text = _text(old[0], unit, decimals, *old[1:3])
        computed = _text(figure.value, unit, decimals, figure.numerator, figure.denominator)
        rows.append(PreviewRow(figure.period, figure.indicator, name, computed, held_text, state))
    rows.sort(key=lambda row: row.period, reverse=True)  # the newest month first; catalogue order within
    missing = sorted({figure.indicator for figure in figures} - {key[0] for key in actions})
    return Preview(rows, counts, plan.digest() + "|" + ",".join(missing))


def stored_rows(return_import: ReturnImport) -> list[PreviewRow]:
    """The figures of a return already written or discarded, as computed."""
    units = _units()
    rows = [
        PreviewRow(
            figure.period,
            figure.indicator,
            units[figure.indicator][0],
            _text(figure.value, *units[figure.indicator][1:], figure.numerator, figure.denominator),
            "",
            "",
        )
        for figure in figures_of(return_import)
    ]
    rows.sort(key=lambda row: row.period, reverse=True)
    return rows


@dataclass(frozen=True)
class ReconciliationRow:
    period: datetime.date
    year: str
    indicator: str
    name: str
    computed: str
    published: str
    difference: str
    flagged: bool
    note: str


def _financial_year(march: datetime.date) -> str:
    return f"{march.year - 1}/{march.year % 100:02d}"


def year_ends(return_import: ReturnImport) -> list[str]:
    """The financial years whose 31 March is among the months computed, e.g. ["2017/18"]."""
    return sorted(
        {_financial_year(figure.period) for figure in figures_of(return_import) if figure.period.month == 3}
    )


def return_reconciliation(return_import: ReturnImport) -> list[ReconciliationRow]:
    """At each 31 March computed, the computed figures beside DfE's published figures for the authority.

    Only where the reference data holds DfE's figure (``Benchmark`` rows from DfE, field ``own``) for an
    indicator mapped to a published measure. A difference of more than 2 points is flagged.
    """
    marches = [figure for figure in figures_of(return_import) if figure.period.month == 3]
    if not marches:
        return []
    published_codes = {
        code: code for code in PublishedMeasure.objects.values_list("indicator__code", flat=True)
    }
    published_codes.update({code: target for code, (target, _) in NOT_COMPARABLE.items()})
    years = {_financial_year(figure.period) for figure in marches}
    own = {
        (code, year): (value, unit, decimals)
        for code, year, value, unit, decimals in Benchmark.objects.filter(
            authority_id=return_import.authority_id,
            source=BenchmarkSource.DFE,
            year__in=years,
            indicator__code__in=set(published_codes.values()),
            own__isnull=False,
        ).values_list("indicator__code", "year", "own", "indicator__unit", "indicator__decimals")
    }
    notes = dict(PublishedMeasure.objects.values_list("indicator__code", "note"))
    units = _units()
    rows = []
    for figure in marches:
        target = published_codes.get(figure.indicator)
        year = _financial_year(figure.period)
        if target is None or (target, year) not in own:
            continue
        name, unit, decimals = units[figure.indicator]
        published, published_unit, published_decimals = own[(target, year)]
        computed = _text(figure.value, unit, decimals, figure.numerator, figure.denominator)
        published_text = format_value(published, published_unit, published_decimals)
        if figure.indicator in NOT_COMPARABLE or unit != published_unit:
            note = NOT_COMPARABLE.get(figure.indicator, ("", "not comparable: the units differ."))[1]
            rows.append(
                ReconciliationRow(
                    figure.period, year, figure.indicator, name, computed, published_text, "–", False, note
                )
            )
            continue
        difference = figure.value - published
        shown = format(difference.quantize(Decimal("0.1")), "+f").replace("+0.0", "0.0")
        rows.append(
            ReconciliationRow(
                figure.period,
                year,
                figure.indicator,
                name,
                computed,
                published_text,
                f"{shown} points",
                abs(difference) > RECONCILE_POINTS,
                notes.get(figure.indicator, ""),
            )
        )
    return rows


# The indicator page ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComputedNote:
    period: datetime.date
    text: str
    #: for officers only: the return the figure came from and its data-quality problems
    return_import_id: int | None = None
    problem_count: int | None = None
    problems_kept: bool = False


def computed_notes(
    *,
    authority: Authority,
    indicator: Indicator,
    start: datetime.date,
    end: datetime.date,
    include_drafts: bool,
) -> list[ComputedNote]:
    """Months of the window whose figure was computed from a return, saying so, newest first.

    Board members read what was approved (the snapshot's ``source_note``); officers read the working figures,
    with the return they came from and the count of its data-quality problems.
    """
    if not include_drafts:
        rows = (
            SnapshotFigure.objects.filter(
                snapshot__in=latest_snapshots(authority=authority, start=start, end=end), indicator=indicator
            )
            .exclude(source_note="")
            .values_list("snapshot__period", "source_note", "numerator", "denominator")
        )
        notes = [ComputedNote(period, note_with_counts(note, n, d)) for period, note, n, d in rows]
        return sorted(notes, key=lambda note: note.period, reverse=True)
    rows = MonthlyValue.objects.filter(
        authority=authority,
        indicator=indicator,
        period__gte=start,
        period__lte=end,
        cohort="",
        computed_from__state=ReturnState.APPLIED,
    ).values_list(
        "period",
        "numerator",
        "denominator",
        "updated_at",
        "computed_from_id",
        "computed_from__uploaded_at",
        "computed_from__applied_at",
        "computed_from__problem_count",
    )
    rows = list(rows)
    kept = set(
        DataQualityProblem.objects.filter(return_import_id__in={row[4] for row in rows})
        .values_list("return_import_id", flat=True)
        .distinct()
    )
    notes = []
    for period, numerator, denominator, updated_at, return_id, uploaded_at, applied_at, problems in rows:
        note = source_note(updated_at=updated_at, uploaded_at=uploaded_at, applied_at=applied_at)
        if note:
            text = note_with_counts(note, numerator, denominator)
            notes.append(ComputedNote(period, text, return_id, problems, return_id in kept))
    return sorted(notes, key=lambda note: note.period, reverse=True)


def return_imports_for(*, authority: Authority) -> list[ReturnImport]:
    return list(ReturnImport.objects.filter(authority=authority).select_related("uploaded_by")[:100])
