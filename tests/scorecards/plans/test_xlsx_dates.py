"""Plans and actions from a workbook: the due, as_of and source_date columns take real Excel date cells."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from scorecards.imports import ImportFailed, import_file, messages
from scorecards.models import Action, ActionUpdate, Plan
from scorecards.plans import messages as plan_messages

from .conftest import ACTION_HEADER, PLAN_HEADER, action_row, csv_bytes

D = datetime.date
DT = datetime.datetime


def xlsx_file(header, rows) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def _errors(kind, file_obj, filename):
    with pytest.raises(ImportFailed) as failed:
        import_file(kind, file_obj, filename)
    return [(error.row, error.column, error.message) for error in failed.value.errors]


@pytest.fixture
def plan(home_authority, evidence_indicators):
    rows = [("838", "peer-2018", "Peer review", "peer_review", D(2018, 11, 27), "DCS")]
    import_file("plans", xlsx_file(PLAN_HEADER, rows), "plans.xlsx")
    return Plan.objects.get(code="peer-2018")


def test_a_plan_s_source_date_may_be_a_date_cell(plan):
    assert plan.source_date == D(2018, 11, 27)


def test_due_and_as_of_may_be_date_cells_or_midnight_datetimes(plan):
    rows = [
        action_row("K1.1", due=D(2019, 5, 31), as_of=D(2019, 3, 1), status="on_track"),
        action_row("K1.2", due=DT(2019, 6, 30), as_of=DT(2019, 3, 2, 0, 0), status="at_risk"),
        action_row("K1.3", due="2019-07-31", as_of="2019-03-03"),
    ]
    summary = import_file("actions", xlsx_file(ACTION_HEADER, rows), "actions.xlsx")
    assert str(summary) == "created 3, updated 0, unchanged 0"
    assert list(Action.objects.order_by("code").values_list("code", "due")) == [
        ("K1.1", D(2019, 5, 31)),
        ("K1.2", D(2019, 6, 30)),
        ("K1.3", D(2019, 7, 31)),
    ]
    assert list(ActionUpdate.objects.order_by("as_of").values_list("as_of", "status")) == [
        (D(2019, 3, 1), "on_track"),
        (D(2019, 3, 2), "at_risk"),
        (D(2019, 3, 3), "not_started"),
    ]


def test_a_date_cell_with_a_time_of_day_is_an_error_naming_row_and_column(plan):
    rows = [
        action_row("K1.1", due=D(2019, 5, 31)),
        action_row("K1.2", due=D(2019, 5, 31), as_of=DT(2019, 3, 1, 14, 30)),
    ]
    errors = _errors("actions", xlsx_file(ACTION_HEADER, rows), "actions.xlsx")
    assert errors == [(3, "as_of", messages.DATE_WITH_TIME.format(value="2019-03-01 14:30:00"))]
    assert not Action.objects.exists() and not ActionUpdate.objects.exists()


def test_a_date_cell_in_another_column_is_still_refused(plan):
    rows = [action_row("K1.1", title=D(2019, 5, 31))]
    errors = _errors("actions", xlsx_file(ACTION_HEADER, rows), "actions.xlsx")
    assert errors == [(2, "title", messages.DATE_NOT_ALLOWED)]


def test_a_csv_date_is_still_only_yyyy_mm_dd_text(plan):
    body = csv_bytes(ACTION_HEADER, [action_row("K1.1", due="2019-05-31 00:00:00")])
    errors = _errors("actions", io.BytesIO(body), "actions.csv")
    assert errors == [(2, "due", plan_messages.BAD_DATE.format(value="2019-05-31 00:00:00"))]
