"""The measurements, run in one process against the benchmark database, each repeated.

In process, through Django's test ``Client`` signed in as a board member: the scorecard page beside its
floor (one raw SQL query fetching exactly the figures the page shows), the query count as the catalogue and
the window grow, the comparison page and the league table. In processes of their own: importing a values
file through the contract's import, and making a board pack. Over the loopback interface: board members
browsing, with locust against gunicorn.
"""

from __future__ import annotations

import contextlib
import cProfile
import datetime
import io
import json
import os
import pstats
import re
import runpy
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from authorities.models import Authority
from bench.generate import BENCH_PASSWORD, HOME_USERNAME, Dataset, write_import_csv
from bench.report import Budget, Measure
from scorecards.core import selectors
from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    ChangeRecord,
    Indicator,
    MonthlyValue,
    Polarity,
    ScorecardMonth,
    Target,
)
from scorecards.rating import financial_year_label, financial_year_of, month_window

LOAD_HOST = "127.0.0.1"
DEFAULT_LOAD_PORT = 8099
GUNICORN_CONFIG = Path(settings.BASE_DIR) / "config" / "gunicorn.py"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
#: Signing in 50 members hashes 50 passwords (slow by design) before the browsing clock starts.
SIGN_IN_ALLOWANCE_SECONDS = 120
FEW_INDICATORS = 10
PROFILED_PAGES = 5

PAGE_BUDGET = Budget("median", 100, "median < 100 ms")
FLOOR_RATIO_BUDGET = Budget("median", 3, "median ≤ 3× floor", inclusive=True)
QUERIES_BUDGET = Budget("spread", 0, "equal (does not grow)", inclusive=True)
COMPARISON_BUDGET = Budget("median", 150, "median < 150 ms")
IMPORT_TIME_BUDGET = Budget("max", 20, "< 20 s")
IMPORT_MEMORY_BUDGET = Budget("max", 500, "< 500 MB")
PACK_BUDGET = Budget("max", 15, "< 15 s")
LOAD_P95_BUDGET = Budget("max", 300, "p95 < 300 ms")
LOAD_ERRORS_BUDGET = Budget("max", 0, "none", inclusive=True)


@dataclass(frozen=True)
class Plan:
    """How much to repeat each measurement."""

    runs: int
    warm_up: int
    pack_runs: int
    load_seconds: int
    load_users: int

    @classmethod
    def for_mode(cls, *, quick: bool) -> Plan:
        if quick:
            return cls(runs=10, warm_up=2, pack_runs=1, load_seconds=10, load_users=50)
        return cls(runs=30, warm_up=3, pack_runs=3, load_seconds=60, load_users=50)


class Context:
    """What the measurements share: the data set, the plan, where to write files, how to start a process."""

    def __init__(self, *, dataset: Dataset, plan: Plan, workdir: Path, say: Callable[[str], None]):
        self.dataset, self.plan, self.workdir, self.say = dataset, plan, workdir, say
        self.authority = Authority.objects.get(code=dataset.home_code)
        self.period = dataset.end
        self.client = Client()
        self.client.force_login(get_user_model().objects.get(username=HOME_USERNAME))
        self.sections: list[tuple[str, str]] = []

    def scorecard_url(self, months: int) -> str:
        url = reverse("scorecards:detail", args=[self.authority.code, self.period])
        return f"{url}?months={months}"

    def child_env(self) -> dict[str, str]:
        return dict(os.environ)


def _ms(seconds: float) -> float:
    return seconds * 1000


def _get(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return _ms(elapsed)


class _SqlTimer:
    """Adds up the time spent in the database driver, through Django's execute wrapper."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


# The floor: one raw query for exactly the figures the page shows -------------------------------------------


def floor_query(*, authority_id: int, period: datetime.date, months: int) -> tuple[str, list]:
    """One SQL statement: the window's monthly values, and the benchmark, target and baseline rows used.

    The benchmark year is the latest that ended before the month (both sources of it: the page merges
    them); the target is that of the period's financial year or else the nearest later one; the baseline the
    latest that ended before the month. Financial years written YYYY/YY sort as text.
    """
    window = month_window(period, months)
    ended = financial_year_label(period.year - 1 if period.month >= 4 else period.year - 2)
    values = MonthlyValue._meta.db_table
    benchmarks = Benchmark._meta.db_table
    targets = Target._meta.db_table
    sql = f"""
        SELECT 'value' AS kind, v.indicator_id, v.period, NULL AS year, v.value, NULL AS sn_average,
               NULL AS sn_min, NULL AS sn_max, v.status AS detail, v.commentary AS note
          FROM {values} v
         WHERE v.authority_id = %s AND v.period >= %s AND v.period <= %s
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
    return _ms(time.perf_counter() - started), len(rows)


# The scorecard page ----------------------------------------------------------------------------------------


def _cold_get(client: Client, url: str) -> float:
    """The first page after a write: the cached grid is gone (as a new data version finds nothing cached)."""
    caches["default"].clear()
    return _get(client, url)


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
            _get(ctx.client, url)
            _run_floor(sql, params)
        cold, cached, floors, cold_ratios, cached_ratios = [], [], [], [], []
        floor_rows = 0
        for _ in range(ctx.plan.runs):
            floor, floor_rows = _run_floor(sql, params)
            page = _cold_get(ctx.client, url)
            repeat = _get(ctx.client, url)
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
                f"Scorecard page ÷ floor ({months} months, first after a change: grid built; no budget)",
                "×",
                cold_ratios,
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
        _get(ctx.client, ctx.scorecard_url(13))
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
        timer = _SqlTimer()
        with connection.execute_wrapper(timer):
            _cold_get(ctx.client, url)
        page_sql.append(_ms(timer.seconds))
        queries = timer.queries
        timer = _SqlTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            selectors.scorecard_build(
                authority=ctx.authority, period=ctx.period, months=months, include_drafts=False
            )
        selector_total.append(_ms(time.perf_counter() - started))
        selector_sql.append(_ms(timer.seconds))
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
            _get(ctx.client, ctx.scorecard_url(months))
        return len(queries)

    counts = {}
    indicators = len(ctx.dataset.indicator_codes)
    with transaction.atomic():
        keep = list(
            Indicator.objects.order_by("position", "code").values_list("pk", flat=True)[:FEW_INDICATORS]
        )
        with connection.cursor() as cursor:
            # A raw DELETE leaves the figures of the removed indicators in place: foreign keys are checked at
            # commit, and this transaction never commits.
            cursor.execute(
                f"DELETE FROM {Indicator._meta.db_table} WHERE NOT (id = ANY(%s))"  # noqa: S608
                if connection.vendor == "postgresql"
                else f"DELETE FROM {Indicator._meta.db_table} WHERE id NOT IN ({', '.join(map(str, keep))})",  # noqa: S608
                [keep] if connection.vendor == "postgresql" else [],
            )
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
                _get(ctx.client, url)
            samples = [_get(ctx.client, url) for _ in range(ctx.plan.runs)]
            measures.append(Measure(key, name, "ms", samples, COMPARISON_BUDGET))
        except (NoReverseMatch, RuntimeError, AttributeError) as error:
            measures.append(Measure(key, name, "ms", [], COMPARISON_BUDGET, unavailable=str(error)[:120]))
    return measures


# In processes of their own: the import and the board pack --------------------------------------------------


def _child(ctx: Context, *args: str, timeout: float) -> dict:
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.child", *args],
        cwd=settings.BASE_DIR,
        env=ctx.child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "failed"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def measure_import(ctx: Context) -> list[Measure]:
    rows = ctx.dataset.size.import_rows
    path = ctx.workdir / "values.csv"
    last, written = write_import_csv(path, seed=ctx.dataset.seed, rows=rows, after=ctx.dataset.end)
    name = f"Import {written:,} monthly values (import_file)"
    first = (ctx.dataset.end + datetime.timedelta(days=32)).replace(day=1)
    last_record = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        result = _child(ctx, "import", str(path), timeout=600)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        return [
            Measure("import.time", name, "s", [], IMPORT_TIME_BUDGET, unavailable=str(error)[:120]),
            Measure("import.memory", "Import: peak memory (RSS)", "MB", [], IMPORT_MEMORY_BUDGET),
        ]
    finally:
        # The imported months are removed again, so that a kept database stays the generated data set.
        MonthlyValue.objects.filter(period__gt=ctx.dataset.end).delete()
        ScorecardMonth.objects.filter(period__gt=ctx.dataset.end).delete()
        ChangeRecord.objects.filter(pk__gt=last_record).delete()
        _vacuum(MonthlyValue, ScorecardMonth, ChangeRecord)
    ctx.sections.append(
        (
            "Import",
            f"A `values` file of {written:,} new monthly values ({first:%B %Y} to {last:%B %Y}, "
            f"every authority and indicator; about 1.5% with a status instead of a value, 2% with commentary) "
            f"through `scorecards.imports.import_file` in a process of its own: {result['summary']}; "
            f"{result['seconds']:.2f} s, peak resident memory {result['peak_rss_mb']:.0f} MB "
            "(Django included). Its audit records and sign-off months are written too.",
        )
    )
    return [
        Measure("import.time", name, "s", [result["seconds"]], IMPORT_TIME_BUDGET),
        Measure(
            "import.memory", "Import: peak memory (RSS)", "MB", [result["peak_rss_mb"]], IMPORT_MEMORY_BUDGET
        ),
    ]


def _vacuum(*models) -> None:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def measure_pack(ctx: Context) -> list[Measure]:
    name = f"Board pack, {len(ctx.dataset.indicator_codes)} indicators (PDF)"
    months = selectors.DEFAULT_MONTHS
    try:
        result = _child(
            ctx,
            "pack",
            ctx.authority.code,
            f"{ctx.period:%Y-%m}",
            str(months),
            str(ctx.plan.pack_runs),
            timeout=900,
        )
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        return [Measure("pack.time", name, "s", [], PACK_BUDGET, unavailable=str(error)[:120])]
    ctx.sections.append(
        (
            "Board pack",
            f"`scorecard_build`, `packs.pack_data_as_of` and `pdf.scorecard_pdf_render` for {result['indicators']} "
            f"indicators and {months} months, {len(result['seconds'])} times in one process (the first includes "
            f"loading WeasyPrint and fonts, as a worker's first pack does): "
            + ", ".join(f"{seconds:.2f} s" for seconds in result["seconds"])
            + f"; {result['pages'][-1]} pages, {result['bytes'][-1] / 1024:.0f} KB; "
            f"peak resident memory {result['peak_rss_mb']:.0f} MB.",
        )
    )
    return [
        Measure("pack.time", name, "s", result["seconds"], PACK_BUDGET),
        Measure("pack.memory", "Board pack: peak memory (RSS)", "MB", [result["peak_rss_mb"]]),
    ]


# Board members browsing: gunicorn and locust on the loopback interface --------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        try:
            probe.bind((LOAD_HOST, DEFAULT_LOAD_PORT))
            return DEFAULT_LOAD_PORT
        except OSError:
            probe.bind((LOAD_HOST, 0))
            return probe.getsockname()[1]


def _wait_until_up(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            if response.status == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"gunicorn did not answer {url} within {seconds:.0f} s")


def gunicorn_command(port: int) -> tuple[list[str], str]:
    """The command line, and how it is configured: the project's config/gunicorn.py when there is one."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    bind = f"{LOAD_HOST}:{port}"
    if GUNICORN_CONFIG.exists():
        workers = runpy.run_path(str(GUNICORN_CONFIG)).get("workers", "?")
        return (
            [gunicorn, "-c", str(GUNICORN_CONFIG), "-b", bind, "config.wsgi"],
            f"gunicorn -c config/gunicorn.py ({workers} sync workers) on {bind}",
        )
    return [gunicorn, "config.wsgi", "-w", "3", "-b", bind], f"gunicorn config.wsgi -w 3 on {bind}"


def measure_load(ctx: Context) -> list[Measure]:
    users = ctx.dataset.load_users[: ctx.plan.load_users]
    name = f"{len(users)} board members browsing: scorecard p95"
    port = _free_port()
    command, described = gunicorn_command(port)
    log = (ctx.workdir / "gunicorn.log").open("w")
    result_path = ctx.workdir / "locust.json"
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        command,
        cwd=settings.BASE_DIR,
        env={**ctx.child_env(), "GUNICORN_LOG_LEVEL": "warning"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_up(f"http://{LOAD_HOST}:{port}/health/", 60)
        months = [f"{period:%Y-%m}" for period in month_window(ctx.dataset.end, ctx.dataset.size.months)]
        environment = {
            **ctx.child_env(),
            "BENCH_USERS": ",".join(f"{username}:{code}" for username, code in users),
            "BENCH_PASSWORD": BENCH_PASSWORD,
            "BENCH_PERIODS": ",".join(months),
            "BENCH_DURATION": str(ctx.plan.load_seconds),
            "BENCH_RESULT": str(result_path),
        }
        limit = ctx.plan.load_seconds + SIGN_IN_ALLOWANCE_SECONDS
        locust = [
            str(Path(sys.executable).with_name("locust")),
            "-f", str(LOCUSTFILE), "--headless", "--only-summary", "--loglevel", "WARNING",
            "-u", str(len(users)), "-r", str(len(users)), "-t", f"{limit}s", "--stop-timeout", "5",
            "--host", f"http://{LOAD_HOST}:{port}",
        ]  # fmt: skip
        with (ctx.workdir / "locust.log").open("w") as locust_log:
            subprocess.run(  # noqa: S603 - our own locust, against loopback only
                locust,
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=locust_log,
                stderr=subprocess.STDOUT,
                timeout=limit + 60,
                check=False,
            )
        summary = json.loads(result_path.read_text())
    except (RuntimeError, subprocess.TimeoutExpired, OSError, ValueError) as error:
        return [Measure("load.p95", name, "ms", [], LOAD_P95_BUDGET, unavailable=str(error)[:120])]
    finally:
        _stop(server)
        log.close()
        _keep_logs(ctx, "gunicorn.log", "locust.log")
    scorecard = summary["scorecard"]
    sign_in = summary["sign_in"]
    server = _server_times(ctx.workdir / "gunicorn.log", since=summary.get("signed_in_at"))
    failures = scorecard["failures"] + sum(entry["failures"] for entry in sign_in.values())
    ctx.sections.append(
        (
            "Board members browsing",
            f"{described}, DJANGO_DEBUG=false, against the benchmark database; locust {_version('locust')} "
            f"headless on the same machine (it shares the 2 cores), {len(users)} board members of "
            f"{len({code for _, code in users})} councils. Each signs in and lands on the council's latest "
            f"scorecard (the form, the password, the page: {summary['sign_in_seconds']:.1f} s for all, reported "
            f"apart: sign-in p95 {sign_in['sign in']['p95_ms']:.0f} ms, as the password hash is slow by design; "
            f"first scorecard p95 {sign_in['scorecard (after sign-in)']['p95_ms']:.0f} ms). Once all have, each "
            f"reads for 1 to 5 s and then, for {summary['browse_seconds']:.0f} s, opens a random approved month "
            "of the council's scorecard with a random window of 6, 12 or 13 months, pausing 1 to 5 s between "
            "pages (reading). Requests carry X-Forwarded-Proto: https as the TLS proxy would. "
            f"Scorecard pages: {scorecard['requests']} requests, {scorecard['failures']} failures, "
            f"median {scorecard['median_ms']:.0f} ms, p95 {scorecard['p95_ms']:.0f} ms, "
            f"max {scorecard['max_ms']:.0f} ms ({scorecard['requests'] / max(summary['browse_seconds'], 1):.1f} "
            "pages/s)."
            + (
                f" gunicorn's own time for the scorecard pages of that period (its access log): median "
                f"{statistics.median(server):.0f} ms, p95 {_percentile(server, 0.95):.0f} ms."
                if server
                else ""
            )
            + (f" Errors: {summary['errors']}" if summary["errors"] else ""),
        )
    )
    return [
        Measure("load.p95", name, "ms", [scorecard["p95_ms"]], LOAD_P95_BUDGET),
        Measure(
            "load.median",
            f"{len(users)} board members browsing: scorecard median",
            "ms",
            [scorecard["median_ms"]],
        ),
        Measure(
            "load.errors",
            f"{len(users)} board members browsing: failed requests",
            "",
            [failures],
            LOAD_ERRORS_BUDGET,
        ),
    ]


ACCESS_LINE = re.compile(r'\[(?P<at>[^\]]+)\] "GET /scorecards/[^"]*" 200 .* (?P<ms>\d+)ms$')


def _server_times(log: Path, *, since: float | None) -> list[float]:
    """Milliseconds gunicorn took for each scorecard page answered after ``since`` (from its access log)."""
    if not log.exists() or since is None:
        return []
    times = []
    for line in log.read_text(errors="replace").splitlines():
        match = ACCESS_LINE.search(line)
        if not match:
            continue
        at = datetime.datetime.strptime(match["at"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
        # The log has whole seconds: a page of the second the browsing started belongs to it.
        if at >= int(since):
            times.append(float(match["ms"]))
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _keep_logs(ctx: Context, *names: str) -> None:
    """Copy the server's and locust's logs to bench/out/ (not committed), to look into a failed run."""
    kept = Path(settings.BASE_DIR) / "bench" / "out"
    kept.mkdir(parents=True, exist_ok=True)
    for name in names:
        source = ctx.workdir / name
        if source.exists():
            shutil.copyfile(source, kept / name)


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn and its workers (the process group it leads, which this function started)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def measure_all(ctx: Context) -> list[Measure]:
    """Every measurement, in an order that leaves the database as generated for the next one."""
    measures = []
    steps = (
        ("scorecard page", measure_scorecard),
        ("comparison pages", measure_comparison),
        ("board pack", measure_pack),
        ("import", measure_import),
        ("board members browsing", measure_load),
    )
    for label, step in steps:
        started = time.perf_counter()
        ctx.say(f"measuring: {label}")
        measures += step(ctx)
        ctx.say(f"measured: {label} in {time.perf_counter() - started:.1f} s")
    return measures
