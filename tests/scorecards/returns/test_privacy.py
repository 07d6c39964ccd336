"""No child's identifier outlives the request that computes, except in the officers' data-quality list: not on
disk, not on a board member's page, export or pack, not in the log, not in an error message."""

from __future__ import annotations

import io
import logging
import os
import re
import time
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from scorecards.core.selectors import scorecard_build
from scorecards.models import DataQualityProblem, ReturnImport
from scorecards.packs.pdf import pack_html
from scorecards.returns import views
from scorecards.returns.catalogue import INDICATORS
from scorecards.returns.uploads import ReturnUploadHandler

from .conftest import MAR, fake_child_ids, fake_files, hand_made, needs_fake
from .helpers import FAKE, shared

NUMBERS = re.compile(r"\d+")


def leaked(text: str, ids: set[str]) -> set[str]:
    """The child identifiers written in ``text`` as whole numbers."""
    return set(NUMBERS.findall(text)) & ids


def xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


@pytest.fixture
def ids():
    return fake_child_ids()


@pytest.fixture
def spy(monkeypatch, media_root):
    """What the upload folder held while the view read the files, and where each file was."""
    seen = {}
    read = views._read

    def spying(files, **kwargs):
        seen["files"] = [Path(file.file.name) for file in files]
        seen["folder"] = sorted(path.name for path in (media_root / "returns-tmp").rglob("*"))
        seen["handlers"] = [type(file) for file in files]
        return read(files, **kwargs)

    monkeypatch.setattr(views, "_read", spying)
    return seen


@needs_fake
def test_the_files_are_in_a_private_folder_while_computing_and_gone_after(
    signed_in, officer, upload, spy, media_root, ids
):
    signed_in(officer)
    assert upload(fake_files()).status_code == 302
    root = media_root / "returns-tmp"
    assert all(path.parent.parent == root and path.parent.name.startswith("upload-") for path in spy["files"])
    assert len(spy["folder"]) == 5  # the request's folder and its four files, all of them there
    assert list(root.iterdir()) == []  # deleted when the request was answered
    for path in Path(media_root).rglob("*"):
        if path.is_file():
            assert not leaked(path.read_bytes().decode("utf-8", "replace"), ids), path


@needs_fake
def test_the_folder_is_deleted_when_the_upload_is_refused_too(signed_in, officer, upload, media_root):
    signed_in(officer)
    files = fake_files("missing.csv", "oc2.csv")  # no episodes.csv: refused after being stored
    assert upload(files).status_code == 400
    assert list((media_root / "returns-tmp").iterdir()) == []


def test_the_private_folder_is_readable_by_this_user_only(
    media_root, signed_in, officer, upload, monkeypatch
):
    modes = []
    original = ReturnUploadHandler.file_complete

    def file_complete(self, size):
        modes.append(self.folder.stat().st_mode & 0o777)
        return original(self, size)

    monkeypatch.setattr(ReturnUploadHandler, "file_complete", file_complete)
    signed_in(officer)
    upload(hand_made("1,01/01/2018,S,C2,U1,,"))
    assert modes == [0o700]
    assert (media_root / "returns-tmp").stat().st_mode & 0o777 == 0o700


@needs_fake
def test_no_child_identifier_reaches_a_board_member_an_export_or_the_pack(
    client, officer, board_member, upload, approve_month, home_authority, ids, caplog
):
    caplog.set_level(logging.DEBUG)
    client.force_login(officer)
    assert upload(fake_files(), first="2017-04", last="2018-03").status_code == 302
    return_import = ReturnImport.objects.get()
    preview = client.get(f"/scorecards/838/returns/{return_import.pk}/")
    client.post(
        f"/scorecards/838/returns/{return_import.pk}/confirm/", {"digest": preview.context["preview"].digest}
    )
    assert ReturnImport.objects.get().state == "applied"
    assert DataQualityProblem.objects.count() == 57  # the list does name children, for the officers
    assert leaked(client.get(f"/scorecards/838/returns/{return_import.pk}/problems/").content.decode(), ids)
    officer_pages = [f"/scorecards/838/returns/{return_import.pk}/", "/scorecards/838/returns/"]
    for url in officer_pages:
        assert not leaked(client.get(url).content.decode(), ids), url

    approve_month(home_authority, MAR)
    client.force_login(board_member)
    assert client.get("/scorecards/838/")["Location"] == "/scorecards/838/2018-03/"
    pages = ["/scorecards/838/2018-03/", "/scorecards/838/2018-03/?months=12"]
    pages += [f"/scorecards/838/2018-03/{entry.code}/" for entry in INDICATORS]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not leaked(response.content.decode(), ids), url
    assert (
        "computed from the 903 return of" in client.get("/scorecards/838/2018-03/cic_count/").content.decode()
    )
    for export in ("json", "csv"):
        response = client.get(f"/scorecards/838/2018-03/?format={export}")
        assert response.status_code == 200 and not leaked(response.content.decode(), ids)
    xlsx = client.get("/scorecards/838/2018-03/?format=xlsx")
    assert xlsx.status_code == 200 and not leaked(xlsx_text(xlsx.content), ids)
    scorecard = scorecard_build(authority=home_authority, period=MAR, months=12)
    html = pack_html(scorecard, draft=False)
    assert "1,196" in html and not leaked(html, ids)
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", html), "the pack's dates carry microseconds"

    call_command(
        "import_903", "838", str(shared(FAKE)), "--from", "2018-03", "--to", "2018-03", stdout=io.StringIO()
    )
    assert "57 data-quality problems" in caplog.text
    assert not leaked(caplog.text, ids)


def test_error_messages_never_quote_a_cell(signed_in, officer, upload, caplog):
    caplog.set_level(logging.DEBUG)
    signed_in(officer)
    secret = "987654321"
    bad = [
        {
            "episodes.csv": f"CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n{secret},01/01/2018,S,C2,U1,,,{secret}\n".encode()
        },
        {"episodes.csv": f"CHILD,DECOM,RNE,LS,PLACE,DEC\n{secret},01/01/2018,S,C2,U1,\n".encode()},
        {"episodes.csv": f'CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n"{secret},01/01/2018\n'.encode() + b"\xff"},
        {"r.xml": f"<EXPSSDA903><CHILD><HEADER><CHILDID>{secret}</CHILDID></HEADER><bad".encode()},
        {"r.xml": f"<OTHER><CHILD>{secret}</CHILD></OTHER>".encode()},
    ]
    for files in bad:
        response = upload(files)
        assert response.status_code == 400 and "Nothing was computed or kept." in response.content.decode()
        assert secret not in response.content.decode()
    assert secret not in caplog.text


def test_deleting_the_list_leaves_no_child_identifier_anywhere(signed_in, officer, upload, home_authority):
    child = "864209"
    signed_in(officer)
    upload(hand_made(f"{child},31/02/2018,S,C2,U1,,", "111111,01/01/2018,S,C2,U1,,"))
    return_import = ReturnImport.objects.get()
    assert DataQualityProblem.objects.get().child == child
    response = signed_in(officer).post(
        f"/scorecards/838/returns/{return_import.pk}/problems/delete/", follow=True
    )
    assert "Deleted the data-quality list (1 problem)." in response.content.decode()
    assert "the list was deleted" in response.content.decode()
    dump = io.StringIO()
    call_command("dumpdata", "scorecards", "authorities", stdout=dump)
    assert child not in dump.getvalue() and "111111" not in dump.getvalue()


def test_the_problem_list_is_downloaded_with_formula_text_made_inert(signed_in, officer, upload):
    signed_in(officer)
    upload(hand_made("=1+2,31/02/2018,S,C2,U1,,", "@SUM(A1),2018-01-01,S,C2,U1,,"))
    return_import = ReturnImport.objects.get()
    response = signed_in(officer).get(f"/scorecards/838/returns/{return_import.pk}/problems.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="903-problems-838-')
    lines = response.content.decode().splitlines()
    assert lines[0] == "table,row,child,rule,message"
    assert lines[1].startswith("episodes.csv,2,'=1+2,bad_date,")
    assert lines[2].startswith("episodes.csv,3,'@SUM(A1),bad_date,")


def test_a_folder_left_by_a_killed_process_is_removed_by_the_next_upload(
    media_root, signed_in, officer, upload
):
    root = media_root / "returns-tmp"
    left = root / "upload-left-behind"
    left.mkdir(parents=True)
    (left / "001.csv").write_text("CHILD\n123456\n")
    recent = root / "upload-in-progress"
    recent.mkdir()
    hour_ago = time.time() - 2 * 60 * 60
    os.utime(left, (hour_ago, hour_ago))
    signed_in(officer)
    upload(hand_made("1,01/01/2018,S,C2,U1,,"))
    assert sorted(path.name for path in root.iterdir()) == ["upload-in-progress"]
