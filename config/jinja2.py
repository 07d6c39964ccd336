"""The Jinja2 environment for the few templates rendered on a hot path (the scorecard grid).

Jinja2 compiles a template to Python, so a grid of 60 indicators × 13 months renders in a fraction of the time
Django's template language takes; everything else stays in Django templates. Autoescaping is on, as in Django.
"""

from __future__ import annotations

from django.template.defaultfilters import floatformat
from django.templatetags.static import static
from django.urls import reverse
from django.utils import dateformat
from jinja2 import Environment


def date(value, format_string: str) -> str:
    """Django's ``date`` filter: the same format characters, e.g. ``"M y"``."""
    return dateformat.format(value, format_string) if value else ""


def environment(**options) -> Environment:
    from scorecards.templatetags.scorecard_tags import month_cells, sparkline, spc_cells

    env = Environment(**options)  # noqa: S701 - autoescape is set in settings.TEMPLATES
    env.globals.update({"url": lambda name, *args: reverse(name, args=args), "static": static})
    env.globals.update({"month_cells": month_cells, "sparkline": sparkline, "spc_cells": spc_cells})
    env.filters["date"] = date
    env.filters["floatformat"] = floatformat
    return env
