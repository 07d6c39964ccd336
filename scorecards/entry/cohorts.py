"""Cohorts on the month form: the breakdowns of an indicator's figure (e.g. "in Devon schools").

shared/CONTRACT.md, "Cohorts": a cohort's figure is a ``values`` row with a ``cohort``, keyed by authority,
indicator, period and cohort. The form lists, under each indicator, every cohort it has a figure for in the
month or an earlier month, in the order each was first stored, and one empty row to add a cohort. Each is
turned into a row of the same ``values`` table the headline figures are (``services._table``), so the
upload's own checks decide what a cohort row may hold (a cohort on a status row is refused, and so on).

A cohort's fields are named after a digest of its name (free text, compared exactly), behind a ``.`` that no
indicator code (a slug) holds, so no field of one indicator's cohort can take another's name.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Min

from authorities.models import Authority
from scorecards.models import Indicator, MonthlyValue

#: What the form takes of a cohort's figure: its commentary, if an upload gave one, is left as it is.
COHORT_FIELDS = ("value", "numerator", "denominator", "status")
#: The field naming a new cohort.
NAME = "cohort"

NEW_COHORT_UNNAMED = "name the cohort these figures describe"
NEW_COHORT_LISTED = "{indicator} already has the cohort {cohort!r}: enter its figures in that cohort's row"


def stored_text(current: MonthlyValue | None, name: str) -> str:
    """A stored field as the form shows it: figures as written (42, not 42.0000), nothing as empty."""
    if current is None:
        return ""
    value = getattr(current, name)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value or ""


@dataclass
class CohortSlot:
    """One cohort row of an indicator on the form: a listed cohort, or (``cohort`` empty) a new one."""

    indicator: Indicator
    cohort: str = ""
    current: MonthlyValue | None = None
    #: the cohort's latest figure with a value in the year before the month, shown as its last figure
    previous: MonthlyValue | None = None

    @property
    def is_new(self) -> bool:
        return not self.cohort

    @property
    def prefix(self) -> str:
        """What the slot's field names start with, e.g. ``attendance_pct.c1a2b3c4d5e6`` (then ``-value``)."""
        if self.is_new:
            return f"{self.indicator.code}.new"
        return f"{self.indicator.code}.c{hashlib.sha256(self.cohort.encode()).hexdigest()[:12]}"

    @property
    def fields(self) -> tuple[str, ...]:
        return (NAME, *COHORT_FIELDS) if self.is_new else COHORT_FIELDS

    def initial(self, name: str) -> str:
        return stored_text(self.current, name)

    def label(self, submitted_name: str = "") -> str:
        """The slot as a message names it: the indicator and the cohort."""
        cohort = self.cohort or submitted_name
        return f"{self.indicator.name}, {f'cohort “{cohort}”' if cohort else 'new cohort'}"


def cohort_slots(
    *, authority: Authority, period: datetime.date, indicators: list[Indicator], current: dict, previous: dict
) -> dict[int, list[CohortSlot]]:
    """Each indicator's listed cohorts and a new one; ``current`` and ``previous`` hold the month's and the
    latest earlier cohort figures by (indicator id, cohort). One query: the cohorts with a figure up to the
    month, in the order first stored."""
    names: dict[int, list[str]] = {}
    for indicator_id, cohort, _first in (
        MonthlyValue.objects.filter(authority=authority, period__lte=period)
        .exclude(cohort="")
        .values("indicator_id", "cohort")
        .annotate(first=Min("pk"))
        .order_by("first")
        .values_list("indicator_id", "cohort", "first")
    ):
        names.setdefault(indicator_id, []).append(cohort)
    return {
        indicator.pk: [
            *(
                CohortSlot(
                    indicator,
                    cohort,
                    current.get((indicator.pk, cohort)),
                    previous.get((indicator.pk, cohort)),
                )
                for cohort in names.get(indicator.pk, ())
            ),
            CohortSlot(indicator),
        ]
        for indicator in indicators
    }


def cohort_cells(slot: CohortSlot, entry: dict[str, str]) -> dict[str, str] | None:
    """The slot's cells for the ``values`` table, or None when there is nothing to write or check.

    No commentary column: the cohort's commentary is kept as stored. A listed cohort left empty in a month
    where it has no figure is skipped, as an empty headline row is.
    """
    cells = {name: (entry.get(name) or "").strip() for name in slot.fields}
    if not any(cells.values()) and slot.current is None:
        return None
    cells[NAME] = slot.cohort or cells.get(NAME, "")
    return cells


def new_cohort_error(slot: CohortSlot, cells: dict[str, str], listed: list[str]) -> str | None:
    """What the form refuses of a new cohort row before the upload's checks: figures without a cohort's name
    would be the headline figure's, and a listed cohort has its own row."""
    if not slot.is_new:
        return None
    if not cells[NAME]:
        return NEW_COHORT_UNNAMED
    if cells[NAME] in listed:
        return NEW_COHORT_LISTED.format(indicator=slot.indicator.name, cohort=cells[NAME])
    return None
