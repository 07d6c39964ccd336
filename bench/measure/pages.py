"""Pages measured in process, through Django's test ``Client`` signed in as a board member: the scorecard page
beside its floor (one raw SQL query fetching exactly the figures the page shows), the query count as the
catalogue and the window grow, the comparison page and the league table."""

from __future__ import annotations

import cProfile
import datetime
import io
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from bench.measure.common import Context, SqlTimer, catalogue_cut, get, ms
from bench.report import Budget, Measure
from scorecards.core import selectors
from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    Indicator,
    MonthSnapshot,
    Polarity,
    SnapshotFigure,
    Target,
)
from scorecards.rating import financial_year_label, financial_year_of, month_window

FEW_INDICATORS = 10
PROFILED_PAGES = 5
PAGE_BUDGET = Budget("median", 100, "median < 100 ms")
FLOOR_RATIO_BUDGET = Budget("median", 3, "median ≤ 3× floor", inclusive=True)
QUERIES_BUDGET = Budget("spread", 0, "equal (does not grow)", inclusive=True)
COMPARISON_BUDGET = Budget("median", 150, "median < 150 ms")


# The floor: one raw query for exactly the figures the page shows -------------------------------------------


def floor_query(*, authority_id: int, period: datetime.date, months: int) -> tuple[str, list]:
    """One SQL statement: the window's figures as the measured board member sees them (each month's latest
    approved snapshot), and the benchmark, target and baseline rows used.

    The benchmark year is the latest that ended before the month (both sources of it: the page merges
    them); the target is that of the period's financial year or else the nearest later one; the baseline the
    latest that ended before the month. Financial years written YYYY/YY sort as text.
    """
    window = month_window(period, months)
    ended = financial_year_label(period.year - 1 if period.month >= 4 else period.year - 2)
    figures = SnapshotFigure._meta.db_table
    snapshots = MonthSnapshot._meta.db_table
    benchmarks = Benchmark._meta.db_table
    targets = Target._meta.db_table
    sql = f"""
        SELECT 'value' AS kind, f.indicator_id, s.period, NULL AS year, f.value, NULL AS sn_average,
               NULL AS sn_min, NULL AS sn_max, f.status AS detail, f.commentary AS note
          FROM {figures} f JOIN {snapshots} s ON s.id = f.snapshot_id
         WHERE s.authority_id = %s AND s.period >= %s AND s.period <= %s AND f.cohort = ''
           AND NOT EXISTS (SELECT 1 FROM {snapshots} s2
                            WHERE s2.authority_id = s.authority_id AND s2.period = s.period
                              AND s2.revision > s.revision)
        UNION ALL
        SELECT 'benchmark', b.indicator_id, NULL, b.year, b.england, b.sn_average, b.sn_min, b.sn_max,
               b.source, b.note
          FROM {benchmarks} b
         WHERE b.authority_id = %s
           AND b.year = (SELECT MAX(b2.year) FROM {benchmarks} b2
                          WHERE b2.authority_id = b.authority_id AND b2.indicator_id = b.indicator_id
                            AND b2.year <= %s)
        UNION ALL
        SELECT t.kind, t.indicator_id, NULL, t.year, t.value, NULL, NULL, NULL, NULL, NULL
          FROM {targets} t
         WHERE t.authority_id = %s
           AND t.year = CASE WHEN t.kind = 'target'
               THEN (SELECT MIN(t2.year) FROM {targets} t2
                      WHERE t2.authority_id = t.authority_id AND t2.indicator_id = t.indicator_id
                        AND t2.kind = 'target' AND t2.year >= %s)
               ELSE (SELECT MAX(t2.year) FROM {targets} t2
                      WHERE t2.authority_id = t.authority_id AND t2.indicator_id = t.indicator_id
                        AND t2.kind = 'baseline' AND t2.year <= %s)
               END
    """  # noqa: S608 - table names come from the models, every value is a parameter
    params = [
        authority_id,
        window[0],
        period,
        authority_id,
        ended,
        authority_id,
        financial_year_of(period),
        ended,
    ]
    return sql, params


def _run_floor(sql: str, params: list) -> tuple[float, int]:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return ms(time.perf_counter() - started), len(rows)


# The scorecard page ----------------------------------------------------------------------------------------


def _cold_get(client: Client, url: str) -> float:
    """The first page after a write: the cached grid is gone (as a new data version finds nothing cached)."""
    caches["default"].clear()
    return get(client, url)


def measure_scorecard(ctx: Context) -> list[Measure]:
    """Two pages, each beside the floor: a repeat page (the grid served from the cache, as for every reader
    after the first until the authority's data changes) and the first page after a change (the grid built)."""
    measures = []
    notes = []
    for months in (6, 13):
        url = ctx.scorecard_url(months)
        sql, params = floor_query(authority_id=ctx.authority.pk, period=ctx.period, months=months)
        for _ in range(ctx.plan.warm_up):
            _cold_get(ctx.client, url)
            get(ctx.client, url)
            _run_floor(sql, params)
        cold, cached, floors, cold_ratios, cached_ratios = [], [], [], [], []
        floor_rows = 0
        for _ in range(ctx.plan.runs):
            floor, floor_rows = _run_floor(sql, params)
            page = _cold_get(ctx.client, url)
            repeat = get(ctx.client, url)
            cold.append(page)
            cached.append(repeat)
            floors.append(floor)
            cold_ratios.append(page / floor)
            cached_ratios.append(repeat / floor)
        indicators = len(ctx.dataset.indicator_codes)
        measures += [
            Measure(
                f"scorecard.page.{months}",
                f"Scorecard page, {indicators} indicators × {months} months, first after a change "
                "(grid built; server time)",
                "ms",
                cold,
                PAGE_BUDGET,
            ),
            Measure(
                f"scorecard.page_cached.{months}",
                f"Scorecard page, {indicators} indicators × {months} months, repeated (grid cached; server time)",
                "ms",
                cached,
                PAGE_BUDGET,
            ),
            Measure(
                f"scorecard.floor.{months}",
                f"Floor: one raw SQL query of the figures shown ({floor_rows} rows)",
                "ms",
                floors,
            ),
            Measure(
                f"scorecard.ratio.{months}",
                f"Scorecard page ÷ floor ({months} months, repeated: grid cached)",
                "×",
                cached_ratios,
                FLOOR_RATIO_BUDGET,
            ),
            Measure(
                f"scorecard.ratio_cold.{months}",
                f"Scorecard page ÷ floor ({months} months, first after a change: grid built)",
                "×",
                cold_ratios,
                FLOOR_RATIO_BUDGET,
            ),
        ]
        notes.append(_breakdown(ctx, months, cold))
    counts = _query_counts(ctx)
    measures.append(
        Measure(
            "scorecard.queries",
            f"Queries per scorecard page, grid built ({FEW_INDICATORS}/{len(ctx.dataset.indicator_codes)} "
            "indicators × 6/13 months)",
            "queries",
            [float(count) for count in counts.values()],
            QUERIES_BUDGET,
        )
    )
    with CaptureQueriesContext(connection) as cached_queries:
        get(ctx.client, ctx.scorecard_url(13))
    notes.append(
        'What "page" means: a whole request through Django\'s test client signed in as a board member '
        "(session, authorisation, the page's queries, rendering, middleware), timed in process. The grid "
        "(headline tiles and the table) is cached per authority, month, window and reader kind, keyed by the "
        "authority's data version, which database triggers change in the transaction of every write to its "
        'figures, benchmarks, targets, sign-offs or audit records, or to the indicator catalogue. "Repeated" '
        'pages find the grid cached (every reader after the first until the data changes); "first after a '
        'change" pages find the cache empty and build the grid, as the first reader after any write does. The '
        "sign-off banner and actions, the month picker and the council switcher are made for every page."
    )
    notes.append(
        "Queries per page with the grid built: "
        + ", ".join(
            f"{indicators} indicators × {months} months: {count}"
            for (indicators, months), count in counts.items()
        )
        + ". The catalogue is cut to its first indicators inside a transaction that is rolled back. "
        + f"With the grid cached: {len(cached_queries)} queries."
    )
    ctx.sections.append(("Where the scorecard page's time goes", "\n\n".join(notes) + "\n\n" + _profile(ctx)))
    return measures


def _breakdown(ctx: Context, months: int, pages: list[float]) -> str:
    """Median split of a page whose grid is built (a cache miss): SQL, building the rated rows in Python, and rendering with the rest."""
    url = ctx.scorecard_url(months)
    page_sql, selector_total, selector_sql, queries = [], [], [], 0
    for _ in range(ctx.plan.runs):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            _cold_get(ctx.client, url)
        page_sql.append(ms(timer.seconds))
        queries = timer.queries
        timer = SqlTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            selectors.scorecard_build(
                authority=ctx.authority, period=ctx.period, months=months, include_drafts=False
            )
        selector_total.append(ms(time.perf_counter() - started))
        selector_sql.append(ms(timer.seconds))
    page = statistics.median(pages)
    sql = statistics.median(page_sql)
    rows = statistics.median(selector_total) - statistics.median(selector_sql)
    rest = page - sql - rows
    return (
        f"{months} months, grid built: page median {page:.1f} ms = SQL {sql:.1f} ms ({queries} queries, {sql / page:.0%}) "
        f"+ building the rated rows in Python {rows:.1f} ms ({rows / page:.0%}) "
        f"+ template rendering, middleware, session {rest:.1f} ms ({rest / page:.0%})."
    )


def _query_counts(ctx: Context) -> dict[tuple[int, int], int]:
    def count(months: int) -> int:
        caches["default"].clear()
        with CaptureQueriesContext(connection) as queries:
            get(ctx.client, ctx.scorecard_url(months))
        return len(queries)

    counts = {}
    indicators = len(ctx.dataset.indicator_codes)
    with transaction.atomic():
        catalogue_cut(FEW_INDICATORS)
        for months in (6, 13):
            counts[(FEW_INDICATORS, months)] = count(months)
        transaction.set_rollback(True)
    for months in (6, 13):
        counts[(indicators, months)] = count(months)
    return counts


def _profile(ctx: Context) -> str:
    """cProfile of 13-month pages with the grid built: the functions where the time is spent (own time)."""
    url = ctx.scorecard_url(13)
    profiler = cProfile.Profile()
    for _ in range(PROFILED_PAGES):
        caches["default"].clear()
        profiler.enable()
        ctx.client.get(url)
        profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(18)
    text = stream.getvalue()
    for prefix in sorted({str(Path(sys.prefix)), str(settings.BASE_DIR)}, key=len, reverse=True):
        text = text.replace(prefix + "/", "")
    text = re.sub(r"lib/python3\.\d+/site-packages/", "", text)
    body = text[text.index("ncalls") :] if "ncalls" in text else text
    return (
        f"Profile of {PROFILED_PAGES} pages of 13 months, grid built (cProfile, sorted by own time):\n\n```\n"
        + body.rstrip()
        + "\n```"
    )


# The comparison pages --------------------------------------------------------------------------------------


def measure_comparison(ctx: Context) -> list[Measure]:
    indicator = (
        Indicator.objects.exclude(polarity=Polarity.NEUTRAL)
        .filter(benchmarks__source=BenchmarkSource.DFE)
        .order_by("position")
        .first()
    )
    neighbours = ctx.authority.statistical_neighbours.count()
    authorities = len(ctx.dataset.authority_codes)
    specs = (
        ("compare", "comparison.compare", f"Comparison page ({neighbours} neighbours, region, England)"),
        ("league", "comparison.league", f"League table ({authorities} authorities)"),
    )
    measures = []
    for url_name, key, name in specs:
        try:
            url = reverse(f"scorecards:{url_name}", args=[ctx.authority.code, ctx.period, indicator.code])
            for _ in range(ctx.plan.warm_up):
                get(ctx.client, url)
            samples = [get(ctx.client, url) for _ in range(ctx.plan.runs)]
            measures.append(Measure(key, name, "ms", samples, COMPARISON_BUDGET))
        except (NoReverseMatch, RuntimeError, AttributeError) as error:
            measures.append(Measure(key, name, "ms", [], COMPARISON_BUDGET, unavailable=str(error)[:120]))
    return measures
