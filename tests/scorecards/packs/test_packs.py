"""Board packs: requested, rendered by the (in-process) Celery task, kept, watched, listed and downloaded."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from config.celery import app as celery_app
from scorecards.models import BoardPack, MonthlyValue, PackState, ScorecardMonth
from scorecards.packs import services as packs
from scorecards.packs import tasks as pack_tasks
from scorecards.packs.pdf import PackPdf

NOVEMBER = datetime.date(2020, 11, 1)
ROLES = ["board_member", "officer", "approver", "administrator"]


@pytest.fixture(autouse=True)
def _packs_in_tmp_and_tasks_in_process(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    celery_app.conf.update(saved)


@pytest.fixture
def month_data(home_authority, other_authority, make_indicator, make_value):
    dental = make_indicator(code="dental_check_pct", section="Health", name="Dental checks within 12 months")
    for month, value in [("2020-09", 58), ("2020-10", 55), ("2020-11", 42)]:
        make_value(home_authority, dental, month, value)
    make_value(other_authority, dental, "2020-11", 77)
    return home_authority


class FakeRender:
    """Stands in for WeasyPrint where a test is about the job, not the drawing."""

    def __init__(self, fail_with: list[Exception] | None = None, during=None):
        self.calls: list[dict] = []
        self.fail_with = list(fail_with or [])
        self.during = during

    def __call__(self, scorecard, *, draft, produced_at=None, data_as_of=None, progress=None, **kwargs):
        self.calls.append({"draft": draft, "scorecard": scorecard, "data_as_of": data_as_of})
        if self.fail_with:
            raise self.fail_with.pop(0)
        for done in range(1, 5):
            progress(done, 4)
        if self.during:
            self.during()
        return PackPdf(content=b"%PDF-1.7 a board pack", page_count=7)


@pytest.fixture
def fake_render(monkeypatch):
    fake = FakeRender()
    monkeypatch.setattr("scorecards.packs.pdf.scorecard_pdf_render", fake)
    return fake


@pytest.fixture
def request_pack(django_capture_on_commit_callbacks):
    def request(authority, user=None, months=6):
        with django_capture_on_commit_callbacks(execute=True):
            pack = pack_tasks.board_pack_request(
                authority=authority, period=NOVEMBER, months=months, user=user
            )
        pack.refresh_from_db()
        return pack

    return request


def make_pack(authority, **fields) -> BoardPack:
    pack = BoardPack.objects.create(authority=authority, period=NOVEMBER, **fields)
    if "requested_at" in fields:  # auto_now_add ignores the value given to create()
        BoardPack.objects.filter(pk=pack.pk).update(requested_at=fields["requested_at"])
        pack.refresh_from_db()
    return pack


def done_pack(authority, approval_state="draft") -> BoardPack:
    pack = make_pack(
        authority, state=PackState.DONE, approval_state=approval_state, page_count=7, size_bytes=21
    )
    pack.file.save("board-pack.pdf", ContentFile(b"%PDF-1.7 a board pack"))
    return pack


# The service and the task --------------------------------------------------------------------------------


def test_a_requested_pack_is_rendered_in_process_and_kept(month_data, board_member, request_pack, settings):
    """The real thing, small: request, the eager task, WeasyPrint, the stored file and its record."""
    pack = request_pack(month_data, user=board_member)
    assert pack.state == PackState.DONE, pack.error
    assert pack.file.name.startswith("packs/") and pack.file.name.endswith(".pdf")
    path = settings.MEDIA_ROOT / pack.file.name
    assert path.read_bytes().startswith(b"%PDF-")
    assert pack.size_bytes == path.stat().st_size
    assert pack.page_count >= 5
    assert pack.progress_done == pack.progress_total > 0
    assert pack.requested_by == board_member
    assert pack.approval_state == "draft"
    assert pack.task_id
    assert pack.started_at and pack.finished_at and pack.heartbeat_at
    newest = max(MonthlyValue.objects.filter(authority=month_data).values_list("updated_at", flat=True))
    assert pack.data_as_of == newest


def test_an_approved_month_makes_an_approved_pack(month_data, request_pack, fake_render):
    ScorecardMonth.objects.create(authority=month_data, period=NOVEMBER, state="approved", revision=2)
    pack = request_pack(month_data)
    assert (pack.state, pack.approval_state, pack.approval_revision) == (PackState.DONE, "approved", 2)
    assert fake_render.calls[0]["draft"] is False


@pytest.mark.parametrize("state", [None, "draft", "submitted"])
def test_a_month_not_approved_makes_a_draft_pack(month_data, request_pack, fake_render, state):
    if state:
        ScorecardMonth.objects.create(authority=month_data, period=NOVEMBER, state=state)
    pack = request_pack(month_data)
    assert pack.approval_state == "draft"
    assert fake_render.calls[0]["draft"] is True


def test_rendering_a_done_pack_again_does_nothing(month_data, request_pack, fake_render):
    pack = request_pack(month_data)
    file_name = pack.file.name
    again = packs.board_pack_render(pack.pk, task_id="another-delivery")
    assert again.state == PackState.DONE and again.file.name == file_name
    assert len(fake_render.calls) == 1


def test_a_pack_another_worker_is_rendering_is_left_alone(month_data, fake_render):
    pack = make_pack(month_data, state=PackState.RENDERING, task_id="first", heartbeat_at=timezone.now())
    packs.board_pack_render(pack.pk, task_id="second")
    assert fake_render.calls == []
    pack.refresh_from_db()
    assert pack.state == PackState.RENDERING


def test_a_redelivered_task_finishes_its_own_pack(month_data, fake_render):
    pack = make_pack(month_data, state=PackState.RENDERING, task_id="same", heartbeat_at=timezone.now())
    assert packs.board_pack_render(pack.pk, task_id="same").state == PackState.DONE


def test_a_failed_render_is_recorded_with_a_reason_and_no_traceback(month_data, request_pack, monkeypatch):
    monkeypatch.setattr(
        "scorecards.packs.pdf.scorecard_pdf_render", FakeRender(fail_with=[ValueError("boom: /secret/path")])
    )
    pack = request_pack(month_data)
    assert pack.state == PackState.FAILED
    assert pack.error == packs.RENDER_FAILED.format(pack_id=pack.pk)
    assert "boom" not in pack.error and "Traceback" not in pack.error
    assert not pack.file


def test_a_transient_error_is_retried(month_data, request_pack, monkeypatch):
    fake = FakeRender(fail_with=[OperationalError("database is locked")])
    monkeypatch.setattr("scorecards.packs.pdf.scorecard_pdf_render", fake)
    pack = request_pack(month_data)
    assert pack.state == PackState.DONE
    assert len(fake.calls) == 2


def test_transient_errors_beyond_the_retries_fail_the_pack_without_failing_the_request(
    month_data, request_pack, monkeypatch
):
    fake = FakeRender(fail_with=[OperationalError("server closed the connection")] * 10)
    monkeypatch.setattr("scorecards.packs.pdf.scorecard_pdf_render", fake)
    pack = request_pack(month_data)
    assert pack.state == PackState.FAILED
    assert pack.error == packs.RETRIES_EXHAUSTED
    assert len(fake.calls) == 5  # the first try and four retries


def test_an_unreachable_queue_fails_the_pack_with_a_reason(month_data, request_pack, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr("scorecards.tasks.board_pack_render_task.delay", broker_down)
    celery_app.conf.task_always_eager = False  # as with REDIS_URL set; restored by the autouse fixture
    pack = request_pack(month_data)
    assert (pack.state, pack.error) == (PackState.FAILED, packs.QUEUE_UNAVAILABLE)


def test_a_render_given_up_on_while_it_ran_keeps_no_file(month_data, request_pack, monkeypatch, settings):
    def stale_check_fires():
        packs.board_pack_refresh_stale(
            rendering_after=datetime.timedelta(0), now=timezone.now() + datetime.timedelta(1)
        )

    monkeypatch.setattr("scorecards.packs.pdf.scorecard_pdf_render", FakeRender(during=stale_check_fires))
    pack = request_pack(month_data)
    assert (pack.state, pack.error) == (PackState.FAILED, packs.WORKER_STOPPED)
    assert not pack.file
    assert not list((settings.MEDIA_ROOT / "packs").rglob("*.pdf"))


def test_packs_whose_worker_stopped_or_never_started_are_failed(month_data):
    now = timezone.now()
    silent = make_pack(
        month_data, state=PackState.RENDERING, heartbeat_at=now - datetime.timedelta(minutes=3)
    )
    alive = make_pack(
        month_data, state=PackState.RENDERING, heartbeat_at=now - datetime.timedelta(seconds=20)
    )
    never = make_pack(month_data, state=PackState.QUEUED, requested_at=now - datetime.timedelta(minutes=16))
    waiting = make_pack(month_data, state=PackState.QUEUED, requested_at=now - datetime.timedelta(minutes=1))
    finished = make_pack(month_data, state=PackState.DONE, heartbeat_at=now - datetime.timedelta(hours=3))
    assert packs.board_pack_refresh_stale() == 2
    states = {p.pk: (p.state, p.error) for p in BoardPack.objects.all()}
    assert states[silent.pk] == (PackState.FAILED, packs.WORKER_STOPPED)
    assert states[never.pk] == (PackState.FAILED, packs.NEVER_STARTED)
    assert states[alive.pk][0] == PackState.RENDERING
    assert states[waiting.pk][0] == PackState.QUEUED
    assert states[finished.pk][0] == PackState.DONE


def test_a_stale_pack_is_taken_over_by_a_new_delivery(month_data, fake_render):
    pack = make_pack(
        month_data,
        state=PackState.RENDERING,
        task_id="dead",
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    assert packs.board_pack_render(pack.pk, task_id="new").state == PackState.DONE


# Pages ------------------------------------------------------------------------------------------------------


def pack_pages(pack: BoardPack) -> dict[str, str]:
    base = f"/scorecards/838/packs/{pack.pk}/"
    return {
        "list": "/scorecards/838/packs/",
        "detail": base,
        "status": f"{base}status/",
        "download": f"{base}download/",
    }


@pytest.mark.parametrize("persona", ROLES)
def test_each_role_of_the_council_can_request_a_pack(
    client, request, month_data, fake_render, persona, django_capture_on_commit_callbacks, approve_month
):
    user = request.getfixturevalue(persona)
    approve_month(month_data, NOVEMBER)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/scorecards/838/2020-11/pack/", {"months": "12"})
    pack = BoardPack.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/scorecards/838/packs/{pack.pk}/"
    assert (pack.requested_by, pack.months, pack.state) == (user, 12, PackState.DONE)


@pytest.mark.parametrize("persona", ROLES)
@pytest.mark.parametrize("page", ["list", "detail", "status", "download"])
def test_each_role_of_the_council_sees_the_pack_pages(client, request, month_data, persona, page):
    pack = done_pack(month_data, approval_state="approved")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(pack_pages(pack)[page]).status_code == 200


@pytest.mark.parametrize("page", ["list", "detail", "status", "download"])
def test_another_councils_user_gets_404(client, month_data, other_council_user, page):
    pack = done_pack(month_data)
    client.force_login(other_council_user)
    assert client.get(pack_pages(pack)[page]).status_code == 404
    assert client.post("/scorecards/838/2020-11/pack/").status_code == 404
    assert not BoardPack.objects.exclude(pk=pack.pk).exists()


def test_a_pack_of_another_authority_is_404_even_at_your_own_address(
    client, month_data, other_authority, board_member
):
    theirs = done_pack(other_authority)
    client.force_login(board_member)
    for address in pack_pages(theirs).values():
        if "/packs/" + str(theirs.pk) in address:
            assert client.get(address).status_code == 404


@pytest.mark.parametrize("page", ["list", "detail", "status", "download"])
def test_anonymous_visitors_are_sent_to_sign_in(client, month_data, page):
    response = client.get(pack_pages(done_pack(month_data))[page])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert client.post("/scorecards/838/2020-11/pack/")["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("page", ["list", "detail", "status", "download"])
def test_pack_pages_reject_the_wrong_method(client, month_data, board_member, page):
    client.force_login(board_member)
    assert client.post(pack_pages(done_pack(month_data))[page]).status_code == 405
    assert client.get("/scorecards/838/2020-11/pack/").status_code == 405


def test_requesting_a_pack_needs_the_csrf_token(month_data, board_member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(board_member)
    assert client.post("/scorecards/838/2020-11/pack/").status_code == 403


def test_a_second_click_shows_the_pack_already_being_made(client, month_data, officer):
    pending = make_pack(month_data, state=PackState.QUEUED, requested_by=officer)
    client.force_login(officer)
    response = client.post("/scorecards/838/2020-11/pack/", {"months": "6"})
    assert response["Location"] == f"/scorecards/838/packs/{pending.pk}/"
    assert BoardPack.objects.count() == 1


@pytest.mark.parametrize(
    ("approval", "filename"),
    [("draft", "board-pack-838-2020-11-draft.pdf"), ("approved", "board-pack-838-2020-11.pdf")],
)
def test_the_download_is_an_attachment_named_for_the_month(client, month_data, officer, approval, filename):
    pack = done_pack(month_data, approval_state=approval)
    client.force_login(officer)
    response = client.get(pack_pages(pack)["download"])
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == b"%PDF-1.7 a board pack"


def test_an_unfinished_pack_has_no_download(client, month_data, officer):
    pack = make_pack(
        month_data,
        state=PackState.RENDERING,
        heartbeat_at=timezone.now(),
        progress_done=12,
        progress_total=60,
    )
    client.force_login(officer)
    assert client.get(pack_pages(pack)["download"]).status_code == 404


def test_the_status_says_rendering_n_of_m_then_offers_the_file(client, month_data, officer):
    pack = make_pack(
        month_data,
        state=PackState.RENDERING,
        heartbeat_at=timezone.now(),
        progress_done=12,
        progress_total=60,
    )
    client.force_login(officer)
    data = client.get(pack_pages(pack)["status"]).json()
    assert data["state"] == "rendering" and data["text"] == "Rendering 12 of 60."
    assert data["download_url"] is None
    done = done_pack(month_data)
    data = json.loads(client.get(pack_pages(done)["status"]).content)
    assert data["state"] == "done" and data["download_url"] == f"/scorecards/838/packs/{done.pk}/download/"
    assert data["text"] == "Done: 7 pages, 21\xa0bytes."


def test_the_status_of_a_pack_whose_worker_died_is_failed(client, month_data, officer):
    pack = make_pack(
        month_data, state=PackState.RENDERING, heartbeat_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    client.force_login(officer)
    data = client.get(pack_pages(pack)["status"]).json()
    assert data["state"] == "failed"
    assert data["error"] == packs.WORKER_STOPPED
    assert "worker stopped" in data["text"]


def test_the_pack_page_polls_with_a_script_file_and_works_without_one(client, month_data, officer):
    pack = make_pack(
        month_data,
        state=PackState.RENDERING,
        heartbeat_at=timezone.now(),
        progress_done=12,
        progress_total=60,
    )
    client.force_login(officer)
    content = client.get(pack_pages(pack)["detail"]).content.decode()
    assert 'aria-live="polite"' in content
    assert "Rendering 12 of 60." in content
    assert 'src="/static/js/pack-progress.js"' in content
    assert f'data-status-url="/scorecards/838/packs/{pack.pk}/status/"' in content
    assert "<script>" not in content, "no inline scripts: the CSP forbids them"
    assert 'http-equiv="refresh"' not in content
    assert f'href="/scorecards/838/packs/{pack.pk}/">Refresh</a>' in content


def test_a_failed_pack_page_gives_the_reason_and_a_way_to_try_again(client, month_data, officer):
    pack = make_pack(month_data, state=PackState.FAILED, error=packs.WORKER_STOPPED)
    client.force_login(officer)
    content = client.get(pack_pages(pack)["detail"]).content.decode()
    assert "Failed: The worker stopped before finishing the pack." in content
    assert "Request the pack again" in content
    assert "pack-progress.js" not in content


def test_the_list_shows_every_pack_of_the_authority_only(client, month_data, other_authority, officer):
    mine = done_pack(month_data, approval_state="approved")
    make_pack(month_data, state=PackState.FAILED, error=packs.WORKER_STOPPED)
    done_pack(other_authority)
    client.force_login(officer)
    content = client.get("/scorecards/838/packs/").content.decode()
    assert "<caption>Board packs made for Dorset, newest first</caption>" in content
    headers = ("Requested", "Month or quarter", "Window", "Approval", "Status", "Requested by", "Data as of")
    for header in (*headers, "Pages", "Size"):
        assert f">{header}</th>" in content
    assert content.count("<tr>") == 1 + 2
    assert f"/scorecards/838/packs/{mine.pk}/download/" in content
    assert "Failed: The worker stopped" in content


def test_the_scorecard_offers_the_board_pack(client, month_data, officer):
    client.force_login(officer)
    content = client.get("/scorecards/838/2020-11/").content.decode()
    assert 'action="/scorecards/838/2020-11/pack/"' in content
    assert "Download board pack" in content
    assert 'href="/scorecards/838/packs/"' in content


# Commands -------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_board_pack_command_waits_and_prints_one_line(month_data, fake_render, settings):
    out = StringIO()
    call_command("board_pack", "838", "2020-11", "--wait", "5", stdout=out)
    pack = BoardPack.objects.get()
    line = out.getvalue().strip()
    assert line.startswith(f"done: {settings.MEDIA_ROOT / pack.file.name} (7 pages, 21 bytes, ")
    assert pack.requested_by is None


@pytest.mark.django_db(transaction=True)
def test_the_board_pack_command_exits_1_with_the_reason(month_data, monkeypatch):
    monkeypatch.setattr("scorecards.packs.pdf.scorecard_pdf_render", FakeRender(fail_with=[ValueError("x")]))
    with pytest.raises(CommandError, match="could not be made") as error:
        call_command("board_pack", "838", "2020-11", "--wait", "5")
    assert error.value.returncode == 1


def test_the_stale_check_command_fails_silent_packs(month_data):
    pack = make_pack(
        month_data, state=PackState.RENDERING, heartbeat_at=timezone.now() - datetime.timedelta(seconds=30)
    )
    out = StringIO()
    call_command("board_pack", "--refresh-stale", "--stale-after", "10", stdout=out)
    assert out.getvalue().strip() == "stale packs marked failed: 1"
    pack.refresh_from_db()
    assert pack.state == PackState.FAILED


@pytest.mark.parametrize(("state", "draft"), [("approved", False), ("submitted", True)])
def test_export_scorecard_pdf_marks_drafts_from_the_sign_off(month_data, monkeypatch, tmp_path, state, draft):
    ScorecardMonth.objects.create(authority=month_data, period=NOVEMBER, state=state)
    seen = {}

    def fake_pdf(scorecard, *, draft, **kwargs):
        seen["draft"] = draft
        return b"%PDF-1.7"

    monkeypatch.setattr("scorecards.packs.pdf.scorecard_pdf", fake_pdf)
    call_command(
        "export_scorecard",
        "838",
        "2020-11",
        "--format",
        "pdf",
        "--output",
        str(tmp_path / "p.pdf"),
        stdout=StringIO(),
    )
    assert seen["draft"] is draft
    assert (tmp_path / "p.pdf").read_bytes() == b"%PDF-1.7"


def test_figures_revised_later_do_not_change_a_kept_pack(month_data, request_pack, fake_render, settings):
    pack = request_pack(month_data)
    before = (settings.MEDIA_ROOT / pack.file.name).read_bytes(), pack.data_as_of
    MonthlyValue.objects.filter(authority=month_data, period=NOVEMBER).update(value=Decimal(99))
    pack.refresh_from_db()
    assert ((settings.MEDIA_ROOT / pack.file.name).read_bytes(), pack.data_as_of) == before


def test_the_sweep_task_fails_silent_packs_for_a_schedule(month_data):
    from scorecards.tasks import board_pack_refresh_stale_task

    make_pack(
        month_data, state=PackState.RENDERING, heartbeat_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    assert board_pack_refresh_stale_task.delay().get() == 1


@pytest.mark.parametrize("page", ["detail", "status", "download"])
def test_board_members_see_only_the_packs_of_approved_months(client, month_data, board_member, officer, page):
    draft = done_pack(month_data, approval_state="draft")
    approved = done_pack(month_data, approval_state="approved")
    client.force_login(board_member)
    assert client.get(pack_pages(draft)[page]).status_code == 404
    assert client.get(pack_pages(approved)[page]).status_code == 200
    listing = client.get("/scorecards/838/packs/").content.decode()
    assert f"/packs/{approved.pk}/" in listing and f"/packs/{draft.pk}/" not in listing
    client.force_login(officer)
    assert client.get(pack_pages(draft)[page]).status_code == 200


def test_a_board_member_cannot_request_the_pack_of_a_month_not_approved(client, month_data, board_member):
    client.force_login(board_member)
    response = client.post("/scorecards/838/2020-11/pack/", follow=True)
    assert response.redirect_chain[0][0] == "/scorecards/838/2020-11/"
    assert "November 2020 has not been approved yet" in response.content.decode()
    assert not BoardPack.objects.exists()


@pytest.mark.parametrize(("state", "include_drafts"), [("approved", False), ("draft", True)])
def test_an_approved_pack_has_the_figures_board_members_see_and_a_draft_has_all(
    month_data, request_pack, fake_render, monkeypatch, state, include_drafts
):
    from scorecards.core import selectors

    seen = {}
    real_build = selectors.scorecard_build

    def spy(**kwargs):
        seen.update(kwargs)
        return real_build(**kwargs)

    monkeypatch.setattr("scorecards.packs.services.selectors.scorecard_build", spy)
    ScorecardMonth.objects.create(authority=month_data, period=NOVEMBER, state=state)
    request_pack(month_data)
    assert seen["include_drafts"] is include_drafts
    assert fake_render.calls[0]["draft"] is include_drafts
