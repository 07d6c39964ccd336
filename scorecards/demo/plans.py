"""The demonstration's plans: one per seed council, from the facts of its public paper, in our own words.

- Central Bedfordshire (823): the Eastern Region peer review of November 2018, its five lines of enquiry and
  the reviewers' recommendations as actions (Corporate Parenting Panel, 11 February 2019).
- Bournemouth, Christchurch and Poole (839): the areas for improvement of Ofsted's focused visit of November
  2019 on permanence planning, with the next steps the council reported (scrutiny committee, 28 July 2020).
- Northumberland (929): the corporate parenting strategy's priorities and what the 2019 review said should
  happen next (scrutiny committee, 6 June 2019).
- Devon (878): the priorities of its post-inspection improvement plan during Covid-19 (scrutiny, 9 June 2020).

Owners, due dates, statuses and progress notes are illustrative, and the pages say so (``ILLUSTRATIVE_PLANS``).
``actions.csv`` holds each action with its first update; ``action_updates.csv`` its later updates (a narrow
file of the demo, not an upload kind), imported round by round, oldest first, as officers would have made them.
"""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from collections import defaultdict
from pathlib import Path

from authorities.models import Authority
from scorecards.imports import ImportFailed, import_file
from scorecards.models import ChangeRoute, Meeting, Question

DEMO_DIR = Path(__file__).resolve().parent
#: (authority, plan) of the demonstration's plans, whose owners, dates and statuses are illustrative.
ILLUSTRATIVE_PLANS = frozenset(
    {
        ("823", "peer-review-2018"),
        ("839", "focused-visit-2019"),
        ("929", "strategy-2019"),
        ("878", "ilacs-improvement-2020"),
    }
)
LONDON = zoneinfo.ZoneInfo("Europe/London")
#: BCP's board meetings: the December one reads October's approved scorecard and reviews the focused visit.
MEETINGS = (
    ("839", "2020-09-08", "Corporate Parenting Board, September 2020", "2020-07", ()),
    ("839", "2020-12-08", "Corporate Parenting Board, December 2020", "2020-10", ("focused-visit-2019",)),
)
#: (authority, subject, asked, question, answered, answer); a subject is an indicator code or PLAN/ACTION.
QUESTIONS = (
    (
        "839",
        "three_plus_placements_pct",
        "2020-11-16",
        "More children have had three or more placements this year. Which children are behind the rise, and "
        "what is the Access to Resources Team doing for them?",
        "2020-11-27",
        "Illustrative answer: most of the rise is a small group of older young people whose placements broke "
        "down several times. Each has a named senior manager and a placement plan reviewed weekly.",
    ),
    (
        "839",
        "focused-visit-2019/F4.2",
        "2020-12-01",
        "When will the Complex Safeguarding Service be fully staffed, and how will the board see its effect "
        "on missing episodes?",
        "",
        "",
    ),
    (
        "823",
        "peer-review-2018/K1.2",
        "2020-04-20",
        "The drug and alcohol service has failed to attract bids twice. What is the fallback for families "
        "meanwhile?",
        "",
        "",
    ),
)


def _noon(text: str) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time(12), tzinfo=LONDON)


def _import_actions(rows: list[dict[str, str]], header: list[str], name: str) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    try:
        return str(
            import_file("actions", io.BytesIO(buffer.getvalue().encode()), name, route=ChangeRoute.COMMAND)
        )
    except ImportFailed as failure:
        # Loaded before: the rows are older than the history already recorded, which is never rewritten.
        if all(error.column == "as_of" for error in failure.errors):
            return "already recorded"
        raise


def plans_load(users: dict) -> list[str]:
    """Import the plans, the actions and their later updates, then the demo's meetings and questions."""
    parts = []
    path = DEMO_DIR / "plans.csv"
    with path.open("rb") as handle:
        parts.append(f"plans {import_file('plans', handle, path.name, route=ChangeRoute.COMMAND)}")
    with (DEMO_DIR / "actions.csv").open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, actions = list(reader.fieldnames or ()), list(reader)
    parts.append(f"actions {_import_actions(actions, header, 'actions.csv')}")
    by_key = {(row["authority"], row["plan"], row["action"]): row for row in actions}
    rounds: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (DEMO_DIR / "action_updates.csv").open(encoding="utf-8") as handle:
        for update in csv.DictReader(handle):
            row = dict(by_key[(update["authority"], update["plan"], update["action"])])
            row.update(as_of=update["as_of"], status=update["status"], progress=update["progress"])
            rounds[update["as_of"]].append(row)
    for as_of in sorted(rounds):
        parts.append(f"updates of {as_of} {_import_actions(rounds[as_of], header, f'updates-{as_of}.csv')}")
    _meetings_load(users)
    _questions_load(users)
    return parts


def _meetings_load(users: dict) -> None:
    from scorecards.plans.services import meeting_create

    for code, date, title, period, plans in MEETINGS:
        authority = Authority.objects.get(code=code)
        if not Meeting.objects.filter(authority=authority, title=title).exists():
            meeting_create(
                authority=authority,
                user=users["officer"],
                date=datetime.date.fromisoformat(date),
                title=title,
                period=datetime.date.fromisoformat(f"{period}-01"),
                plan_codes=plans,
            )


def _questions_load(users: dict) -> None:
    from scorecards.plans.services import question_answer, question_ask

    for code, subject, asked, text, answered, answer in QUESTIONS:
        authority = Authority.objects.get(code=code)
        if Question.objects.filter(authority=authority, text=text).exists():
            continue
        plan_code, _, action_code = subject.partition("/")
        question = question_ask(
            authority=authority,
            user=users["board"],
            text=text,
            indicator_code="" if action_code else subject,
            action_key=(plan_code, action_code) if action_code else None,
            period=datetime.date(2020, 10, 1) if not action_code else None,
            at=_noon(asked),
        )
        if answer:
            question_answer(question=question, user=users["officer"], text=answer, at=_noon(answered))
