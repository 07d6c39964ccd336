"""One plan as JSON (the contract's ``export_plan`` format), CSV and PDF.

Presentation only: everything comes from ``selectors.plan_build``; evidence rows are the scorecard JSON export's
rows (``core.exports.scorecard_row_dict``), so a plan's evidence reads exactly as the scorecard does.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from scorecards.core.exports import escape_formula, scorecard_row_dict
from scorecards.plans.selectors import ActionView, PlanView

CSV_COLUMNS = (
    "authority",
    "plan",
    "as_of",
    "action",
    "priority",
    "title",
    "owner",
    "due",
    "status",
    "overdue",
    "rag",
    "progress",
    "updated",
    "updates",
    "indicators",
    "evidence_rag",
)


def action_dict(view: ActionView) -> dict[str, Any]:
    action, state = view.action, view.state
    return {
        "action": action.code,
        "priority": action.priority,
        "title": action.title,
        "owner": action.owner,
        "due": action.due.isoformat(),
        "status": state.status,
        "overdue": state.overdue,
        "rag": state.rag.value,
        "progress": state.progress,
        "history": [
            {"as_of": update.as_of.isoformat(), "status": update.status, "progress": update.progress}
            for update in state.history
        ],
        "evidence": [scorecard_row_dict(row) for row in view.evidence],
    }


def plan_dict(view: PlanView) -> dict[str, Any]:
    plan = view.plan
    return {
        "authority": plan.authority.code,
        "plan": plan.code,
        "title": plan.title,
        "source": plan.source,
        "as_of": view.at.isoformat(),
        "period": f"{view.period:%Y-%m}" if view.period else None,
        "summary": view.summary,
        "actions": [action_dict(action) for action in view.actions],
    }


def plan_json(view: PlanView) -> str:
    return json.dumps(plan_dict(view), indent=2, ensure_ascii=False)


def plan_csv(view: PlanView) -> str:
    """One row per action; text a spreadsheet would run as a formula is made inert, numbers pass."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for action in view.actions:
        data = action_dict(action)
        row = {
            **data,
            "authority": view.plan.authority.code,
            "plan": view.plan.code,
            "as_of": view.at.isoformat(),
            "overdue": "yes" if data["overdue"] else "no",
            "updated": action.state.as_of.isoformat(),
            "updates": len(data["history"]),
            "indicators": ";".join(row.code for row in action.evidence),
            "evidence_rag": ";".join(f"{row.code}={row.rag.value}" for row in action.evidence),
        }
        writer.writerow([escape_formula(row[column]) for column in CSV_COLUMNS])
    return buffer.getvalue()


def plan_html(view: PlanView, *, produced_at: datetime.datetime | None = None) -> str:
    title = f"{view.plan.authority.name}: {view.plan.title}, as at {view.at.day} {view.at:%B %Y}"
    return render_to_string(
        "scorecards/plans/pdf/plan.html",
        {"view": view, "title": title, "produced_at": (produced_at or timezone.now()).replace(microsecond=0)},
    )


def plan_pdf(view: PlanView, *, produced_at: datetime.datetime | None = None) -> bytes:
    """The plan as a PDF laid out by WeasyPrint with the board pack's stylesheet; nothing is fetched."""
    from scorecards.packs.pdf import PROGRESS_LOGGER, stylesheet_path

    propagate = PROGRESS_LOGGER.propagate
    PROGRESS_LOGGER.propagate = False  # one line per step (and per built-in stylesheet) is noise
    try:
        from weasyprint import CSS, HTML
        from weasyprint.urls import URLFetcher

        # Everything the plan shows is in the page or the stylesheet given here: no file or network address.
        fetcher = URLFetcher(allowed_protocols={"data"}, timeout=5)
        document = HTML(string=plan_html(view, produced_at=produced_at), url_fetcher=fetcher)
        return document.write_pdf(
            stylesheets=[CSS(filename=str(stylesheet_path()), url_fetcher=fetcher)], pdf_tags=True
        )
    finally:
        PROGRESS_LOGGER.propagate = propagate
