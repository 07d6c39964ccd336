"""export_plan: the contract's JSON exactly, CSV with inert formula text, a one-plan PDF, and clear refusals."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scorecards.core.exports import scorecard_row_dict
from scorecards.core.selectors import scorecard_build

from .conftest import ACTION_HEADER, action_row, run_import

ACTION_KEYS = ["action", "priority", "title", "owner", "due", "status", "overdue", "rag", "progress", "history", "evidence"]  # fmt: skip


@pytest.fixture
def figures(peer_plan, evidence_indicators, make_value):
    permanence, placements = evidence_indicators
    for month, value in [("2019-03", 60), ("2019-04", 64), ("2019-05", 70)]:
        make_value(peer_plan.authority, permanence, month, value)
    make_value(peer_plan.authority, placements, "2019-05", 9)
    return peer_plan


def _export(tmp_path, *arguments, fmt="json"):
    path = tmp_path / f"plan.{fmt}"
    call_command("export_plan", *arguments, "--format", fmt, "--output", str(path))
    return path


def test_the_json_is_the_contract_s_shape(figures, tmp_path):
    path = _export(tmp_path, "838", "peer-2018", "--as-of", "2019-06-30", "--period", "2019-05")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == ["authority", "plan", "title", "source", "as_of", "period", "summary", "actions"]
    assert {key: data[key] for key in ["authority", "plan", "title", "source", "as_of", "period"]} == {
        "authority": "838", "plan": "peer-2018", "title": "Peer review", "source": "peer_review",
        "as_of": "2019-06-30", "period": "2019-05",
    }  # fmt: skip
    assert data["summary"] == {"red": 1, "amber": 0, "green": 1, "none": 1, "overdue": 1}
    assert [action["action"] for action in data["actions"]] == ["K2.1", "K4.9", "K4.10"]
    k410 = data["actions"][2]
    assert list(k410) == ACTION_KEYS
    assert {key: k410[key] for key in ACTION_KEYS[:9]} == {
        "action": "K4.10", "priority": "Line of enquiry 1", "title": "Action K4.10", "owner": "Head of Service",
        "due": "2019-05-31", "status": "on_track", "overdue": True, "rag": "red", "progress": "Started.",
    }  # fmt: skip
    assert k410["history"] == [
        {"as_of": "2019-03-01", "status": "not_started", "progress": "Planned."},
        {"as_of": "2019-04-15", "status": "on_track", "progress": "Started."},
    ]


def test_evidence_is_the_scorecard_s_json_rows_in_scorecard_order(figures, tmp_path):
    path = _export(tmp_path, "838", "peer-2018", "--as-of", "2019-06-30", "--period", "2019-05")
    k49 = json.loads(path.read_text(encoding="utf-8"))["actions"][1]
    scorecard = scorecard_build(
        authority=figures.authority, period=figures_period(), months=6, include_drafts=True
    )
    expected = [json.loads(json.dumps(scorecard_row_dict(row))) for row in scorecard.rows]
    assert k49["evidence"] == expected  # permanence (position 1) before placements (position 2)
    assert [row["indicator"] for row in k49["evidence"]] == [
        "permanence_plan_pct",
        "three_plus_placements_pct",
    ]
    assert list(k49["evidence"][0]["values"]) == [
        "2018-12",
        "2019-01",
        "2019-02",
        "2019-03",
        "2019-04",
        "2019-05",
    ]


def figures_period():
    import datetime

    return datetime.date(2019, 5, 1)


def test_history_holds_only_updates_on_or_before_the_as_of_date(figures, tmp_path):
    path = _export(tmp_path, "838", "peer-2018", "--as-of", "2019-04-14", "--period", "2019-03")
    data = json.loads(path.read_text(encoding="utf-8"))
    k410 = next(action for action in data["actions"] if action["action"] == "K4.10")
    assert k410["history"] == [{"as_of": "2019-03-01", "status": "not_started", "progress": "Planned."}]
    assert (k410["status"], k410["overdue"], k410["rag"]) == ("not_started", False, "none")


def test_actions_not_yet_recorded_at_the_as_of_date_are_left_out(figures, tmp_path):
    path = _export(tmp_path, "838", "peer-2018", "--as-of", "2019-02-28", "--period", "2019-02")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["actions"] == []
    assert data["summary"] == {"red": 0, "amber": 0, "green": 0, "none": 0, "overdue": 0}


def test_an_unknown_plan_exits_1_with_a_message(figures, tmp_path):
    with pytest.raises(CommandError) as raised:
        _export(tmp_path, "838", "no-such-plan", "--as-of", "2019-06-30", "--period", "2019-05")
    assert raised.value.returncode == 1
    assert "no plan 'no-such-plan'" in str(raised.value)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["999", "peer-2018", "--as-of", "2019-06-30", "--period", "2019-05"], "no authority"),
        (["838", "peer-2018", "--as-of", "2019-02-30", "--period", "2019-05"], "not a date that exists"),
        (["838", "peer-2018", "--as-of", "2019-06-30", "--period", "2019-13"], "--period"),
    ],
)
def test_bad_arguments_exit_1(figures, tmp_path, arguments, words):
    with pytest.raises(CommandError) as raised:
        _export(tmp_path, *arguments)
    assert raised.value.returncode == 1 and words in str(raised.value)


def test_texts_are_as_imported_in_json_and_escaped_in_csv(figures, tmp_path):
    run_import(
        "actions",
        ACTION_HEADER,
        [action_row("K9.1", title="=HYPERLINK(1)", progress="@cmd", as_of="2019-03-02")],
    )
    data = json.loads(
        _export(tmp_path, "838", "peer-2018", "--as-of", "2019-06-30", "--period", "2019-05").read_text()
    )
    action = next(action for action in data["actions"] if action["action"] == "K9.1")
    assert (action["title"], action["progress"]) == ("=HYPERLINK(1)", "@cmd")
    path = _export(tmp_path, "838", "peer-2018", "--as-of", "2019-06-30", "--period", "2019-05", fmt="csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    row = next(row for row in rows if row["action"] == "K9.1")
    assert (row["title"], row["progress"]) == ("'=HYPERLINK(1)", "'@cmd")
    assert [row["action"] for row in rows] == ["K2.1", "K4.9", "K4.10", "K9.1"]
    assert rows[2]["overdue"] == "yes" and rows[2]["rag"] == "red"


def test_the_pdf_is_one_plan_with_its_actions(figures, tmp_path):
    from tests.scorecards.packs.test_pdf import pdf_text

    path = _export(tmp_path, "838", "peer-2018", "--as-of", "2019-06-30", "--period", "2019-05", fmt="pdf")
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    text = pdf_text(content, tmp_path)
    for words in [
        "Peer review",
        "K4.10",
        "Action K4.9",
        "Overdue",
        "On track",
        "Not rated",
        "Permanence plans",
    ]:
        assert words in text, words
