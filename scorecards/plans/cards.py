"""The plan page's action cards, written once per page. Presentation only, never a query.

A plan of 200 actions has 2,000 updates and cites a dozen indicators some 300 times; through the template
engine, the cards' lookups, filters, includes and loops took most of the page's time. So the cards are written
here, as ``scorecard_tags`` writes the grid's cells, from one pattern (``CARD``) whose every value is escaped or
prepared as HTML; and what many cards show alike is made once per page and shared: each status and each RAG
from its partial, each indicator's evidence line (figure, RAG, direction, sparkline), each date of an update
with its status and each progress text.
"""

from __future__ import annotations

import datetime
from html import escape
from typing import NamedTuple
from urllib.parse import quote

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from scorecards.core.charts import sparkline_svg
from scorecards.plans.rules import STATUS_LABELS, STATUS_SYMBOLS
from scorecards.plans.selectors import MONTH_ABBREVIATIONS, ActionView, PlanView, history_repeats, short_date
from scorecards.rows import ScorecardRow

STATUS_CHIP = "scorecards/plans/partials/status.html"
RAG_CHIP = "scorecards/plans/partials/rag.html"
UNCHANGED = '<span class="repeat">Progress unchanged.</span>'
NONE_RECORDED = '<span class="repeat">No progress recorded.</span>'
OVERDUE = ' <span class="overdue-flag">Overdue</span>'
#: One action's card; ``_card`` escapes every value or prepares it as HTML.
CARD = """<article class="action-card is-{rag}" id="action-{code}" aria-labelledby="action-title-{code}">
  <h3 id="action-title-{code}"><span class="action-code">{code}</span> {title}</h3>
  <dl class="action-facts">
    <div><dt>Owner</dt><dd>{owner}</dd></div>
    <div><dt>Due</dt><dd>{due}</dd></div>
    <div><dt>Status</dt><dd>{status_chip}</dd></div>
    <div><dt>RAG</dt><dd>{rag_chip}</dd></div>
  </dl>
  <p class="progress">{progress} <span class="when">(update of {as_of})</span></p>
  <details>
    <summary>History: {history_count}</summary>
    {history}
  </details>
  {evidence}
  <p class="card-links no-print">
    {questions}
    <a href="{ask_url}">Ask about this action</a>
    {update}
  </p>
</article>"""
EVIDENCE = """<div class="evidence">
    <h4>Evidence from the scorecard</h4>
    <ul class="evidence-list">
      {lines}
    </ul>
  </div>"""


class _Rendered:
    """What many cards show alike, made once per page for each key, then reused."""

    def __init__(self, evidence_url: str) -> None:
        self.evidence_url = evidence_url
        self.done: dict[tuple[str, str], SafeString] = {}
        self.lines: dict[str, str] = {}
        self.dated: dict[tuple[datetime.date, str], str] = {}
        self.progress: dict[str, str] = {}
        self.latest: dict[str, SafeString] = {}

    def get(self, template: str, key: str, context: dict) -> SafeString:
        found = self.done.get((template, key))
        if found is None:
            found = self.done[template, key] = mark_safe(render_to_string(template, context).strip())  # noqa: S308
        return found

    def evidence(self, view: ActionView) -> SafeString:
        lines = []
        for row in view.evidence:
            line = self.lines.get(row.code)
            if line is None:
                line = self.lines[row.code] = _evidence_line(row, self.evidence_url)
            lines.append(line)
        return mark_safe("\n      ".join(lines))  # noqa: S308 - every text in it is escaped below

    def latest_progress(self, text: str) -> SafeString:
        """The latest update's progress with its line breaks: many actions carry the same text forward."""
        found = self.latest.get(text)
        if found is None:
            found = self.latest[text] = linebreaksbr(text, autoescape=True) if text else mark_safe("")
        return found

    def history(self, view: ActionView) -> SafeString:
        """The action's updates, oldest first, each with its date, status (shape and word) and progress."""
        parts = ['<ol class="history-list">']
        for update, repeated in history_repeats(view.state.history):
            head = self.dated.get((update.as_of, update.status))
            if head is None:
                head = self.dated[update.as_of, update.status] = (
                    f"<li><strong>{escape(short_date(update.as_of))}</strong> · "
                    f'<span class="status status-{escape(update.status)}"><span aria-hidden="true">'
                    f"{escape(STATUS_SYMBOLS[update.status])}</span> {escape(STATUS_LABELS[update.status])}</span><br>"
                )
            if repeated:
                progress = UNCHANGED
            elif not update.progress:
                progress = NONE_RECORDED
            else:
                progress = self.progress.get(update.progress)
                if progress is None:
                    progress = self.progress[update.progress] = _progress(update.progress)
            parts.append(f"{head}{progress}</li>")
        parts.append("</ol>")
        return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above


def _evidence_line(row: ScorecardRow, evidence_url: str) -> str:
    """One indicator's line: its name linking to its page, latest figure and month, RAG, direction, sparkline."""
    latest = row.latest
    figure = (
        f'{escape(row.fmt_latest)} <span class="muted">'
        f"({MONTH_ABBREVIATIONS[latest.period.month - 1]} {latest.period.year})</span>"
        if latest
        else "no figure"
    )
    return (
        f'<li><a class="name" href="{escape(evidence_url)}{escape(row.code)}/">{escape(row.indicator.name)}</a>\n'
        f'        <span class="figure">{figure}</span>\n'
        f'        <span class="rag-chip rag-{escape(row.rag)}"><span aria-hidden="true">{escape(row.rag_symbol)}</span> '
        f"{escape(row.rag_label)}</span>\n"
        f'        <span class="dir dir-{escape(row.direction)}"><span aria-hidden="true">'
        f"{escape(row.direction_symbol)}</span> {escape(row.direction_label)}</span>\n"
        f"        {sparkline_svg(row)}</li>"
    )


def _progress(text: str) -> str:
    return escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def card_groups(
    view: PlanView, *, plan_url: str, questions_url: str, evidence_url: str, can_edit: bool
) -> list[tuple[str, SafeString]]:
    """The plan's action cards grouped by the finding or priority they answer, as ``PlanView.priorities``:
    each group's cards as one piece of HTML."""
    rendered = _Rendered(evidence_url)
    links = _Links(
        ask_prefix=escape(f"{questions_url}?subject=action:{quote(view.plan.code)}/"),
        questions=escape(questions_url),
        plan=escape(plan_url) if can_edit else None,
    )
    return [
        (priority, mark_safe("\n".join(_card(action, rendered, links) for action in actions)))  # noqa: S308
        for priority, actions in view.priorities
    ]


class _Links(NamedTuple):
    """The addresses a card links to, escaped: asking about it, its open questions, updating it (or None)."""

    ask_prefix: str
    questions: str
    plan: str | None


def _card(view: ActionView, rendered: _Rendered, links: _Links) -> str:
    state, code = view.state, escape(view.code)
    count, questions = len(state.history), view.open_questions
    evidence = rendered.evidence(view)
    return CARD.format(
        rag=str(state.rag),
        code=code,
        title=escape(view.action.title),
        owner=escape(view.action.owner),
        due=escape(view.due_text) + (OVERDUE if state.overdue else ""),
        status_chip=rendered.get(STATUS_CHIP, state.status, {"view": view}),
        rag_chip=rendered.get(RAG_CHIP, str(state.rag), {"view": view}),
        progress=rendered.latest_progress(state.progress) or "No progress recorded.",
        as_of=escape(view.as_of_text),
        history_count=f"{count} update{'' if count == 1 else 's'}",
        history=rendered.history(view),
        evidence=EVIDENCE.format(lines=evidence) if evidence else "",
        questions=f'<a href="{links.questions}">{questions} open question{"" if questions == 1 else "s"}</a>'
        if questions
        else "",
        ask_url=f"{links.ask_prefix}{escape(quote(view.code))}#ask",
        update=f'<a href="{links.plan}actions/{code}/">Update this action</a>'
        if links.plan is not None
        else "",
    )
