"""A board member reads Dorset's November 2020 scorecard in the browser, as a councillor would before a board."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SCORECARD = "/scorecards/838/2020-11/"
INDICATOR = "cic_rate_per_10k"
INDICATOR_NAME = "Rate of children in care per 10,000 children"
RAG_WORDS = {"Red", "Amber", "Green", "Not rated"}
DIRECTION_WORDS = {"Better", "Worse", "Unchanged", "Up", "Down", "Same", "No trend"}
ARROWS = {"↑", "↓", "→", "–"}
PACK_TIMEOUT_MS = 180_000
#: .ci/e2e loads DfE's published statistics (../shared/data) when present: the comparison pages then have charts.
PUBLISHED_DATA = os.environ.get("E2E_PUBLISHED_DATA") == "1"


def test_a_board_member_reads_the_scorecard_and_its_indicator(visit):
    person = visit()
    page = person.page

    person.step("anonymous: the scorecard address answers with the sign-in page")
    page.goto(SCORECARD)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/scorecards/838/2020-11/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    person.axe("sign-in")

    person.step("a wrong password is refused with an error summary")
    page.get_by_label("Username").fill("board")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    person.axe("sign-in with an error")

    person.step("the board member signs in and sees the councils they belong to")
    person.log_in("board")
    expect(page).to_have_url(re.compile(r"/scorecards/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your scorecards")
    person.axe("your scorecards (council list)")

    person.step("choosing Dorset opens its newest approved month, November 2020")
    page.get_by_role("link", name="Dorset").click()
    expect(page).to_have_url(re.compile(re.escape(SCORECARD) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("November 2020 scorecard")

    person.step("the table has a caption, column headers and row headers")
    table = page.get_by_role(
        "table", name=re.compile(r"^Dorset corporate parenting scorecard: 6 months to November")
    )
    expect(table).to_be_visible()
    for header in ("Indicator", "RAG", "Direction", "Nov 20"):
        expect(table.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    expect(table.get_by_role("rowheader", name=re.compile(INDICATOR_NAME))).to_be_visible()

    person.step("every rating is a word as well as a colour, and every direction a word beside its arrow")
    rag_texts = table.locator(".rag-chip").all_inner_texts()
    assert len(rag_texts) > 40
    words = {text.split(" ", 1)[1].strip() for text in rag_texts}
    assert words <= RAG_WORDS and {"Red", "Green"} <= words, words
    directions = table.locator("td.dir > .has-tip").all_inner_texts()
    assert len(directions) == len(rag_texts)
    for text in directions:
        arrow, word = text.split(" ", 1)
        assert arrow in ARROWS and word.strip() in DIRECTION_WORDS, text
    assert {"Better", "Worse"} <= {text.split(" ", 1)[1].strip() for text in directions}

    person.step("by keyboard: Tab from an indicator reaches its rating, whose reason is shown and announced")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(INDICATOR_NAME)))
    row.get_by_role("link", name=INDICATOR_NAME).focus()
    page.keyboard.press("Tab")
    chip = row.locator(".rag-chip")
    expect(chip).to_be_focused()
    expect(chip).to_have_text(re.compile(r"Red$"))
    expect(chip).to_have_accessible_description(re.compile(r"^Red: 70\.1 is 10\.1 above target 60\.0"))
    tip = row.locator(".rag-cell .tip")
    expect(tip).to_be_visible()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    page.keyboard.press("Tab")
    direction = row.locator("td.dir .has-tip")
    expect(direction).to_be_focused()
    expect(direction).to_have_accessible_description(re.compile(r"^Worse: 70\.1 in Nov 2020 against 70\.0"))
    person.axe("scorecard")

    person.step("printed, the scorecard keeps the table, its words and arrows, and drops the controls")
    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Download board pack")).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Trend")).to_be_hidden()
    expect(chip).to_be_visible()
    expect(chip).to_have_text(re.compile(r"Red$"))
    expect(direction).to_have_text(re.compile(r"Worse$"))
    assert page.pdf(format="A4", landscape=True)[:5] == b"%PDF-"
    page.emulate_media(media="screen")

    person.step("the CSV download has the contract's header and Dorset's figures")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "scorecard-838-2020-11.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    months = [f"2020-{month:02d}" for month in range(6, 12)]
    assert rows[0][:11] == ["indicator", "section", "name", "unit", *months, "latest_period"]
    assert {"england", "sn_average", "target", "direction", "rag"} <= set(rows[0])
    by_code = {line[0]: dict(zip(rows[0], line, strict=True)) for line in rows[1:]}
    assert by_code[INDICATOR]["2020-11"] == "70.1"
    assert by_code[INDICATOR]["rag"] == "red"

    person.step("the month picker changes the month")
    page.get_by_label("Month", exact=True).select_option(label="October 2020")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/scorecards/838/2020-10/\?months=6$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("October 2020 scorecard")

    person.step("an indicator opens with its plotly chart drawn")
    page.goto(SCORECARD)
    page.get_by_role("link", name=INDICATOR_NAME).click()
    expect(page).to_have_url(re.compile(re.escape(f"{SCORECARD}{INDICATOR}/") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(INDICATOR_NAME)
    expect(page.locator("#indicator-chart[data-drawn=true] .main-svg").first).to_be_visible()
    assert page.locator("#indicator-chart .scatterlayer .trace").count() >= 1
    expect(
        page.get_by_role("figure", name=re.compile(f"^Line chart of {INDICATOR_NAME}", re.I))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Share chart...")).to_have_count(0)
    person.axe("indicator with its chart")

    person.step("the indicator's month picker keeps the indicator")
    page.get_by_label("Month", exact=True).select_option(label="September 2020")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"/scorecards/838/2020-09/{INDICATOR}/\?months=12$"))
    expect(page.locator("#indicator-chart[data-drawn=true]")).to_have_count(1)

    person.step("the comparison with statistical neighbours and the league table open, charts drawn")
    page.goto(f"{SCORECARD}{INDICATOR}/")
    page.get_by_role("link", name="Compare with statistical neighbours").click()
    expect(page).to_have_url(re.compile(re.escape(f"{SCORECARD}{INDICATOR}/compare/") + "$"))
    if PUBLISHED_DATA:
        expect(page.locator(".chart-canvas")).to_have_count(2)
        for chart in page.locator(".chart-canvas").all():
            expect(chart).to_have_attribute("data-drawn", "true")
            expect(chart.locator(".main-svg").first).to_be_visible()
    person.axe("comparison with statistical neighbours")
    page.get_by_role("link", name="League table of all authorities").first.click()
    expect(page).to_have_url(re.compile(re.escape(f"{SCORECARD}{INDICATOR}/league/") + "$"))
    if PUBLISHED_DATA:
        expect(page.get_by_role("table").first).to_contain_text("Dorset")
    person.axe("league table")

    person.step("a council that does not exist is a 404 page")
    response = page.goto("/scorecards/999/2020-11/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    person.axe("404 page")


def test_a_board_member_downloads_the_board_pack_made_by_the_worker(visit):
    person = visit()
    page = person.page
    person.log_in("board")
    page.goto(SCORECARD)

    person.step("Download board pack asks the worker for a pack and shows its progress")
    page.get_by_role("button", name="Download board pack").click()
    expect(page).to_have_url(re.compile(r"/scorecards/838/packs/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Board pack, November 2020")
    expect(page.locator("#pack-status-text")).to_contain_text(re.compile(r"Queued|Rendering|Done"))
    person.axe("board pack status (being made)")

    person.step("the page updates itself when the Celery worker has made the PDF")
    link = page.get_by_role("link", name=re.compile(r"^Download the board pack \(PDF, \d+ pages"))
    expect(link).to_be_visible(timeout=PACK_TIMEOUT_MS)
    expect(page.locator("#pack-status-text")).to_contain_text("Done")
    person.axe("board pack status (done)")

    person.step("the download is a PDF")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"

    person.step("the list of board packs shows the pack as done")
    page.goto("/scorecards/838/packs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Board packs")
    expect(page.get_by_role("table").first).to_contain_text("November 2020")
    person.axe("board packs list")
