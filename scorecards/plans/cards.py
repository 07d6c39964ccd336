"""The plan page's action cards: each value a card shows, prepared once. Presentation only, never a query.

A plan of 200 actions has 2,000 updates and cites a dozen indicators some 300 times; the template engine's
lookups, filters and includes for them took most of the page's time. So each card's values are computed here
(one lookup each in the template), and what many cards show alike is rendered once per page from its partial
and shared: each indicator's evidence line (figure, RAG, direction, sparkline), each status and each RAG.
"""

from __future__ import annotations

from typing import TypedDict
from urllib.parse import quote

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from scorecards.plans.selectors import ActionView, PlanView

EVIDENCE_LINE = "scorecards/plans/partials/evidence_line.html"
STATUS_CHIP = "scorecards/plans/partials/status.html"
RAG_CHIP = "scorecards/plans/partials/rag.html"


class ActionCard(TypedDict):
    """One action as its card on the plan page shows it.

    A dict rather than a dataclass: the template engine tries ``card[name]`` before ``getattr(card, name)``,
    and on an object that first try raises, for every value of every card (a third of the cards' rendering).
    """

    view: ActionView
    code: str
    title: str
    owner: str
    rag: str
    due_text: str
    overdue: bool
    status_chip: SafeString
    rag_chip: SafeString
    progress: SafeString
    as_of_text: str
    history_count: str
    evidence: SafeString
    open_questions: int
    ask_url: str
    edit_url: str


class _Rendered:
    """Partials rendered once per page for each key, then reused."""

    def __init__(self, evidence_url: str) -> None:
        self.evidence_url = evidence_url
        self.done: dict[tuple[str, str], SafeString] = {}

    def get(self, template: str, key: str, context: dict) -> SafeString:
        found = self.done.get((template, key))
        if found is None:
            found = self.done[template, key] = mark_safe(render_to_string(template, context).strip())  # noqa: S308
        return found

    def evidence(self, view: ActionView) -> SafeString:
        lines = (
            self.get(EVIDENCE_LINE, row.code, {"row": row, "evidence_url": self.evidence_url})
            for row in view.evidence
        )
        return mark_safe("\n      ".join(lines))  # noqa: S308 - rendered from a template above


def card_groups(
    view: PlanView, *, plan_url: str, questions_url: str, evidence_url: str
) -> list[tuple[str, list[ActionCard]]]:
    """The plan's action cards grouped by the finding or priority they answer, as ``PlanView.priorities``."""
    rendered = _Rendered(evidence_url)
    ask_prefix = f"{questions_url}?subject=action:{quote(view.plan.code)}/"
    return [
        (priority, [_card(action, rendered, ask_prefix, plan_url) for action in actions])
        for priority, actions in view.priorities
    ]


def _card(view: ActionView, rendered: _Rendered, ask_prefix: str, plan_url: str) -> ActionCard:
    state = view.state
    count = len(state.history)
    return ActionCard(
        view=view,
        code=view.code,
        title=view.action.title,
        owner=view.action.owner,
        rag=str(state.rag),
        due_text=view.due_text,
        overdue=state.overdue,
        status_chip=rendered.get(STATUS_CHIP, state.status, {"view": view}),
        rag_chip=rendered.get(RAG_CHIP, str(state.rag), {"view": view}),
        progress=linebreaksbr(state.progress, autoescape=True) if state.progress else mark_safe(""),
        as_of_text=view.as_of_text,
        history_count=f"{count} update{'' if count == 1 else 's'}",
        evidence=rendered.evidence(view),
        open_questions=view.open_questions,
        ask_url=f"{ask_prefix}{quote(view.code)}#ask",
        edit_url=f"{plan_url}actions/{view.code}/",
    )
