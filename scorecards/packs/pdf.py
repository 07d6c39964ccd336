"""The board pack as a PDF: cover, contents, headline figures, the scorecard grid and a page part per section.

Presentation only, never a query: everything drawn comes from the rows of ``selectors.scorecard_build``, so the
pack cannot disagree with the page or the exports. WeasyPrint lays the pack out from the templates in
``templates/scorecards/packs/pdf/`` and ``static/css/pdf.css``; charts are server-side SVG (``svg.py``), so making a
pack needs no browser. Only local files and data: URLs are fetched, never the network.
"""

from __future__ import annotations

import base64
import datetime
import gc
import logging
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from scorecards.core.charts import describe_chart, sparkline_svg
from scorecards.packs.exceptions import exception_report
from scorecards.packs.grid import (  # noqa: F401 - the grid's types are read from here too
    GRID_COLUMN_NAMES,
    GRID_COLUMNS,
    GRID_WIDTH_MM,
    PENDING,
    GridFigures,
    GridLayout,
    GridMonth,
    LegendEntry,
    PackIndicator,
    SectionItems,
    grid_layout,
)
from scorecards.packs.paging import page_digits, placeholder, render_with_page_numbers
from scorecards.packs.svg import chart_legend, indicator_chart_svg
from scorecards.packs.svg_text import install as install_svg_text
from scorecards.rating import Rag
from scorecards.rows import Scorecard
from scorecards.spc import METHOD

BOARD_NAME = "Corporate Parenting Board"
STYLESHEET = "css/pdf.css"
#: Width of an indicator chart in CSS pixels, as printed beside its benchmark callouts.
CHART_WIDTH = 428
#: Rough layout figures, only for the progress bar: the real page count replaces the estimate when known.
FRONT_PAGES = 3
GRID_LINES_PER_PAGE = 20
INDICATORS_PER_PAGE = 2
#: A meeting's plan progress and challenge log, roughly: only to reserve room for page numbers (paging.py).
MEETING_PAGES_PER_PLAN = 4

#: The DRAFT mark behind every page of an unapproved pack. Drawn as strokes rather than text, so that it stays
#: out of the text a screen reader or a copy-and-paste reads (the page header says DRAFT in words).
DRAFT_MARK_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 -170 520 440'>"
    "<g fill='none' stroke='%23c4261b' stroke-opacity='0.1' stroke-width='17' stroke-linejoin='miter' "
    "transform='rotate(-32 260 50)'>"
    "<path d='M0 0V100M0 0H38Q82 0 82 50Q82 100 38 100H0'/>"
    "<path d='M112 100V0H158Q188 0 188 27Q188 54 158 54H112M150 54L192 100'/>"
    "<path d='M216 100L256 0L296 100M231 64H281'/>"
    "<path d='M390 0H322V100M322 50H377'/>"
    "<path d='M416 0H516M466 0V100'/>"
    "</g></svg>"
)
DRAFT_PAGE_CSS = (
    '@page { background: url("data:image/svg+xml;charset=utf-8,' + DRAFT_MARK_SVG + '") '
    "no-repeat center / 165mm auto; }"
)

ProgressCallback = Callable[[int, int], None]
LAYOUT_MESSAGE = "Step 5 - Creating layout - Page"
PROGRESS_LOGGER = logging.getLogger("weasyprint.progress")

logger = logging.getLogger(__name__)


def svg_data_url(svg: str) -> str:
    if not svg:
        return ""
    if "xmlns=" not in svg[:200]:
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class PackPdf:
    """A rendered pack: the PDF and how many pages it has, for the pack record."""

    content: bytes
    page_count: int


def pack_title(scorecard: Scorecard, *, draft: bool) -> str:
    title = f"{scorecard.authority.name} corporate parenting scorecard, {scorecard.period_name}"
    return f"{title} (draft)" if draft else title


def stylesheet_path() -> Path:
    """The pack's stylesheet on disk: found like any static file, so collectstatic is not needed."""
    found = finders.find(STYLESHEET)
    return Path(found) if found else Path(settings.BASE_DIR) / "static" / STYLESHEET


def common_benchmark_year(scorecard: Scorecard) -> str | None:
    """The benchmark year most rows use: the grid names it once in its header instead of on every row."""
    years = Counter(row.benchmark.year for row in scorecard.rows if row.benchmark.year)
    return years.most_common(1)[0][0] if years else None


def estimated_pages(scorecard: Scorecard, *, meeting=None) -> int:
    sections = scorecard.sections
    grid_lines = len(scorecard.rows) + len(sections)
    indicator_pages = sum(math.ceil(len(rows) / INDICATORS_PER_PAGE) for _, rows in sections)
    meeting_pages = 2 + MEETING_PAGES_PER_PLAN * len(meeting.plans) if meeting is not None else 0
    return FRONT_PAGES + math.ceil(grid_lines / GRID_LINES_PER_PAGE) + indicator_pages + meeting_pages


class _Progress:
    """Counts steps (front matter, one per chart, one per page laid out, writing) and reports them forwards only."""

    def __init__(self, callback: ProgressCallback | None, scorecard: Scorecard):
        self.callback = callback
        self.charts = len(scorecard.rows)
        self.pages = estimated_pages(scorecard)
        self.done = 0

    @property
    def total(self) -> int:
        return 1 + self.charts + self.pages + 1

    def report(self, done: int) -> None:
        done = min(done, self.total)
        if done <= self.done:
            return
        self.done = done
        if self.callback is not None:
            self.callback(done, self.total)

    def page_laid_out(self, number: int) -> None:
        if number > self.pages:
            self.pages = number
        self.report(1 + self.charts + number)

    def finished(self, page_count: int) -> None:
        self.pages = page_count
        self.done = min(self.done, self.total - 1)
        self.report(self.total)


class _LayoutListener(logging.Handler):
    """Hears WeasyPrint's "Creating layout - Page N" messages from this thread, to report progress while it works."""

    def __init__(self, progress: _Progress):
        super().__init__(level=logging.INFO)
        self.progress = progress
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread or not str(record.msg).startswith(LAYOUT_MESSAGE):
            return
        try:
            self.progress.page_laid_out(int(record.args[0]))
        except (IndexError, TypeError, ValueError):
            return


@contextmanager
def _listening_to_layout(progress: _Progress) -> Iterator[None]:
    handler = _LayoutListener(progress)
    old_level, old_propagate = PROGRESS_LOGGER.level, PROGRESS_LOGGER.propagate
    PROGRESS_LOGGER.addHandler(handler)
    PROGRESS_LOGGER.setLevel(logging.INFO)
    PROGRESS_LOGGER.propagate = False  # one line per page is noise in a worker's log
    try:
        yield
    finally:
        PROGRESS_LOGGER.removeHandler(handler)
        PROGRESS_LOGGER.setLevel(old_level)
        PROGRESS_LOGGER.propagate = old_propagate


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while WeasyPrint works, then run once on what it made.

    Laying out and drawing a pack makes millions of small objects that live until the end; the collector would walk
    them again and again (a tenth or more of the render). Paused, they all stay in the youngest generation, so one
    collection of that generation afterwards frees the render's cycles without walking the rest of the process.
    Peak memory is about the same (Dorset's demo pack: 249 MB collecting, 253 MB paused).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)


def pack_html(
    scorecard: Scorecard,
    *,
    draft: bool,
    produced_at: datetime.datetime | None = None,
    data_as_of: datetime.datetime | None = None,
    board_name: str = BOARD_NAME,
    progress: ProgressCallback | None = None,
) -> str:
    """The HTML WeasyPrint lays out; ``progress(done, total)`` is called as each indicator's chart is drawn."""
    return _pack_html(
        scorecard,
        draft=draft,
        produced_at=produced_at,
        data_as_of=data_as_of,
        board_name=board_name,
        progress=_Progress(progress, scorecard),
    )


def _pack_html(
    scorecard: Scorecard,
    *,
    draft: bool,
    produced_at: datetime.datetime | None,
    data_as_of: datetime.datetime | None,
    board_name: str,
    progress: _Progress,
    meeting=None,
) -> str:
    progress.report(1)
    series_label = f"{scorecard.authority.name} {'quarterly' if scorecard.quarterly else 'monthly'} value"
    indicator_sections = []
    for section, rows in scorecard.sections:
        items = []
        for row in rows:
            # An indicator with no figure in the window gets a line, not a page part with an empty chart.
            chart, legend = "", ()
            if row.latest:
                chart = indicator_chart_svg(row, width=CHART_WIDTH)
                legend = tuple(
                    LegendEntry(
                        label=item.label,
                        key=svg_data_url(item.key_svg),  # a few kinds: WeasyPrint reads each URL once
                        wide=item.wide,
                    )
                    for item in chart_legend(row, width=CHART_WIDTH, series_label=series_label)
                )
            items.append(
                PackIndicator(
                    row=row,
                    chart=svg_data_url(chart),
                    chart_description=describe_chart(row),
                    sparkline=svg_data_url(sparkline_svg(row)),
                    grid=GridFigures.of(row),
                    legend=legend,
                )
            )
            progress.report(progress.done + 1)
        indicator_sections.append((section, SectionItems(items)))
    title = pack_title(scorecard, draft=draft)
    context = {
        "title": title,
        "description": (
            f"Corporate parenting scorecard of {scorecard.authority.name} for {scorecard.period_name}: "
            f"{len(scorecard.rows)} indicators with benchmarks, targets, direction of travel and RAG ratings"
            + ("; draft, not yet approved." if draft else "; approved.")
        ),
        "scorecard": scorecard,
        "authority": scorecard.authority,
        "draft": draft,
        # To the second: a document's date has no use for microseconds, and six stray digits in the metadata
        # could read as anyone's identifier.
        "produced_at": (produced_at or timezone.now()).replace(microsecond=0),
        "data_as_of": data_as_of,
        "board_name": board_name,
        "indicator_sections": indicator_sections,
        "red_rows": [row for row in scorecard.rows if row.rag == Rag.RED],
        # Opens the pack: every indicator's SPC icons, then the rows needing attention.
        "exceptions": exception_report(scorecard, data_url=svg_data_url),
        "forecast_method": METHOD,
        "benchmark_year": common_benchmark_year(scorecard),
        "grid": grid_layout(len(scorecard.months), region=scorecard.has_region),
        "meeting": meeting,  # a meeting's pack: plans.meetings.MeetingPack, drawn before the scorecard
        # Each page reference's room, written into after one layout (paging.py).
        "page_placeholder": placeholder(page_digits(estimated_pages(scorecard, meeting=meeting))),
    }
    return render_to_string("scorecards/packs/pdf/pack.html", context)


def _url_fetcher():
    """Fetch only the pack's own static files and data: URLs; a pack must never reach the network."""
    from weasyprint.urls import URLFetcher

    static_root = stylesheet_path().parent.parent.resolve()

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if not path.is_relative_to(static_root):
                    raise ValueError(f"Not a static file of the pack: {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols={"file", "data"}, timeout=5)


def scorecard_pdf_render(
    scorecard: Scorecard,
    *,
    draft: bool,
    produced_at: datetime.datetime | None = None,
    data_as_of: datetime.datetime | None = None,
    board_name: str = BOARD_NAME,
    progress: ProgressCallback | None = None,
    meeting=None,
) -> PackPdf:
    """Lay out and write the pack; ``progress(done, total)`` is called for each chart and each page laid out."""
    counter = _Progress(progress, scorecard)
    html = _pack_html(
        scorecard,
        draft=draft,
        produced_at=produced_at,
        data_as_of=data_as_of,
        board_name=board_name,
        progress=counter,
        meeting=meeting,
    )
    stylesheet = stylesheet_path()
    base_url = stylesheet.parent.parent.resolve().as_uri() + "/"
    with _listening_to_layout(counter):
        from weasyprint import CSS, HTML  # imported here: its first import logs every built-in stylesheet

        install_svg_text()  # the charts' labels drawn a string at a time (svg_text.py)
        fetcher = _url_fetcher()
        stylesheets = [CSS(filename=str(stylesheet), url_fetcher=fetcher)]
        if draft:
            stylesheets.append(CSS(string=DRAFT_PAGE_CSS, url_fetcher=fetcher))

        def render(text: str):
            return HTML(string=text, base_url=base_url, url_fetcher=fetcher).render(stylesheets=stylesheets)

        with _collector_paused():
            document = render_with_page_numbers(html, render)
            page_count = len(document.pages)
            content = document.write_pdf(pdf_tags=True)
            del document
    counter.finished(page_count)
    return PackPdf(content=content, page_count=page_count)


def scorecard_pdf(scorecard: Scorecard, **options) -> bytes:
    """The board pack PDF of one scorecard; the options of ``scorecard_pdf_render``, which counts pages too."""
    return scorecard_pdf_render(scorecard, **options).content
