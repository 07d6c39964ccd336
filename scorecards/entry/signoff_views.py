"""Sign-off actions on a month: submit, approve, return. POST only; the rules live in ``signoff``."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from authorities.access import ENTER_ROLES, authority_for_user
from scorecards.entry.signoff import SignOffError, month_approve, month_return, month_submit

RETURN_NEEDS_REASON = "Say why the month is being returned, so the officers know what to fix."


def _back(authority, period: datetime.date) -> HttpResponse:
    return redirect("scorecards:detail", code=authority.code, period=period)


@require_POST
@login_required
def submit(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    try:
        month_submit(authority=authority, period=period, user=request.user, role=role)
    except SignOffError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{period:%B %Y} submitted for approval.")
    return _back(authority, period)


@require_POST
@login_required
def approve(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    try:
        month_approve(authority=authority, period=period, user=request.user, role=role)
    except SignOffError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{period:%B %Y} approved: board members can now see it.")
    return _back(authority, period)


@require_POST
@login_required
def return_month(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, RETURN_NEEDS_REASON)
        return _back(authority, period)
    try:
        month_return(authority=authority, period=period, user=request.user, role=role, reason=reason[:250])
    except SignOffError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{period:%B %Y} returned to the officers as a draft.")
    return _back(authority, period)
