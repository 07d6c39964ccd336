"""The plans and actions kinds: history kept by the contract's rules, every bad row named, nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from scorecards.imports import messages
from scorecards.models import Action, ActionUpdate, ChangeRecord, Plan
from scorecards.plans import messages as plan_messages

from .conftest import ACTION_HEADER, PLAN_HEADER, action_row, csv_bytes, plan_errors, run_import

D = datetime.date


def _history(code="K1.1"):
    return list(
        ActionUpdate.objects.filter(action__code=code)
        .order_by("as_of")
        .values_list("as_of", "status", "progress")
    )


@pytest.fixture
def plan(home_authority, evidence_indicators):
    run_import(
        "plans", PLAN_HEADER, [("838", "peer-2018", "Peer review", "peer_review", "2018-11-27", "DCS")]
    )
    return Plan.objects.get(code="peer-2018")


def test_a_plans_file_creates_then_updates_by_authority_and_code(plan):
    assert (plan.title, plan.source, plan.source_date, plan.owner) == (
        "Peer review",
        "peer_review",
        D(2018, 11, 27),
        "DCS",
    )
    summary = run_import(
        "plans", PLAN_HEADER, [("838", "peer-2018", "Peer review 2018", "peer_review", "2018-11-27", "DCS")]
    )
    assert str(summary) == "created 0, updated 1, unchanged 0"
    plan.refresh_from_db()
    assert plan.title == "Peer review 2018"
    record = ChangeRecord.objects.filter(kind="plan", field="title").latest("pk")
    assert (record.old, record.new, record.object_key) == ("Peer review", "Peer review 2018", "838 peer-2018")


def test_the_first_row_of_an_action_is_its_first_update(plan):
    run_import(
        "actions",
        ACTION_HEADER,
        [action_row(status="on_track", progress="Begun.", indicators="permanence_plan_pct")],
    )
    action = Action.objects.get(code="K1.1")
    assert list(action.indicators.values_list("code", flat=True)) == ["permanence_plan_pct"]
    assert _history() == [(D(2019, 3, 1), "on_track", "Begun.")]
    audited = set(ChangeRecord.objects.filter(kind="action").values_list("field", flat=True))
    assert {"title", "owner", "due", "status", "progress", "indicators"} <= audited


def test_a_later_change_of_status_or_progress_adds_an_update(plan):
    run_import("actions", ACTION_HEADER, [action_row(status="on_track", progress="Begun.")])
    run_import(
        "actions", ACTION_HEADER, [action_row(status="at_risk", progress="Delayed.", as_of="2019-04-01")]
    )
    run_import(
        "actions",
        ACTION_HEADER,
        [action_row(status="at_risk", progress="Still delayed.", as_of="2019-05-01")],
    )
    assert _history() == [
        (D(2019, 3, 1), "on_track", "Begun."),
        (D(2019, 4, 1), "at_risk", "Delayed."),
        (D(2019, 5, 1), "at_risk", "Still delayed."),
    ]


def test_a_row_that_changes_neither_status_nor_progress_adds_no_update(plan):
    run_import("actions", ACTION_HEADER, [action_row(status="on_track", progress="Begun.")])
    summary = run_import(
        "actions", ACTION_HEADER, [action_row(status="on_track", progress="Begun.", as_of="2019-04-01")]
    )
    assert str(summary) == "created 0, updated 0, unchanged 1"
    run_import(
        "actions",
        ACTION_HEADER,
        [action_row(status="on_track", progress="Begun.", title="Renamed", as_of="2019-04-02")],
    )
    assert Action.objects.get().title == "Renamed"
    assert len(_history()) == 1


def test_the_same_as_of_replaces_that_day_s_update(plan):
    run_import("actions", ACTION_HEADER, [action_row(status="on_track", progress="Begun.")])
    run_import(
        "actions", ACTION_HEADER, [action_row(status="at_risk", progress="Delayed.", as_of="2019-04-01")]
    )
    run_import(
        "actions", ACTION_HEADER, [action_row(status="off_track", progress="Stopped.", as_of="2019-04-01")]
    )
    assert _history() == [(D(2019, 3, 1), "on_track", "Begun."), (D(2019, 4, 1), "off_track", "Stopped.")]


def test_an_empty_progress_cell_keeps_the_earlier_progress(plan):
    run_import("actions", ACTION_HEADER, [action_row(status="on_track", progress="Begun.")])
    run_import("actions", ACTION_HEADER, [action_row(status="complete", progress="", as_of="2019-04-01")])
    assert _history() == [(D(2019, 3, 1), "on_track", "Begun."), (D(2019, 4, 1), "complete", "Begun.")]


def test_a_file_without_the_progress_or_indicators_column_keeps_them(plan):
    run_import("actions", ACTION_HEADER, [action_row(progress="Begun.", indicators="permanence_plan_pct")])
    header = tuple(column for column in ACTION_HEADER if column not in ("progress", "indicators"))
    row = (
        "838",
        "peer-2018",
        "K1.1",
        "Line of enquiry 1",
        "Action K1.1",
        "Head of Service",
        "2019-05-31",
        "complete",
        "2019-04-01",
    )
    run_import("actions", header, [row])
    action = Action.objects.get()
    assert list(action.indicators.values_list("code", flat=True)) == ["permanence_plan_pct"]
    assert _history()[-1] == (D(2019, 4, 1), "complete", "Begun.")


def test_an_empty_indicators_cell_unlinks_every_indicator(plan):
    run_import(
        "actions", ACTION_HEADER, [action_row(indicators="permanence_plan_pct;three_plus_placements_pct")]
    )
    assert Action.objects.get().indicators.count() == 2
    run_import("actions", ACTION_HEADER, [action_row(indicators="", as_of="2019-04-01")])
    assert Action.objects.get().indicators.count() == 0


def test_as_of_defaults_to_today_in_london(plan, monkeypatch):
    from scorecards.imports import plan_kinds

    monkeypatch.setattr(plan_kinds, "today_in_london", lambda: D(2019, 7, 1))
    run_import("actions", ACTION_HEADER, [action_row(as_of="")])
    assert _history() == [(D(2019, 7, 1), "not_started", "")]


def test_the_day_of_an_import_is_london_s_day(monkeypatch):
    import zoneinfo

    from scorecards.imports import plan_kinds

    late_evening_utc = datetime.datetime(2019, 6, 30, 23, 30, tzinfo=datetime.UTC)

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return late_evening_utc.astimezone(tz or zoneinfo.ZoneInfo("UTC"))

    monkeypatch.setattr(plan_kinds.datetime, "datetime", Clock)
    assert plan_kinds.today_in_london() == D(2019, 7, 1)  # 00:30 BST


def test_text_that_looks_like_a_formula_is_stored_as_text(plan):
    run_import(
        "actions",
        ACTION_HEADER,
        [action_row(title='=HYPERLINK("http://x")', progress="@SUM(1+1)", owner="+44 team")],
    )
    action = Action.objects.get()
    assert action.title == '=HYPERLINK("http://x")' and action.owner == "+44 team"
    assert _history()[0][2] == "@SUM(1+1)"


def _one_error(kind, header, rows):
    errors = plan_errors(kind, header, rows)
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ({"due": "2019-02-30"}, "due", plan_messages.BAD_DATE.format(value="2019-02-30")),
        ({"due": "31/05/2019"}, "due", plan_messages.BAD_DATE.format(value="31/05/2019")),
        ({"as_of": "2019-13-01"}, "as_of", plan_messages.BAD_DATE.format(value="2019-13-01")),
        ({"status": "done"}, "status", plan_messages.UNKNOWN_ACTION_STATUS.format(value="done", expected="not_started, on_track, at_risk, off_track, complete, dropped")),
        ({"status": ""}, "status", messages.REQUIRED),
        ({"owner": ""}, "owner", messages.REQUIRED),
        ({"indicators": "permanence_plan_pct;no_such"}, "indicators", plan_messages.UNKNOWN_INDICATORS.format(value="no_such")),
        ({"progress": "x" * 20_000}, "progress", messages.TOO_LONG.format(length=20_000, limit=5_000)),
        ({"title": "x" * 1_001}, "title", messages.TOO_LONG.format(length=1_001, limit=1_000)),
    ],
)  # fmt: skip
def test_a_bad_cell_is_reported_with_row_and_column_and_nothing_is_written(plan, cells, column, message):
    rows = [action_row("K1.1"), action_row("K1.2", **cells)]
    assert _one_error("actions", ACTION_HEADER, rows) == (3, column, message)
    assert not Action.objects.exists() and not ActionUpdate.objects.exists()


def test_an_unknown_plan_is_an_error(plan):
    error = _one_error("actions", ACTION_HEADER, [action_row(plan="nope")])
    assert error == (2, "plan", plan_messages.UNKNOWN_PLAN.format(authority="838", value="nope"))


def test_another_authority_s_plan_is_unknown(plan, other_authority):
    error = _one_error("actions", ACTION_HEADER, [action_row(authority="839")])
    assert error == (2, "plan", plan_messages.UNKNOWN_PLAN.format(authority="839", value="peer-2018"))


def test_an_unknown_authority_is_an_error(plan):
    assert _one_error("actions", ACTION_HEADER, [action_row(authority="999")])[:2] == (2, "authority")


@pytest.mark.parametrize("code", ["K 1", "K1/2", "K1,2", "é1", "=1+1"])
def test_action_codes_are_letters_digits_dots_dashes_and_underscores(plan, code):
    error = _one_error("actions", ACTION_HEADER, [action_row(code)])
    assert error == (2, "action", plan_messages.BAD_ACTION_CODE.format(value=code))


@pytest.mark.parametrize("code", ["K4.3", "peer 2018", "peer/2018"])
def test_plan_codes_are_letters_digits_dashes_and_underscores(home_authority, code):
    error = _one_error("plans", PLAN_HEADER, [("838", code, "Title", "peer_review", "", "")])
    assert error == (2, "plan", plan_messages.BAD_PLAN_CODE.format(value=code))


@pytest.mark.parametrize("code", ["questions", "Meetings", "new"])
def test_plan_codes_that_are_page_addresses_are_refused(home_authority, code):
    error = _one_error("plans", PLAN_HEADER, [("838", code, "Title", "peer_review", "", "")])
    assert error == (2, "plan", plan_messages.RESERVED_PLAN_CODE.format(value=code))


def test_a_plan_s_source_and_date_are_checked(home_authority):
    errors = plan_errors("plans", PLAN_HEADER, [("838", "p1", "Title", "rumour", "2019-02-29", "")])
    assert errors == [
        (2, "source", plan_messages.UNKNOWN_SOURCE.format(value="rumour", expected="ofsted_inspection, ofsted_visit, peer_review, strategy, improvement_plan, other")),
        (2, "source_date", plan_messages.BAD_DATE.format(value="2019-02-29")),
    ]  # fmt: skip
    assert not Plan.objects.exists()


def test_an_as_of_before_the_latest_update_is_an_error_and_history_is_untouched(plan):
    run_import(
        "actions", ACTION_HEADER, [action_row(status="on_track", progress="Begun.", as_of="2019-04-01")]
    )
    rows = [action_row("K1.2"), action_row(status="complete", progress="Rewritten.", as_of="2019-03-31")]
    error = _one_error("actions", ACTION_HEADER, rows)
    assert error == (
        3,
        "as_of",
        plan_messages.AS_OF_BEFORE_LATEST.format(value="2019-03-31", latest="2019-04-01"),
    )
    assert _history() == [(D(2019, 4, 1), "on_track", "Begun.")]
    assert not Action.objects.filter(code="K1.2").exists()


def test_an_action_named_twice_in_a_file_is_an_error(plan):
    errors = plan_errors(
        "actions", ACTION_HEADER, [action_row(), action_row(status="on_track", as_of="2019-04-01")]
    )
    assert [(row, column) for row, column, _ in errors] == [(3, "authority")]


def test_an_unknown_column_is_named(plan):
    errors = plan_errors("actions", (*ACTION_HEADER, "colour"), [(*action_row(), "red")])
    assert errors[0][1] == "colour"


def test_import_csv_takes_both_kinds_and_prints_the_summary(plan, tmp_path, capsys):
    path = tmp_path / "actions.csv"
    path.write_bytes(csv_bytes(ACTION_HEADER, [action_row(), action_row("K1.2")]))
    call_command("import_csv", "actions", str(path))
    assert capsys.readouterr().out.strip() == "created 2, updated 0, unchanged 0"


def test_import_csv_exits_1_naming_the_row_and_column(plan, tmp_path, capsys):
    from django.core.management.base import CommandError

    path = tmp_path / "actions.csv"
    path.write_bytes(csv_bytes(ACTION_HEADER, [action_row(status="finished")]))
    with pytest.raises(CommandError) as raised:
        call_command("import_csv", "actions", str(path))
    assert raised.value.returncode == 1
    assert "row 2, column status: 'finished' is not a status of an action" in capsys.readouterr().err
    assert not Action.objects.exists()
