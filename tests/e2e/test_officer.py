"""An officer of Dorset enters and uploads figures in the browser; another council stays out of reach."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

ENTRY = "/scorecards/838/2020-11/enter/"
SCORECARD = "/scorecards/838/2020-11/"
INDICATOR = "cic_rate_per_10k"
INDICATOR_NAME = "Rate of children in care per 10,000 children"
UPLOAD = "/scorecards/838/upload/"
VALUES_CSV = b"authority,indicator,period,value\r\n838,cic_count,2020-10,475\r\n"


def test_an_officer_enters_a_figure_and_sees_it_as_a_draft(visit):
    person = visit()
    page = person.page

    person.step("the officer signs in, sees the demo's councils they belong to, and opens Dorset's newest month")
    person.log_in("officer")
    page.goto("/scorecards/838/")
    expect(page).to_have_url(re.compile(r"/scorecards/838/2020-11/(\?.*)?$"))

    person.step("a council the officer does not belong to is a 404 in the browser, like one that does not exist")
    for address in ("/scorecards/800/2020-11/", "/scorecards/800/2020-11/enter/", "/scorecards/800/upload/"):
        response = page.goto(address)
        assert response is not None and response.status == 404, address
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert "Bath" not in page.content()

    person.step("the month-entry form opens with the last figures beside each field")
    page.goto(ENTRY)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter figures for November 2020")
    value = page.locator(f"#{INDICATOR}-value")
    expect(value).to_have_value("70.1")
    person.axe("month entry")

    person.step("a figure that is not a number is refused, with an error summary linked to the field")
    value.fill("seventy")
    page.get_by_role("button", name="Save draft figures").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(value).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link").first.click()
    person.axe("month entry with an error")

    person.step("a corrected figure is saved, and the scorecard shows it as a draft revision")
    page.locator(f"#{INDICATOR}-value").fill("69.9")
    page.get_by_role("button", name="Save draft figures").click()
    # The browser keeps the #field fragment of the error link across the redirect.
    expect(page).to_have_url(re.compile(re.escape(SCORECARD) + "(#.*)?$"))
    expect(page.get_by_role("status")).to_contain_text("Saved 1 figure for November 2020")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(INDICATOR_NAME)))
    cell = row.locator("td.month.draft")
    expect(cell).to_have_count(1)
    expect(cell).to_contain_text("69.9")
    expect(cell).to_contain_text("revised since approval")
    expect(page.locator(".banner")).to_contain_text("not been approved")
    expect(row.locator("td.dir")).to_contain_text("Better")
    person.axe("scorecard with a draft revision (officer)")


def test_an_officer_uploads_a_spreadsheet_with_a_preview(visit):
    person = visit()
    page = person.page
    person.log_in("officer")

    person.step("the upload page offers the kinds an officer may upload")
    page.goto(UPLOAD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a spreadsheet")
    expect(page.get_by_role("radio", name="Values")).to_be_checked()
    person.axe("upload form")

    person.step("a file that is neither CSV nor XLSX is refused")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"hello"}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("Upload a .csv or .xlsx file; 'notes.txt' is neither.")
    person.axe("upload form with an error")

    person.step("a CSV of values is checked and previewed before anything is written")
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "values.csv", "mimeType": "text/csv", "buffer": VALUES_CSV}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Preview of values.csv")).to_be_visible()
    preview = page.get_by_role("table", name="What confirming will do, row by row")
    expect(preview).to_contain_text("838 · cic_count · 2020-10")
    person.axe("upload preview")

    person.step("confirming applies the file")
    page.get_by_role("button", name="Confirm and apply").click()
    expect(page.get_by_role("status")).to_contain_text("Applied values.csv: created 1")
