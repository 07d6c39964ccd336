"""A quarter's board pack: asked for, made by the same task, kept, listed, watched and downloaded like a month's.

The council of ``conftest.quarter_council``: January to June 2020 entered and approved, so Q4 2019/20 and Q1
2020/21 are whole quarters of approved months.
"""

from __future__ import annotations

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.db.models import Max
from django.utils.html import escape

from scorecards.models import BoardPack, MonthlyValue, PackState, ScorecardMonth
from scorecards.packs import selectors as pack_selectors
from scorecards.packs import services as packs
from scorecards.packs.pdf import PackPdf
from scorecards.packs.views import QUARTER_PACK_REQUESTED_HERE
from scorecards.quarters import Quarter

QUARTER = "/scorecards/838/2020-21-Q1/"
ASK = QUARTER + "pack/"
Q1 = Quarter(2020, 1)
JUNE = datetime.date(2020, 6, 1)


@pytest.fixture(autouse=True)
def _packs_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    """Post the quarter scorecard's pack button as ``user``; the task runs in process once the request commits."""

    def post(user, path=ASK, **data):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data)

    return post


@pytest.fixture
def fake_render(monkeypatch):
    """Stands in for WeasyPrint where a test is about the request and the record, not the drawing."""
    calls = []

    def render(scorecard, *, draft, progress=None, **kwargs):
        calls.append({"scorecard": scorecard, "draft": draft})
        progress(1, 1)
        return PackPdf(content=b"%PDF-1.7 a quarter pack", page_count=6)

    monkeypatch.setattr("scorecards.packs.pdf.scorecard_pdf_render", render)
    return calls


def revise_after_approval(authority, month: str, indicator_code: str, value) -> None:
    """An officer's change after approval: the working figure changes and the month goes back to draft."""
    period = datetime.date(*map(int, month.split("-")), 1)
    MonthlyValue.objects.filter(authority=authority, period=period, indicator__code=indicator_code).update(
        value=Decimal(value)
    )
    ScorecardMonth.objects.filter(authority=authority, period=period).update(state="draft", revision=2)


def test_a_board_members_quarter_pack_is_made_from_approved_months_kept_listed_and_downloaded(
    client, quarter_council, board_member, ask, tmp_path
):
    """The real thing: the button, the in-process task, WeasyPrint, the kept file, the list and the download."""
    # March (in Q4 2019/20, the window's other quarter) revised after approval: board members still read 474.
    revise_after_approval(quarter_council, "2020-03", "children", 999)
    response = ask(board_member, months="4")

    pack = BoardPack.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/scorecards/838/packs/{pack.pk}/"
    assert pack.state == PackState.DONE, pack.error
    assert (pack.quarter, pack.period, pack.months) == ("2020-21-Q1", JUNE, 4)
    assert (pack.approval_state, pack.approval_revision, pack.requested_by) == (
        "approved",
        None,
        board_member,
    )
    newest = max(
        MonthlyValue.objects.filter(authority=quarter_council).aggregate(at=Max("updated_at"))["at"],
        ScorecardMonth.objects.filter(
            authority=quarter_council, period__gte=datetime.date(2020, 4, 1)
        ).aggregate(at=Max("updated_at"))["at"],
    )
    assert pack.data_as_of == newest
    assert pack.file.name.endswith(f"board-pack-838-2020-21-Q1-{pack.pk}.pdf")

    listing = client.get("/scorecards/838/packs/").content.decode()
    assert "Quarter 1 2020/21" in listing and "4 quarters" in listing
    assert f"/scorecards/838/packs/{pack.pk}/download/" in listing
    page = client.get(f"/scorecards/838/packs/{pack.pk}/").content.decode()
    assert "<h1>Board pack, Quarter 1 2020/21</h1>" in page
    assert f'href="{QUARTER}">Back to the Quarter 1 2020/21 scorecard</a>' in page
    assert client.get(f"/scorecards/838/packs/{pack.pk}/status/").json()["state"] == "done"

    download = client.get(f"/scorecards/838/packs/{pack.pk}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="board-pack-838-2020-21-Q1.pdf"'
    path = tmp_path / "pack.pdf"
    path.write_bytes(b"".join(download.streaming_content))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    assert "Q1 2020/21 (April to June 2020)" in text.stdout
    assert "Q4 2019/20" in text.stdout and "474" in text.stdout
    assert "999" not in text.stdout and "DRAFT" not in text.stdout


def test_an_officers_quarter_pack_with_a_month_not_approved_is_a_draft_board_members_never_see(
    client, quarter_council, officer, board_member, ask, fake_render
):
    ScorecardMonth.objects.filter(authority=quarter_council, period=JUNE).update(state="submitted")
    ask(officer)
    pack = BoardPack.objects.get()
    assert (pack.quarter, pack.months, pack.approval_state, pack.state) == ("2020-21-Q1", 5, "draft", "done")
    assert fake_render[0]["draft"] is True and fake_render[0]["scorecard"].include_drafts is True
    assert pack_selectors.board_pack_filename(pack) == "board-pack-838-2020-21-Q1-draft.pdf"
    client.force_login(board_member)
    assert client.get(f"/scorecards/838/packs/{pack.pk}/").status_code == 404
    assert f"/packs/{pack.pk}/" not in client.get("/scorecards/838/packs/").content.decode()


def test_a_board_member_cannot_ask_for_a_quarter_with_a_month_not_approved(
    client, quarter_council, board_member, ask
):
    ScorecardMonth.objects.filter(authority=quarter_council, period=JUNE).update(state="submitted")
    response = ask(board_member)
    assert response["Location"] == QUARTER
    message = packs.QUARTER_NOT_APPROVED_YET.format(quarter="Quarter 1 2020/21")
    assert escape(message) in client.get(QUARTER).content.decode()
    assert not BoardPack.objects.exists()


@pytest.mark.parametrize(
    ("months", "approved", "expected"),
    [
        ((), (), "draft"),  # no figure and no sign-off: nothing approved
        (("2020-07",), ("2020-07",), "approved"),  # a quarter so far: its months still to come add nothing
        (("2020-07", "2020-08"), ("2020-07",), "draft"),  # August entered and not approved
    ],
)
def test_a_quarter_is_approved_when_its_months_with_figures_are(
    quarter_council, make_indicator, make_value, months, approved, expected
):
    from tests.scorecards.quarters.conftest import approve

    indicator = make_indicator(code="late", unit="count", polarity="neutral")
    for month in months:
        make_value(quarter_council, indicator, month, 1)
    approve(quarter_council, *approved)
    approval = pack_selectors.approval_for(authority=quarter_council, period=Quarter(2020, 2))
    assert (approval.state, approval.revision) == (expected, None)


@pytest.mark.parametrize(("asked", "kept"), [("8", 8), ("4", 4), ("12", 5), ("six", 5)])
def test_a_quarter_packs_window_counts_quarters(quarter_council, officer, ask, fake_render, asked, kept):
    ask(officer, months=asked)
    assert BoardPack.objects.get().months == kept
    assert len(fake_render[0]["scorecard"].months) == kept


def test_a_second_click_finds_the_quarter_pack_and_never_a_months(quarter_council, officer, ask, fake_render):
    def queued(**fields) -> str:
        pack = BoardPack.objects.create(
            authority=quarter_council, period=JUNE, requested_by=officer, **fields
        )
        return f"/scorecards/838/packs/{pack.pk}/"

    months_pack = queued(months=5)
    assert ask(officer, months="5")["Location"] != months_pack
    quarters_pack = queued(quarter="2020-21-Q1", months=6)
    assert ask(officer, path="/scorecards/838/2020-06/pack/", months="6")["Location"] != quarters_pack
    in_hand = queued(quarter="2020-21-Q1", months=4)
    assert ask(officer, months="4")["Location"] == in_hand
    assert BoardPack.objects.count() == 5


@pytest.mark.parametrize("path", ["/scorecards/838/2020-21-Q5/pack/", "/scorecards/838/2020-22-Q1/pack/"])
def test_an_impossible_quarters_pack_is_404(client, quarter_council, officer, path):
    client.force_login(officer)
    assert client.post(path).status_code == 404
    assert not BoardPack.objects.exists()


def test_another_council_gets_404_and_anonymous_readers_are_sent_to_sign_in(
    client, quarter_council, other_council_user
):
    response = client.post(ASK)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    client.force_login(other_council_user)
    assert client.post(ASK).status_code == 404
    assert client.get(QUARTER + "?format=pdf").status_code == 404
    assert not BoardPack.objects.exists()


def test_asking_for_a_quarter_pack_refuses_the_wrong_method(client, quarter_council, board_member):
    client.force_login(board_member)
    assert client.get(ASK).status_code == 405
    assert client.put(ASK).status_code == 405


def test_the_quarter_scorecard_asks_for_a_quarter_pack(client, quarter_council, board_member):
    client.force_login(board_member)
    content = client.get(QUARTER + "?months=4").content.decode()
    assert f'action="{ASK}"' in content and 'name="months" value="4"' in content
    assert "Download board pack" in content and "format=pdf" not in content


def test_the_old_pdf_address_of_a_quarter_leads_to_asking_for_its_pack(client, quarter_council, board_member):
    """A month's ``?format=pdf`` never drew a PDF while the reader waited; a quarter's no longer does either."""
    client.force_login(board_member)
    response = client.get(QUARTER + "?months=4&format=pdf")
    assert response.status_code == 302 and response["Location"] == QUARTER + "?months=4"
    assert escape(QUARTER_PACK_REQUESTED_HERE) in client.get(response["Location"]).content.decode()
    assert not BoardPack.objects.exists()
