"""The board pack opens with the exception report: every indicator's SPC icons, then the rows needing attention."""

from __future__ import annotations

import datetime
from html import unescape

import pytest

from scorecards.core import selectors
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
