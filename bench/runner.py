"""Running the benchmark: a database of its own, a process that generates and measures, then the report.

The command's process never connects to the benchmark database through Django: it creates the database
(PostgreSQL, with psycopg: ``bench.database``), then starts itself again with ``DATABASE_URL`` pointing
there and production settings (debug off), which migrates, generates and measures (``bench.inside``), and
hands the results back as JSON. The developer's own database is never touched: a URL that names it is
refused.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from bench import analysis, database, dataset, report

DEFAULT_OUTPUT = Path("bench") / "results.md"
QUICK_OUTPUT = Path("bench") / "out" / "results-quick.md"
DEFAULT_SEED = 2025

NOT_POSTGRESQL = (
    "The full benchmark runs on PostgreSQL only; SQLite is allowed with --quick, for a smoke run."
)
SAME_AS_DEFAULT = "{url} is the project's own database; the benchmark needs a database of its own."
UNSUPPORTED = "The benchmark runs on PostgreSQL (or SQLite with --quick), not {engine}."


def _signature(*, quick: bool, seed: int) -> str:
    size = dataset.QUICK if quick else dataset.FULL
    return f"scorecards benchmark data set: seed {seed}, {size}"


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
    url = database_url or database.DEFAULT_URL
    engine = database.engine(url)
    if engine not in ("postgresql", "sqlite3"):
        raise CommandError(UNSUPPORTED.format(engine=engine))
    if engine != "postgresql" and not quick:
        raise CommandError(NOT_POSTGRESQL)
    if database.same_database(url, settings.DATABASES["default"]):
        raise CommandError(SAME_AS_DEFAULT.format(url=url))
    own_database = database_url is None
    output = output or (QUICK_OUTPUT if quick else DEFAULT_OUTPUT)
    signature = _signature(quick=quick, seed=seed)
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]
    reuse = own_database and reuse_database and database.database_comment(url) == signature
    if own_database and not reuse:
        database.create_database(url)
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
            database.comment_database(url, signature)
    finally:
        if own_database and not keep_database:
            database.drop_database(url)
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
        sections=[*data["sections"], ("What was changed for these budgets", analysis.CHANGES)],
        analysis=analysis.ANALYSIS,
        command=f".venv/bin/python {command}",
    )
    path = output if output.is_absolute() else Path(settings.BASE_DIR) / output
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown, encoding="utf-8")
    write(f"written: {output} ({elapsed:.0f} s in all)")
    return measures
