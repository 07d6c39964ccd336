"""Builders for plans: files of the two kinds, imported through the same service as an upload."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

PLAN_HEADER = ("authority", "plan", "title", "source", "source_date", "owner")
ACTION_HEADER = (
    "authority", "plan", "action", "priority", "title", "owner", "due", "status", "indicators", "progress", "as_of",
)  # fmt: skip


def csv_bytes(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def run_import(kind: str, header, rows, *, user=None, dry_run: bool = False):
    from scorecards.imports import import_file

    return import_file(kind, io.BytesIO(csv_bytes(header, rows)), f"{kind}.csv", user=user, dry_run=dry_run)


def plan_errors(kind: str, header, rows):
    """The import's errors as (row, column, message) without writing anything."""
    from scorecards.imports import ImportFailed

    try:
        run_import(kind, header, rows)
    except ImportFailed as failure:
        return [(error.row, error.column, error.message) for error in failure.errors]
    raise AssertionError("the import was expected to fail")


def action_row(code="K1.1", *, plan="peer-2018", authority="838", **cells):
    defaults = {
        "priority": "Line of enquiry 1",
        "title": f"Action {code}",
        "owner": "Head of Service",
        "due": "2019-05-31",
        "status": "not_started",
        "indicators": "",
        "progress": "",
        "as_of": "2019-03-01",
    }
    defaults.update(cells)
    return (authority, plan, code, *(defaults[column] for column in ACTION_HEADER[3:]))


@pytest.fixture
def evidence_indicators(make_indicator):
    return [
        make_indicator(code="permanence_plan_pct", section="Permanence", name="Permanence plans", position=1),
        make_indicator(
            code="three_plus_placements_pct",
            section="Placement",
            name="Three or more placements",
            polarity="lower_is_better",
            position=2,
        ),
    ]


@pytest.fixture
def peer_plan(home_authority, evidence_indicators):
    """Dorset's (838) plan peer-2018 with three actions, one of them updated twice."""
    run_import(
        "plans", PLAN_HEADER, [("838", "peer-2018", "Peer review", "peer_review", "2018-11-27", "DCS")]
    )
    run_import(
        "actions",
        ACTION_HEADER,
        [
            action_row("K4.10", due="2019-05-31", status="not_started", progress="Planned.", indicators="permanence_plan_pct"),
            action_row("K4.9", priority="Line of enquiry 4", due="2019-09-30", status="on_track", indicators="three_plus_placements_pct;permanence_plan_pct"),
            action_row("K2.1", priority="Line of enquiry 2", due="2019-04-30", status="complete"),
        ],
    )  # fmt: skip
    run_import(
        "actions",
        ACTION_HEADER,
        [action_row("K4.10", status="on_track", progress="Started.", as_of="2019-04-15")],
    )
    from scorecards.models import Plan

    return Plan.objects.get(authority=home_authority, code="peer-2018")


JUNE_2019 = datetime.date(2019, 6, 30)


@pytest.fixture
def today(monkeypatch):
    """The plan pages' today: 30 June 2019."""
    from scorecards.plans import selectors

    monkeypatch.setattr(selectors, "today", lambda: JUNE_2019)
    return JUNE_2019
