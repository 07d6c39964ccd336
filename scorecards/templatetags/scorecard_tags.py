from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

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
        body = format_html('<abbr title="{}">{}</abbr>', cell.status_label, cell.status_abbr)
    elif cell.text not in ("", "–"):
        # A quarter whose rule needs more months than it has: "2 of 3 months".
        body = format_html('<span class="muted incomplete">{}</span>', cell.text)
    else:
        body = '<span class="muted" title="No figure">–</span>'
    if cell.revised_since:
        # As the template's date filter writes it: in local time.
        when = date_filter(template_localtime(cell.revised_since), "j M Y")
        body += format_html('<span class="revised">revised since approval on {}</span>', when)
    return f'<td class="{classes}">{body}</td>'


@register.simple_tag
def spc_cells(row) -> SafeString:
    """The row's variation and assurance cells: an icon (a letter in a circle) beside its words, and a tip
    saying what it means; no assurance without a target. One call per row, like ``month_cells``."""
    code = row.code
    variation = format_html(
        '<td class="spc-cell"><span class="spc-chip has-tip" tabindex="0" aria-describedby="var-{}">'
        '<span class="spc-icon var-{}" aria-hidden="true">{}</span> {}</span>'
        '<span role="tooltip" class="tip" id="var-{}">{}</span></td>',
        code, row.signal.variation, row.variation_icon, row.variation_short, code, row.variation_reason,
    )  # fmt: skip
    if row.target is None:
        return variation + mark_safe('<td class="spc-cell"><span class="muted">No target</span></td>')
    assurance = format_html(
        '<td class="spc-cell"><span class="spc-chip has-tip" tabindex="0" aria-describedby="ass-{}">'
        '<span class="spc-icon ass-{}" aria-hidden="true">{}</span> {}</span>'
        '<span role="tooltip" class="tip" id="ass-{}">{}</span></td>',
        code, row.signal.assurance, row.assurance_icon, row.assurance_short, code, row.assurance_reason,
    )  # fmt: skip
    return variation + assurance
