"""The indicator chart as a plain SVG string, for the PDF board pack.

The same picture as the web chart in ``charts.py`` (monthly values, England and statistical-neighbour
average lines, the neighbour range as a band, the target line, a legend naming each benchmark's year), drawn
on the server so that making a pack needs no browser. Presentation only, never a query. Every piece of text is
escaped; every number is a float we formatted ourselves.

The legend is not in the SVG: ``chart_legend`` gives its entries, which the pack prints as text under the chart,
each beside a key drawn like its line (``LegendItem.key_svg``). WeasyPrint lays out and draws SVG text a letter
at a time, so the legend's long labels were most of a chart's drawing; as HTML they are ordinary text, read and
copied as such. Lines of one style are drawn as one path, the points as one path, for the same reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from scorecards.core.charts import ENGLAND_COLOUR, SERIES_COLOUR, SN_COLOUR, TARGET_COLOUR, describe_chart
from scorecards.formatting import format_number, format_value
from scorecards.rows import ScorecardRow

FONT = "DejaVu Sans, sans-serif"
TEXT_COLOUR = "#0b0c0c"
MUTED_COLOUR = "#505a5f"
GRID_COLOUR = "#dcdcdc"
BAND_FILL = "#6f3c96"
BAND_OPACITY = "0.13"
TICK_FONT_SIZE = 10
LABEL_FONT_SIZE = 9.5
LEGEND_FONT_SIZE = 9
#: DejaVu Sans is wide: 0.62 em is a safe average advance for figures and lower-case letters.
CHARACTER_WIDTH = 0.62
AXIS_TITLES = {
    "percent": "Percent",
    "rate_per_10k": "Rate per 10,000 children",
    "count": "Count",
    "days": "Days",
    "score": "Score",
}


#: The legend's key (a line, a band or the series' line and point), in CSS pixels as printed.
KEY_WIDTH, KEY_HEIGHT = 24, 10


@dataclass(frozen=True)
class LegendItem:
    label: str
    kind: str  # "series", "line" or "band"
    colour: str
    dash: str = ""
    #: Too long for half the legend's width: a line of its own.
    wide: bool = False

    @property
    def key_svg(self) -> str:
        """The key drawn as the chart draws the item: its colour, width and dashes (never colour alone)."""
        middle = KEY_HEIGHT / 2
        if self.kind == "band":
            shape = (
                f'<rect x="0.5" y="0.5" width="{KEY_WIDTH - 1}" height="{KEY_HEIGHT - 1}" fill="{self.colour}" '
                f'fill-opacity="{BAND_OPACITY}" stroke="{self.colour}" stroke-opacity="0.35"/>'
            )
        else:
            dash = f' stroke-dasharray="{self.dash}"' if self.dash else ""
            width = 3 if self.kind == "series" else 2
            shape = (
                f'<path d="M0 {middle:g}H{KEY_WIDTH}" stroke="{self.colour}" stroke-width="{width}"{dash}/>'
            )
            if self.kind == "series":
                shape += f'<circle cx="{KEY_WIDTH / 2:g}" cy="{middle:g}" r="3.5" fill="{self.colour}"/>'
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{KEY_WIDTH}" height="{KEY_HEIGHT}" '
            f'viewBox="0 0 {KEY_WIDTH} {KEY_HEIGHT}">{shape}</svg>'
        )


def nice_ticks(low: float, high: float, *, count: int = 5, decimals: int = 3) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering ``low`` to ``high``.

    No step is finer than the figures themselves: a whole-number indicator gets whole-number ticks.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0, 1.0]
    if high < low:
        low, high = high, low
    if high == low:
        spread = abs(high) * 0.1 or 1.0
        low, high = low - spread, high + spread
    raw_step = (high - low) / max(count, 1)
    finest = 10.0**-decimals
    magnitude = 10 ** math.floor(math.log10(raw_step))
    candidates = [m * magnitude * scale for scale in (1, 10) for m in (1, 2, 2.5, 5)]
    step = next(
        candidate
        for candidate in candidates
        if candidate >= raw_step * 0.999
        and candidate >= finest * 0.999
        and abs(round(candidate, decimals) - candidate) < 1e-9
    )
    start = math.floor(low / step + 1e-9) * step
    end = math.ceil(high / step - 1e-9) * step
    ticks = []
    tick = start
    while tick <= end + step / 1000:
        ticks.append(round(tick, 10))
        tick += step
    return ticks


def _tick_decimals(ticks: Sequence[float]) -> int:
    if len(ticks) < 2:
        return 0
    step = abs(ticks[1] - ticks[0])
    for decimals in range(4):
        if abs(round(step, decimals) - step) < 1e-9:
            return decimals
    return 3


def _tick_label(value: float, unit: str, decimals: int) -> str:
    number = format_number(Decimal(str(value)), decimals)
    return f"{number}%" if unit == "percent" else number


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHARACTER_WIDTH


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _domain(row: ScorecardRow) -> tuple[float, float]:
    """The y range: every value and comparator drawn, a little room, and no impossible figures."""
    figures = row.benchmark
    candidates = [float(cell.value) for cell in row.cells if cell.value is not None]
    candidates += [
        float(v)
        for v in (figures.england, figures.sn_average, figures.sn_min, figures.sn_max)
        if v is not None
    ]
    candidates += [float(value) for value in _window_targets(row) if value is not None]
    if not candidates:
        return (0.0, 100.0) if row.indicator.unit == "percent" else (0.0, 1.0)
    low, high = min(candidates), max(candidates)
    # A small wobble must not fill the chart: the axis spans at least ten steps of the figures' precision
    # (ten points for a whole-number percentage), or four for counts, which are often single figures.
    precision = 10.0**-row.indicator.decimals
    minimum_span = (4 if row.indicator.unit == "count" else 10) * precision
    if high - low < minimum_span:
        middle = (high + low) / 2
        low, high = middle - minimum_span / 2, middle + minimum_span / 2
    room = (high - low) * 0.08
    low, high = low - room, high + room
    if min(candidates) >= 0 and low < 0:
        low, high = 0.0, high - low  # no negative percentages, counts or days on the axis
    if row.indicator.unit == "percent" and max(candidates) <= 100 and high > 100:
        low, high = max(low - (high - 100), 0.0), 100.0
    return low, high


def _legend_items(row: ScorecardRow, series_label: str) -> list[LegendItem]:
    indicator, figures = row.indicator, row.benchmark
    year = f" ({figures.year})" if figures.year else ""
    items = [LegendItem(series_label, "series", SERIES_COLOUR)]
    if figures.england is not None:
        items.append(LegendItem(f"England {row.fmt(figures.england)}{year}", "line", ENGLAND_COLOUR, "6 4"))
    if figures.sn_average is not None:
        items.append(LegendItem(f"SN average {row.fmt(figures.sn_average)}{year}", "line", SN_COLOUR, "2 3"))
    if figures.sn_min is not None and figures.sn_max is not None:
        low = format_value(figures.sn_min, indicator.unit, indicator.decimals)
        high = format_value(figures.sn_max, indicator.unit, indicator.decimals)
        items.append(LegendItem(f"{row.sn_range_short} {low} to {high}{year}", "band", BAND_FILL))
    targets = {value for value in _window_targets(row) if value is not None}
    if len(targets) > 1:
        items.append(LegendItem("Target trajectory", "line", TARGET_COLOUR, "10 5"))
    elif targets:
        target_year, target_value = row.target or ("", next(iter(targets)))
        items.append(
            LegendItem(f"Target {row.fmt(target_value)} ({target_year})", "line", TARGET_COLOUR, "10 5")
        )
    return items


def _window_targets(row: ScorecardRow) -> list[Decimal | None]:
    """The target of each column of the window, from the first column with a figure (none before it): the
    steps of a trajectory, drawn over the months they applied to."""
    targets = [value for _, value in row.trajectory[: len(row.cells)]]
    if len(targets) < len(row.cells):
        # A row made without its trajectory: the target it has, across the window.
        targets = [row.target[1] if row.target else None] * len(row.cells)
    first = next((index for index, cell in enumerate(row.cells) if cell.value is not None), len(row.cells))
    return [None] * first + targets[first:]


def _target_steps(row: ScorecardRow, x, y, slot: float) -> list[str]:
    """The target as a step line: level over each column it applied to, a riser where it changes."""
    points: list[tuple[float, float]] = []
    for index, value in enumerate(_window_targets(row)):
        if value is None:
            continue
        level = y(float(value))
        if not points or points[-1][1] != level:
            points.append((x(index) - slot / 2, level))
        points.append((x(index) + slot / 2, level))
    if len(points) < 2:
        return []
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    return [
        f'<polyline points="{path}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="2" '
        f'stroke-dasharray="10 5"/>'
    ]


def chart_legend(
    row: ScorecardRow, *, width: int = 430, series_label: str = "Monthly value"
) -> list[LegendItem]:
    """The chart's legend: the series, each benchmark with its year, the range and the target, in that order.

    Two to a line where both fit half the chart's ``width``; an item too long for half has a line of its own.
    """
    column = (width - 8) / 2
    return [replace(item, wide=_item_width(item) > column) for item in _legend_items(row, series_label)]


def _item_width(item: LegendItem) -> float:
    return KEY_WIDTH + 6 + _text_width(item.label, LEGEND_FONT_SIZE)


def indicator_chart_svg(
    row: ScorecardRow,
    *,
    width: int = 430,
    plot_height: int = 150,
) -> SafeString:
    """The chart of one scorecard row: values with gaps for missing months, benchmarks, range and target; its
    legend is ``chart_legend``, printed under it.

    ``width`` is in CSS pixels at the size the chart is printed, so that font sizes mean what they say.
    """
    indicator = row.indicator
    unit = indicator.unit
    ticks = nice_ticks(*_domain(row), decimals=indicator.decimals)
    low, high = ticks[0], ticks[-1]
    tick_decimals = _tick_decimals(ticks)
    tick_labels = [_tick_label(tick, unit, tick_decimals) for tick in ticks]

    widest_tick = max(_text_width(label, TICK_FONT_SIZE) for label in tick_labels)
    left, right, top = max(54.0, 28 + widest_tick), 10.0, 12.0
    axis_band = 30.0  # month and year labels under the plot
    plot_width = width - left - right
    plot_bottom = top + plot_height

    def y(value: float) -> float:
        return plot_bottom - (value - low) / ((high - low) or 1.0) * plot_height

    slots = max(len(row.cells), 1)

    def x(index: int) -> float:
        return left + (index + 0.5) * plot_width / slots

    height = plot_bottom + axis_band

    # The grid lines as one path, the labels after it.
    grid = "".join(f"M{left:.1f} {y(tick):.1f}H{left + plot_width:.1f}" for tick in ticks)
    parts: list[str] = [f'<path d="{grid}" fill="none" stroke="{GRID_COLOUR}" stroke-width="1"/>']
    for tick, tick_label in zip(ticks, tick_labels, strict=True):
        ty = y(tick)
        parts.append(
            f'<text x="{left - 6:.1f}" y="{ty + 3.5:.1f}" font-size="{TICK_FONT_SIZE}" text-anchor="end" '
            f'fill="{MUTED_COLOUR}">{escape(tick_label)}</text>'
        )
    axis_title = AXIS_TITLES.get(unit, "")
    if axis_title:
        middle = top + plot_height / 2
        parts.append(
            f'<text x="12" y="{middle:.1f}" font-size="{TICK_FONT_SIZE}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}" transform="rotate(-90 12 {middle:.1f})">{escape(axis_title)}</text>'
        )

    figures = row.benchmark
    x_start, x_end = left, left + plot_width
    if figures.sn_min is not None and figures.sn_max is not None:
        y_top, y_bottom = (
            y(float(max(figures.sn_min, figures.sn_max))),
            y(float(min(figures.sn_min, figures.sn_max))),
        )
        parts.append(
            f'<rect x="{x_start:.1f}" y="{y_top:.1f}" width="{plot_width:.1f}" height="{max(y_bottom - y_top, 1):.1f}" '
            f'fill="{BAND_FILL}" fill-opacity="{BAND_OPACITY}"/>'
        )
    reference_lines = [  # the same dashes as their keys in the legend
        (figures.england, ENGLAND_COLOUR, "6 4"),
        (figures.sn_average, SN_COLOUR, "2 3"),
    ]
    for value, colour, dash in reference_lines:
        if value is not None:
            ly = y(float(value))
            parts.append(
                f'<line x1="{x_start:.1f}" y1="{ly:.1f}" x2="{x_end:.1f}" y2="{ly:.1f}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="{dash}"/>'
            )

    parts += _target_steps(row, x, y, plot_width / slots)
    parts.append(
        f'<line x1="{left:.1f}" y1="{plot_bottom:.1f}" x2="{left + plot_width:.1f}" y2="{plot_bottom:.1f}" '
        f'stroke="{MUTED_COLOUR}" stroke-width="1"/>'
    )
    previous_year = None
    for index, cell in enumerate(row.cells):
        cx = x(index)
        # A quarter is named Q1 to Q4 over its financial year; a month by its name over its calendar year.
        tick, year = (
            cell.short.split(" ", 1) if cell.quarterly else (f"{cell.period:%b}", f"{cell.period:%Y}")
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{plot_bottom + 13:.1f}" font-size="{TICK_FONT_SIZE}" text-anchor="middle" '
            f'fill="{TEXT_COLOUR}">{tick}</text>'
        )
        if year != previous_year:
            parts.append(
                f'<text x="{cx:.1f}" y="{plot_bottom + 25:.1f}" font-size="{TICK_FONT_SIZE}" '
                f'text-anchor="middle" fill="{MUTED_COLOUR}">{year}</text>'
            )
            previous_year = year
        if cell.value is None:
            # A gap is a fact: say why there is no point rather than leave the reader guessing.
            parts.append(
                f'<text x="{cx:.1f}" y="{plot_bottom - 5:.1f}" font-size="{LABEL_FONT_SIZE}" '
                f'text-anchor="middle" fill="{MUTED_COLOUR}" font-style="italic">'
                f"{escape('pending' if cell.withheld else cell.status_abbr or '–')}</text>"
            )

    segments: list[list[tuple[float, float]]] = [[]]
    for index, cell in enumerate(row.cells):
        if cell.value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((x(index), y(float(cell.value))))
    for segment in segments:
        if len(segment) > 1:
            points = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{SERIES_COLOUR}" stroke-width="3" '
                f'stroke-linejoin="round" stroke-linecap="round"/>'
            )
    # The points as one path of circles, then the labels' pale grounds (rectangles: WeasyPrint draws a rounded
    # rectangle faster than the same shape as a path), then the labels over them all.
    label_every = 1 if slots <= 13 else 2
    points, grounds, labels = [], [], []
    for index, cell in enumerate(row.cells):
        if cell.value is None:
            continue
        cx, cy = x(index), y(float(cell.value))
        points.append(f"M{cx - 4:.1f} {cy:.1f}a4 4 0 1 0 8 0a4 4 0 1 0 -8 0z")
        if index % label_every == 0 or index == len(row.cells) - 1:
            # The axis names the unit, so "566 days" is labelled "566"; percentages keep their sign.
            text = row.fmt(cell.value).removesuffix(" days").removesuffix(" day")
            label_y = cy - 8 if cy - 8 > top + 4 else cy + 16
            half = _text_width(text, LABEL_FONT_SIZE) / 2 * 0.92 + 1.5
            grounds.append(
                f'<rect x="{cx - half:.1f}" y="{label_y - 8.5:.1f}" width="{2 * half:.1f}" height="11" rx="2" '
                f'fill="#fff" fill-opacity="0.85"/>'
            )
            labels.append(
                f'<text x="{cx:.1f}" y="{label_y:.1f}" font-size="{LABEL_FONT_SIZE}" text-anchor="middle" '
                f'fill="{TEXT_COLOUR}" font-weight="bold">{escape(text)}</text>'
            )
    if points:
        parts.append(f'<path d="{"".join(points)}" fill="{SERIES_COLOUR}" stroke="#fff"/>')
    parts += grounds + labels

    title = escape(f"Chart of {indicator.name}")
    description = describe_chart(row)  # already escaped
    return mark_safe(  # noqa: S308 - every text above went through escape(); the rest are our own numbers
        f'<svg xmlns="http://www.w3.org/2000/svg" class="indicator-chart" role="img" '
        f'width="{width}" height="{height:.0f}" viewBox="0 0 {width} {height:.0f}" '
        f"font-family={quoteattr(FONT)}>"
        f"<title>{title}</title><desc>{description}</desc>" + "".join(parts) + "</svg>"
    )
