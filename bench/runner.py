"""Running the benchmark: a database of its own, a process that generates and measures, then the report.

The command's process never connects to the benchmark database through Django: it creates the database
(PostgreSQL, with psycopg), then starts itself again with ``DATABASE_URL`` pointing there and production
settings (debug off), which migrates, generates and measures, and hands the results back as JSON. The
developer's own database is never touched: a URL that names it is refused.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bench import generate, measure, report

DEFAULT_DATABASE = "scorecards_bench"
DEFAULT_URL = f"postgres://postgres@127.0.0.1:5432/{DEFAULT_DATABASE}"
DEFAULT_OUTPUT = Path("bench") / "results.md"
QUICK_OUTPUT = Path("bench") / "out" / "results-quick.md"
DEFAULT_SEED = 2025

NOT_POSTGRESQL = (
    "The full benchmark runs on PostgreSQL only; SQLite is allowed with --quick, for a smoke run."
)
SAME_AS_DEFAULT = "{url} is the project's own database; the benchmark needs a database of its own."
NOT_EMPTY = "{url} already holds data; give the benchmark an empty database."
UNSUPPORTED = "The benchmark runs on PostgreSQL (or SQLite with --quick), not {engine}."

#: Causes found by profiling (cProfile, EXPLAIN ANALYZE, gunicorn's access log) and what would fix them, for
#: measures that can miss their budget on the reference machine (2 cores). Printed under "Budgets missed"
#: only while the measure misses, beside that run's own figures and profile.
_FLOOR_RATIO = (
    "The floor is one query returning the 500 to 930 figures in about 6 ms. A repeated page serves the grid "
    "(headline tiles and table) from the cache: what is left is the session, the user, the membership with "
    "the authority's data version, the sign-off month, the month picker, the council switcher and rendering "
    'the page around the grid (see "Where the scorecard page\'s time goes"). A page after a change builds '
    "the grid: 11 queries about a fifth, building and rating the rows a quarter to a third, rendering about half.",
    "If the repeated page misses: measure on an idle machine (the floor moves with the load too); then cut "
    "what every page still makes: the month picker's 120 options, the session and user queries (a signed-cookie "
    "session). The first page after a change is not cached by design; a compiled template (Jinja2) for the "
    "grid would take off perhaps a fifth of it.",
)
#: What was changed to meet the budgets (issue "Performance at England scale"), for whoever compares a later run.
CHANGES = """\
Measured before each change on this data set; figures are medians on the reference machine.

- `scorecard_build` (scorecards/selectors.py), same 11 queries per page and the same rows:
  - benchmarks: only each indicator's benchmark year, both sources (a window function,
    `MAX(year) OVER (PARTITION BY indicator)`), instead of every year of both sources: 1,200 model instances
    a page became 120;
  - monthly values of the window as named tuples instead of model instances;
  - sign-offs of the window and the headline tiles' two-year look-back only, instead of every month.
  The selector went from 78 ms to about 25 ms; model instantiation had been its largest cost.
- The scorecard's month cells (templates/scorecards/core/scorecard.html) are written by `{% month_cells row %}`
  (scorecards/templatetags/scorecard_tags.py), one call per row with the same markup, instead of a dozen
  template nodes per cell: rendering went from about 35 ms to 17 ms for 60 indicators x 13 months.
- Index `benchmark_indicator_year` on benchmarks (indicator, source, year), migration 0004: the league table and
  its list of years read an indicator's 153 figures of one year instead of its 3,060 rows of every year and
  source (0.6-1.0 ms to under 0.1 ms with benchmarks stored release by release, as DfE loads arrive).
- Audit records (`scorecards.audit.changes_record`) are written with COPY on PostgreSQL from 200 records at
  once (smaller batches, and SQLite, as before): its part of importing 100,000 values went from 9.7 s to 2.4 s,
  the whole import from about 21 s to 12-16 s.
- The scorecard's grid (headline tiles and table, templates/scorecards/core/partials/scorecard_grid.html) is cached
  per authority, month, window and reader kind (board members or those who see drafts), keyed by
  `Authority.data_version`: database triggers (migrations authorities 0002 and scorecards 0005; statement-level
  with transition tables on PostgreSQL, row-level on SQLite) give it a new random value in the transaction of
  every write to the authority's monthly values, benchmarks, targets, sign-off months and audit records, and
  every authority's on a change to the indicator catalogue, so ORM saves, `update()`, `bulk_create`, COPY
  and raw SQL all make the next page build afresh. Exports, the indicator page and the sign-off banner are
  never cached. Repeated pages are measured apart from the first page after a change (the grid built).
- Looked at and left: `pack_data_as_of`'s newest change (2.6 s once with a cold cache, 12 ms warm: the newest
  records are at the end of the `at` index); the comparison page (6 queries, about 20 ms).
"""

_PAGE = (
    'The page is CPU in Python, not the database (see "Where the scorecard page\'s time goes"): about 50 ms '
    "for 60 indicators x 13 months on an idle core of this machine, rising with the load average, as the "
    "floor beside it does (compare its figure with an idle run's 6-7 ms). When first profiled, before this "
    "issue's fixes, it was 83 ms: 1,200 benchmark model instances a page and a dozen template nodes per cell.",
    "On a shared machine, measure when the load average is near 0. To gain headroom on pages that build the "
    "grid (repeated pages are served from the cache): labels of the month picker made once in the view rather than two date filters for "
    "each of its 120 months (about 4 ms); fewer tooltip strings per row.",
)
ANALYSIS: dict[str, tuple[str, str]] = {
    "scorecard.page.6": _PAGE,
    "scorecard.page.13": _PAGE,
    "scorecard.page_cached.6": _PAGE,
    "scorecard.page_cached.13": _PAGE,
    "scorecard.ratio.6": _FLOOR_RATIO,
    "scorecard.ratio.13": _FLOOR_RATIO,
    "comparison.compare": (
        "Six queries of a few milliseconds; the rest is rendering the page with its two charts' data.",
        "As for the scorecard: measure on an idle machine; then profile the template.",
    ),
    "load.p95": (
        "CPU. A page costs 40 to 60 ms of one core in Django plus its share of PostgreSQL; 50 members pausing "
        "1 to 5 s ask for about 15 pages a second, about half of this 2-core machine, which also runs locust "
        "and PostgreSQL (and, when the load average says so, other work). gunicorn's own request time (from "
        "its access log, in the section below) rises with the run queue, not with the database.",
        "Run the load generator elsewhere and give the web tier more cores (config/gunicorn.py starts two "
        "workers per core); cut the CPU of the pages that build the grid (the first after a change).",
    ),
    "import.time": (
        "With the audit records written by COPY (about 2.5 s for 100,000), the rest is Django's bulk_create of "
        "the monthly values (a model instance and each field prepared in Python, about 6 s), planning (reading "
        "and checking every row, about 2.5 s) and the sign-off months (one INSERT per authority and month, "
        "about 1 s).",
        "Write created monthly values with COPY as the audit records are (KindImport.apply in "
        "scorecards/imports/base.py), and create the sign-off months in one bulk_create.",
    ),
    "pack.time": (
        "WeasyPrint, on one core (cProfile of a render): laying out is half of it, 39 pages laid out 51 times "
        "because the contents and the grid's page references (target-counter) need a second layout pass, with "
        "the grid table and Pango's line breaking the largest parts; drawing the 60 SVG charts about 13%; the "
        "CSS cascade about 12%. The queries (scorecard_build, pack_data_as_of) are under a second.",
        "Lay out once: page numbers from the first pass rather than target-counter; fewer SVG nodes per chart; "
        "or render the indicator sections in parallel processes and join the PDFs. The pack is made by the "
        "Celery worker with a progress bar, so a slow pack does not hold a page.",
    ),
    "comparison.league": (
        "Rendering: the league's two queries take a few milliseconds (with benchmark_indicator_year); the "
        "django-tables2 table of 153 rows is most of the page.",
        "Render the league's rows without django-tables2's per-cell machinery, or paginate it.",
    ),
}


def _engine(url: str) -> str:
    return dj_database_url.parse(url)["ENGINE"].rsplit(".", 1)[-1]


def _same_database(url: str, configured: dict) -> bool:
    parsed = dj_database_url.parse(url)
    if parsed["ENGINE"] != configured["ENGINE"]:
        return False
    if parsed["ENGINE"].endswith("sqlite3"):
        return Path(str(parsed["NAME"])).resolve() == Path(str(configured["NAME"])).resolve()
    return (parsed["NAME"], parsed.get("HOST") or "", str(parsed.get("PORT") or "5432")) == (
        configured["NAME"],
        configured.get("HOST") or "",
        str(configured.get("PORT") or "5432"),
    )


def _signature(*, quick: bool, seed: int) -> str:
    size = generate.QUICK if quick else generate.FULL
    return f"scorecards benchmark data set: seed {seed}, {size}"


def _maintenance(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def _database_comment(url: str) -> str | None:
    with _maintenance(url) as admin:
        row = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [DEFAULT_DATABASE],
        ).fetchone()
    return None if row is None else (row[0] or "")


def _create_database(url: str) -> None:
    from psycopg import sql

    with _maintenance(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DEFAULT_DATABASE))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DEFAULT_DATABASE)))


def _comment_database(url: str, comment: str) -> None:
    from psycopg import sql

    with _maintenance(url) as admin:
        admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(DEFAULT_DATABASE), sql.Literal(comment)
            )
        )


def _drop_database(url: str) -> None:
    from psycopg import sql

    with _maintenance(url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DEFAULT_DATABASE))
        )


def _environment(url: str, media: Path) -> dict[str, str]:
    """Production settings (debug off, a fresh secret) against the benchmark database; no broker."""
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        # Plain HTTP on loopback: the load test says it came through the TLS proxy, the test client need not.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_MEDIA_ROOT": str(media),
    }
    for name in ("REDIS_URL", "DJANGO_ALLOWED_HOSTS"):
        environment.pop(name, None)
    return environment


def _static_files_stale() -> bool:
    """Whether collectstatic must run: no manifest yet, or a static file or the lock file is newer.

    It takes over ten seconds (whitenoise compresses every file), a fifth of the quick mode's minute.
    """
    base = Path(settings.BASE_DIR)
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return True
    sources = [base / "requirements.lock", *(path for path in (base / "static").rglob("*") if path.is_file())]
    newest = max((path.stat().st_mtime for path in sources if path.exists()), default=0)
    return newest > manifest.stat().st_mtime


def benchmark(
    *,
    quick: bool,
    database_url: str | None,
    output: Path | None,
    seed: int,
    keep_database: bool,
    reuse_database: bool,
    write,
) -> list[report.Measure]:
    """Create the database, generate and measure in a process of its own, print the table, write the report."""
    url = database_url or DEFAULT_URL
    engine = _engine(url)
    if engine not in ("postgresql", "sqlite3"):
        raise CommandError(UNSUPPORTED.format(engine=engine))
    if engine != "postgresql" and not quick:
        raise CommandError(NOT_POSTGRESQL)
    if _same_database(url, settings.DATABASES["default"]):
        raise CommandError(SAME_AS_DEFAULT.format(url=url))
    own_database = database_url is None
    output = output or (QUICK_OUTPUT if quick else DEFAULT_OUTPUT)
    signature = _signature(quick=quick, seed=seed)
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    reuse = own_database and reuse_database and _database_comment(url) == signature
    if own_database and not reuse:
        _create_database(url)
    try:
        with tempfile.TemporaryDirectory(prefix="scorecards-bench-") as scratch:
            workdir = Path(scratch)
            environment = _environment(url, workdir / "media")
            if _static_files_stale():
                write("collecting static files (with debug off they are served from the manifest)")
                subprocess.run(  # noqa: S603 - our own manage.py
                    [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                    cwd=settings.BASE_DIR,
                    env=environment,
                    check=True,
                )
            results = workdir / "results.json"
            inside = [
                sys.executable, "manage.py", "benchmark", "--inside", "--results-json", str(results),
                "--seed", str(seed), "--workdir", str(workdir),
            ]  # fmt: skip
            if quick:
                inside.append("--quick")
            if reuse:
                inside.append("--skip-generate")
            if not own_database:
                inside.append("--require-empty")
            completed = subprocess.run(inside, cwd=settings.BASE_DIR, env=environment, check=False)  # noqa: S603
            if completed.returncode != 0:
                raise CommandError(f"the measuring process failed (exit {completed.returncode})")
            data = json.loads(results.read_text())
        if own_database and keep_database:
            _comment_database(url, signature)
    finally:
        if own_database and not keep_database:
            _drop_database(url)
    measures = [report.Measure.from_dict(item) for item in data["measures"]]
    elapsed = time.perf_counter() - started
    write("")
    write(report.console_table(measures))
    write("")
    write(report.summary_line(measures))
    command = (
        "manage.py benchmark"
        + (" --quick" if quick else "")
        + (f" --seed {seed}" if seed != DEFAULT_SEED else "")
    )
    busy = " (about 0 on an idle machine: other work shared the cores)" if load_at_start > 0.5 else ""
    environment_rows = [
        *data["environment"],
        (
            "load average (1 min)",
            f"{load_at_start:.2f} when the command started{busy}; "
            f"{data['load_before_measuring']:.2f} when measuring started (includes generating)",
        ),
        ("whole run", f"{elapsed:.0f} s"),
    ]
    markdown = report.results_markdown(
        measures=measures,
        environment=environment_rows,
        dataset=data["dataset"],
        sections=[*data["sections"], ("What was changed for these budgets", CHANGES)],
        analysis=ANALYSIS,
        command=f".venv/bin/python {command}",
    )
    path = output if output.is_absolute() else Path(settings.BASE_DIR) / output
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown, encoding="utf-8")
    write(f"written: {output} ({elapsed:.0f} s in all)")
    return measures


# Inside: the process that runs against the benchmark database -----------------------------------------------


def _say_from(started: float):
    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", flush=True)

    return say


def inside(
    *, quick: bool, seed: int, generate_data: bool, require_empty: bool, workdir: Path, results: Path
) -> None:
    """Migrate, generate (unless reused), measure; write the results as JSON for the command's process."""
    say = _say_from(time.perf_counter())
    size = generate.QUICK if quick else generate.FULL
    say(f"migrating the benchmark database ({connection.vendor})")
    call_command("migrate", verbosity=0, interactive=False)
    from authorities.models import Authority

    if require_empty and generate_data and Authority.objects.exists():
        raise CommandError(NOT_EMPTY.format(url=os.environ.get("DATABASE_URL", "")))
    generated_in = None
    if generate_data:
        say(
            f"generating: {size.authorities} authorities × {size.indicators} indicators × {size.months} months"
        )
        began = time.perf_counter()
        generate.generate(size=size, seed=seed, progress=say)
        generated_in = time.perf_counter() - began
        say(f"generated in {generated_in:.1f} s")
    else:
        say("reusing the data set kept from an earlier run (same seed and size)")
    dataset = generate.dataset_in_database(size=size, seed=seed)
    ctx = measure.Context(dataset=dataset, plan=measure.Plan.for_mode(quick=quick), workdir=workdir, say=say)
    load_before = os.getloadavg()[0]
    measures = measure.measure_all(ctx)
    payload = {
        "measures": [item.to_dict() for item in measures],
        "sections": ctx.sections,
        "dataset": _dataset_rows(dataset, generated_in, quick=quick),
        "environment": _environment_rows(),
        "load_before_measuring": load_before,
    }
    results.write_text(json.dumps(payload, default=str), encoding="utf-8")


def _dataset_rows(
    dataset: generate.Dataset, generated_in: float | None, *, quick: bool
) -> list[tuple[str, str]]:
    size = dataset.size
    first = generate.month_window(size.end, size.months)[0]
    rows = [
        ("mode", "quick (smaller data set)" if quick else "full (England)"),
        ("seed", str(dataset.seed)),
        ("months", f"{size.months} ({first:%B %Y} to {size.end:%B %Y}), all approved"),
        ("benchmark years", f"{size.benchmark_years}, two sources each (DfE computed, council entered)"),
    ]
    rows += [(name, f"{count:,}") for name, count in dataset.rows.items()]
    rows.append(("board member measured", f"{generate.HOME_USERNAME} of {dataset.home_code}"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            rows.append(("database size", cursor.fetchone()[0]))
    rows.append(
        (
            "generated in",
            f"{generated_in:.0f} s (COPY)" if generated_in is not None else "reused from a kept database",
        )
    )
    return rows


def _environment_rows() -> list[tuple[str, str]]:
    import django

    def read(path: str) -> str:
        try:
            return Path(path).read_text()
        except OSError:
            return ""

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in read("/proc/cpuinfo").splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory_kb = next(
        (int(line.split()[1]) for line in read("/proc/meminfo").splitlines() if line.startswith("MemTotal")),
        0,
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
    versions = ", ".join(
        f"{name} {measure._version(name)}" for name in ("psycopg", "gunicorn", "locust", "weasyprint")
    )
    return [
        ("date", datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        (
            "machine",
            f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {memory_kb / 1024 / 1024:.0f} GB",
        ),
        ("CPU", cpu),
        ("operating system", platform.platform()),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("database", database),
        ("other packages", versions),
        (
            "settings",
            "DJANGO_DEBUG=false, CONN_MAX_AGE from DATABASE_CONN_MAX_AGE (60 s), "
            "scorecard grid cached in each process's memory (LocMemCache: REDIS_URL is unset for the benchmark)",
        ),
    ]
