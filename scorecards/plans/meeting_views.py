"""Board meetings: officers record one (date, title, scorecard month, plans reviewed); its board pack is the
scorecard's pack with the plans' progress and the challenge log before the scorecard pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from authorities.access import DRAFT_ROLES, ENTER_ROLES, authority_for_user
from scorecards.imports.cells import CellError, parse_period
from scorecards.models import Plan
from scorecards.packs import selectors as packs
from scorecards.packs.services import NOT_APPROVED_YET
from scorecards.plans import meetings, rules, services
from scorecards.plans import messages as plan_messages
from scorecards.plans.views import owned_or_404


def _meeting_fields(request: HttpRequest) -> tuple[dict, str]:
    """The form's fields for ``meeting_create``, or an error message for the first bad one."""
    date = rules.parse_iso_date(request.POST.get("date", "").strip())
    if date is None:
        return {}, plan_messages.MEETING_DATE_BAD
    try:
        period = parse_period(request.POST.get("period", "").strip())
    except CellError:
        return {}, plan_messages.MEETING_PERIOD_BAD
    return {
        "date": date,
        "period": period,
        "title": request.POST.get("title", ""),
        "plan_codes": request.POST.getlist("plans"),
    }, ""


@require_http_methods(["GET", "POST"])
@login_required
def meeting_list(request: HttpRequest, code: str) -> HttpResponse:
    authority, role = authority_for_user(request.user, code)
    error, status = "", 200
    if request.method == "POST":
        if role not in ENTER_ROLES:
            raise Http404("No such authority.")  # board members read meetings; officers record them
        fields, error = _meeting_fields(request)
        if not error:
            try:
                meeting = services.meeting_create(authority=authority, user=request.user, **fields)
            except services.PlanningError as failure:
                error = failure.message
            else:
                messages.success(request, plan_messages.MEETING_CREATED)
                return redirect("plans:meeting", code=authority.code, meeting_id=meeting.pk)
        status = 400
    context = {
        "authority": authority,
        "role": role,
        "meetings": meetings.meetings_list(authority=authority),
        "plans": sorted(
            Plan.objects.filter(authority=authority), key=lambda plan: rules.natural_key(plan.code)
        ),
        "can_edit": role in ENTER_ROLES,
        "error": error,
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "scorecards/plans/meetings.html", context, status=status)


def _meeting(request: HttpRequest, code: str, meeting_id: int):
    return owned_or_404(request, code, meetings.meeting_get, meeting_id)


@require_safe
@login_required
def meeting_detail(request: HttpRequest, code: str, meeting_id: int) -> HttpResponse:
    authority, role, meeting = _meeting(request, code, meeting_id)
    visible = packs.packs_visible(authority=authority, role=role)
    approved = not packs.approval_for(authority=authority, period=meeting.period).draft
    context = {
        "authority": authority,
        "role": role,
        "meeting": meeting,
        "packs": meetings.meeting_packs(meeting=meeting, visible=visible),
        "approved": approved,
        "can_request": role in DRAFT_ROLES or approved,
    }
    return render(request, "scorecards/plans/meeting.html", context)


@require_POST
@login_required
def meeting_pack(request: HttpRequest, code: str, meeting_id: int) -> HttpResponse:
    """Ask for the meeting's pack; board members, as for any pack, only once the month is approved."""
    authority, role, meeting = _meeting(request, code, meeting_id)
    if role not in DRAFT_ROLES and packs.approval_for(authority=authority, period=meeting.period).draft:
        messages.error(request, NOT_APPROVED_YET.format(month=f"{meeting.period:%B %Y}"))
        return redirect("plans:meeting", code=authority.code, meeting_id=meeting.pk)
    pack = services.meeting_pack_request(meeting=meeting, user=request.user)
    messages.success(request, plan_messages.MEETING_PACK_REQUESTED)
    return redirect("scorecards:pack", code=authority.code, pack_id=pack.pk)
