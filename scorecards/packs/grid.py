"""The board pack's landscape grid and its indicator parts, as data: figures as the grid prints them, and the
column widths WeasyPrint lays out. Presentation only, never a query (split from ``pdf.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString

from scorecards.rows import ScorecardRow

#: A figure that exists but belongs to a month not approved yet, in a pack that shows approved figures only.
PENDING = "pending"


@dataclass(frozen=True)
class GridFigures:
    """A row's figures as the grid prints them: days without the word (the name says days), ranges short."""

    england: str
    sn_average: str
    sn_range: str
    region: str
    target: str
    baseline: str
    months: tuple[str, ...]

    @classmethod
    def of(cls, row: ScorecardRow) -> GridFigures:
        def bare(text: str) -> str:
            return text.removesuffix(" days").removesuffix(" day") if row.indicator.unit == "days" else text

        figures = row.benchmark
        sn_range = ""
        if figures.sn_min is not None and figures.sn_max is not None:
            sn_range = f"{bare(row.fmt(figures.sn_min))}–{bare(row.fmt(figures.sn_max))}"
        months = []
        for cell in row.cells:
            if cell.value is not None:
                # The counts go under the figure (the grid's month columns are narrow): GridMonth.
                months.append(
                    GridMonth(
                        bare(row.fmt(cell.value)), cell.counts if row.indicator.unit == "percent" else ""
                    )
                )
            else:
                months.append(PENDING if cell.withheld else cell.status_abbr or "–")
        return cls(
            england=bare(row.england_text),
            region=bare(row.region_text),
            sn_average=bare(row.sn_average_text),
            sn_range=sn_range,
            target=bare(row.target_text),
            baseline=bare(row.baseline_text),
            months=tuple(months),
        )


@dataclass(frozen=True)
class GridMonth:
    """A month's figure in the grid, its counts (463/503) on a line of their own; reads as the figure."""

    text: str
    counts: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class LegendEntry:
    """A line of a chart's legend as the pack prints it: text beside its key (a data: URL drawn behind it)."""

    label: str
    key: str
    #: a line of its own rather than half of one
    wide: bool = False


@dataclass(frozen=True)
class PackIndicator:
    """A scorecard row with its pictures, as data: URLs (WeasyPrint reads an image far faster than inline SVG)."""

    row: ScorecardRow
    chart: str
    chart_description: SafeString
    sparkline: str
    grid: GridFigures
    #: the chart's legend, printed under it as text
    legend: tuple[LegendEntry, ...] = ()


class SectionItems(list):
    """A section's indicators: all in the grid; only those with a figure in the window get a chart."""

    charted = property(lambda self: [item for item in self if item.row.latest is not None])
    uncharted = property(lambda self: [item for item in self if item.row.latest is None])


@dataclass(frozen=True)
class GridLayout:
    """Fixed column widths of the landscape grid: 13 months fit the page, and WeasyPrint measures no cell."""

    compact: bool
    widths: dict[str, str]
    #: columns beyond the fixed ones (the region's), for the section rows' colspan
    extra_columns: int = 0


#: The landscape grid's width (A4 landscape less its margins) and its columns other than the indicator's.
GRID_WIDTH_MM = 274.0
GRID_COLUMN_NAMES = ("england", "sn", "target", "baseline", "month", "direction", "trend", "rag", "page")
GRID_COLUMNS = {  # widths in mm: up to 6 months, then 12 or 13 months in smaller type
    False: (13, 24, 16, 16, 12.5, 19, 18, 19, 7),
    True: (11, 19, 13, 13, 9.2, 16.5, 13, 18.5, 6),
}


def grid_layout(months: int, *, region: bool = False) -> GridLayout:
    """Column widths; a Region column, as wide as England's, only when some row has a region figure."""
    compact = months > 6
    columns = dict(zip(GRID_COLUMN_NAMES, GRID_COLUMNS[compact], strict=True))
    if region:
        columns["region"] = columns["england"]
    used = sum(width for name, width in columns.items() if name != "month") + months * columns["month"]
    widths = {name: f"{width:.1f}mm" for name, width in columns.items()}
    widths["indicator"] = f"{GRID_WIDTH_MM - used:.1f}mm"
    return GridLayout(compact=compact, widths=widths, extra_columns=int(region))
