"""Board members browsing: gunicorn and locust over the loopback interface."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
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
from pathlib import Path

from django.conf import settings

from bench.dataset import BENCH_PASSWORD
from bench.measure.common import Context, version
from bench.report import Budget, Measure
from scorecards.rating import month_window

LOAD_HOST = "127.0.0.1"
DEFAULT_LOAD_PORT = 8099
GUNICORN_CONFIG = Path(settings.BASE_DIR) / "config" / "gunicorn.py"
LOCUSTFILE = Path(__file__).resolve().parent.parent / "locustfile.py"
#: Signing in 50 members hashes 50 passwords (slow by design) before the browsing clock starts.
SIGN_IN_ALLOWANCE_SECONDS = 120
LOAD_P95_BUDGET = Budget("max", 300, "p95 < 300 ms")
LOAD_ERRORS_BUDGET = Budget("max", 0, "none", inclusive=True)


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
            f"{described}, DJANGO_DEBUG=false, against the benchmark database; locust {version('locust')} "
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
