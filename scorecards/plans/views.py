"""Plan pages at stable addresses: an authority's plans (/plans/CODE/) and one plan (/plans/CODE/PLAN/).

Each view authorises first (``authority_for_user``: another council's plan answers 404 like a missing one),
reads through the selectors and renders. ``?as_at=YYYY-MM-DD`` shows a plan as it stood on an earlier day;
``?format=json|csv`` downloads it in the ``export_plan`` format.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from authorities.access import DRAFT_ROLES, ENTER_ROLES, READ_ROLES, authority_for_user
from scorecards.plans import cards, exports, rules, selectors

BAD_AS_AT = "{value!r} is not a date that exists, written YYYY-MM-DD; the plan is shown as it stands today."
EXPORTS = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def as_at(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    """(the day asked for with ?as_at=, today); today when none or a bad one is given (with a message)."""
    today = selectors.today()
    raw = request.GET.get("as_at", "").strip()
    if not raw:
        return today, today
    day = rules.parse_iso_date(raw)
    if day is None:
        messages.error(request, BAD_AS_AT.format(value=raw[:40]))
        return today, today
    return day, today


def owned_or_404(request: HttpRequest, code: str, get, pk: int, *, roles=READ_ROLES):
    """(authority, role, object) when the object is the authority's and the user may see it, else 404."""
    authority, role = authority_for_user(request.user, code, roles=roles)
    found = get(authority=authority, pk=pk)
    if found is None:
        raise Http404("No such page.")
    return authority, role, found


@require_safe
@login_required
def plan_list(request: HttpRequest, code: str) -> HttpResponse:
    authority, role = authority_for_user(request.user, code)
    at, today = as_at(request)
    context = {
        "authority": authority,
        "role": role,
        "at": at,
        "today": today,
        "plans": selectors.plans_list(authority=authority, at=at),
        "questions": selectors.open_question_counts(authority=authority),
        "can_edit": role in ENTER_ROLES,
    }
    return render(request, "scorecards/plans/list.html", context)


@require_safe
@login_required
def plan_detail(request: HttpRequest, code: str, plan_code: str) -> HttpResponse:
    authority, role = authority_for_user(request.user, code)
    plan = selectors.plan_get(authority=authority, code=plan_code)
    if plan is None:
        raise Http404("No such plan.")
    at, today = as_at(request)
    include_drafts = role in DRAFT_ROLES
    figures_period = selectors.evidence_period(authority=authority, at=at, include_drafts=include_drafts)
    # With no month of figures yet, the as-at month still names each action's indicators, without figures.
    period = figures_period or at.replace(day=1)
    export_format = request.GET.get("format", "")
    # The page's evidence lines draw no SPC chart and list no cohorts; the exports carry both.
    view = selectors.plan_build(
        plan=plan,
        at=at,
        period=period,
        include_drafts=include_drafts,
        evidence_series=export_format in EXPORTS,
    )
    if export_format in EXPORTS:
        content = exports.plan_json(view) if export_format == "json" else exports.plan_csv(view)
        response = HttpResponse(content, content_type=EXPORTS[export_format])
        filename = f"plan-{authority.code}-{plan.code}-{at:%Y-%m-%d}.{export_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # Resolved once: a plan of 200 actions would otherwise resolve them a thousand times.
    questions_url = reverse("plans:questions", args=[authority.code])
    evidence_url = reverse("scorecards:detail", args=[authority.code, period])
    can_edit = role in ENTER_ROLES
    context = {
        "authority": authority,
        "role": role,
        "view": view,
        "priorities": cards.card_groups(
            view,
            plan_url=plan.get_absolute_url(),
            questions_url=questions_url,
            evidence_url=evidence_url,
            can_edit=can_edit,
        ),
        "plan": plan,
        "at": at,
        "today": today,
        "can_edit": can_edit,
        "is_today": at == today,
        "has_figures": figures_period is not None,
    }
    return render(request, "scorecards/plans/detail.html", context)
