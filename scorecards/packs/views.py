"""Board pack pages: ask for a pack (of a month or a quarter), watch it being made, list an authority's packs,
download one.

Every view asks ``authority_for_user`` first, so another council's pack answers 404 like a missing one, and
packs are only ever served through ``board_pack_download``, never from a public media address.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST, require_safe
from django_tables2 import RequestConfig

from authorities.access import DRAFT_ROLES, authority_for_user
from scorecards.core import selectors
from scorecards.core.quarterly import QUARTER_WINDOW_CHOICES
from scorecards.models import BoardPack, PackState
from scorecards.packs import selectors as pack_selectors
from scorecards.packs import services as packs
from scorecards.packs import tasks as pack_tasks
from scorecards.packs.tables import BoardPackTable
from scorecards.quarters import DEFAULT_QUARTERS, Quarter

PACKS_PER_PAGE = 25
ALREADY_IN_HAND = "Your board pack for {period} is already being made; it is shown below."
QUARTER_PACK_REQUESTED_HERE = (
    "A quarter's board pack is now made in the background and kept, as a month's is: choose “Download board "
    "pack” to ask for it, and download it from its page when it is ready."
)


def pack_status_text(pack: BoardPack) -> str:
    """What a person is told about a pack: queued, rendering N of M, done, or failed with the reason."""
    if pack.state == PackState.QUEUED:
        return "Queued: waiting for a worker to start the pack."
    if pack.state == PackState.RENDERING:
        if pack.progress_total:
            return f"Rendering {pack.progress_done} of {pack.progress_total}."
        return "Rendering: starting."
    if pack.state == PackState.DONE:
        pages = f"{pack.page_count} page{'s' if pack.page_count != 1 else ''}" if pack.page_count else "ready"
        size = f", {filesizeformat(pack.size_bytes)}" if pack.size_bytes else ""
        return f"Done: {pages}{size}."
    return f"Failed: {pack.error or packs.WORKER_STOPPED}"


def _when(moment: datetime.datetime | None) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i") if moment else ""


def pack_facts(pack: BoardPack) -> dict[str, str]:
    """The parts of the pack's record that change as it is made, written for people."""
    done = pack.state == PackState.DONE
    return {
        "data_as_of": _when(pack.data_as_of) or "known when the pack is made",
        "finished": _when(pack.finished_at) or "not yet",
        "file": (
            f"{pack_selectors.board_pack_filename(pack)}, {pack.page_count} pages, {filesizeformat(pack.size_bytes)}"
            if done
            else "none yet"
        ),
    }


def _pack_of(request: HttpRequest, code: str, pack_id: int):
    authority, role = authority_for_user(request.user, code)
    pack = get_object_or_404(
        pack_selectors.packs_visible(authority=authority, role=role).select_related(
            "authority", "requested_by"
        ),
        pk=pack_id,
    )
    return authority, role, packs.board_pack_check(pack)


def _scorecard_route(period: datetime.date | Quarter) -> str:
    return "scorecards:quarter" if isinstance(period, Quarter) else "scorecards:detail"


def _window_asked(request: HttpRequest, period: datetime.date | Quarter) -> int:
    """The window asked for, if it is one the scorecard offers: months for a month, quarters for a quarter."""
    choices, default = (
        (QUARTER_WINDOW_CHOICES, DEFAULT_QUARTERS)
        if isinstance(period, Quarter)
        else (selectors.WINDOW_CHOICES, selectors.DEFAULT_MONTHS)
    )
    try:
        months = int(request.POST.get("months", default))
    except ValueError:
        return default
    return months if months in choices else default


def _download_url(pack: BoardPack) -> str | None:
    if pack.state != PackState.DONE or not pack.file:
        return None
    return reverse("scorecards:pack_download", args=[pack.authority.code, pack.pk])


def quarter_pack_redirect(
    request: HttpRequest, *, authority, quarter: Quarter, quarters: int
) -> HttpResponseRedirect:
    """Where ``?format=pdf`` on a quarter's scorecard (links made when a quarter's pack was drawn while the reader
    waited) now leads: the quarter's page with the window asked for, whose button asks for the pack. A GET never
    makes a pack, as it never makes a month's; the caller has already checked the reader's access."""
    messages.info(request, QUARTER_PACK_REQUESTED_HERE)
    return redirect(reverse("scorecards:quarter", args=[authority.code, quarter]) + f"?months={quarters}")


@require_POST
@login_required
def board_pack_create(request: HttpRequest, code: str, period: datetime.date | Quarter) -> HttpResponse:
    """Ask for the pack of a month, or of a quarter (its window then counts quarters); board members only of
    what they may read: an approved month, or a quarter whose months with figures are all approved."""
    authority, role = authority_for_user(request.user, code)
    if role not in DRAFT_ROLES and pack_selectors.approval_for(authority=authority, period=period).draft:
        if isinstance(period, Quarter):
            messages.error(request, packs.QUARTER_NOT_APPROVED_YET.format(quarter=period.title))
        else:
            messages.error(request, packs.NOT_APPROVED_YET.format(month=f"{period:%B %Y}"))
        return redirect(_scorecard_route(period), code=authority.code, period=period)
    months = _window_asked(request, period)
    pending = packs.board_pack_pending(authority=authority, period=period, months=months, user=request.user)
    if pending is not None:
        messages.info(request, ALREADY_IN_HAND.format(period=pack_selectors.pack_label(pending)))
        return redirect("scorecards:pack", code=authority.code, pack_id=pending.pk)
    pack = pack_tasks.board_pack_request(authority=authority, period=period, months=months, user=request.user)
    return redirect("scorecards:pack", code=authority.code, pack_id=pack.pk)


@never_cache
@require_safe
@login_required
def board_pack_list(request: HttpRequest, code: str) -> HttpResponse:
    authority, role = authority_for_user(request.user, code)
    packs.board_pack_refresh_stale(authority=authority)
    table = BoardPackTable(
        pack_selectors.packs_visible(authority=authority, role=role).select_related(
            "authority", "requested_by"
        ),
        caption=f"Board packs made for {authority.name}, newest first",
    )
    RequestConfig(request, paginate={"per_page": PACKS_PER_PAGE}).configure(table)
    newest = selectors.newest_period(authority=authority, include_drafts=role in DRAFT_ROLES)
    return render(
        request,
        "scorecards/packs/list.html",
        {"authority": authority, "role": role, "table": table, "newest_period": newest},
    )


@never_cache
@require_safe
@login_required
def board_pack_detail(request: HttpRequest, code: str, pack_id: int) -> HttpResponse:
    authority, role, pack = _pack_of(request, code, pack_id)
    period = pack_selectors.pack_period(pack)
    context = {
        "authority": authority,
        "role": role,
        "pack": pack,
        "label": pack_selectors.pack_label(pack),
        "scorecard_url": reverse(_scorecard_route(period), args=[authority.code, period]),
        "again_url": reverse(
            "scorecards:quarter_pack_create" if pack.quarter else "scorecards:pack_create",
            args=[authority.code, period],
        ),
        "status_text": pack_status_text(pack),
        "download_url": _download_url(pack),
        "status_url": reverse("scorecards:pack_status", args=[authority.code, pack.pk]),
        "active": pack.state in packs.ACTIVE_STATES,
        "facts": pack_facts(pack),
    }
    return render(request, "scorecards/packs/detail.html", context)


@never_cache
@require_safe
@login_required
def board_pack_status(request: HttpRequest, code: str, pack_id: int) -> JsonResponse:
    _authority, _role, pack = _pack_of(request, code, pack_id)
    return JsonResponse(
        {
            "state": pack.state,
            "state_label": pack.get_state_display(),
            "text": pack_status_text(pack),
            "done": pack.progress_done,
            "total": pack.progress_total,
            "error": pack.error if pack.state == PackState.FAILED else "",
            "download_url": _download_url(pack),
            "page_count": pack.page_count,
            "size_bytes": pack.size_bytes,
            "facts": pack_facts(pack),
        }
    )


@cache_control(private=True, no_store=True)
@require_safe
@login_required
def board_pack_download(request: HttpRequest, code: str, pack_id: int) -> FileResponse:
    _authority, _role, pack = _pack_of(request, code, pack_id)
    if pack.state != PackState.DONE or not pack.file:
        raise Http404("This pack has no file yet.")
    try:
        handle = pack.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(packs.FILE_MISSING) from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=pack_selectors.board_pack_filename(pack),
        content_type="application/pdf",
    )
