"""Measurements that need a process of their own, so that their peak memory is theirs alone.

Run by ``bench.measure.processes`` as ``python -m bench.child import FILE`` or
``... child pack CODE YYYY-MM MONTHS RUNS``; prints one line of JSON. The process's peak resident memory
(``ru_maxrss``) includes Django itself, as a worker's would.
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import sys
import time


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def import_values(path: str) -> dict:
    from scorecards.imports import import_file
    from scorecards.models import ChangeRoute

    started = time.perf_counter()
    with open(path, "rb") as handle:
        summary = import_file("values", handle, os.path.basename(path), route=ChangeRoute.COMMAND)
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb(), "summary": str(summary)}


def board_pack(code: str, period_text: str, months: int, runs: int) -> dict:
    """The work a worker does for a pack: the scorecard, the data's date, then WeasyPrint; ``runs`` times."""
    from authorities.models import Authority
    from scorecards.core import selectors
    from scorecards.packs import pdf
    from scorecards.packs import selectors as packs

    authority = Authority.objects.get(code=code)
    period = datetime.date(int(period_text[:4]), int(period_text[5:7]), 1)
    seconds, pages, sizes = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        scorecard = selectors.scorecard_build(authority=authority, period=period, months=months)
        data_as_of = packs.pack_data_as_of(authority=authority, period=period, months=months)
        result = pdf.scorecard_pdf_render(scorecard, draft=False, data_as_of=data_as_of)
        seconds.append(time.perf_counter() - started)
        pages.append(result.page_count)
        sizes.append(len(result.content))
    return {
        "seconds": seconds,
        "pages": pages,
        "bytes": sizes,
        "indicators": len(scorecard.rows),
        "peak_rss_mb": _peak_rss_mb(),
    }


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    task, *args = argv
    if task == "import":
        result = import_values(*args)
    elif task == "pack":
        code, period, months, runs = args
        result = board_pack(code, period, int(months), int(runs))
    else:
        raise SystemExit(f"unknown task {task!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
