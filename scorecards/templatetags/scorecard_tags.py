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
    else:
        body = '<span class="muted" title="No figure">–</span>'
    if cell.revised_since:
        # As the template's date filter writes it: in local time.
        when = date_filter(template_localtime(cell.revised_since), "j M Y")
        body += format_html('<span class="revised">revised since approval on {}</span>', when)
    return f'<td class="{classes}">{body}</td>'
