"""What a board reads besides the month's scorecard, measured in process as ``pages`` measures the scorecard: the
quarter scorecard page and its query count, what SPC adds to a built scorecard page, the plan page of a large
plan, and a meeting's board pack made as a worker makes it.

Plans and meetings are written inside a transaction that is rolled back after measuring: the test client runs
in this thread on this connection, so its requests see the rows, and the database stays the generated data set.
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import plans
from bench.dataset import HOME_USERNAME
from bench.measure.common import Context, SqlTimer, catalogue_cut, get, ms
from bench.measure.pages import FEW_INDICATORS, PAGE_BUDGET, QUERIES_BUDGET
from bench.report import Budget, Measure
from scorecards.core.figures import series_sums_fetch
from scorecards.core.selectors import NO_SUMS
from scorecards.core.series import series_summaries_refresh
from scorecards.core.targets import NO_TARGETS, targets_fetch
from scorecards.models import Indicator, PackState, SeriesSummary
from scorecards.plans.selectors import EVIDENCE_MONTHS
from scorecards.quarters import Quarter
from scorecards.spc import MAX_POINTS
from scorecards.spc_signal import SeriesSums, signal_from_sums

QUARTERS = 4
QUARTER_WINDOWS = (4, 8)
SPC_BUDGET = Budget("median", 10, "median < 10 ms")
PLAN_PAGE_BUDGET = Budget("median", 150, "median < 150 ms")
MEETING_PACK_BUDGET = Budget("max", 20, "< 20 s")
MEETING_PLANS = 3


def _cold_get(client: Client, url: str) -> float:
    """The first page after a write: the cached grid is gone (as a new data version finds nothing cached)."""
    caches["default"].clear()
    return get(client, url)


@contextmanager
def _rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# The quarter scorecard page --------------------------------------------------------------------------------


def latest_quarter(month: datetime.date) -> Quarter:
    """The latest quarter whose three months are all on or before ``month``."""
    quarter = Quarter.of(month)
    return quarter if quarter.last_month == month else quarter.shifted(-1)


def quarter_url(ctx: Context, quarters: int) -> str:
    url = reverse("scorecards:quarter", args=[ctx.authority.code, latest_quarter(ctx.period)])
    return f"{url}?months={quarters}"


def measure_quarter(ctx: Context) -> list[Measure]:
    """The quarter page first after a change (grid built) and repeated (grid cached), as for months."""
    url = quarter_url(ctx, QUARTERS)
    for _ in range(ctx.plan.warm_up):
        _cold_get(ctx.client, url)
        get(ctx.client, url)
    cold, cached, sql, queries = [], [], [], 0
    for _ in range(ctx.plan.runs):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            cold.append(_cold_get(ctx.client, url))
        sql.append(ms(timer.seconds))
        queries = timer.queries
        cached.append(get(ctx.client, url))
    counts = _quarter_query_counts(ctx)
    get(ctx.client, url)  # the counts left other windows' grids cached: this one's is cached now
    with CaptureQueriesContext(connection) as cached_queries:
        get(ctx.client, url)
    indicators = len(ctx.dataset.indicator_codes)
    quarter = latest_quarter(ctx.period)
    built, sql_median = statistics.median(cold), statistics.median(sql)
    ctx.sections.append(
        (
            "The quarter scorecard page",
            f"`{url}`: {quarter.name}, {indicators} indicators × {QUARTERS} quarters, through the test client "
            "signed in as a board member, as the month page is measured. Each quarter's value is made from its "
            "months by the indicator's quarter rule, and the SPC series are of quarters. Grid built (cache "
            f"cleared first): median {built:.1f} ms, of which SQL {sql_median:.1f} ms ({queries} queries, "
            f"{sql_median / built:.0%}); repeated (grid cached): median {statistics.median(cached):.1f} ms, "
            f"{len(cached_queries)} queries.\n\nQueries per page with the grid built: "
            + ", ".join(
                f"{few} indicators × {window} quarters: {count}" for (few, window), count in counts.items()
            )
            + ". The catalogue is cut to its first indicators inside a transaction that is rolled back.",
        )
    )
    return [
        Measure(
            f"quarter.page.{QUARTERS}",
            f"Quarter scorecard page, {indicators} indicators × {QUARTERS} quarters, first after a change "
            "(grid built; server time)",
            "ms",
            cold,
            PAGE_BUDGET,
        ),
        Measure(
            f"quarter.page_cached.{QUARTERS}",
            f"Quarter scorecard page, {indicators} indicators × {QUARTERS} quarters, repeated "
            "(grid cached; server time)",
            "ms",
            cached,
            PAGE_BUDGET,
        ),
        Measure(
            "quarter.queries",
            f"Queries per quarter scorecard page, grid built ({FEW_INDICATORS}/{indicators} indicators × "
            f"{'/'.join(map(str, QUARTER_WINDOWS))} quarters)",
            "queries",
            [float(count) for count in counts.values()],
            QUERIES_BUDGET,
        ),
    ]


def _quarter_query_counts(ctx: Context) -> dict[tuple[int, int], int]:
    def count(quarters: int) -> int:
        caches["default"].clear()
        with CaptureQueriesContext(connection) as queries:
            get(ctx.client, quarter_url(ctx, quarters))
        return len(queries)

    counts = {}
    with _rolled_back():
        catalogue_cut(FEW_INDICATORS)
        for quarters in QUARTER_WINDOWS:
            counts[(FEW_INDICATORS, quarters)] = count(quarters)
    for quarters in QUARTER_WINDOWS:
        counts[(len(ctx.dataset.indicator_codes), quarters)] = count(quarters)
    return counts


# SPC on the grid -------------------------------------------------------------------------------------------


def measure_spc(ctx: Context) -> list[Measure]:
    """The SPC work of building the grid: the series sums query and each indicator's signal from them.

    Each indicator's target is looked up before timing: the rating needs it whether or not SPC is drawn.
    """
    indicators = list(Indicator.objects.order_by("position", "code").only("pk", "polarity"))
    targets = targets_fetch(authority=ctx.authority)
    goals = {}
    for indicator in indicators:
        target = targets.get(indicator.pk, NO_TARGETS).target(ctx.period)
        goals[indicator.pk] = target[1] if target else None

    def once() -> tuple[float, float, dict[int, SeriesSums]]:
        started = time.perf_counter()
        sums = series_sums_fetch(authority=ctx.authority, end=ctx.period, include_drafts=False)
        fetched = time.perf_counter()
        for indicator in indicators:
            signal_from_sums(
                sums.get(indicator.pk, NO_SUMS), polarity=indicator.polarity, target=goals[indicator.pk]
            )
        return ms(time.perf_counter() - started), ms(fetched - started), sums

    for _ in range(ctx.plan.warm_up):
        once()
    totals, queries = [], []
    sums: dict[int, SeriesSums] = {}
    for _ in range(ctx.plan.runs):
        total, query, sums = once()
        totals.append(total)
        queries.append(query)
    points = max((series.points for series in sums.values()), default=0)
    full = sum(series.points == MAX_POINTS for series in sums.values())
    total, query = statistics.median(totals), statistics.median(queries)
    newest, oldest = _refresh_times(ctx)
    ctx.sections.append(
        (
            "What SPC adds to a built scorecard page",
            f"The SPC work of building the month grid for {ctx.authority.code} at {ctx.period:%B %Y} as a board "
            "member sees it: `figures.series_sums_fetch` (one query of one row per indicator: the summary of its "
            f"approved series, the count, sum and moving ranges of its latest {MAX_POINTS} values and its newest "
            "values, kept by `core.series.series_summaries_refresh` at every approval) and "
            f"`spc_signal.signal_from_sums` for each of {len(indicators)} indicators with "
            "its polarity and target, as `selectors.row_rate` calls it. Series of up to "
            f"{points} points ({full} of {len(sums)} indicators with the full {MAX_POINTS}). Median "
            f"{total:.2f} ms = the query {query:.2f} ms + the signals in Python {total - query:.2f} ms. The "
            "targets are fetched and chosen for the rating anyway and are not counted. A repeated page does no "
            "SPC work: the grid, icons included, is served from the cache until the authority's data changes. "
            "The work moved to approval: rewriting the authority's summaries from the approved month takes "
            f"{newest:.1f} ms when it is the newest month (the usual approval) and {oldest:.1f} ms from its first "
            "month (an old month approved again), in the approval's transaction (median of 5, rolled back).",
        )
    )
    return [
        Measure(
            "spc.grid",
            f"SPC for {len(indicators)} indicators × {points} months: time added to a built scorecard page",
            "ms",
            totals,
            SPC_BUDGET,
        )
    ]


def _refresh_times(ctx: Context) -> tuple[float, float]:
    """What keeping the summaries costs an approval: from the newest month, and from the first."""
    first = (
        SeriesSummary.objects.filter(authority=ctx.authority)
        .order_by("period")
        .values_list("period", flat=True)
    )
    medians = []
    for start in (ctx.period, first.first() or ctx.period):
        samples = []
        for _ in range(5):
            with _rolled_back():
                started = time.perf_counter()
                series_summaries_refresh(authority_id=ctx.authority.pk, start=start)
                samples.append(ms(time.perf_counter() - started))
        medians.append(statistics.median(samples))
    return medians[0], medians[1]


# The plan page and the meeting pack ------------------------------------------------------------------------


def _plan(ctx: Context, code: str, size: plans.PlanSize):
    indicator_ids = list(Indicator.objects.order_by("position", "code").values_list("pk", flat=True))
    return plans.plan_create(
        authority=ctx.authority,
        code=code,
        size=size,
        indicator_ids=indicator_ids,
        # The latest update falls in the scorecard's last month, so the meeting that reads it sees them all.
        start=ctx.period - datetime.timedelta(days=30 * (size.updates_per_action - 1)),
        seed=ctx.dataset.seed,
    )


def measure_plan_page(ctx: Context) -> list[Measure]:
    """A plan of 200 actions, 2,000 updates and 300 evidence links, as a board member reads it today."""
    size, small = plans.LARGE, plans.REALISTIC
    name = (
        f"Plan page: {size.actions} actions, {size.updates:,} updates, {size.evidence_links} evidence links"
    )
    samples, sql, counts = [], [], {}
    with _rolled_back():
        large_plan = _plan(ctx, "bench-large", size)
        small_plan = _plan(ctx, "bench-small", small)
        url = reverse("plans:detail", args=[ctx.authority.code, large_plan.code])
        for _ in range(ctx.plan.warm_up):
            get(ctx.client, url)
        for _ in range(ctx.plan.runs):
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                samples.append(get(ctx.client, url))
            sql.append(ms(timer.seconds))
        for plan, plan_size in ((small_plan, small), (large_plan, size)):
            with CaptureQueriesContext(connection) as queries:
                response = ctx.client.get(reverse("plans:detail", args=[ctx.authority.code, plan.code]))
            counts[plan_size.actions] = len(queries)
        html = response.content.decode()
        cards, evidence = html.count('id="action-P'), html.count('<a class="name" href=')
    page, sql_median = statistics.median(samples), statistics.median(sql)
    ctx.sections.append(
        (
            "The plan page",
            f"`{url}` as a board member reads it today: a plan of {size.actions} actions in "
            f"{size.actions // plans.ACTIONS_PER_PRIORITY} priorities, {size.updates_per_action} dated updates "
            f"each ({size.updates:,}; the page lists each action's history) and {size.evidence_links} links from "
            f"actions to indicators, whose evidence is one scorecard of the cited indicators over "
            f"{EVIDENCE_MONTHS} months. Written with `bulk_create` inside a transaction rolled back after "
            f"measuring. Median {page:.1f} ms, of which SQL {sql_median:.1f} ms ({sql_median / page:.0%}). "
            "Queries per page: "
            + ", ".join(f"{actions} actions: {count}" for actions, count in counts.items())
            + f" (the plan of {small.actions} actions has {small.updates} updates and {small.evidence_links} "
            f"links). The page showed {cards} actions and {evidence} evidence rows.",
        )
    )
    return [
        Measure("plan.page", name, "ms", samples, PLAN_PAGE_BUDGET),
        Measure(
            "plan.queries",
            f"Queries per plan page ({small.actions}/{size.actions} actions)",
            "queries",
            [float(count) for count in counts.values()],
            QUERIES_BUDGET,
        ),
    ]


def measure_meeting_pack(ctx: Context) -> list[Measure]:
    """A meeting reviewing three plans: its board pack made in this process as a worker makes it."""
    from scorecards.packs.services import board_pack_create, board_pack_render

    size = plans.REALISTIC
    indicators = len(ctx.dataset.indicator_codes)
    name = f"Meeting pack: {indicators} indicators and {MEETING_PLANS} plans (PDF)"
    user = get_user_model().objects.get(username=HOME_USERNAME)
    seconds, pages, sizes = [], [], []
    try:
        with _rolled_back():
            reviewed = [_plan(ctx, f"bench-meeting-{number}", size) for number in range(1, MEETING_PLANS + 1)]
            meeting = plans.meeting_create(
                authority=ctx.authority,
                plans=reviewed,
                date=ctx.period + datetime.timedelta(days=45),
                period=ctx.period,
            )
            for _ in range(ctx.plan.pack_runs):
                pack = board_pack_create(
                    authority=ctx.authority, period=ctx.period, user=user, meeting=meeting
                )
                started = time.perf_counter()
                pack = board_pack_render(pack.pk)
                seconds.append(time.perf_counter() - started)
                if pack.file:
                    pack.file.storage.delete(pack.file.name)
                if pack.state != PackState.DONE:
                    raise RuntimeError(pack.error or pack.state)
                pages.append(pack.page_count)
                sizes.append(pack.size_bytes)
    except RuntimeError as error:
        return [
            Measure("meeting_pack.time", name, "s", [], MEETING_PACK_BUDGET, unavailable=str(error)[:120])
        ]
    ctx.sections.append(
        (
            "Meeting pack",
            f"A meeting on {meeting.date:%d %B %Y} reading {ctx.period:%B %Y}, reviewing {MEETING_PLANS} plans of "
            f"{size.actions} actions, {size.updates} updates and {size.evidence_links} evidence links each. Its "
            "pack made in this process as a worker makes it (`packs.services.board_pack_create`, then "
            "`board_pack_render`: claim, the scorecard, the plans' progress and challenge log, WeasyPrint, "
            "heartbeats, the file kept), timed from the render's start, "
            f"{'once' if len(seconds) == 1 else f'{len(seconds)} times'} (the first includes loading WeasyPrint "
            "and fonts in this process): "
            + ", ".join(f"{figure:.2f} s" for figure in seconds)
            + f"; {pages[-1]} pages, {sizes[-1] / 1024:.0f} KB. The plans, meeting and packs are rolled back "
            "and the files deleted.",
        )
    )
    return [Measure("meeting_pack.time", name, "s", seconds, MEETING_PACK_BUDGET)]
