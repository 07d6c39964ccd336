from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

# markupsafe's escape (C) rather than Django's (lazy-aware, several calls deep): these run for every cell of the
# grid. Both escape the same five characters.
from markupsafe import escape

from scorecards.core import charts

register = template.Library()

CELL_SEPARATOR = "\n      "


@register.simple_tag
def sparkline(row):
    """The row's inline SVG trend line."""
    return charts.sparkline_svg(row)


@register.simple_tag
def month_cells(row) -> SafeString:
    """The row's month cells (``<td>`` each): figure, status, withheld or missing, and any revision mark.

    One call per row rather than a dozen template nodes per cell: with 60 indicators × 13 months the cells
    were two-thirds of the scorecard page's rendering time (``manage.py benchmark``, bench/results.md).
    """
    return mark_safe(CELL_SEPARATOR.join(_month_cell(cell) for cell in row.cells))  # noqa: S308 - escaped below


def _month_cell(cell) -> str:
    classes = "num month" + (" missing" if cell.value is None else "") + (" draft" if cell.draft else "")
    if cell.withheld:
        body = '<span class="muted">awaiting approval</span>'
    elif cell.value is not None:
        body = escape(cell.text)
    elif cell.status:
        body = f'<abbr title="{escape(cell.status_label)}">{escape(cell.status_abbr)}</abbr>'
    elif cell.text not in ("", "–"):
        # A quarter whose rule needs more months than it has: "2 of 3 months".
        body = f'<span class="muted incomplete">{escape(cell.text)}</span>'
    else:
        body = '<span class="muted" title="No figure">–</span>'
    if cell.revised_since:
        # As the template's date filter writes it: in local time.
        when = date_filter(template_localtime(cell.revised_since), "j M Y")
        body = f'{body}<span class="revised">revised since approval on {escape(when)}</span>'
    return f'<td class="{classes}">{body}</td>'


@register.simple_tag
def spc_cells(row) -> SafeString:
    """The row's variation and assurance cells: an icon (a letter in a circle) beside its words, and a tip
    saying what it means; no assurance without a target. One call per row, like ``month_cells``."""
    code = escape(row.code)
    variation = _spc_cell(
        code, "var", row.signal.variation, row.variation_icon, row.variation_short, row.variation_reason
    )
    if row.target is None:
        return mark_safe(variation + '<td class="spc-cell"><span class="muted">No target</span></td>')  # noqa: S308
    assurance = _spc_cell(
        code, "ass", row.signal.assurance, row.assurance_icon, row.assurance_short, row.assurance_reason
    )
    return mark_safe(variation + assurance)  # noqa: S308 - every value escaped in _spc_cell


def _spc_cell(code: str, kind: str, value: str, icon: str, short: str, reason: str) -> str:
    return (
        f'<td class="spc-cell"><span class="spc-chip has-tip" tabindex="0" aria-describedby="{kind}-{code}">'
        f'<span class="spc-icon {kind}-{escape(value)}" aria-hidden="true">{escape(icon)}</span> '
        f'{escape(short)}</span><span role="tooltip" class="tip" id="{kind}-{code}">{escape(reason)}</span></td>'
    )
