"""The comparison pages of one indicator: beside the statistical neighbours; the league of all authorities.

Every authority's published figures are public statistics, so the league shows them all; the pages are still
reached only through the reader's own authority's address, which ``authority_for_user`` guards.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from authorities.access import authority_for_user
from scorecards.benchmarks import charts as comparison_charts
from scorecards.benchmarks import comparison
from scorecards.benchmarks.tables import LeagueTable, NeighbourTable, TrendTable
from scorecards.core.charts import figure_json


def _indicator(code: str):
    indicator = comparison.published_indicator_get(code=code)
    if indicator is None:
        raise Http404("No such indicator.")
    return indicator


@require_safe
@login_required
def compare(request: HttpRequest, code: str, period: datetime.date, indicator_code: str) -> HttpResponse:
    authority, _role = authority_for_user(request.user, code)
    indicator = _indicator(indicator_code)
    result = comparison.comparison_build(authority=authority, indicator=indicator)
    context = {
        "authority": authority,
        "period": period,
        "indicator": indicator,
        "comparison": result,
        "only_published": comparison.ONLY_PUBLISHED,
        "no_published_data": comparison.NO_PUBLISHED_DATA,
    }
    if result.has_data:
        context.update(
            scorecard_year=result.scorecard_year(period),
            bar_json=figure_json(comparison_charts.bar_figure(result)),
            bar_description=comparison_charts.describe_bars(result),
            trend_json=figure_json(comparison_charts.trend_figure(result)),
            trend_description=comparison_charts.describe_trend(result),
            neighbour_table=NeighbourTable.for_comparison(result),
            trend_table=TrendTable.for_comparison(result),
        )
    return render(request, "scorecards/benchmarks/compare.html", context)


@require_safe
@login_required
def league(request: HttpRequest, code: str, period: datetime.date, indicator_code: str) -> HttpResponse:
    authority, _role = authority_for_user(request.user, code)
    indicator = _indicator(indicator_code)
    # A year that is not one of the published years (or none) gets the latest: the selector decides.
    result = comparison.league_build(indicator=indicator, year=request.GET.get("year"), authority=authority)
    context = {
        "authority": authority,
        "period": period,
        "indicator": indicator,
        "league": result,
        "only_published": comparison.ONLY_PUBLISHED,
        "no_published_data": comparison.NO_PUBLISHED_DATA,
    }
    if result.has_data:
        context["league_table"] = LeagueTable.for_league(result)
    return render(request, "scorecards/benchmarks/league.html", context)
