"""Page references written after one layout: the contents, the grid's and the red rows' "Page" and the exception
report's "on page N".

CSS ``target-counter()`` would write them, but WeasyPrint then lays the pack out two or three times over (each page
holding a reference is made again until the numbers settle), and laying out is most of a pack's time. Instead the
templates reserve each number's room with figure spaces (``placeholder``: a figure space is exactly as wide as a
digit), the pack is laid out once, the page each anchor (``id``) landed on is read from the laid-out pages, and each
number is written into its reserved text before the PDF is drawn. A number is never wider than its room, so nothing
moves: the numbers are those of the pages as they are drawn.

The laid-out boxes are WeasyPrint's internals, not its API. Should they not be as expected (an attribute gone, a
placeholder missing or split, a number wider than its room), the numbers are put into the HTML and the pack is laid
out again, until the pages the numbers name are the pages the anchors land on: slower, never wrong.
"""

from __future__ import annotations

import html as html_module
import logging
import re
from collections.abc import Callable, Iterable, Iterator

FIGURE_SPACE = "\u2007"
#: The attribute naming the anchor a placeholder gives the page of; with ``data-page-pad="end"`` the number is
#: written first and padded after it (a number in a sentence), otherwise padded before it (right-aligned columns).
ANCHOR_ATTRIBUTE = "data-page-of"
PAD_ATTRIBUTE = "data-page-pad"
#: Room for pages 1 to 99; a pack expected to pass 99 pages reserves three figures.
MIN_DIGITS = 2
#: Second layouts at most in the fallback before the numbers are taken as they are (they settle in one or two).
MAX_RELAYOUTS = 4
#: A written number as wide as its placeholder to this many CSS pixels (a thousandth of a point or so).
WIDTH_TOLERANCE = 0.01

PLACEHOLDER_PATTERN = re.compile(
    r"(<span\b[^>]*\b" + ANCHOR_ATTRIBUTE + r'="([^"]*)"[^>]*>)(' + FIGURE_SPACE + r"+)(</span>)"
)

logger = logging.getLogger(__name__)


class PagingUnavailable(Exception):
    """The laid-out document is not as this module expects: the numbers go into the HTML instead."""


def page_digits(expected_pages: int) -> int:
    """Figures to reserve for a pack expected to have about ``expected_pages`` pages, with room to spare."""
    return max(MIN_DIGITS, len(str(max(int(expected_pages * 1.5), 1))))


def placeholder(digits: int) -> str:
    return FIGURE_SPACE * digits


def padded(number: str, width: int, *, pad_end: bool) -> str:
    return number.ljust(width, FIGURE_SPACE) if pad_end else number.rjust(width, FIGURE_SPACE)


def anchor_pages(document) -> dict[str, int]:
    """The page (counted from 1) each ``id`` of the document first lands on."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def _laid_out_root(page):
    """The page's laid-out box tree (WeasyPrint's, not its public API)."""
    return page._page_box


def _placeholder_boxes(document) -> Iterator:
    """Each laid-out text box holding a placeholder's figure spaces."""
    from weasyprint.formatting_structure.boxes import TextBox

    for page in document.pages:
        for box in _laid_out_root(page).descendants():
            if not isinstance(box, TextBox) or "::" in (box.element_tag or ""):
                continue
            element = box.element
            if element is not None and element.get(ANCHOR_ATTRIBUTE) is not None:
                yield box


def _text_width(box) -> float:
    """The width of the box's text as WeasyPrint measures it, reshaped from ``pango_layout.text``."""
    from weasyprint.text.line_break import line_size

    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        line, _ = layout.get_first_line()
        width, _ = line_size(line, box.style)
    finally:
        layout.deactivate()
    return width


def write_numbers(document, pages: dict[str, int], expected: int) -> None:
    """Write each placeholder's page number into the laid-out ``document``, or raise ``PagingUnavailable`` (and
    the document is to be laid out again).

    ``expected`` is how many placeholders the HTML has: each must be found once, whole, and take its number
    without growing.
    """
    try:
        boxes = list(_placeholder_boxes(document))
        writes = []
        for box in boxes:
            text = box.text
            if not text or text.strip(FIGURE_SPACE) or box.pango_layout.text != text:
                raise PagingUnavailable(f"a placeholder was split or changed in layout: {text!r}")
            anchor = box.element.get(ANCHOR_ATTRIBUTE)
            number = str(pages[anchor]) if anchor in pages else ""
            if len(number) > len(text):
                raise PagingUnavailable(f"page {number} is wider than its room ({len(text)} figures)")
            pad_end = box.element.get(PAD_ATTRIBUTE) == "end"
            writes.append((box, padded(number, len(text), pad_end=pad_end)))
        if len(writes) != expected:
            raise PagingUnavailable(f"{len(writes)} placeholders laid out of {expected} in the HTML")
        for box, text in writes:
            before = _text_width(box)
            box.pango_layout.text = text
            after = _text_width(box)
            box.text = text
            if abs(after - before) > WIDTH_TOLERANCE:
                raise PagingUnavailable(
                    f"{text.strip()!r} is not as wide as its placeholder ({after} ≠ {before})"
                )
    except (AttributeError, ImportError, TypeError, ValueError) as error:
        raise PagingUnavailable(f"WeasyPrint's laid-out boxes are not as expected: {error!r}") from error


def _missing(anchors: Iterable[str], pages: dict[str, int]) -> list[str]:
    return sorted({anchor for anchor in anchors if anchor not in pages})


def html_with_numbers(html: str, pages: dict[str, int], digits: int) -> str:
    """The HTML with each placeholder replaced by its page number, padded to ``digits`` figures."""

    def number(match: re.Match) -> str:
        opening, anchor, _, closing = match.groups()
        page = pages.get(html_module.unescape(anchor))
        pad_end = f'{PAD_ATTRIBUTE}="end"' in opening
        return opening + padded(str(page) if page else "", digits, pad_end=pad_end) + closing

    return PLACEHOLDER_PATTERN.sub(number, html)


def render_with_page_numbers(html: str, render: Callable[[str], object]):
    """Lay ``html`` out with ``render(html) -> weasyprint.Document`` and write its page references: once, or
    in the fallback (see the module's docstring) as often as it takes, each layout with the previous one's pages."""
    found = PLACEHOLDER_PATTERN.findall(html)
    document = render(html)
    pages = anchor_pages(document)
    if not found:
        return document
    anchors = [html_module.unescape(anchor) for _, anchor, _, _ in found]
    missing = _missing(anchors, pages)
    if missing:
        logger.warning("Page references to anchors the pack does not have: %s", ", ".join(missing[:5]))
    try:
        write_numbers(document, pages, expected=len(found))
        return document
    except PagingUnavailable as reason:
        logger.warning("Page numbers written by a second layout (slower): %s", reason)
    digits = max(len(text) for _, _, text, _ in found)
    for _ in range(MAX_RELAYOUTS):
        digits = max(digits, len(str(max(pages.values(), default=1))))
        document = render(html_with_numbers(html, pages, digits))
        laid_out = anchor_pages(document)
        if all(laid_out.get(anchor) == pages.get(anchor) for anchor in anchors):
            return document
        pages = laid_out
    logger.error("Page numbers did not settle after %s layouts", MAX_RELAYOUTS + 1)
    return document
