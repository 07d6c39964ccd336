"""Writes: recording what a return computed, writing its figures through the import engine, discarding.

The figures are written as the rows of a ``values`` upload (``scorecards.imports.plan_table``), so they obey
every rule of every import, are audited with the route ``return``, and send an approved month back to draft
as a new revision (``signoff.months_changed``). Percentages are written as numerator and denominator, the
engine computing the value (× 100, stored to its 4 decimal places); counts as the value alone.

What is kept: the computed figures (aggregates) on the ``ReturnImport``, and the data-quality problems, which
name children and are shown to the authority's officers only, who can delete them. Never the rows of the return.
"""

from __future__ import annotations

import datetime
import logging
import re
from calendar import monthrange
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from authorities.models import Authority
from scorecards.audit import Change, changes_record
from scorecards.imports import Action, ImportSummary, apply_import, plan_table
from scorecards.imports.tables import Table, TableRow
from scorecards.models import (
    ChangeRoute,
    DataQualityProblem,
    Indicator,
    MonthlyValue,
    ReturnImport,
    ReturnState,
)

from .catalogue import INDICATORS, CatalogueEntry
from .reader import ReturnTables
from .rules import ReturnResult, compute

logger = logging.getLogger(__name__)

#: Twenty years of month-ends in one go: more is a mistake, and would only cost time.
MAX_MONTHS = 240
BATCH = 500
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
VALUE_COLUMNS = ["authority", "indicator", "period", "value", "numerator", "denominator"]
INDICATOR_COLUMNS = ["code", "section", "name", "unit", "polarity", "decimals", "source", "definition"]

BAD_MONTH = "{which} month {text!r} is not a month written YYYY-MM."
MONTHS_REVERSED = "The first month ({first}) is after the last ({last})."
TOO_MANY_MONTHS = "Compute at most {limit} months at a time; {first} to {last} is {count}."
ALREADY_HANDLED = "These figures were already {state}; nothing more was written."
HANDLED = {ReturnState.APPLIED.value: "written", ReturnState.DISCARDED.value: "discarded"}
NOT_WRITTEN = "The computed figures could not be written, so nothing was: {errors}"


class ReturnRefused(ValueError):
    """What was asked cannot be done; the message says why, and nothing was written."""


# Months --------------------------------------------------------------------------------------------------


def parse_month(text: str, *, which: str = "The") -> datetime.date:
    """The first day of a month written YYYY-MM."""
    match = MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ReturnRefused(BAD_MONTH.format(which=which, text=text[:20]))
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first`` to ``last`` (first days), refusing a reversed or too long span."""
    if first > last:
        raise ReturnRefused(MONTHS_REVERSED.format(first=f"{first:%Y-%m}", last=f"{last:%Y-%m}"))
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    if count > MAX_MONTHS:
        raise ReturnRefused(
            TOO_MANY_MONTHS.format(
                limit=MAX_MONTHS, first=f"{first:%Y-%m}", last=f"{last:%Y-%m}", count=count
            )
        )
    return [
        datetime.date(first.year + (first.month - 1 + step) // 12, (first.month - 1 + step) % 12 + 1, 1)
        for step in range(count)
    ]


def month_end(period: datetime.date) -> datetime.date:
    return period.replace(day=monthrange(period.year, period.month)[1])


# Computing and recording -----------------------------------------------------------------------------------


def return_compute(tables: ReturnTables, *, months: list[datetime.date]) -> ReturnResult:
    """The contract's rules at the end of every month asked for."""
    return compute(tables, month_ends=[month_end(period) for period in months])


def figures_stored(result: ReturnResult) -> list[dict]:
    """The figures as ``ReturnImport.figures`` keeps them: aggregates only, values as exact decimal text."""
    return [
        {
            "indicator": figure.indicator,
            "period": f"{figure.period:%Y-%m}",
            "value": str(figure.value),
            "numerator": figure.numerator,
            "denominator": figure.denominator,
        }
        for figure in result.figures
    ]


@transaction.atomic
def return_record(
    *,
    authority: Authority,
    result: ReturnResult,
    months: list[datetime.date],
    file_names: Iterable[str],
    user=None,
    at: datetime.datetime | None = None,
) -> ReturnImport:
    """Keep what a return computed, awaiting confirmation: the figures and the data-quality problems."""
    return_import = ReturnImport.objects.create(
        authority=authority,
        state=ReturnState.PREVIEW,
        uploaded_at=at or timezone.now(),
        uploaded_by=user if user is not None and user.is_authenticated else None,
        file_names=", ".join(file_names)[:500],
        first_month=months[0],
        last_month=months[-1],
        figures=figures_stored(result),
        problem_count=len(result.problems),
    )
    DataQualityProblem.objects.bulk_create(
        (
            DataQualityProblem(
                return_import=return_import,
                table=problem.table[:40],
                row=problem.row,
                child=problem.child[:40],
                rule=problem.rule[:40],
                message=problem.message[:300],
            )
            for problem in result.problems
        ),
        batch_size=BATCH,
    )
    # Counts only: the log never carries a child's identifier.
    logger.info(
        "903 return %s of authority %s: %s figures for %s months, %s data-quality problems",
        return_import.pk,
        authority.code,
        len(result.figures),
        len(months),
        len(result.problems),
    )
    return return_import


# Writing through the import engine ------------------------------------------------------------------------


def catalogue_missing() -> list[CatalogueEntry]:
    """The return's indicators the catalogue does not have yet."""
    present = set(
        Indicator.objects.filter(code__in=[e.code for e in INDICATORS]).values_list("code", flat=True)
    )
    return [entry for entry in INDICATORS if entry.code not in present]


def values_table(return_import: ReturnImport, *, codes: set[str] | None = None) -> Table:
    """The figures as the rows of a ``values`` upload (only those of ``codes``, when given)."""
    table = Table(header=list(VALUE_COLUMNS), labels={name: name for name in VALUE_COLUMNS})
    code = return_import.authority.code
    for number, figure in enumerate(return_import.figures, start=2):
        if codes is not None and figure["indicator"] not in codes:
            continue
        ratio = figure["denominator"] is not None
        cells = {
            "authority": code,
            "indicator": figure["indicator"],
            "period": figure["period"],
            "value": "" if ratio else figure["value"],
            "numerator": str(figure["numerator"]) if ratio else "",
            "denominator": str(figure["denominator"]) if ratio else "",
        }
        table.rows.append(TableRow(number=number, cells=cells))
    return table


def _catalogue_complete(*, user, route: ChangeRoute | str) -> list[str]:
    """Create the return's indicators the catalogue lacks, through the ``indicators`` import, at its end."""
    missing = catalogue_missing()
    if not missing:
        return []
    table = Table(header=list(INDICATOR_COLUMNS), labels={name: name for name in INDICATOR_COLUMNS})
    for number, entry in enumerate(missing, start=2):
        cells = {name: str(getattr(entry, name)) for name in INDICATOR_COLUMNS}
        table.rows.append(TableRow(number=number, cells=cells))
    plan = plan_table("indicators", table)
    if not plan.is_valid:
        raise ReturnRefused(NOT_WRITTEN.format(errors="; ".join(str(error) for error in plan.errors[:5])))
    apply_import(plan, user=user, route=route)
    # The import numbers a file's indicators from 1; these join the end of the catalogue instead.
    codes = [entry.code for entry in missing]
    top = Indicator.objects.exclude(code__in=codes).aggregate(top=Max("position"))["top"] or 0
    changes = []
    for ordinal, indicator in enumerate(
        Indicator.objects.filter(code__in=codes).order_by("position"), start=1
    ):
        changes.append(
            Change(
                "indicator",
                indicator.code,
                "position",
                indicator.position,
                top + ordinal,
                indicator_id=indicator.pk,
            )
        )
        Indicator.objects.filter(pk=indicator.pk).update(position=top + ordinal)
    changes_record(changes, user=user, route=route)
    return codes


def _mark_computed(return_import: ReturnImport, written: set[tuple[int, datetime.date]]) -> None:
    if not written:
        return
    candidates = MonthlyValue.objects.filter(
        authority_id=return_import.authority_id, period__in={period for _, period in written}, cohort=""
    ).values_list("pk", "indicator_id", "period")
    pks = [pk for pk, indicator_id, period in candidates if (indicator_id, period) in written]
    for start in range(0, len(pks), BATCH):
        MonthlyValue.objects.filter(pk__in=pks[start : start + BATCH]).update(computed_from=return_import)


@transaction.atomic
def return_apply(
    *, return_import: ReturnImport, user=None, route: ChangeRoute | str = ChangeRoute.RETURN
) -> ImportSummary:
    """Write the figures of a preview, once: the first confirmation claims it, any later one is refused.

    New and changed figures are marked as computed from this return; unchanged ones keep their provenance.
    Anything refused rolls the claim back with the rest, so the preview can be confirmed again.
    """
    # Claimed with a conditional update: of two confirmations at once (two tabs, a double click), the
    # database lets exactly one move the preview on; the other updates nothing and is refused.
    claimed = ReturnImport.objects.filter(pk=return_import.pk, state=ReturnState.PREVIEW).update(
        state=ReturnState.APPLIED
    )
    if not claimed:
        state = ReturnImport.objects.filter(pk=return_import.pk).values_list("state", flat=True).first()
        raise ReturnRefused(ALREADY_HANDLED.format(state=HANDLED.get(state, "discarded")))
    _catalogue_complete(user=user, route=route)
    plan = plan_table("values", values_table(return_import))
    if not plan.is_valid:
        raise ReturnRefused(NOT_WRITTEN.format(errors="; ".join(str(error) for error in plan.errors[:5])))
    summary = apply_import(plan, user=user, route=route)
    _mark_computed(
        return_import,
        {
            (planned.fields["indicator_id"], planned.fields["period"])
            for planned in plan.rows
            if planned.action in (Action.CREATE, Action.UPDATE)
        },
    )
    # After the figures' own timestamps: a figure changed later by another route is no longer "computed".
    applied_at = timezone.now()
    ReturnImport.objects.filter(pk=return_import.pk).update(applied_at=applied_at)
    return_import.state, return_import.applied_at = ReturnState.APPLIED, applied_at
    return summary


@transaction.atomic
def return_import_now(
    *,
    authority: Authority,
    result: ReturnResult,
    months: list[datetime.date],
    file_names: Iterable[str],
    user=None,
    route: ChangeRoute | str = ChangeRoute.RETURN,
) -> tuple[ReturnImport, ImportSummary]:
    """Record and write at once (the ``import_903`` command): all of it, or nothing."""
    return_import = return_record(
        authority=authority, result=result, months=months, file_names=file_names, user=user
    )
    return return_import, return_apply(return_import=return_import, user=user, route=route)


def return_discard(*, return_import: ReturnImport) -> None:
    """Drop a preview's figures unwritten (the problem list stays until deleted)."""
    discarded = ReturnImport.objects.filter(pk=return_import.pk, state=ReturnState.PREVIEW).update(
        state=ReturnState.DISCARDED
    )
    if not discarded:
        state = ReturnImport.objects.filter(pk=return_import.pk).values_list("state", flat=True).first()
        raise ReturnRefused(ALREADY_HANDLED.format(state=HANDLED.get(state, "discarded")))
    return_import.state = ReturnState.DISCARDED


def problems_delete(*, return_import: ReturnImport) -> int:
    """Delete the return's data-quality list, the only place it named children; how many problems went."""
    deleted, _ = DataQualityProblem.objects.filter(return_import=return_import).delete()
    return deleted
