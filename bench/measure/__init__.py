"""The measurements, run in one process against the benchmark database, each repeated.

In process, through Django's test ``Client`` signed in as a board member: the scorecard page beside its
floor, the query count as the catalogue and the window grow, the comparison page and the league table
(``pages``); the quarter scorecard page, what SPC adds to a built page, a large plan's page and a meeting's
board pack (``boards``). In processes of their own: importing a values file through the contract's import,
new and then changed, and making a board pack (``processes``). Over the loopback interface: board members
browsing, with locust against gunicorn (``load``).
"""

from __future__ import annotations

import time

from bench.measure.boards import measure_meeting_pack, measure_plan_page, measure_quarter, measure_spc
from bench.measure.common import Context, Plan, version
from bench.measure.load import measure_load
from bench.measure.pages import measure_comparison, measure_scorecard
from bench.measure.processes import measure_import, measure_pack
from bench.report import Measure

__all__ = ["Context", "Plan", "measure_all", "version"]


def measure_all(ctx: Context) -> list[Measure]:
    """Every measurement, in an order that leaves the database as generated for the next one."""
    measures = []
    steps = (
        ("scorecard page", measure_scorecard),
        ("comparison pages", measure_comparison),
        ("quarter scorecard page", measure_quarter),
        ("SPC on a built scorecard page", measure_spc),
        ("plan page", measure_plan_page),
        ("meeting pack", measure_meeting_pack),
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
