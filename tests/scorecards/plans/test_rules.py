"""The contract's rules for actions, without a database: overdue, RAG, status at a date, natural order."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest

from scorecards.plans import rules
from scorecards.plans.rules import Update
from scorecards.rating import Rag

D = datetime.date
DUE = D(2019, 5, 31)


def test_the_rules_module_imports_no_django():
    source = Path(rules.__file__).read_text(encoding="utf-8")
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])
    }
    assert "django" not in imported


@pytest.mark.parametrize(
    ("at", "status", "overdue"),
    [
        (D(2019, 5, 30), "on_track", False),
        (D(2019, 5, 31), "on_track", False),  # due on the day itself is not overdue
        (D(2019, 6, 1), "on_track", True),
        (D(2019, 6, 1), "not_started", True),
        (D(2019, 6, 1), "at_risk", True),
        (D(2019, 6, 1), "off_track", True),
        (D(2019, 6, 1), "complete", False),  # complete and dropped are never overdue
        (D(2030, 1, 1), "complete", False),
        (D(2019, 6, 1), "dropped", False),
        (D(2030, 1, 1), "dropped", False),
    ],
)
def test_it_is_overdue_only_after_the_due_date_and_while_open(at, status, overdue):
    assert rules.is_overdue(due=DUE, status=status, at=at) is overdue


@pytest.mark.parametrize(
    ("at", "status", "rag"),
    [
        (D(2019, 5, 31), "on_track", Rag.GREEN),
        (D(2019, 5, 31), "at_risk", Rag.AMBER),
        (D(2019, 5, 31), "off_track", Rag.RED),
        (D(2019, 5, 31), "not_started", Rag.NONE),
        (D(2019, 5, 31), "complete", Rag.NONE),
        (D(2019, 5, 31), "dropped", Rag.NONE),
        (D(2019, 6, 1), "on_track", Rag.RED),  # overdue beats on track
        (D(2019, 6, 1), "at_risk", Rag.RED),
        (D(2019, 6, 1), "not_started", Rag.RED),
        (D(2019, 6, 1), "off_track", Rag.RED),
        (D(2019, 6, 1), "complete", Rag.NONE),
        (D(2019, 6, 1), "dropped", Rag.NONE),
    ],
)
def test_it_rates_an_action_at_a_date(at, status, rag):
    assert rules.action_rag(due=DUE, status=status, at=at) == rag


HISTORY = (
    Update(D(2019, 3, 1), "not_started", "Planned."),
    Update(D(2019, 4, 15), "on_track", "Started."),
    Update(D(2019, 6, 10), "complete", "Done."),
)


@pytest.mark.parametrize(
    ("at", "status", "count"),
    [
        (D(2019, 3, 1), "not_started", 1),  # an update on the date itself counts
        (D(2019, 4, 14), "not_started", 1),
        (D(2019, 4, 15), "on_track", 2),
        (D(2019, 6, 9), "on_track", 2),
        (D(2019, 6, 10), "complete", 3),
        (D(2025, 1, 1), "complete", 3),
    ],
)
def test_status_at_a_date_is_the_latest_update_on_or_before_it(at, status, count):
    state = rules.action_at(reversed(HISTORY), due=DUE, at=at)
    assert state is not None
    assert state.status == status
    assert len(state.history) == count
    assert [update.as_of for update in state.history] == sorted(update.as_of for update in state.history)


def test_an_action_is_not_part_of_the_plan_before_its_first_update():
    assert rules.action_at(HISTORY, due=DUE, at=D(2019, 2, 28)) is None
    assert rules.action_at((), due=DUE, at=D(2030, 1, 1)) is None


def test_an_action_overdue_at_one_date_is_not_once_it_was_complete():
    on_the_way = rules.action_at(HISTORY, due=DUE, at=D(2019, 6, 5))
    finished = rules.action_at(HISTORY, due=DUE, at=D(2019, 6, 10))
    assert on_the_way.overdue and on_the_way.rag == Rag.RED
    assert not finished.overdue and finished.rag == Rag.NONE
    assert finished.progress == "Done." and finished.as_of == D(2019, 6, 10)


def test_the_summary_counts_each_rating_and_the_overdue():
    states = [
        rules.action_at([Update(D(2019, 1, 1), status)], due=due, at=D(2019, 6, 30))
        for status, due in [
            ("on_track", D(2019, 5, 31)),  # red, overdue
            ("on_track", D(2019, 7, 31)),  # green
            ("at_risk", D(2019, 7, 31)),  # amber
            ("off_track", D(2019, 7, 31)),  # red, not overdue
            ("complete", D(2019, 1, 31)),  # none
            ("not_started", D(2019, 9, 30)),  # none
        ]
    ]
    assert rules.summary(states) == {"red": 2, "amber": 1, "green": 1, "none": 2, "overdue": 1}
    assert rules.summary([]) == {"red": 0, "amber": 0, "green": 0, "none": 0, "overdue": 0}


def test_codes_sort_in_their_natural_order():
    codes = ["K4.10", "K4.9", "K10.1", "K4.2", "k4.3", "P2.1", "P10.1", "A"]
    assert rules.natural_sorted(codes) == ["A", "K4.2", "k4.3", "K4.9", "K4.10", "K10.1", "P2.1", "P10.1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-06-30", D(2019, 6, 30)),
        ("2020-02-29", D(2020, 2, 29)),
        ("2019-02-29", None),
        ("2021-02-30", None),
        ("2019-13-01", None),
        ("2019-6-30", None),
        ("30/06/2019", None),
        ("2019-06-30 ", None),
        ("", None),
    ],
)
def test_a_date_is_written_yyyy_mm_dd_and_exists(text, expected):
    assert rules.parse_iso_date(text) == expected


@pytest.mark.parametrize(
    ("code", "plan_ok", "action_ok"),
    [("peer-2018", True, True), ("peer_2018", True, True), ("K4.3", False, True), ("K 4", False, False),
     ("K4/3", False, False), ("é", False, False), ("=1+1", False, False)],
)  # fmt: skip
def test_codes_use_only_their_characters(code, plan_ok, action_ok):
    assert bool(rules.PLAN_CODE.fullmatch(code)) is plan_ok
    assert bool(rules.ACTION_CODE.fullmatch(code)) is action_ok


def test_a_question_s_age_counts_whole_days():
    assert rules.age_in_days(D(2020, 12, 1), D(2020, 12, 1)) == 0
    assert rules.age_in_days(D(2020, 12, 1), D(2020, 12, 8)) == 7
    assert rules.age_in_days(D(2020, 12, 8), D(2020, 12, 1)) == 0
