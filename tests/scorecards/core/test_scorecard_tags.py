"""The scorecard's month cells, written in one call per row."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from scorecards.rows import MonthCell
from scorecards.templatetags.scorecard_tags import month_cells

NOVEMBER = datetime.date(2020, 11, 1)


def _cells(*cells: MonthCell) -> list[str]:
    return str(month_cells(SimpleNamespace(cells=cells))).split("\n      ")


def test_a_figure_is_written_escaped_in_its_cell():
    assert _cells(MonthCell(NOVEMBER, Decimal(42), "", "42%")) == ['<td class="num month">42%</td>']
    assert _cells(MonthCell(NOVEMBER, Decimal(1), "", "<b>")) == ['<td class="num month">&lt;b&gt;</td>']


def test_a_status_is_abbreviated_with_its_label_and_a_missing_figure_says_so():
    suppressed, missing = _cells(
        MonthCell(NOVEMBER, None, "suppressed", ""), MonthCell(NOVEMBER, None, "", "–")
    )
    assert suppressed == (
        '<td class="num month missing"><abbr title="Suppressed (small numbers)">supp.</abbr></td>'
    )
    assert missing == '<td class="num month missing"><span class="muted" title="No figure">–</span></td>'


def test_withheld_draft_and_revised_cells_are_marked():
    withheld, revised = _cells(
        MonthCell(NOVEMBER, None, "", "–", withheld=True),
        MonthCell(
            NOVEMBER,
            Decimal(44),
            "",
            "44%",
            draft=True,
            revised_since=datetime.datetime(2021, 6, 30, 23, 30, tzinfo=datetime.UTC),
        ),
    )
    assert withheld == '<td class="num month missing"><span class="muted">awaiting approval</span></td>'
    # In local time, as the template's date filter writes it: 23:30 UTC on 30 June is 1 July in London.
    assert revised == (
        '<td class="num month draft">44%<span class="revised">revised since approval on 1 Jul 2021</span></td>'
    )
