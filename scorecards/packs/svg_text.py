"""SVG text drawn a string at a time, not a letter at a time, for the pack's charts.

WeasyPrint 70 lays out and draws every letter of an SVG ``<text>`` on its own (a Pango layout and a text run each),
so that any letter can take its own position. A chart's axis labels, months and values position only their start:
laid out and drawn once, as a browser draws them, they cost a fraction (in a 60-indicator pack, the charts' text
was about a seventh of the render). Only a ``<text>`` with no children, one x and one y at most, and no dx, dy,
rotate, letter-spacing or textLength takes this path; any other text is WeasyPrint's own. Its bounding box (which
WeasyPrint's text-anchor uses) and its cursor are set as WeasyPrint sets them, from the whole string's width: the
same within kerning (none between DejaVu's figures).

``install()`` replaces WeasyPrint's function only on the version this was written against, and only if it is
WeasyPrint's own; otherwise it does nothing and the letters are drawn one by one, as before.
"""

from __future__ import annotations

import importlib
import logging
from math import inf

SUPPORTED_VERSIONS = frozenset({"70.0"})
#: Attributes that place letters one by one: a text with any of them is WeasyPrint's to draw.
PER_LETTER = ("dx", "dy", "rotate", "textLength")

logger = logging.getLogger(__name__)
_state = {"installed": False}


def install() -> bool:
    """Use the string-at-a-time drawing for simple SVG text; True if it is in use."""
    if _state["installed"]:
        return True
    try:
        import weasyprint
        from weasyprint import svg as svg_module

        # The module, not the function of the same name that weasyprint.svg imports from it.
        text_module = importlib.import_module("weasyprint.svg.text")
    except ImportError:
        return False
    original = getattr(text_module, "text", None)
    if (
        weasyprint.__version__ not in SUPPORTED_VERSIONS
        or original is None
        or svg_module.text is not original
    ):
        logger.info(
            "SVG text is drawn letter by letter: WeasyPrint %s is not the one expected",
            weasyprint.__version__,
        )
        return False
    fast = _fast_text(original)
    # draw_node tells text nodes by comparing their function with the module's ``text``: both are replaced.
    svg_module.text = fast
    for tag, function in list(svg_module.TAGS.items()):
        if function is original:
            svg_module.TAGS[tag] = fast
    _state["installed"] = True
    return True


def _one_value(node, name: str, normalize) -> bool:
    return name not in node.attrib or len(normalize(node.attrib[name]).strip().split(" ")) <= 1


def _fast_text(original):
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import Style, TextBox
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    def simple(svg, node, font_size) -> bool:
        return (
            node.tag == "text"
            and bool(node.text)
            and "\n" not in node.text
            and not list(node)
            and not any(name in node.attrib for name in PER_LETTER)
            and _one_value(node, "x", normalize)
            and _one_value(node, "y", normalize)
            and not svg.length(node.get("letter-spacing"), font_size)
        )

    def text(svg, node, font_size):
        if not simple(svg, node, font_size):
            return original(svg, node, font_size)

        # The style as WeasyPrint's own function makes it.
        style = Style()
        style.update(INITIAL_VALUES)
        style.font_config = svg.font_config
        style["font_family"] = [
            font.strip("\"'") for font in node.get("font-family", "sans-serif").split(",")
        ]
        style["font_style"] = node.get("font-style", "normal")
        style["font_weight"] = node.get("font-weight", 400)
        style["font_size"] = font_size
        if node.get("direction") in ("ltr", "rtl"):
            style["direction"] = node.get("direction")
        if style["font_weight"] == "normal":
            style["font_weight"] = 400
        elif style["font_weight"] == "bold":
            style["font_weight"] = 700
        else:
            try:
                style["font_weight"] = int(style["font_weight"])
            except ValueError:
                style["font_weight"] = 400

        layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)

        # Its position, baseline alignment and bounding box as WeasyPrint sets them, for the whole string.
        if "x" in node.attrib:
            x = size(normalize(node.attrib["x"]).strip(), font_size, svg.inner_width)
            svg.cursor_d_position[0] = 0
        else:
            x = svg.cursor_position[0]
        if "y" in node.attrib:
            y = size(normalize(node.attrib["y"]).strip(), font_size, svg.inner_height)
            svg.cursor_d_position[1] = 0
        else:
            y = svg.cursor_position[1]
        ascent, descent = font_size * 0.8, font_size * 0.2
        y_align = 0
        display_anchor = node.get("display-anchor")
        alignment_baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
        if display_anchor == "middle":
            y_align = -height / 2
        elif display_anchor == "top":
            pass
        elif display_anchor == "bottom":
            y_align = -height
        elif alignment_baseline in ("central", "middle"):
            y_align = (ascent + descent) / 2 - descent
        elif alignment_baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
            y_align = ascent
        elif alignment_baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
            y_align = -descent
        x_position = x + svg.cursor_d_position[0]
        y_position = y + svg.cursor_d_position[1] + y_align
        svg.cursor_position = x + width, y
        points = ((x_position, y_position - baseline), (x_position + width, y_position - baseline + height))
        node.text_bounding_box = extend_bounding_box(node.text_bounding_box, points)

        svg.stream.push_state()
        fill, stroke = svg.set_graphical_state(node, font_size)
        svg.stream.begin_text()
        layout.reactivate(style)
        svg.fill_stroke(fill, stroke, text=True)
        text_box = TextBox(layout, style)
        text_box.baseline = baseline
        emojis = draw_first_line(
            svg.stream, text_box, "none", "none", Matrix(a=1, d=-1, e=x_position, f=y_position)
        )
        svg.stream.end_text()
        svg.stream.pop_state()
        draw_emojis(svg.stream, style, x, y, emojis)

    return text
