"""The board pack opens with the exception report: every indicator's SPC icons, then the rows needing attention."""

from __future__ import annotations

import base64
import datetime
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html import unescape

import pytest

from scorecards.core import selectors
from scorecards.core.spc_charts import MEANING_COLOURS, flag_meaning
from scorecards.models import Target
from scorecards.packs import pdf

NOVEMBER = datetime.date(2020, 11, 1)
FALLING = [80, 82, 81, 79, 83, 80, 82, 81, 79, 80, 82, 81, 80, 79, 81, 82, 80, 76, 62, 50]


def month(index: int) -> datetime.date:
    year, zero_based = divmod(3 + index, 12)  # index 0 is April 2019; 19 is November 2020
    return datetime.date(2019 + year, zero_based + 1, 1)


@pytest.fixture
def scorecard(home_authority, make_indicator, make_value):
    dental = make_indicator(code="dental_check_pct", section="Health", name="Dental checks within 12 months")
    steady = make_indicator(code="steady_pct", section="Placement", name="Steady placements")
    make_indicator(code="empty_pct", section="Education", name="Not collected yet")
    for index, value in enumerate(FALLING):
        make_value(
            home_authority, dental, month(index), value, commentary="Practices closed." if index == 19 else ""
        )
        make_value(home_authority, steady, month(index), 70 + index % 2)
    Target.objects.create(authority=home_authority, indicator=dental, kind="target", year="2020/21", value=80)
    return selectors.scorecard_build(authority=home_authority, period=NOVEMBER, include_drafts=True)


def test_the_pack_opens_with_the_summary_of_icons_then_the_exception_report(scorecard):
    html = unescape(pdf.pack_html(scorecard, draft=True))
    order = [
        html.index('id="contents"'),
        html.index('id="exceptions"'),
        html.index('id="exception-report"'),
        html.index('id="headlines"'),
        html.index('id="grid"'),
        html.index('id="ind-dental_check_pct"'),
    ]
    assert order == sorted(order)
    summary = html[html.index('id="exceptions"') : html.index('id="exception-report"')]
    for row in scorecard.rows:
        assert row.indicator.name in summary, row.indicator.name
    assert '<span class="spc-icon var-concern">L</span> Real change: worse' in summary
    assert '<span class="spc-icon ass-hit_and_miss">?</span> Hit and miss' in summary
    assert '<span class="spc-icon var-none">–</span> Too few figures' in summary
    assert "real change for the worse (special cause of concern), not noise" in summary


def test_the_exception_report_has_reasons_chart_forecast_and_commentary_of_those_rows_only(scorecard):
    html = unescape(pdf.pack_html(scorecard, draft=True))
    report = html[html.index('id="exception-report"') : html.index('id="headlines"')]
    assert "Exception report: 1 indicator needing attention" in report
    assert "Dental checks within 12 months" in report and "Steady placements" not in report
    assert "Red and getting worse; Real change for the worse" in report
    assert '<img class="spc-thumb" src="data:image/svg+xml;base64,' in report
    assert "the figure for March 2021 will be about" in report and "How a forecast is made" in report
    assert "Practices closed." in report


def test_a_pack_with_no_exceptions_says_so_and_still_renders(home_authority, make_indicator, make_value):
    steady = make_indicator(code="steady_pct", name="Steady")
    make_value(home_authority, steady, "2020-11", 70)
    scorecard = selectors.scorecard_build(authority=home_authority, period=NOVEMBER, include_drafts=True)
    html = unescape(pdf.pack_html(scorecard, draft=True))
    assert "0 of 1 this month" in html and 'id="exception-report"' not in html
    assert pdf.scorecard_pdf_render(scorecard, draft=True).content.startswith(b"%PDF-")


def test_the_thumbnail_marks_flagged_months_with_one_path_of_dots_per_meaning(scorecard):
    html = unescape(pdf.pack_html(scorecard, draft=True))
    report = html[html.index('id="exception-report"') : html.index('id="headlines"')]
    data = re.search(r'<img class="spc-thumb" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', report)[1]
    root = ET.fromstring(base64.b64decode(data))
    svg = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{svg}title").text.startswith("20 monthly figures from April 2019 to November 2020")
    dental = next(row for row in scorecard.rows if row.code == "dental_check_pct")
    dots = [path for path in root.findall(f"{svg}path") if path.get("fill") not in (None, "none")]
    meanings = Counter(
        MEANING_COLOURS[flag_meaning(flags, dental.indicator.polarity)] for flags in dental.spc.flags.values()
    )
    assert meanings["#a84f00"], "the fall is a change for the worse, in the concern colour"
    assert {path.get("fill"): path.get("d").count("M") for path in dots} == meanings, "one path per colour"
    assert len(root.findall(f"{svg}circle")) == 1, "the latest month's ring"
