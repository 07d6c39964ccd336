"""The month form's page: what was posted, what each row shows again, and the error summary's items.

Each figure of the form, the headline figure of an indicator or one of its cohorts, has fields named
``PREFIX-FIELD``: the indicator's code for the headline, ``CohortSlot.prefix`` for a cohort. Errors are keyed
the same way, so one field's message is found, shown and linked to whichever figure it belongs to.
"""

from __future__ import annotations

from scorecards.entry.cohorts import NAME
from scorecards.entry.services import FIELDS, EntryRow, SaveResult


def posted_figures(rows: list[EntryRow], post) -> dict[str, dict[str, str]]:
    """Every figure's fields as posted, by field prefix (an indicator's code, or a cohort's prefix)."""
    submitted = {}
    for row in rows:
        code = row.indicator.code
        submitted[code] = {name: post.get(f"{code}-{name}", "") for name in FIELDS}
        for slot in row.cohorts:
            submitted[slot.prefix] = {name: post.get(f"{slot.prefix}-{name}", "") for name in slot.fields}
    return submitted


def _figure_item(prefix: str, names, initial, submitted, result: SaveResult | None) -> dict:
    values = submitted.get(prefix) or {name: initial(name) for name in names}
    errors = {name: result.errors.get((prefix, name)) for name in (*names, NAME)} if result else {}
    return {"prefix": prefix, "values": values, "errors": errors, "has_error": any(errors.values())}


def form_sections(rows: list[EntryRow], submitted, result: SaveResult | None) -> dict[str, list[dict]]:
    """The form's rows by section: each indicator's headline figure and its cohorts, as posted when the save
    was refused, else as stored; with their errors."""
    sections: dict[str, list] = {}
    for row in rows:
        code = row.indicator.code
        item = _figure_item(code, FIELDS, row.initial, submitted, result)
        if result:
            item["errors"]["row"] = result.errors.get((code, "indicator"))
        item["row"] = row
        item["confirmation"] = result.confirmations.get(code) if result else None
        cohorts = [
            {"slot": slot, **_figure_item(slot.prefix, slot.fields, slot.initial, submitted, result)}
            for slot in row.cohorts
        ]
        item["cohorts"], item["new_cohort"] = cohorts[:-1], cohorts[-1]
        new = item["new_cohort"]
        new["open"] = new["has_error"] or any(submitted.get(new["prefix"], {}).values())
        sections.setdefault(row.indicator.section, []).append(item)
    return sections


def error_summary(result: SaveResult | None, rows: list[EntryRow], submitted) -> list[dict[str, str]]:
    """The error summary's items, naming the indicator (and the cohort) as the page does, each linking to its
    field."""
    if result is None:
        return []
    names = {row.indicator.code: row.indicator.name for row in rows}
    slots = {slot.prefix: slot for row in rows for slot in row.cohorts}
    items = []
    for (prefix, column), message in result.errors.items():
        if not prefix:
            items.append({"anchor": "", "label": "", "message": message})
            continue
        if slot := slots.get(prefix):
            # A cohort's row is named by its cohort field (a new cohort's name, or a listed cohort's heading).
            anchor = f"{prefix}-{column if column in slot.fields else NAME}"
            label = slot.label(submitted.get(prefix, {}).get(NAME, "").strip())
        else:
            anchor = f"{prefix}-{column}" if column in FIELDS else f"{prefix}-indicator"
            label = names.get(prefix, prefix)
        items.append({"anchor": anchor, "label": f"{label}, {column}", "message": message})
    for code, reason in result.confirmations.items():
        message = f"{reason} Tick “I confirm” beside it to save it."
        items.append({"anchor": f"{code}-confirm", "label": names.get(code, code), "message": message})
    return items
