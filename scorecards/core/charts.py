"""Charts drawn from scorecard rows: the inline SVG sparkline and the indicator page's plotly figure.

Presentation only, never a query.
"""

from __future__ import annotations

import json
from decimal import Decimal

import plotly.graph_objects as go
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from plotly.utils import PlotlyJSONEncoder

from scorecards.formatting import format_value
from scorecards.rows import ScorecardRow

SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 24, 3
SERIES_COLOUR = "#1d3f72"
ENGLAND_COLOUR = "#505a5f"
SN_COLOUR = "#6f3c96"
TARGET_COLOUR = "#00703c"


def sparkline_svg(row: ScorecardRow) -> SafeString:
    """A small line of the window's values; hidden from screen readers, whose users have the figures."""
    points = [(index, cell.value) for index, cell in enumerate(row.cells) if cell.value is not None]
    if not points:
        return mark_safe("")
    values = [value for _, value in points]
    low, high = min(values), max(values)
    span = (high - low) or Decimal(1)
    steps = max(len(row.cells) - 1, 1)

    def x(index: int) -> float:
        return round(SPARK_PAD + index * (SPARK_WIDTH - 2 * SPARK_PAD) / steps, 1)

    def y(value: Decimal) -> float:
        middle = SPARK_HEIGHT / 2
        if high == low:
            return middle
        return round(
            float(SPARK_HEIGHT - SPARK_PAD - (value - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD)), 1
        )

    coordinates = " ".join(f"{x(index)},{y(value)}" for index, value in points)
    last_x, last_y = x(points[-1][0]), y(points[-1][1])
    return mark_safe(  # noqa: S308 - built only from numbers
        f'<svg class="sparkline" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" aria-hidden="true" focusable="false">'
        f'<polyline fill="none" stroke="{SERIES_COLOUR}" stroke-width="1.5" points="{coordinates}"/>'
        f'<circle cx="{last_x}" cy="{last_y}" r="2.2" fill="{SERIES_COLOUR}"/></svg>'
    )


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def indicator_figure(row: ScorecardRow) -> dict:
    """The plotly figure of one indicator: its months, England and SN average, SN range and target."""
    indicator = row.indicator
    months = [cell.period.strftime("%Y-%m-01") for cell in row.cells]
    first, last = months[0], months[-1]
    figures = row.benchmark
    year = f" ({figures.year})" if figures.year else ""
    unit_suffix = "%" if indicator.unit == "percent" else ""
    hover = f"%{{x|%b %Y}}: %{{y:.{indicator.decimals}f}}{unit_suffix}<extra>%{{fullData.name}}</extra>"

    figure = go.Figure()
    if figures.sn_min is not None and figures.sn_max is not None:
        figure.add_trace(
            go.Scatter(
                x=[first, last, last, first],
                y=[
                    _float(figures.sn_min),
                    _float(figures.sn_min),
                    _float(figures.sn_max),
                    _float(figures.sn_max),
                ],
                fill="toself",
                mode="none",
                fillcolor="rgba(111,60,150,0.12)",
                name=f"SN range {format_value(figures.sn_min, indicator.unit, indicator.decimals)}–"
                f"{format_value(figures.sn_max, indicator.unit, indicator.decimals)}{year}",
                hoverinfo="skip",
            )
        )
    for label, value, colour, dash in (
        ("England", figures.england, ENGLAND_COLOUR, "dash"),
        ("SN average", figures.sn_average, SN_COLOUR, "dot"),
    ):
        if value is not None:
            figure.add_trace(
                go.Scatter(
                    x=[first, last],
                    y=[_float(value)] * 2,
                    mode="lines",
                    name=f"{label} {format_value(value, indicator.unit, indicator.decimals)}{year}",
                    line={"color": colour, "dash": dash, "width": 2},
                    hovertemplate=hover,
                )
            )
    if row.target is not None:
        target_year, target_value = row.target
        figure.add_trace(
            go.Scatter(
                x=[first, last],
                y=[_float(target_value)] * 2,
                mode="lines",
                name=f"Target {format_value(target_value, indicator.unit, indicator.decimals)} ({target_year})",
                line={"color": TARGET_COLOUR, "dash": "longdash", "width": 2},
                hovertemplate=hover,
            )
        )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=[_float(cell.value) for cell in row.cells],
            mode="lines+markers",
            name=row.indicator.name if len(row.indicator.name) < 40 else "Monthly value",
            line={"color": SERIES_COLOUR, "width": 3},
            marker={"size": 8, "symbol": "circle"},
            connectgaps=False,
            hovertemplate=hover,
        )
    )
    figure.update_layout(
        margin={"l": 56, "r": 16, "t": 16, "b": 40},
        height=380,
        font={"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#0b0c0c"},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        legend={"orientation": "h", "y": -0.18},
        xaxis={"tickformat": "%b %Y", "dtick": "M1", "gridcolor": "#e5e5e5"},
        yaxis={
            "title": {
                "text": {"percent": "Percent", "rate_per_10k": "Rate per 10,000"}.get(indicator.unit, "")
            },
            "ticksuffix": unit_suffix,
            "gridcolor": "#e5e5e5",
            "zeroline": False,
        },
    )
    return figure.to_plotly_json()


JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def figure_json(figure: dict) -> SafeString:
    """JSON for a <script type="application/json"> block, escaped so no text in it can close the tag."""
    return mark_safe(json.dumps(figure, cls=PlotlyJSONEncoder).translate(JSON_SCRIPT_ESCAPES))  # noqa: S308


def describe_chart(row: ScorecardRow) -> str:
    """A text alternative for the chart: what a sighted reader takes from it."""
    present = [cell for cell in row.cells if cell.value is not None]
    if not present:
        return "No monthly values in this period."
    first, last = present[0], present[-1]
    parts = [
        f"From {first.text} in {first.period:%B %Y} to {last.text} in {last.period:%B %Y}",
    ]
    figures = row.benchmark
    if figures.england is not None:
        parts.append(f"England {row.fmt(figures.england)} ({figures.year})")
    if figures.sn_average is not None:
        parts.append(f"statistical-neighbour average {row.fmt(figures.sn_average)} ({figures.year})")
    if row.target is not None:
        parts.append(f"target {row.fmt(row.target[1])} ({row.target[0]})")
    return escape("; ".join(parts) + ".")
