"""Pages: authorise, call a selector, build tables and charts, render."""

from __future__ import annotations

import datetime
import logging
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from authorities.access import APPROVE_ROLES, DRAFT_ROLES, ENTER_ROLES, authorities_for, authority_for_user
from scorecards.converters import PeriodConverter
from scorecards.core import cache, charts, exports, selectors, spc_charts
from scorecards.core.attention import attention_items, forecast_for
from scorecards.core.quarterly import QUARTER_WINDOW_CHOICES
from scorecards.core.tables import MonthTable
from scorecards.plans import selectors as plan_selectors
from scorecards.quarters import DEFAULT_QUARTERS, Quarter, is_quarter
from scorecards.returns.selectors import computed_notes
from scorecards.spc import METHOD

logger = logging.getLogger(__name__)

INDICATOR_WINDOW_CHOICES = (6, 12, 13, 24)
INDICATOR_DEFAULT_MONTHS = 12
INDICATOR_QUARTER_CHOICES = (4, 5, 8, 12)
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _months(request: HttpRequest, choices: tuple[int, ...], default: int) -> int:
    """The window the reader asked for, if it is one we offer; anything else gets the default."""
    try:
        months = int(request.GET.get("months", default))
    except ValueError:
        return default
    return months if months in choices else default


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    authorities = list(authorities_for(request.user))
    if len(authorities) == 1:
        return redirect("scorecards:authority", code=authorities[0].code)
    return render(request, "scorecards/core/home.html", {"authorities": authorities})


@require_safe
@login_required
def authority_latest(request: HttpRequest, code: str) -> HttpResponse:
    """The newest month with figures, or the month and window chosen in the month picker."""
    authority, role = authority_for_user(request.user, code)
    period = _picked_period(request.GET.get("month", "")) or selectors.newest_period(
        authority=authority, include_drafts=role in DRAFT_ROLES
    )
    if period is None:
        return render(request, "scorecards/core/no_data.html", {"authority": authority})
    query = f"?months={request.GET['months']}" if request.GET.get("months", "").isdigit() else ""
    indicator_code = request.GET.get("indicator", "")
    quarterly = isinstance(period, Quarter)
    if indicator_code and SLUG.fullmatch(indicator_code):
        name = "scorecards:quarter_indicator" if quarterly else "scorecards:indicator"
        url = reverse(name, args=[authority.code, period, indicator_code])
    else:
        url = reverse(
            "scorecards:quarter" if quarterly else "scorecards:detail", args=[authority.code, period]
        )
    return redirect(url + query)


def _picked_period(raw: str) -> datetime.date | Quarter | None:
    """A month (YYYY-MM) or a quarter (YYYY-YY-Qn) from the picker; None for anything else."""
    if is_quarter(raw):
        return Quarter.parse(raw)
    if not re.fullmatch(PeriodConverter.regex, raw):
        return None
    return PeriodConverter().to_python(raw)


def _picker(authority, period: datetime.date | Quarter, *, include_drafts: bool) -> dict:
    """The month picker's choices: months with figures, or the quarters that hold them; and the switch."""
    periods = selectors.periods_with_data(authority=authority, include_drafts=include_drafts)
    quarters = list(dict.fromkeys(Quarter.of(month) for month in periods))
    if isinstance(period, Quarter):
        # The switch leads to the quarter's last month with figures, or its last month.
        month = next((month for month in periods if Quarter.of(month) == period), period.last_month)
        return {"periods": periods, "quarters": quarters, "has_data": period in quarters,
                "quarter": period, "switch_month": month, "switch_quarter": period}  # fmt: skip
    return {"periods": periods, "quarters": quarters, "has_data": period in periods,
            "quarter": None, "switch_month": period, "switch_quarter": Quarter.of(period),
            "month_options": _month_options(periods, period)}  # fmt: skip


def _month_options(periods: list[datetime.date], current: datetime.date) -> str:
    """The month picker's options, written once: with ten years of months, two template date filters per
    option were a third of every scorecard page's own time. Only dates go in, so nothing needs escaping."""
    return mark_safe(  # noqa: S308 - built from dates alone
        "".join(
            f'<option value="{month:%Y-%m}"{" selected" if month == current else ""}>{month:%B %Y}</option>'
            for month in periods
        )
    )


def _window(
    request: HttpRequest,
    period,
    choices: tuple[int, ...],
    default: int,
    quarter_choices: tuple[int, ...] = QUARTER_WINDOW_CHOICES,
    quarter_default: int = DEFAULT_QUARTERS,
) -> tuple[int, tuple[int, ...]]:
    """The window asked for and the windows offered: months for a month, quarters for a quarter."""
    if isinstance(period, Quarter):
        return _months(request, quarter_choices, quarter_default), quarter_choices
    return _months(request, choices, default), choices


def quarter_pack_response(
    request: HttpRequest, *, authority, quarter: Quarter, quarters: int
) -> HttpResponse:
    """``?format=pdf`` on a quarter, kept for old links: a quarter's pack is made and kept like a month's (a
    ``BoardPack`` made by the task), so the reader is sent to the quarter's page to ask for it."""
    from scorecards.packs.views import quarter_pack_redirect  # the packs concern owns asking for a pack

    return quarter_pack_redirect(request, authority=authority, quarter=quarter, quarters=quarters)


def _period_key(period: datetime.date | Quarter) -> str:
    return period.label if isinstance(period, Quarter) else f"{period:%Y-%m}"


GRID_TEMPLATE = "scorecards/core/grid.html"  # Jinja2: templates/jinja2/


@require_safe
@login_required
def scorecard_detail(request: HttpRequest, code: str, period: datetime.date | Quarter) -> HttpResponse:
    authority, role = authority_for_user(request.user, code)
    months, window_choices = _window(request, period, selectors.WINDOW_CHOICES, selectors.DEFAULT_MONTHS)
    include_drafts = role in DRAFT_ROLES
    export_format = request.GET.get("format")
    if export_format == "pdf" and isinstance(period, Quarter):
        return quarter_pack_response(request, authority=authority, quarter=period, quarters=months)
    if export_format in {"csv", "xlsx", "json"}:
        scorecard = selectors.scorecard_build(
            authority=authority, period=period, months=months, include_drafts=include_drafts
        )
        return _export_response(scorecard, export_format)
    # The grid (headline tiles and the table) comes from the cache when this authority's data has not changed
    # since it was rendered; the rest of the page (sign-off, picker, CSRF token) is made for each request.
    key = cache.grid_cache_key(authority, _period_key(period), months, include_drafts=include_drafts)
    grid = cache.grid_get(key)
    if grid is None:
        scorecard = selectors.scorecard_build(
            authority=authority,
            period=period,
            months=months,
            include_drafts=include_drafts,
            with_cohorts=False,
            with_series=False,
        )
        grid = (
            engines["jinja2"]
            .get_template(GRID_TEMPLATE)
            .render({"authority": authority, "scorecard": scorecard, "months": months})
        )
        cache.grid_set(key, grid)
    else:
        scorecard = selectors.scorecard_heading(
            authority=authority, period=period, months=months, include_drafts=include_drafts
        )
    context = {
        "authority": authority,
        "role": role,
        "scorecard": scorecard,
        "grid": mark_safe(grid),  # noqa: S308 - rendered by GRID_TEMPLATE, which escapes
        "months": months,
        "window_choices": window_choices,
        "can_enter": role in ENTER_ROLES,
        "can_approve": role in APPROVE_ROLES,
        "other_authorities": authorities_for(request.user).exclude(pk=authority.pk),
        **_picker(authority, period, include_drafts=include_drafts),
    }
    return render(request, "scorecards/core/scorecard.html", context)


def _export_response(scorecard: selectors.Scorecard, export_format: str) -> HttpResponse:
    filename = f"scorecard-{scorecard.authority.code}-{scorecard.period_key}"
    if export_format == "json":
        response = HttpResponse(exports.scorecard_json(scorecard), content_type="application/json")
    elif export_format == "csv":
        response = HttpResponse(exports.scorecard_csv(scorecard), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.scorecard_xlsx(scorecard),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


@require_safe
@login_required
def indicator_detail(
    request: HttpRequest, code: str, period: datetime.date | Quarter, indicator_code: str
) -> HttpResponse:
    authority, role = authority_for_user(request.user, code)
    months, window_choices = _window(
        request, period, INDICATOR_WINDOW_CHOICES, INDICATOR_DEFAULT_MONTHS, INDICATOR_QUARTER_CHOICES, 8
    )
    include_drafts = role in DRAFT_ROLES
    scorecard = selectors.scorecard_build(
        authority=authority,
        period=period,
        months=months,
        indicator_codes=[indicator_code],
        include_drafts=include_drafts,
    )
    row = scorecard.row(indicator_code)
    if row is None:
        raise Http404("No such indicator.")
    context = {
        "authority": authority,
        "role": role,
        "scorecard": scorecard,
        "row": row,
        "months": months,
        "window_choices": window_choices,
        "figure_json": charts.figure_json(charts.indicator_figure(row)),
        "chart_description": charts.describe_chart(row),
        "spc_json": charts.figure_json(spc_charts.spc_figure(row)),
        "spc_description": spc_charts.describe_spc(row),
        "flagged_months": spc_charts.flagged_months(row),
        "forecast": forecast_for(row),
        "month_table": MonthTable.for_row(row),
        "history": selectors.indicator_history(
            authority=authority, indicator=row.indicator, include_drafts=include_drafts
        ),
        "indicator_code": row.code,
        "accountability": plan_selectors.indicator_accountability(
            authority=authority, indicator=row.indicator, at=plan_selectors.today()
        ),
        # Months whose figure was computed from the SSDA903 return, saying so (with its problems, to officers).
        "computed_notes": computed_notes(
            authority=authority,
            indicator=row.indicator,
            start=scorecard.first_month,
            end=scorecard.period,
            include_drafts=include_drafts,
        ),
        **_picker(authority, period, include_drafts=include_drafts),
    }
    return render(request, "scorecards/core/indicator.html", context)


@require_safe
@login_required
def attention_report(request: HttpRequest, code: str, period: datetime.date | Quarter) -> HttpResponse:
    """The exception report: the indicators whose ``attention`` is not empty, with why, a chart, where the
    figure is heading and the commentary; board members read approved figures only, as everywhere. For a
    quarter the window counts quarters, as on the quarter's scorecard."""
    authority, role = authority_for_user(request.user, code)
    months, _ = _window(request, period, selectors.WINDOW_CHOICES, selectors.DEFAULT_MONTHS)
    scorecard = selectors.scorecard_build(
        authority=authority, period=period, months=months, include_drafts=role in DRAFT_ROLES
    )
    items = attention_items(scorecard)
    context = {"authority": authority, "scorecard": scorecard, "months": months, "items": items}
    # The forecast's method is stated wherever a forecast is shown.
    context["method"] = METHOD if any(item.forecast for item in items) else ""
    return render(request, "scorecards/core/attention.html", context)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database, and the broker if one is configured, answer; 503 otherwise. Says nothing else."""
    checks = {"database": _database_ok()}
    if settings.REDIS_URL:
        checks["broker"] = _broker_ok()
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{k: "ok" if v else "down" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means unhealthy, and the page must not leak why
        return False


def _broker_ok() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False
