"""SVG text drawn a string at a time (packs/svg_text.py): the same words in the same places as WeasyPrint's own
letter-by-letter drawing, WeasyPrint's own for anything else, and only on the WeasyPrint it was written for."""

from __future__ import annotations

import base64
import importlib
import re
import shutil
import subprocess

import pytest

from scorecards.packs import svg_text

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="428" height="200" viewBox="0 0 428 200" '
    'font-family="DejaVu Sans, sans-serif">'
    '<text x="54" y="40" font-size="10" text-anchor="end" fill="#505a5f">80%</text>'
    '<text x="120" y="60" font-size="9.5" text-anchor="middle" font-weight="bold">70.9</text>'
    '<text x="12" y="100" font-size="10" text-anchor="middle" transform="rotate(-90 12 100)">Percent</text>'
    '<text x="200" y="150" font-size="10">Oct</text>'
    # Not simple: WeasyPrint's own drawing, letter by letter.
    '<text x="250 262 274" y="150" font-size="10">Nov</text>'
    '<text x="300" y="150" font-size="10" dx="2">Dec</text>'
    '<text x="340" y="150" font-size="10">Jan <tspan font-weight="bold">2021</tspan></text>'
    "</svg>"
)


def words(tmp_path, content: bytes) -> list[tuple[str, float, float]]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed: apt-get install poppler-utils")
    path = tmp_path / "svg.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return [
        (word, float(x), float(y))
        for x, y, word in re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', out)
    ]


def render(svg: str) -> bytes:
    from weasyprint import HTML

    data = base64.b64encode(svg.encode()).decode()
    return HTML(string=f'<img style="width: 113.3mm" src="data:image/svg+xml;base64,{data}">').write_pdf()


@pytest.fixture
def drawing():
    """Switch between WeasyPrint's own text drawing and this one, putting back what was there."""
    import weasyprint.svg as svg_module

    text_module = importlib.import_module("weasyprint.svg.text")
    assert svg_text.install(), "WeasyPrint 70: the string-at-a-time drawing is in use"
    fast, original = svg_module.text, text_module.text
    saved = dict(svg_module.TAGS)

    def use(function):
        svg_module.text = function
        for tag in ("a", "text", "textPath", "tspan"):
            svg_module.TAGS[tag] = function

    yield {"fast": lambda: use(fast), "original": lambda: use(original)}
    svg_module.text = fast
    svg_module.TAGS.update(saved)


def test_the_words_are_where_weasyprint_puts_them_letter_by_letter(drawing, tmp_path):
    drawing["original"]()
    before = words(tmp_path, render(SVG))
    drawing["fast"]()
    after = words(tmp_path, render(SVG))
    assert [word for word, _, _ in after] == [word for word, _, _ in before]
    assert {"80%", "70.9", "Percent", "Oct", "Dec", "Jan", "2021"} <= {word for word, _, _ in after}
    for (word, x0, y0), (_, x1, y1) in zip(before, after, strict=True):
        assert abs(x0 - x1) < 0.5 and abs(y0 - y1) < 0.5, word


def test_only_simple_text_is_drawn_a_string_at_a_time(drawing, monkeypatch):
    calls = []
    text_module = importlib.import_module("weasyprint.svg.text")
    original = text_module.text

    def counting(svg, node, font_size):
        calls.append(node.text)
        return original(svg, node, font_size)

    import weasyprint.svg as svg_module

    fast = svg_text._fast_text(counting)
    monkeypatch.setattr(svg_module, "text", fast)
    for tag in ("a", "text", "textPath", "tspan"):
        monkeypatch.setitem(svg_module.TAGS, tag, fast)
    render(SVG)
    # Several x, a dx, and a text with a tspan (and the tspan itself) are WeasyPrint's own.
    assert sorted(calls) == sorted(["Nov", "Dec", "Jan ", "2021"])


def test_it_is_not_installed_on_another_weasyprint(monkeypatch):
    import weasyprint
    import weasyprint.svg as svg_module

    before = svg_module.text
    monkeypatch.setitem(svg_text._state, "installed", False)
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert svg_text.install() is False
    assert svg_module.text is before
