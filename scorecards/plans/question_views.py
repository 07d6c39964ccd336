"""The board's challenge: ask a question (every role of the authority), answer it (officers), close it.

A question is about an indicator (at a month), an action, or a month's scorecard; its subject travels in one
form field written ``indicator:CODE``, ``action:PLAN/ACTION`` or ``month:YYYY-MM``, so that a link from an
indicator or an action can choose it in advance (``?subject=...``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from authorities.access import DRAFT_ROLES, ENTER_ROLES, READ_ROLES, authority_for_user
from scorecards.core import selectors as scorecard_selectors
from scorecards.imports.cells import CellError, parse_period
from scorecards.models import Action, Indicator
from scorecards.plans import messages as plan_messages
from scorecards.plans import rules, selectors, services
from scorecards.plans.views import owned_or_404


def _subject(raw: str) -> dict:
    """The keyword arguments of ``question_ask`` for a subject field; empty when it names nothing."""
    kind, _, value = raw.partition(":")
    if kind == "indicator" and value:
        return {"indicator_code": value}
    if kind == "action" and "/" in value:
        plan_code, _, action_code = value.partition("/")
        return {"action_key": (plan_code, action_code)}
    if kind == "month":
        try:
            return {"period": parse_period(value)}
        except CellError:
            return {}
    return {}


def _subject_groups(authority, role) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a question may be about, as the form's option groups: the months the reader sees, the catalogue,
    the authority's actions; each option's value written as ``_subject`` reads it."""
    months = scorecard_selectors.periods_with_data(authority=authority, include_drafts=role in DRAFT_ROLES)
    indicators = Indicator.objects.only("code", "name").order_by("position", "code")
    actions = sorted(
        Action.objects.filter(plan__authority=authority)
        .select_related("plan")
        .only("code", "title", "plan__code"),
        key=lambda action: (rules.natural_key(action.plan.code), rules.natural_key(action.code)),
    )
    groups = [
        (
            "A month's scorecard",
            [(f"month:{month:%Y-%m}", f"Scorecard of {month:%B %Y}") for month in months],
        ),
        ("An indicator", [(f"indicator:{item.code}", item.name) for item in indicators]),
        (
            "An action of a plan",
            [
                (f"action:{item.plan.code}/{item.code}", f"{item.plan.code} {item.code}: {item.title[:90]}")
                for item in actions
            ],
        ),
    ]
    return [(label, options) for label, options in groups if options]


@require_http_methods(["GET", "POST"])
@login_required
def question_list(request: HttpRequest, code: str) -> HttpResponse:
    authority, role = authority_for_user(request.user, code)
    error, text, subject, status = "", "", request.GET.get("subject", ""), 200
    if request.method == "POST":
        text, subject = request.POST.get("text", ""), request.POST.get("subject", "")
        try:
            services.question_ask(authority=authority, user=request.user, text=text, **_subject(subject))
        except services.PlanningError as failure:
            error, status = failure.message, 400
            if failure.field_name == "subject" and not _subject(subject):
                error = plan_messages.QUESTION_SUBJECT_MISSING
        else:
            messages.success(request, plan_messages.QUESTION_ASKED)
            return redirect("plans:questions", code=authority.code)
    context = {
        "authority": authority,
        "role": role,
        "questions": selectors.questions_list(authority=authority),
        "can_answer": role in ENTER_ROLES,
        "error": error,
        "text": text,
        "subject": subject,
        "text_limit": services.TEXT_LIMIT,
        "subject_groups": _subject_groups(authority, role),
    }
    return render(request, "scorecards/plans/questions.html", context, status=status)


def _question(request: HttpRequest, code: str, question_id: int, roles=READ_ROLES):
    return owned_or_404(request, code, selectors.question_get, question_id, roles=roles)


@require_POST
@login_required
def question_answer(request: HttpRequest, code: str, question_id: int) -> HttpResponse:
    """Officers only: a board member asks and reads answers, and cannot answer (404, as for figures)."""
    authority, _role, question = _question(request, code, question_id, roles=ENTER_ROLES)
    try:
        services.question_answer(question=question, user=request.user, text=request.POST.get("answer", ""))
    except services.PlanningError as failure:
        messages.error(request, failure.message)
    else:
        messages.success(request, plan_messages.QUESTION_ANSWERED)
    return redirect(reverse("plans:questions", args=[authority.code]) + f"#question-{question.pk}")


@require_POST
@login_required
def question_close(request: HttpRequest, code: str, question_id: int) -> HttpResponse:
    authority, _role, question = _question(request, code, question_id)
    try:
        services.question_close(question=question, user=request.user)
    except services.PlanningError as failure:
        messages.error(request, failure.message)
    else:
        messages.success(request, plan_messages.QUESTION_CLOSED)
    return redirect("plans:questions", code=authority.code)
