"""Plotly figures and their text alternatives for the comparison page. Presentation only, never a query.

Figures are plain dicts in plotly's JSON schema: building them through ``plotly.graph_objects`` validated
every property on every request and cost more than the rest of the page; the tests validate them instead.

The reader's authority is told apart without colour: its bar is cross-hatched and its label is bold and says
"your council". The trend's lines differ by dash and marker shape as well as colour.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from scorecards.benchmarks.comparison import AreaFigure, AreaKind, Comparison
from scorecards.core.charts import ENGLAND_COLOUR, SERIES_COLOUR, SN_COLOUR
from scorecards.formatting import format_value

NEIGHBOUR_COLOUR = "#5694ca"
REGION_COLOUR = "#28a197"
AVERAGE_COLOURS = {
    AreaKind.SN_AVERAGE: SN_COLOUR,
    AreaKind.REGION: REGION_COLOUR,
    AreaKind.ENGLAND: ENGLAND_COLOUR,
}
FONT = {"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#0b0c0c"}
BAR_HEIGHT = 34
UNIT_TITLES = {
    "percent": "Percent",
    "rate_per_10k": "Rate per 10,000 children",
    "days": "Days",
    "score": "Score",
}


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _label(area: AreaFigure) -> str:
    """The bar's axis label, as plotly's small HTML subset; names are escaped, they come from data."""
    name = escape(area.name)
    if area.kind == AreaKind.AUTHORITY:
        label = f"<b>{name} – your council</b>"
    elif area.kind == AreaKind.NEIGHBOUR:
        label = f"{name} (neighbour {area.sn_rank})"
    else:
        label = f"<i>{name}</i>"
    return label if area.value is not None else f"{label} – no published figure"


def _suffix(unit: str) -> str:
    return "%" if unit == "percent" else ""


def bar_figure(comparison: Comparison) -> dict:
    """Horizontal bars for the latest year, best at the top; areas with no published figure at the bottom."""
    indicator = comparison.indicator
    bars = comparison.bars
    keys = [f"{area.kind}:{area.code or area.name}" for area in bars]
    colours = [
        SERIES_COLOUR if area.kind == AreaKind.AUTHORITY else AVERAGE_COLOURS.get(area.kind, NEIGHBOUR_COLOUR)
        for area in bars
    ]
    bar = {
        "type": "bar",
        "orientation": "h",
        "y": keys,
        "x": [_float(area.value) for area in bars],
        "text": [area.text if area.value is not None else "" for area in bars],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [f"{area.name}: {area.text}" for area in bars],
        "hovertemplate": "%{customdata}<extra></extra>",
        "marker": {
            "color": colours,
            "line": {"color": "#0b0c0c", "width": [2 if area.is_authority else 0 for area in bars]},
            "pattern": {
                "shape": ["x" if area.is_authority else "" for area in bars],
                "fillmode": "overlay",
                "fgcolor": "#ffffff",
                "size": 8,
                "solidity": 0.25,
            },
        },
        "showlegend": False,
    }
    layout = {
        "height": 90 + BAR_HEIGHT * len(bars),
        "margin": {"l": 16, "r": 56, "t": 16, "b": 56},
        "font": FONT,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "bargap": 0.25,
        "xaxis": {
            "title": {"text": UNIT_TITLES.get(indicator.unit, "")},
            "ticksuffix": _suffix(indicator.unit),
            "gridcolor": "#e5e5e5",
            "rangemode": "tozero",
            "fixedrange": True,
        },
        "yaxis": {
            "type": "category",
            "tickmode": "array",
            "tickvals": keys,
            "ticktext": [_label(area) for area in bars],
            "autorange": "reversed",
            "automargin": True,
            # Invisible ticks keep the labels off the bars.
            "ticks": "outside",
            "ticklen": 8,
            "tickcolor": "rgba(0,0,0,0)",
            "fixedrange": True,
        },
    }
    return {"data": [bar], "layout": layout}


TREND_LINES = (
    # (attribute, label, colour, dash, marker symbol, width)
    ("own", None, SERIES_COLOUR, "solid", "circle", 4),
    ("sn_average", "Statistical-neighbour average", SN_COLOUR, "dot", "diamond", 2),
    ("region", None, REGION_COLOUR, "dashdot", "square", 2),
    ("england", "England", ENGLAND_COLOUR, "dash", "triangle-up", 2),
)


def _line_names(comparison: Comparison) -> dict[str, str]:
    return {
        "own": comparison.authority.name,
        "region": comparison.region.name if comparison.region else "Region",
    }


def trend_figure(comparison: Comparison) -> dict:
    """One line per area over the published years: the authority, the SN average, the region, England."""
    indicator = comparison.indicator
    years = list(comparison.years)
    names = _line_names(comparison)
    hover = f"%{{x}}: %{{y:.{indicator.decimals}f}}{_suffix(indicator.unit)}<extra>%{{fullData.name}}</extra>"
    lines = []
    for attribute, label, colour, dash, symbol, width in TREND_LINES:
        values = [_float(getattr(point, attribute)) for point in comparison.trend]
        if all(value is None for value in values):
            continue
        lines.append(
            {
                "type": "scatter",
                "x": years,
                "y": values,
                "mode": "lines+markers",
                "name": label or names[attribute],
                "line": {"color": colour, "dash": dash, "width": width},
                "marker": {"symbol": symbol, "size": 11 if attribute == "own" else 9, "color": colour},
                "connectgaps": False,
                "hovertemplate": hover,
            }
        )
    layout = {
        "height": 440,
        "margin": {"l": 56, "r": 16, "t": 16, "b": 110},
        "font": FONT,
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        # Below the axis title, so that the two never overlap.
        "legend": {"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
        "xaxis": {"type": "category", "title": {"text": "Year to 31 March"}, "fixedrange": True},
        "yaxis": {
            "title": {"text": UNIT_TITLES.get(indicator.unit, "")},
            "ticksuffix": _suffix(indicator.unit),
            "gridcolor": "#e5e5e5",
            "zeroline": False,
            "fixedrange": True,
        },
    }
    return {"data": lines, "layout": layout}


def _names(areas: list[AreaFigure]) -> str:
    names = [area.name for area in areas]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def describe_bars(comparison: Comparison) -> str:
    """What a sighted reader takes from the bar chart, in words."""
    own = comparison.own
    parts = []
    with_figure = [n for n in comparison.neighbours if n.value is not None]
    if own is not None and own.value is not None:
        sentence = f"{own.name}: {own.text} in {comparison.year}"
        if with_figure:
            above = sum(1 for n in with_figure if n.value < own.value)
            below = sum(1 for n in with_figure if n.value > own.value)
            equal = len(with_figure) - above - below
            sentence += (
                f", above {above} and below {below} of the {len(with_figure)} statistical neighbours with a "
                "published figure"
            )
            if equal:
                sentence += f" (equal to {equal})"
        parts.append(sentence)
    else:
        parts.append(f"{comparison.authority.name} has no published figure for {comparison.year}")
    if with_figure:
        low = min(with_figure, key=lambda n: n.value)
        high = max(with_figure, key=lambda n: n.value)
        parts.append(f"neighbours range from {low.text} ({low.name}) to {high.text} ({high.name})")
    parts.extend(f"{area.name} {area.text}" for area in comparison.averages if area.value is not None)
    text = "; ".join(parts) + "."
    missing = comparison.neighbours_missing
    if missing:
        text += f" No published figure for {_names(missing)}."
    return text


def describe_trend(comparison: Comparison) -> str:
    """The trend chart in words: where each line starts and ends."""
    trend = comparison.trend
    if not trend:
        return "No published years."
    indicator = comparison.indicator
    parts = []
    names = _line_names(comparison)
    for attribute, label, *_ in TREND_LINES:
        points = [
            (point.year, getattr(point, attribute))
            for point in trend
            if getattr(point, attribute) is not None
        ]
        if not points:
            continue
        name = label or names[attribute]
        (first_year, first), (last_year, last) = points[0], points[-1]
        if first_year == last_year:
            parts.append(f"{name} {format_value(last, indicator.unit, indicator.decimals)} in {last_year}")
        else:
            parts.append(
                f"{name} from {format_value(first, indicator.unit, indicator.decimals)} in {first_year} "
                f"to {format_value(last, indicator.unit, indicator.decimals)} in {last_year}"
            )
    return "; ".join(parts) + "." if parts else "No published figures in these years."
