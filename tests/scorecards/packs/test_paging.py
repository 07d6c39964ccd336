"""Page references written after one layout (packs/paging.py): the numbers the pack prints are the pages its parts
land on, by the quick path (written into the laid-out pages) and by the fallback (a second layout)."""

from __future__ import annotations

import datetime
import logging
import re
import subprocess

import pytest
from django.utils import timezone

from scorecards.core import selectors
from scorecards.models import Target
from scorecards.packs import paging, pdf

from .test_pdf import page_texts

NOVEMBER = datetime.date(2020, 11, 1)
MONTHS = ["2020-06", "2020-07", "2020-08", "2020-09", "2020-10", "2020-11"]
SECTIONS = ["Profile", "Health", "Education", "Placement"]
COMMENTARY = (
    "Illustrative commentary long enough to take room on the page, so that the parts of the pack spread over "
    "several pages and the page numbers have something to tell. "
) * 3


def layout_lines(content: bytes, tmp_path, page: int) -> list[str]:
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout.splitlines()


@pytest.fixture
def paged_scorecard(home_authority, make_indicator, make_value):
    """Twelve indicators in four sections, each rated red and worse (lower is better, rising, over target), so
    that the exception report and the red rows' table name their pages too."""
    for number in range(12):
        indicator = make_indicator(
            code=f"ind_{number:02}",
            section=SECTIONS[number // 3],
            name=f"Indicator {number:02} measured",
            unit="count",
            polarity="lower_is_better",
            position=number,
        )
        for step, month in enumerate(MONTHS):
            make_value(
                home_authority,
                indicator,
                month,
                40 + step * 2 + number,
                commentary=COMMENTARY if step >= 4 and number % 2 else "",
            )
        Target.objects.create(
            authority=home_authority, indicator=indicator, kind="target", year="2022/23", value=30
        )
    return selectors.scorecard_build(authority=home_authority, period=NOVEMBER, include_drafts=True)


def landed(texts: list[str], scorecard) -> tuple[dict[str, int], dict[str, int]]:
    """The page (from 1) each section's part starts on and each indicator's part is on, read from the PDF."""
    sections, indicators = {}, {}
    for number, text in enumerate(texts, start=1):
        body = text.split("November 2020", 1)[1].strip()  # after the running header
        for section in SECTIONS:
            if body.startswith(f"{section} "):
                sections.setdefault(section, number)
        for row in scorecard.rows:
            # An indicator's own part: its name, then its "Latest" fact (the grid and the lists read otherwise).
            if f"{row.indicator.name} Latest" in text:
                indicators.setdefault(row.indicator.name, number)
    return sections, indicators


def contents_numbers(texts: list[str]) -> dict[str, int]:
    contents = next(text for text in texts if " Contents Contents and how to read this pack " in text)
    return {
        section: int(number) for section, number in re.findall(r"(\w+) \(3 indicators\) (\d+)", contents)
    } | {
        title: int(number)
        for title, number in re.findall(
            r"(Contents and how to read this pack|Headline figures and ratings needing attention) (\d+)",
            contents,
        )
    }


def assert_page_numbers_are_right(result, scorecard, tmp_path):
    texts = page_texts(result.content, tmp_path)
    assert len(texts) == result.page_count
    sections, indicators = landed(texts, scorecard)
    assert len(sections) == len(SECTIONS) and len(indicators) == len(scorecard.rows)
    assert len(set(indicators.values())) > 3, "the parts spread over several pages"

    numbers = contents_numbers(texts)
    headlines = next(n for n, text in enumerate(texts, 1) if "November 2020 Headline figures " in text)
    contents = next(n for n, text in enumerate(texts, 1) if "November 2020 Contents " in text)
    assert numbers == sections | {
        "Contents and how to read this pack": contents,
        "Headline figures and ratings needing attention": headlines,
    }

    # The exception report: "… on page N" after each indicator's name (every indicator is red and worse).
    referred = dict(
        re.findall(
            r"(Indicator \d\d measured) \w+; its chart, benchmarks and commentary on page (\d+)",
            " ".join(texts),
        )
    )
    assert {name: int(page) for name, page in referred.items()} == indicators

    # The grid's "Page" column and the red rows' table: the number at the end of each indicator's line.
    grid = [n for n, text in enumerate(texts, 1) if "Scorecard: June 2020 to November 2020" in text]
    red = [n for n, text in enumerate(texts, 1) if "Rated red this month" in text]
    assert grid and red
    assert line_end_numbers(result.content, tmp_path, grid, r"(Indicator \d\d measured)\s") == indicators
    assert (
        line_end_numbers(result.content, tmp_path, red, r"(Indicator \d\d measured) \(\w+\)\s") == indicators
    )


def line_end_numbers(content: bytes, tmp_path, pages: list[int], name: str) -> dict[str, int]:
    found = {}
    for page in pages:
        for line in layout_lines(content, tmp_path, page):
            match = re.match(r"\s*" + name + r".*\s(\d+)\s*$", line)
            if match:
                found[match[1]] = int(match[2])
    return found


@pytest.mark.django_db
def test_the_numbers_are_the_pages_the_parts_land_on_after_one_layout(
    paged_scorecard, tmp_path, caplog, monkeypatch
):
    layouts = []
    original = paging.anchor_pages

    def counting(document):
        layouts.append(len(document.pages))
        return original(document)

    monkeypatch.setattr(paging, "anchor_pages", counting)
    with caplog.at_level(logging.WARNING, logger="scorecards.packs.paging"):
        result = pdf.scorecard_pdf_render(paged_scorecard, draft=False)
    assert layouts == [result.page_count], "laid out once"
    assert not caplog.records, "the numbers were written into the laid-out pages, with no second layout"
    assert_page_numbers_are_right(result, paged_scorecard, tmp_path)


@pytest.mark.django_db
def test_without_weasyprints_boxes_as_expected_a_second_layout_writes_the_same_numbers(
    paged_scorecard, tmp_path, caplog, monkeypatch
):
    # One time for both packs: "Produced ..." prints the minute, which may turn between the two renders.
    produced_at = timezone.now()
    quick = pdf.scorecard_pdf_render(paged_scorecard, draft=False, produced_at=produced_at)

    def missing(page):
        raise AttributeError("'Page' object has no attribute '_page_box'")

    monkeypatch.setattr(paging, "_laid_out_root", missing)
    with caplog.at_level(logging.WARNING, logger="scorecards.packs.paging"):
        result = pdf.scorecard_pdf_render(paged_scorecard, draft=False, produced_at=produced_at)
    assert "second layout" in caplog.text
    assert result.page_count == quick.page_count
    assert_page_numbers_are_right(result, paged_scorecard, tmp_path)
    assert page_texts(result.content, tmp_path) == page_texts(quick.content, tmp_path)


@pytest.mark.django_db
def test_a_number_wider_than_its_room_is_laid_out_again(paged_scorecard, tmp_path, caplog, monkeypatch):
    """One figure reserved where the pack has ten pages or more: written by a second layout, still right."""
    monkeypatch.setattr(pdf, "page_digits", lambda pages: 1)
    with caplog.at_level(logging.WARNING, logger="scorecards.packs.paging"):
        result = pdf.scorecard_pdf_render(paged_scorecard, draft=False)
    assert result.page_count >= 10
    assert "wider than its room" in caplog.text
    assert_page_numbers_are_right(result, paged_scorecard, tmp_path)


def test_placeholders_are_replaced_in_the_html_padded_on_the_side_they_read_from():
    html = (
        '<p><span class="page-ref" data-page-of="ind-a">\u2007\u2007</span> '
        '<span class="page-ref" data-page-of="ind-b" data-page-pad="end">\u2007\u2007</span> '
        '<span class="page-ref" data-page-of="ind-c">\u2007\u2007</span></p>'
    )
    written = paging.html_with_numbers(html, {"ind-a": 7, "ind-b": 9}, 3)
    assert ">\u2007\u20077</span>" in written
    assert ">9\u2007\u2007</span>" in written
    assert 'data-page-of="ind-c">\u2007\u2007\u2007</span>' in written, "an unknown anchor stays blank"


def test_room_is_reserved_for_the_pages_expected_with_some_to_spare():
    assert paging.page_digits(20) == 2
    assert paging.page_digits(66) == 2
    assert paging.page_digits(67) == 3
