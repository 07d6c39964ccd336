"""Charts drawn from scorecard rows: the inline SVG sparkline and the indicator page's plotly figure.

Presentation only, never a query.
"""

from __future__ import annotations

import datetime
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
    cells = row.cells
    points = [(index, float(cell.value)) for index, cell in enumerate(cells) if cell.value is not None]
    if not points:
        return mark_safe("")
    values = [value for _, value in points]
    low, high = min(values), max(values)
    x_step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(cells) - 1, 1)
    if high == low:
        y_of = {value: SPARK_HEIGHT / 2 for value in values}
    else:
        scale = (SPARK_HEIGHT - 2 * SPARK_PAD) / (high - low)
        y_of = {value: round(SPARK_HEIGHT - SPARK_PAD - (value - low) * scale, 1) for value in values}
    coordinates = [f"{round(SPARK_PAD + index * x_step, 1)},{y_of[value]}" for index, value in points]
    last_x, last_y = coordinates[-1].split(",")
    return mark_safe(  # noqa: S308 - built only from numbers
        f'<svg class="sparkline" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" aria-hidden="true" focusable="false">'
        f'<polyline fill="none" stroke="{SERIES_COLOUR}" stroke-width="1.5" points="{" ".join(coordinates)}"/>'
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
    # Each point names its own month or quarter (a quarter is plotted at its last month).
    series_hover = f"%{{text}}: %{{y:.{indicator.decimals}f}}{unit_suffix}<extra>%{{fullData.name}}</extra>"

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
                # A named group's range reads on two lines, so the legend fits a phone.
                name=f"{row.sn_range_short}{'<br>' if figures.range_group else ' '}"
                f"{format_value(figures.sn_min, indicator.unit, indicator.decimals)}–"
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
    steps = trajectory_steps(row)
    shown = [(month, value) for month, value in steps if month <= row.cells[-1].period]
    if shown:
        # The target as it stood each month of the window, from the first month with a figure (not back to
        # months before there was any), stepping where an interim target or a new year's target takes over.
        # Steps after the window are named in the legend, not drawn: they would squeeze the months shown.
        name = "Target" if len({value for _, value in steps}) == 1 else "Target trajectory"
        name += ": " + ",<br>then ".join(
            f"{format_value(value, indicator.unit, indicator.decimals)} from {month:%b %Y}" if index else
            f"{format_value(value, indicator.unit, indicator.decimals)}" + (f" ({row.target[0]})" if row.target else "")
            for index, (month, value) in enumerate(_changes(shown + steps[len(shown):]))
        )  # fmt: skip
        figure.add_trace(
            go.Scatter(
                x=[month.strftime("%Y-%m-01") for month, _ in shown],
                y=[_float(value) for _, value in shown],
                mode="lines",
                line_shape="hv",
                name=name,
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
            text=[cell.short for cell in row.cells],
            hovertemplate=series_hover,
        )
    )
    figure.update_layout(
        margin={"l": 56, "r": 16, "t": 16, "b": 40},
        height=380,
        font={"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#0b0c0c"},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        legend={"orientation": "h", "y": -0.18},
        # A narrow screen gets fewer ticks rather than labels on top of each other; quarters are named.
        xaxis={
            "tickformat": "%b %Y",
            "nticks": 7,
            "gridcolor": "#e5e5e5",
            "automargin": True,
            **quarter_ticks(row),
        },
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


def trajectory_steps(row: ScorecardRow) -> list[tuple[datetime.date, Decimal]]:
    """The target steps a chart draws: from the window's first month with a figure, with the steps ahead."""
    first = next((cell.period for cell in row.cells if cell.value is not None), None)
    if first is None:
        return []
    trajectory = row.trajectory or tuple(
        (cell.period, row.target[1] if row.target else None) for cell in row.cells
    )
    return [(month, value) for month, value in trajectory if month >= first and value is not None]


def _changes(steps: list[tuple[datetime.date, Decimal]]) -> list[tuple[datetime.date, Decimal]]:
    """The first step and each where the target changes."""
    return [step for index, step in enumerate(steps) if not index or step[1] != steps[index - 1][1]]


def quarter_ticks(row: ScorecardRow) -> dict:
    """A quarter's columns are held as their last month: name them Q4 2019/20 on the axis, not Mar 2020."""
    if not row.quarterly:
        return {}
    return {
        "tickmode": "array",
        "tickvals": [cell.period.strftime("%Y-%m-01") for cell in row.cells],
        "ticktext": [cell.short for cell in row.cells],
    }


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
        f"From {first.text} in {first.name} to {last.text} in {last.name}"
        if len(present) > 1
        else f"Only {first.name} has a figure: {first.text}",
    ]
    figures = row.benchmark
    if figures.england is not None:
        parts.append(f"England {row.fmt(figures.england)} ({figures.year})")
    if figures.sn_average is not None:
        parts.append(f"statistical-neighbour average {row.fmt(figures.sn_average)} ({figures.year})")
    if row.target is not None:
        parts.append(f"target {row.fmt(row.target[1])} {row.target_when}")
    changes = _changes(trajectory_steps(row))[1:]
    if changes:
        path = ", then ".join(f"{row.fmt(value)} from {month:%B %Y}" for month, value in changes)
        parts.append(f"the target trajectory steps to {path}")
    return escape("; ".join(parts) + ".")
