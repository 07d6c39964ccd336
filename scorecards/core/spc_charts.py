"""The SPC (XmR) chart of one scorecard row: plotly for the indicator page, a small SVG for the exception report
and the board pack, and the words that say what both show.

Presentation only, never a query: everything comes from the row's ``series`` and ``spc`` (shared/CONTRACT.md,
"Signal and noise"). Flagged months are marked by the rule that flagged them, in words as well as shapes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

import plotly.graph_objects as go
from django.utils.safestring import SafeString, mark_safe

from scorecards.core.charts import SERIES_COLOUR, TARGET_COLOUR
from scorecards.labels import period_name, period_short
from scorecards.rating import Polarity
from scorecards.rows import ScorecardRow
from scorecards.spc import MIN_POINTS_FOR_LIMITS, RULES

#: What a flagged month means, as the icons colour it: darker shades, so white letters on them stay legible.
MEANING_COLOURS = {"concern": "#a84f00", "improvement": "#005eb8", "neither": "#5a2a82"}
MEAN_COLOUR = "#505a5f"
LIMIT_COLOUR = "#8c2a1c"
RULE_LEGEND = {
    "outside": "Outside the process limits",
    "shift": "Run of 6 above or below the average",
    "trend": "6 rising or falling in a row",
    "two_of_three": "2 of 3 near a limit",
}
RULE_SYMBOLS = {
    "outside": "diamond",
    "shift": "circle-open",
    "trend": "triangle-up-open",
    "two_of_three": "square-open",
}
RULE_SIZES = {"outside": 15, "shift": 17, "trend": 14, "two_of_three": 12}
THUMB_WIDTH, THUMB_HEIGHT, THUMB_PAD = 240, 64, 5


def flag_meaning(flags: tuple[str, ...], polarity: Polarity | str) -> str:
    """Whether a flagged month is a change for the better, for the worse, or neither (no better direction)."""
    sides = {flag.split(":")[1] for flag in flags}
    polarity = Polarity(polarity)
    if polarity == Polarity.NEUTRAL:
        return "neither"
    good = "high" if polarity == Polarity.HIGHER_IS_BETTER else "low"
    return "improvement" if good in sides else "concern"


def flag_words(flags: tuple[str, ...]) -> str:
    """E.g. "above the upper limit; in 6 or more rising or falling in a row"."""
    words = []
    for flag in flags:
        rule, side = flag.split(":")
        if rule == "outside":
            words.append("above the upper limit" if side == "high" else "below the lower limit")
        elif rule == "trend":
            words.append(f"in 6 or more {'rising' if side == 'high' else 'falling'} in a row")
        elif rule == "shift":
            words.append(f"in a run of 6 or more {'above' if side == 'high' else 'below'} the average")
        else:
            words.append(f"2 of 3 months close to the {'upper' if side == 'high' else 'lower'} limit")
    return "; ".join(words)


def flagged_months(row: ScorecardRow) -> list[tuple[datetime.date, str, str, str]]:
    """Each flagged month, newest first: (month, figure, meaning, rules in words)."""
    values = dict(row.series)
    polarity = row.indicator.polarity
    return [
        (period, row.fmt(values[period]), flag_meaning(flags, polarity), flag_words(flags))
        for period, flags in sorted(row.spc.flags.items(), reverse=True)
    ]


def describe_spc(row: ScorecardRow) -> str:
    """A text alternative for the SPC chart: what a sighted reader takes from it."""
    chart, quarterly = row.spc, row.quarterly
    # A quarter's series is its quarters' values (shared/CONTRACT.md), so it is told in quarters.
    every, unit = ("quarterly", "quarter") if quarterly else ("monthly", "month")
    if not row.series:
        return f"No {every} figures up to this {unit}, so there is nothing to chart."
    first, last = (period_name(point[0], quarterly) for point in (row.series[0], row.series[-1]))
    span = f"{chart.points} {every} figure{'s' if chart.points != 1 else ''} from {first} to {last}"
    if chart.lower is None:
        return (
            f"{span}, average {row.fmt(chart.mean)}. Not enough data for limits: at least "
            f"{MIN_POINTS_FOR_LIMITS} {every} figures are needed to tell a real change from noise."
        )
    flagged = len(chart.flags)
    return (
        f"{span}, average {row.fmt(chart.mean)}, usual range (process limits) {row.fmt(chart.lower)} to "
        f"{row.fmt(chart.upper)}. {flagged or 'No'} {unit}{'s' if flagged != 1 else ''} flagged as unusual. "
        f"{row.variation_reason}"
    )


def summarise_spc(row: ScorecardRow) -> str:
    """The chart in one line, for a thumbnail's caption: e.g. "36 months to Nov 2020: average 80%, usual
    range 68% to 93%, 3 unusual months"."""
    chart, quarterly = row.spc, row.quarterly
    unit = "quarter" if quarterly else "month"
    if not row.series:
        return f"No {'quarterly' if quarterly else 'monthly'} figures yet."
    latest = period_short(row.series[-1][0], quarterly)
    months = f"{chart.points} {unit}{'s' if chart.points != 1 else ''} to {latest}"
    if chart.lower is None:
        return f"{months}: average {row.fmt(chart.mean)}; too few {unit}s for a usual range."
    flagged = len(chart.flags)
    return (
        f"{months}: average {row.fmt(chart.mean)}, usual range {row.fmt(chart.lower)} to "
        f"{row.fmt(chart.upper)}, {flagged or 'no'} unusual {unit}{'s' if flagged != 1 else ''}."
    )


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def spc_figure(row: ScorecardRow) -> dict:
    """The plotly XmR chart: the monthly figures, the average, the process limits, the target and every
    flagged month marked by the rule (a shape each) and its meaning (a colour each, named in the hover)."""
    indicator, chart = row.indicator, row.spc
    months = [period.strftime("%Y-%m-01") for period, _ in row.series]
    unit_suffix = "%" if indicator.unit == "percent" else ""
    hover = f"%{{x|%b %Y}}: %{{y:.{indicator.decimals}f}}{unit_suffix}<extra>%{{fullData.name}}</extra>"
    figure = go.Figure()
    ends = [months[0], months[-1]] if months else []

    def line(name: str, value: Decimal | None, colour: str, dash: str, width: float = 2) -> None:
        if value is not None and ends:
            figure.add_trace(
                go.Scatter(
                    x=ends,
                    y=[_float(value)] * 2,
                    mode="lines",
                    name=name,
                    line={"color": colour, "dash": dash, "width": width},
                    hovertemplate=hover,
                )
            )

    line(f"Upper process limit {row.fmt(chart.upper)}", chart.upper, LIMIT_COLOUR, "dash")
    line(f"Average {row.fmt(chart.mean)}", chart.mean, MEAN_COLOUR, "solid", 1.5)
    line(f"Lower process limit {row.fmt(chart.lower)}", chart.lower, LIMIT_COLOUR, "dash")
    if row.target is not None:
        line(f"Target {row.fmt(row.target[1])} ({row.target[0]})", row.target[1], TARGET_COLOUR, "longdash")
    figure.add_trace(
        go.Scatter(
            x=months,
            y=[_float(value) for _, value in row.series],
            mode="lines+markers",
            name="Monthly figure",
            line={"color": SERIES_COLOUR, "width": 2},
            marker={"size": 6, "color": SERIES_COLOUR},
            hovertemplate=hover,
        )
    )
    values = dict(row.series)
    for rule in RULES:
        flagged = [
            (period, flags)
            for period, flags in sorted(chart.flags.items())
            if any(flag.startswith(f"{rule}:") for flag in flags)
        ]
        if not flagged:
            continue
        figure.add_trace(
            go.Scatter(
                x=[period.strftime("%Y-%m-01") for period, _ in flagged],
                y=[_float(values[period]) for period, _ in flagged],
                mode="markers",
                name=RULE_LEGEND[rule],
                marker={
                    "symbol": RULE_SYMBOLS[rule],
                    "size": RULE_SIZES[rule],
                    "color": [MEANING_COLOURS[flag_meaning(f, indicator.polarity)] for _, f in flagged],
                    "line": {"width": 2},
                },
                text=[f"{flag_meaning(f, indicator.polarity)}: {flag_words(f)}" for _, f in flagged],
                hovertemplate=f"%{{x|%b %Y}}: %{{y:.{indicator.decimals}f}}{unit_suffix}<br>%{{text}}"
                "<extra></extra>",
            )
        )
    annotations = []
    if chart.lower is None:
        annotations.append(
            {
                "text": f"Not enough data for limits: {chart.points} monthly figure"
                f"{'s' if chart.points != 1 else ''}, {MIN_POINTS_FOR_LIMITS} needed",
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 1.06,
                "showarrow": False,
                "font": {"size": 14, "color": "#0b0c0c"},
            }
        )
    figure.update_layout(
        margin={"l": 56, "r": 16, "t": 36, "b": 40},
        height=400,
        font={"family": "Arial, Helvetica, sans-serif", "size": 14, "color": "#0b0c0c"},
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        legend={"orientation": "h", "y": -0.16},
        annotations=annotations,
        xaxis={"tickformat": "%b %Y", "gridcolor": "#e5e5e5"},
        yaxis={"ticksuffix": unit_suffix, "gridcolor": "#e5e5e5", "zeroline": False},
    )
    return figure.to_plotly_json()


def spc_thumbnail_svg(row: ScorecardRow) -> SafeString:
    """A small XmR chart: the figures, the average, the process limits, the target and flagged months as dots
    coloured by meaning; its title (the text alternative) is ``describe_spc``."""
    chart = row.spc
    values = [float(value) for _, value in row.series]
    if not values:
        return mark_safe("")
    lines = [float(v) for v in (chart.mean, chart.lower, chart.upper) if v is not None]
    target = float(row.target[1]) if row.target is not None else None
    everything = values + lines + ([target] if target is not None else [])
    low, high = min(everything), max(everything)
    span = (high - low) or 1.0
    steps = max(len(values) - 1, 1)

    def x(index: int) -> float:
        return round(THUMB_PAD + index * (THUMB_WIDTH - 2 * THUMB_PAD) / steps, 1)

    def y(value: float) -> float:
        return round(THUMB_HEIGHT - THUMB_PAD - (value - low) / span * (THUMB_HEIGHT - 2 * THUMB_PAD), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spc-thumb" width="{THUMB_WIDTH}" '
        f'height="{THUMB_HEIGHT}" viewBox="0 0 {THUMB_WIDTH} {THUMB_HEIGHT}" role="img">'
        f"<title>{escape(describe_spc(row))}</title>"
    ]

    # Few nodes, as WeasyPrint draws a board pack's many thumbnails one node at a time: lines of one style share
    # a path, and the flagged months of one meaning are one path of dots.
    def hlines(levels: list[float], colour: str, dash: str) -> None:
        if levels:
            d = "".join(f"M{THUMB_PAD} {y(level)}H{THUMB_WIDTH - THUMB_PAD}" for level in levels)
            parts.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="1"{dash}/>')

    hlines(
        [float(limit) for limit in (chart.lower, chart.upper) if limit is not None],
        LIMIT_COLOUR,
        ' stroke-dasharray="3 2"',
    )
    hlines([float(chart.mean)] if chart.mean is not None else [], MEAN_COLOUR, "")
    hlines([target] if target is not None else [], TARGET_COLOUR, ' stroke-dasharray="6 3"')
    coordinates = " ".join(f"{x(i)},{y(value)}" for i, value in enumerate(values))
    parts.append(
        f'<polyline fill="none" stroke="{SERIES_COLOUR}" stroke-width="1.4" points="{coordinates}"/>'
    )
    polarity = row.indicator.polarity
    dots: dict[str, list[str]] = {}
    for i, (period, _) in enumerate(row.series):
        flags = chart.flags.get(period)
        if flags:
            colour = MEANING_COLOURS[flag_meaning(flags, polarity)]
            dots.setdefault(colour, []).append(
                f"M{x(i) - 2.4:.1f} {y(values[i])}a2.4 2.4 0 1 0 4.8 0a2.4 2.4 0 1 0 -4.8 0z"
            )
    for colour, marks in dots.items():
        parts.append(f'<path d="{"".join(marks)}" fill="{colour}"/>')
    parts.append(
        f'<circle cx="{x(len(values) - 1)}" cy="{y(values[-1])}" r="3" fill="none" stroke="#0b0c0c" '
        'stroke-width="1"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - numbers we formatted and escaped text only
