"""Template tags of the plan pages. Presentation only, never a query.

An action's history is written here rather than looped in the template: a plan of 200 actions has 2,000
updates, and the template engine's lookups for them took most of a second.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

UNCHANGED = '<span class="repeat">Progress unchanged.</span>'
NONE_RECORDED = '<span class="repeat">No progress recorded.</span>'


def _progress(text: str) -> str:
    return escape(text).replace("\r\n", "\n").replace("\n", "<br>")


@register.simple_tag
def action_history(view) -> SafeString:
    """The action's updates, oldest first, each with its date, status (shape and word) and progress."""
    parts = ['<ol class="history-list">']
    for entry in view.history:
        update = entry.update
        if entry.repeated:
            progress = UNCHANGED
        else:
            progress = _progress(update.progress) if update.progress else NONE_RECORDED
        parts.append(
            f"<li><strong>{escape(entry.as_of_text)}</strong> · "
            f'<span class="status status-{escape(update.status)}"><span aria-hidden="true">'
            f"{escape(entry.status_symbol)}</span> {escape(entry.status_label)}</span><br>{progress}</li>"
        )
    parts.append("</ol>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
