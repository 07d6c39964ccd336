"""The catalogue entries of the indicators computed from the SSDA903 return, with the rules as definitions.

The contract says to create them when the catalogue lacks them; names, sections and decimals follow the
catalogue the project ships (``scorecards/demo/indicators.csv``) where it already has the indicator. Units and
polarities are the strings of ``scorecards.models.Unit`` and ``Polarity``.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "SSDA903 return"

_EPISODES = (
    "Computed from the SSDA903 return. Short breaks (legal status V3 or V4) are left out. Each child's episodes "
    "are taken in order of start date (DECOM); an episode ends at its recorded end date (DEC) or where the "
    "child's next episode starts, whichever is earlier, and is open on a day when it has started on or before "
    "that day and has not ended by it."
)
_HEALTH = (
    "At 31 March only (other months have no figure): of the children in care on 31 March who were in care on "
    "every day of the 12 months from 1 April, the percentage whose OC2 record has {column} = 1 ({meaning}). A "
    "child with no OC2 record counts in the denominator only; of two records for a child, the later is used. "
)


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    section: str
    name: str
    unit: str
    polarity: str
    decimals: int
    definition: str
    source: str = SOURCE


INDICATORS: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "cic_count",
        "Headline",
        "Number of children in care",
        "count",
        "neutral",
        0,
        "Children with an episode of care open on the last day of the month. " + _EPISODES,
    ),
    CatalogueEntry(
        "cic_started_in_month",
        "Profile",
        "Number of children who have come into care in the month",
        "count",
        "neutral",
        0,
        "Children with an episode starting a period of care (reason for new episode S) whose start date falls "
        "in the month; a child who starts twice in the month counts once. " + _EPISODES,
    ),
    CatalogueEntry(
        "cic_ceased_in_month",
        "Profile",
        "Number of children who have left care in the month",
        "count",
        "neutral",
        0,
        "Children with an episode whose recorded end date (DEC) falls in the month and whose reason for ending "
        "is not X1 (X1: a new episode follows in the same period of care); an episode with no reason recorded "
        "counts. A child counts once. " + _EPISODES,
    ),
    CatalogueEntry(
        "missing_incidents_in_month",
        "Safety",
        "Number of missing or away-from-placement incidents of children in care starting in the month",
        "count",
        "lower_is_better",
        0,
        "Rows of the SSDA903 return's missing table, whether the child was missing (M) or away from placement "
        "without authorisation (A), whose start date (MIS_START) falls in the month.",
    ),
    CatalogueEntry(
        "three_plus_placements_pct",
        "Placement",
        "% children in care with 3 or more placements in the last 12 months",
        "percent",
        "lower_is_better",
        0,
        "Of the children in care on the last day of the month, the percentage with 3 or more placements in the "
        "12 months ending that day. Temporary placements (T0 to T4) are passed over, though they still end the "
        "episode before them. A placement is a run of a child's other episodes beginning at the first of them "
        "or at one whose reason for new episode is S, P or B, up to the next such; it counts when one of its "
        "episodes is open on a day of the 12 months. " + _EPISODES,
    ),
    CatalogueEntry(
        "rha_on_time_pct",
        "Health",
        "% children in care with Annual Health Assessment completed on time",
        "percent",
        "higher_is_better",
        0,
        _HEALTH.format(column="HEALTH_ASSESSMENT", meaning="health assessment up to date") + _EPISODES,
    ),
    CatalogueEntry(
        "dental_check_pct",
        "Health",
        "% children in care who have had a dental check within 12 months",
        "percent",
        "higher_is_better",
        0,
        _HEALTH.format(column="TEETH_CHECK", meaning="teeth checked by a dentist") + _EPISODES,
    ),
    CatalogueEntry(
        "immunisations_up_to_date_pct",
        "Health",
        "% children in care at end of month with up to date immunisations",
        "percent",
        "higher_is_better",
        0,
        _HEALTH.format(column="IMMUNISATIONS", meaning="immunisations up to date") + _EPISODES,
    ),
)
