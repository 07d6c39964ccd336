"""Officers' forms for plans and actions (ENTER_ROLES; anyone else gets 404 as for any other officer page).

A form saves through ``services.plan_save`` and ``services.action_save``, which run the row through the same
import as an uploaded file, so the rules, the messages and the audit are those of an upload (audited by the route
of the plan and action forms, not the upload's).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from authorities.access import ENTER_ROLES, authority_for_user
from scorecards.imports.plan_kinds import ActionImport, PlanImport
from scorecards.models import Action, ActionStatus, Indicator, PlanSource
from scorecards.plans import selectors, services

PLAN_COLUMNS = tuple(column for column in PlanImport().columns if column != "authority")
ACTION_COLUMNS = tuple(column for column in ActionImport().columns if column not in ("authority", "plan"))


def _plan_of(request: HttpRequest, code: str, plan_code: str):
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    plan = selectors.plan_get(authority=authority, code=plan_code)
    if plan is None:
        raise Http404("No such plan.")
    return authority, role, plan


def _render(request, template: str, context: dict, result: services.FormResult | None) -> HttpResponse:
    context["errors"] = result.errors if result else {}
    return render(request, template, context, status=400 if result and not result.ok else 200)


def _plan_form(request: HttpRequest, authority, role, plan=None) -> HttpResponse:
    if plan is not None:
        values = {
            "plan": plan.code,
            "title": plan.title,
            "source": plan.source,
            "source_date": plan.source_date.isoformat() if plan.source_date else "",
            "owner": plan.owner,
        }
    else:
        values = dict.fromkeys(PLAN_COLUMNS, "")
    result = None
    if request.method == "POST":
        values = {column: request.POST.get(column, "") for column in PLAN_COLUMNS}
        if plan is not None:
            values["plan"] = plan.code  # a plan's code is its address: it is not changed here
        result = services.plan_save(authority=authority, cells=values, user=request.user)
        if result.ok:
            messages.success(request, result.summary)
            return redirect("plans:detail", code=authority.code, plan_code=values["plan"])
    context = {
        "authority": authority,
        "role": role,
        "plan": plan,
        "values": values,
        "sources": PlanSource.choices,
    }
    return _render(request, "scorecards/plans/plan_form.html", context, result)


@require_http_methods(["GET", "POST"])
@login_required
def plan_create(request: HttpRequest, code: str) -> HttpResponse:
    authority, role = authority_for_user(request.user, code, roles=ENTER_ROLES)
    return _plan_form(request, authority, role)


@require_http_methods(["GET", "POST"])
@login_required
def plan_edit(request: HttpRequest, code: str, plan_code: str) -> HttpResponse:
    authority, role, plan = _plan_of(request, code, plan_code)
    return _plan_form(request, authority, role, plan)


def _action_values(action: Action | None, today) -> dict[str, str]:
    if action is None:
        return {
            **dict.fromkeys(ACTION_COLUMNS, ""),
            "status": ActionStatus.NOT_STARTED,
            "as_of": today.isoformat(),
        }
    latest = action.updates.order_by("-as_of").first()
    return {
        **{column: getattr(action, column) for column in ("priority", "title", "owner")},
        "action": action.code,
        "due": action.due.isoformat(),
        "status": latest.status if latest else ActionStatus.NOT_STARTED,
        "indicators": ";".join(sorted(action.indicators.values_list("code", flat=True))),
        "progress": "",  # empty keeps the latest progress, shown beside the field
        "as_of": today.isoformat(),
    }


def _action_form(request: HttpRequest, code: str, plan_code: str, action_code: str | None) -> HttpResponse:
    authority, role, plan = _plan_of(request, code, plan_code)
    action = None
    if action_code is not None:
        action = Action.objects.filter(plan=plan, code=action_code).first()
        if action is None:
            raise Http404("No such action.")
    values = _action_values(action, selectors.today())
    result = None
    if request.method == "POST":
        values = {column: request.POST.get(column, "") for column in ACTION_COLUMNS}
        values["indicators"] = ";".join(request.POST.getlist("indicators"))
        if action is not None:
            values["action"] = action.code
        result = services.action_save(plan=plan, cells=values, user=request.user)
        if result.ok:
            messages.success(request, result.summary)
            url = f"{plan.get_absolute_url()}#action-{values['action']}"
            return redirect(url)
    latest = action.updates.order_by("-as_of").first() if action is not None else None
    context = {
        "authority": authority,
        "role": role,
        "plan": plan,
        "action": action,
        "latest": latest,
        "values": values,
        "chosen": set(values["indicators"].split(";")),
        "statuses": ActionStatus.choices,
        "indicators": list(Indicator.objects.only("code", "name", "section").order_by("position", "code")),
    }
    return _render(request, "scorecards/plans/action_form.html", context, result)


@require_http_methods(["GET", "POST"])
@login_required
def action_create(request: HttpRequest, code: str, plan_code: str) -> HttpResponse:
    return _action_form(request, code, plan_code, None)


@require_http_methods(["GET", "POST"])
@login_required
def action_edit(request: HttpRequest, code: str, plan_code: str, action_code: str) -> HttpResponse:
    return _action_form(request, code, plan_code, action_code)
