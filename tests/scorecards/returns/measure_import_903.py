"""Measure ``manage.py import_903`` on a large synthetic return: 120 month-ends, written to a fresh database.

Not a test (timings belong to a machine, not to the suite): run it and read the figures.

    .venv/bin/python -m tests.scorecards.returns.measure_import_903 [--children 15000] [--database-url URL]

The synthetic return (``synthetic.py``: 15,000 children, about 60,000 episodes, 20,000 missing incidents, an
oc2 row a child) is written as CSV to a temporary folder; each run of the command is a fresh process, so its
peak memory (``ru_maxrss``) is its own. The first run creates every figure, the second finds them unchanged.
Budget: under 30 s and 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.scorecards.returns.synthetic import FIRST, LAST, synthetic_return

PROJECT = Path(__file__).resolve().parents[3]
BUDGET_SECONDS, BUDGET_BYTES = 30, 500 * 1024 * 1024
NEWLINE = b"\n"

RUN = """
import json, resource, sys, time
import django
django.setup()
from django.core.management import call_command
wall, cpu = time.perf_counter(), time.process_time()
call_command("import_903", *sys.argv[1:])
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""
SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from authorities.models import Authority
Authority.objects.get_or_create(code="838", defaults={"name": "Dorset"})
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=15_000)
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings", DJANGO_LOG_LEVEL="WARNING")
        env["DATABASE_URL"] = options.database_url or f"sqlite:///{folder}/measure.sqlite3"
        files = synthetic_return(children=options.children)
        tables = Path(folder) / "return"
        tables.mkdir()
        for name, content in files.items():
            (tables / name).write_bytes(content)
        sizes = {
            name: f"{len(content) / 1e6:.1f} MB, {content.count(NEWLINE) - 1:,} rows"
            for name, content in files.items()
        }
        print(f"synthetic return: {sizes}")
        subprocess.run([sys.executable, "-c", SETUP], cwd=PROJECT, env=env, check=True)
        months = ["--from", f"{FIRST:%Y-%m}", "--to", f"{LAST:%Y-%m}"]
        ok = True
        for label in ("first run (every figure new)", "second run (every figure unchanged)"):
            result = subprocess.run(
                [sys.executable, "-c", RUN, "838", str(tables), *months],
                cwd=PROJECT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            summary, measured = result.stdout.strip().splitlines()[-2:]
            measured = json.loads(measured)
            within = measured["wall"] < BUDGET_SECONDS and measured["peak"] < BUDGET_BYTES
            ok = ok and within
            print(
                f"{label}: {summary}; {measured['wall']:.1f} s wall, {measured['cpu']:.1f} s CPU, "
                f"peak {measured['peak'] / 1024 / 1024:.0f} MB ({'within' if within else 'OVER'} budget)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
