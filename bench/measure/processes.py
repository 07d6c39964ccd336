"""Measured in processes of their own, so that their time and peak memory are theirs alone: importing a values
file through the contract's import (new values, then the same values changed), and making a board pack."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from dataclasses import replace

from django.conf import settings
from django.db import connection

from bench.import_files import write_import_csv
from bench.measure.common import Context
from bench.report import Budget, Measure
from scorecards.core import selectors
from scorecards.models import (
    ChangeRecord,
    MonthlyValue,
    ScorecardMonth,
)

IMPORT_TIME_BUDGET = Budget("max", 20, "< 20 s")
IMPORT_MEMORY_BUDGET = Budget("max", 500, "< 500 MB")
PACK_BUDGET = Budget("max", 15, "< 15 s")
#: Correcting figures costs about what loading them costs: the update import of the same rows, changed.
UPDATE_PER_CREATE = 1.5
IMPORT_UPDATE_BUDGET = Budget(
    "max", 20, "≤ 1.5× the create import and < 20 s", inclusive=True, ceiling=20
)  # the limit is made 1.5× the create import's time once that is measured


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
    """A file of new monthly values, then the same rows with every figure changed, each in its own process.

    Correcting figures should cost about what loading them costs: the update import is budgeted against the
    create import of the same rows, measured just before it on the same machine.
    """
    rows = ctx.dataset.size.import_rows
    files = {"create": ctx.workdir / "values.csv", "update": ctx.workdir / "values-changed.csv"}
    last, written = write_import_csv(files["create"], seed=ctx.dataset.seed, rows=rows, after=ctx.dataset.end)
    write_import_csv(files["update"], seed=ctx.dataset.seed, rows=rows, after=ctx.dataset.end, changed=True)
    last_record = ChangeRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    results: dict[str, dict] = {}
    failure = ""
    try:
        for step, path in files.items():
            results[step] = _child(ctx, "import", str(path), timeout=600)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        failure = str(error)[:120]
    finally:
        # The imported months are removed again, so that a kept database stays the generated data set.
        MonthlyValue.objects.filter(period__gt=ctx.dataset.end).delete()
        ScorecardMonth.objects.filter(period__gt=ctx.dataset.end).delete()
        ChangeRecord.objects.filter(pk__gt=last_record).delete()
        _vacuum(MonthlyValue, ScorecardMonth, ChangeRecord)
    created, updated = results.get("create"), results.get("update")
    update_budget = IMPORT_UPDATE_BUDGET
    if created is not None:
        update_budget = replace(IMPORT_UPDATE_BUDGET, limit=UPDATE_PER_CREATE * created["seconds"])
        ctx.sections.append(("Import", _import_section(ctx, created, updated, last=last, written=written)))

    def measure(key: str, name: str, result: dict | None, figure: str, unit: str, budget=None) -> Measure:
        if result is None:
            why = "the create import failed" if created is None and "update" in key else failure
            return Measure(key, name, unit, [], budget, unavailable=why)
        return Measure(key, name, unit, [result[figure]], budget)

    return [
        measure(
            "import.time",
            f"Import {written:,} monthly values (import_file)",
            created,
            "seconds",
            "s",
            IMPORT_TIME_BUDGET,
        ),
        measure(
            "import.memory", "Import: peak memory (RSS)", created, "peak_rss_mb", "MB", IMPORT_MEMORY_BUDGET
        ),
        measure(
            "import.update_time",
            f"Update import: the same {written:,} monthly values changed (import_file)",
            updated,
            "seconds",
            "s",
            update_budget,
        ),
        measure("import.update_memory", "Update import: peak memory (RSS)", updated, "peak_rss_mb", "MB"),
    ]


def _import_section(ctx: Context, created: dict, updated: dict | None, *, last, written: int) -> str:
    first = (ctx.dataset.end + datetime.timedelta(days=32)).replace(day=1)
    text = (
        f"A `values` file of {written:,} new monthly values ({first:%B %Y} to {last:%B %Y}, "
        f"every authority and indicator; about 1.5% with a status instead of a value, 2% with commentary) "
        f"through `scorecards.imports.import_file` in a process of its own: {created['summary']}; "
        f"{created['seconds']:.2f} s, peak resident memory {created['peak_rss_mb']:.0f} MB "
        "(Django included). Its audit records and sign-off months are written too."
    )
    if updated is None:
        return text
    return text + (
        f"\n\nThen the update import: a file of the same {written:,} rows with every figure drawn again, as a "
        f"correction would be, in another process: {updated['summary']}; {updated['seconds']:.2f} s "
        f"({updated['seconds'] / created['seconds']:.2f}× the create import), peak resident memory "
        f"{updated['peak_rss_mb']:.0f} MB. Each changed field is audited with its old and new value. The "
        "changed rows are written set-based: on PostgreSQL copied into a temporary table and written by one "
        "`UPDATE ... FROM` it, so that the data-version trigger fires once for the import, not once per row."
    )


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
