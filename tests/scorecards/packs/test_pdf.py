"""The board pack PDF: what WeasyPrint is given, and what comes out."""

from __future__ import annotations

import base64
import datetime
import os
import re
import shutil
import subprocess
import zlib
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from scorecards.core import selectors
from scorecards.models import Benchmark, Target
from scorecards.packs import pdf

NOVEMBER = datetime.date(2020, 11, 1)


def pdf_objects(content: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to find metadata WeasyPrint packs into object streams."""
    parts = [content]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def chart_svgs(html: str) -> list[str]:
    """The indicator charts, which the pack embeds as SVG data: URLs."""
    found = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    return [base64.b64decode(data).decode() for data in found]


def page_texts(content: bytes, tmp_path) -> list[str]:
    """Each page's text by poppler's pdftotext, whitespace folded.

    Without poppler the test is skipped, saying why; in CI (which installs it, .ci/run) it fails instead.
    """
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("pdftotext (Debian's poppler-utils) is required in CI to read the packs' text")
        pytest.skip("pdftotext is not installed: apt-get install poppler-utils to read the packs' text")
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return [" ".join(page.split()) for page in result.stdout.split("\f") if page.strip()]


def pdf_text(content: bytes, tmp_path) -> str:
    """The text of the whole PDF, whitespace folded (see ``page_texts``)."""
    return " ".join(page_texts(content, tmp_path))


@pytest.fixture
def small_scorecard(home_authority, make_indicator, make_value):
    dental = make_indicator(code="dental_check_pct", section="Health", name="Dental checks within 12 months")
    rate = make_indicator(
        code="cic_rate",
        section="Profile",
        name="Children in care per 10,000 & <rate>",
        unit="rate_per_10k",
        polarity="lower_is_better",
        decimals=1,
        position=0,
    )
    make_indicator(code="ks1", section="Education", name="Key Stage 1 expected standard")
    for month, value in [("2020-06", 70), ("2020-07", 69), ("2020-09", 58), ("2020-10", 55), ("2020-11", 42)]:
        make_value(home_authority, dental, month, value)
    make_value(home_authority, dental, "2020-08", None, status="not_available")
    for month, value in [("2020-10", "70.0"), ("2020-11", "70.1")]:
        make_value(home_authority, rate, month, value, commentary="Edging down; every admission is reviewed.")
    Benchmark.objects.create(
        authority=home_authority,
        indicator=dental,
        year="2018/19",
        england=Decimal(85),
        sn_min=Decimal(78),
        sn_max=Decimal(94),
    )
    Target.objects.create(authority=home_authority, indicator=rate, kind="target", year="2022/23", value=60)
    return selectors.scorecard_build(authority=home_authority, period=NOVEMBER, include_drafts=True)


def test_the_html_sets_language_title_and_metadata(small_scorecard):
    html = pdf.pack_html(small_scorecard, draft=True, produced_at=timezone.now())
    assert '<html lang="en-GB">' in html
    assert "<title>Dorset corporate parenting scorecard, November 2020 (draft)</title>" in html
    assert '<meta name="author" content="Dorset">' in html
    assert 'name="description"' in html and 'name="dcterms.created"' in html


def test_every_indicator_is_in_the_grid_and_has_its_own_part(small_scorecard):
    html = unescape(pdf.pack_html(small_scorecard, draft=False))
    charted = [row for row in small_scorecard.rows if row.latest]
    for row in small_scorecard.rows:
        # grid, heading, the chart's alt text; a row with no figure in the window: the grid and a list
        assert html.count(row.indicator.name) >= (3 if row.latest else 2), row.indicator.name
        assert f'id="ind-{row.code}"' in html
    charts = chart_svgs(html)
    assert len(charts) == len(charted), "no empty charts"
    assert all('class="indicator-chart"' in chart for chart in charts)
    assert (
        "Line chart of Dental checks within 12 months, 6 months to November 2020. From 70% in June 2020"
        in html
    )
    assert "<rate>" not in pdf.pack_html(small_scorecard, draft=False), "names are escaped"


def test_the_grid_repeats_its_header_and_keeps_sections_together():
    css = pdf.stylesheet_path().read_text()
    assert "table.scorecard thead { display: table-header-group; }" in css
    assert "table.scorecard tbody.section { break-inside: avoid; }" in css
    assert re.search(r"@page grid \{\s*size: A4 landscape;", css)
    assert 'content: "Page " counter(page) " of " counter(pages)' in css


def test_it_reports_progress_forwards_to_the_end(small_scorecard):
    calls = []
    result = pdf.scorecard_pdf_render(
        small_scorecard, draft=True, progress=lambda done, total: calls.append((done, total))
    )
    dones = [done for done, _ in calls]
    assert dones == sorted(dones)
    assert calls[-1][0] == calls[-1][1]
    assert len(calls) >= len(small_scorecard.rows) + 2
    assert result.page_count >= 6


def test_a_draft_pack_is_marked_draft_and_an_approved_one_is_not(small_scorecard, tmp_path):
    draft = pdf.scorecard_pdf_render(small_scorecard, draft=True)
    approved = pdf.scorecard_pdf_render(small_scorecard, draft=False)
    assert draft.content.startswith(b"%PDF-")
    assert approved.content.startswith(b"%PDF-")
    assert "DRAFT" in pdf.pack_html(small_scorecard, draft=True)
    assert "DRAFT" not in pdf.pack_html(small_scorecard, draft=False)
    draft_objects, approved_objects = pdf_objects(draft.content), pdf_objects(approved.content)
    assert b"/Lang (en-GB)" in draft_objects and b"/Lang (en-GB)" in approved_objects
    assert b"/Title (Dorset corporate parenting scorecard, November 2020 \\(draft\\))" in draft_objects
    assert b"/Title (Dorset corporate parenting scorecard, November 2020)" in approved_objects
    draft_text, approved_text = pdf_text(draft.content, tmp_path), pdf_text(approved.content, tmp_path)
    assert draft_text.count("DRAFT") >= draft.page_count, "every page says DRAFT in its header"
    assert "DRAFT" not in approved_text
    assert f"Page 1 of {approved.page_count}" in approved_text


@pytest.mark.django_db
def test_the_demo_pack_has_every_indicator_with_its_chart(tmp_path):
    """The one full render: Dorset's 56 indicators of November 2020."""
    from authorities.models import Authority
    from scorecards.demo import demo_load

    demo_load()
    scorecard = selectors.scorecard_build(authority=Authority.objects.get(code="838"), period=NOVEMBER)
    assert len(scorecard.rows) >= 50
    # Its time is measured by the benchmark (manage.py benchmark), not here: the machines are shared.
    result = pdf.scorecard_pdf_render(scorecard, draft=False)
    assert result.content.startswith(b"%PDF-")
    assert result.page_count > 20
    html = unescape(pdf.pack_html(scorecard, draft=False))
    # Every indicator with a figure in the window has its chart; those without one (annual attainment, BCP's
    # care plans, Devon's school attendance) are listed, not charted.
    charted = [row for row in scorecard.rows if row.latest]
    assert len(chart_svgs(html)) == len(charted) >= 45
    text = pdf_text(result.content, tmp_path)
    for row in scorecard.rows:
        assert " ".join(row.indicator.name.split()) in text, row.indicator.name
    for symbol in "▲◆●○↑↓→":
        assert symbol in text


def test_the_garbage_collector_is_paused_while_weasyprint_works_and_then_restored():
    import gc

    assert gc.isenabled()
    with pytest.raises(RuntimeError), pdf._collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("a failed render")
    assert gc.isenabled(), "re-enabled after a failure too"
    gc.disable()
    try:
        with pdf._collector_paused():
            pass
        assert not gc.isenabled(), "left as it was found"
    finally:
        gc.enable()


def test_each_charts_legend_is_text_under_it_beside_keys_drawn_like_its_lines(small_scorecard, tmp_path):
    html = unescape(pdf.pack_html(small_scorecard, draft=False))
    part = html[html.index('id="ind-dental_check_pct"') :]
    legend = part[part.index('<ul class="chart-legend">') : part.index("</ul>")]
    for label in ["Dorset monthly value", "England 85% (2018/19)", "SN range 78% to 94% (2018/19)"]:
        assert f">{label}</li>" in legend, label
    keys = re.findall(r"background-image: url\('data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)'\)", legend)
    assert len(keys) == 3
    assert all(base64.b64decode(key).decode().startswith("<svg") for key in keys)
    text = pdf_text(pdf.scorecard_pdf(small_scorecard, draft=False), tmp_path)
    assert "England 85% (2018/19)" in text and "SN range 78% to 94% (2018/19)" in text
