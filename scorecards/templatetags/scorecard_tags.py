from django import template

from scorecards import charts

register = template.Library()


@register.simple_tag
def sparkline(row):
    """The row's inline SVG trend line."""
    return charts.sparkline_svg(row)
