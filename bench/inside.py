"""The measuring process: started by the command against the benchmark database, with production settings.

Migrates, generates (unless a kept database is reused), measures, and writes the results as JSON for the
command's process, with the data set's and the machine's description.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bench import generate, measure
from bench.dataset import FULL, HOME_USERNAME, QUICK, Dataset, dataset_in_database
from scorecards.rating import month_window

NOT_EMPTY = "{url} already holds data; give the benchmark an empty database."


def _say_from(started: float):
    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", flush=True)

    return say


def run(
    *, quick: bool, seed: int, generate_data: bool, require_empty: bool, workdir: Path, results: Path
) -> None:
    """Migrate, generate (unless reused), measure; write the results as JSON for the command's process."""
    say = _say_from(time.perf_counter())
    size = QUICK if quick else FULL
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
    dataset = dataset_in_database(size=size, seed=seed)
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


def _dataset_rows(dataset: Dataset, generated_in: float | None, *, quick: bool) -> list[tuple[str, str]]:
    size = dataset.size
    first = month_window(size.end, size.months)[0]
    rows = [
        ("mode", "quick (smaller data set)" if quick else "full (England)"),
        ("seed", str(dataset.seed)),
        ("months", f"{size.months} ({first:%B %Y} to {size.end:%B %Y}), all approved"),
        ("benchmark years", f"{size.benchmark_years}, two sources each (DfE computed, council entered)"),
    ]
    rows += [(name, f"{count:,}") for name, count in dataset.rows.items()]
    rows.append(("board member measured", f"{HOME_USERNAME} of {dataset.home_code}"))
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
        f"{name} {measure.version(name)}" for name in ("psycopg", "gunicorn", "locust", "weasyprint")
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
