"""Sign-off of a month: submit (confirming what is missing), review then approve, return. Rules in ``signoff``."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from authorities.access import APPROVE_ROLES, ENTER_ROLES, authority_for_user
from scorecards.entry.selectors import month_review
from scorecards.entry.signoff import (
    MissingFigures,
    SignOffError,
    changed_this_revision,
    month_approve,
    month_return,
    month_submit,
)
from scorecards.models import ScorecardMonth, SignOffState

RETURN_NEEDS_REASON = "Say why the month is being returned, so the officers know what to fix."


def _back(authority, period: datetime.date) -> HttpResponse:
    return redirect("scorecards:detail", code=authority.code, period=period)


@require_POST
@login_required
def submit(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    try:
        month_submit(
            authority=authority,
            period=period,
            user=request.user,
            role=role,
            confirm_missing=request.POST.get("confirm_missing") == "1",
        )
    except MissingFigures as missing:
        review = month_review(authority=authority, period=period)
        context = {"authority": authority, "period": period, "review": review, "warning": str(missing)}
        return render(request, "scorecards/entry/submit_confirm.html", context)
    except SignOffError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{period:%B %Y} submitted for approval.")
    return _back(authority, period)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def approve(request: HttpRequest, code: str, period: datetime.date) -> HttpResponse:
    """GET: what changed since the last approval and what is missing; POST: approve."""
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    if request.method == "POST":
        try:
            month_approve(authority=authority, period=period, user=request.user, role=role)
        except SignOffError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{period:%B %Y} approved: board members can now see it.")
        return _back(authority, period)
    month = ScorecardMonth.objects.filter(authority=authority, period=period).first() or ScorecardMonth(
        authority=authority, period=period
    )
    context = {
        "authority": authority,
        "period": period,
        "month": month,
        "review": month_review(authority=authority, period=period),
        "can_decide": month.state == SignOffState.SUBMITTED and role in APPROVE_ROLES,
        "own_changes": changed_this_revision(authority=authority, period=period, user=request.user),
    }
    return render(request, "scorecards/entry/approve.html", context)


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
