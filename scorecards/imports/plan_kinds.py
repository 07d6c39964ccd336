"""Importing plans and their actions (``shared/CONTRACT.md``, "Plans and actions").

An action keeps its history: its first row is its first update (as_of, status, progress); a later row that
changes the status or the progress adds an update on its as_of day, or replaces that day's update when the day
is the same; an as_of before the latest update is an error, so nothing earlier is ever overwritten. An empty
progress cell keeps the earlier progress (the new update carries it forward). Title, owner, priority, due and
indicators are kept as last imported; a column absent from the file leaves them as they are.

Decisions the contract leaves open: an as_of before the latest update is an error even when the row changes
nothing (a file of old updates is refused rather than half applied); an indicator named twice in one cell counts
once; progress is at most 5,000 characters and a title 1,000.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Max
from django.utils import timezone

from authorities.models import Authority
from scorecards.audit import Change
from scorecards.models import Action, ActionStatus, ActionUpdate, Indicator, Plan, PlanSource
from scorecards.plans import messages as plan_messages
from scorecards.plans import rules

from . import cells, messages
from .base import ABSENT, BATCH_SIZE, KindImport, RowReader, is_set, max_length, text_of
from .cells import CellError

LONDON = zoneinfo.ZoneInfo("Europe/London")
SOURCES = tuple(PlanSource.values)
STATUSES = tuple(ActionStatus.values)
PROGRESS_LIMIT = 5_000
TITLE_LIMIT = 1_000


def today_in_london() -> datetime.date:
    """The day of an import, as officers in England count it."""
    return datetime.datetime.now(LONDON).date()


def parse_date(text: str) -> datetime.date:
    found = rules.parse_iso_date(text)
    if found is None:
        if cells.has_other_digits(text):
            raise CellError(messages.NOT_PLAIN_DIGITS.format(value=text))
        raise CellError(plan_messages.BAD_DATE.format(value=text))
    return found


def parse_code(pattern, message: str, limit: int):
    def parse(text: str) -> str:
        if not pattern.fullmatch(text):
            raise CellError(message.format(value=text))
        return cells.check_length(text, limit)

    return parse


class _AuthorityRows(KindImport):
    """A kind whose rows name an authority that must exist."""

    def prepare(self):
        self.authorities = dict(Authority.objects.values_list("code", "pk"))

    def read_authority(self, reader: RowReader):
        def authority(text):
            code = cells.parse_authority_code(text)
            if code not in self.authorities:
                raise CellError(messages.UNKNOWN_AUTHORITY.format(value=text))
            return self.authorities[code]

        return reader.read("authority", authority, required=True)

    def changes(self, creates, updates, notes_by_row) -> Iterator[Change]:
        for created, rows in ((True, creates), (False, updates)):
            for planned in rows:
                if created:
                    pairs = [(name, None, planned.fields.get(name)) for name in self.audited_fields]
                else:
                    pairs = [(name, old, new) for name, (old, new) in planned.changes.items()]
                note = "; ".join(
                    filter(None, ["created" if created else "", notes_by_row.get(planned.row, "")])
                )
                for name, old, new in pairs:
                    if name in self.audited_fields and not (created and new in (None, "", ())):
                        yield Change(
                            kind=self.audit_kind,
                            object_key=" ".join(planned.key),
                            field=name,
                            old=old,
                            new=new,
                            authority_id=planned.fields["authority_id"],
                            note=self.note(planned, name, note),
                        )

    def note(self, planned, name: str, note: str) -> str:
        return note


class PlanImport(_AuthorityRows):
    name = "plans"
    model = Plan
    required = ("authority", "plan", "title", "source")
    optional = ("source_date", "owner")
    key_columns = ("authority", "plan")
    update_fields = ("title", "source", "source_date", "owner")
    audit_kind = "plan"
    audited_fields = update_fields

    def parse(self, reader, ordinal):
        authority_id = self.read_authority(reader)
        code = reader.read("plan", self._new_code, required=True)
        fields = {
            "title": reader.read("title", text_of(max_length(Plan, "title")), required=True),
            "source": reader.read(
                "source",
                lambda text: cells.parse_choice(text, SOURCES, plan_messages.UNKNOWN_SOURCE),
                required=True,
            ),
            "source_date": reader.read("source_date", parse_date),
            "owner": reader.read("owner", text_of(max_length(Plan, "owner"))),
        }
        if not (is_set(authority_id) and is_set(code)):
            return None
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        if fields.get("owner", "") is None:
            fields["owner"] = ""
        return (authority_id, code), {"authority_id": authority_id, "code": code}, fields

    @staticmethod
    def _new_code(text: str) -> str:
        code = parse_code(rules.PLAN_CODE, plan_messages.BAD_PLAN_CODE, max_length(Plan, "code"))(text)
        if code.lower() in rules.RESERVED_PLAN_CODES:
            raise CellError(plan_messages.RESERVED_PLAN_CODE.format(value=code))
        return code

    def existing(self, keys):
        keys = set(keys)
        if not keys:
            return {}
        rows = Plan.objects.filter(
            authority_id__in={key[0] for key in keys}, code__in={key[1] for key in keys}
        ).values_list("pk", "authority_id", "code", *self.stored)
        return {(row[1], row[2]): (row[0], row[3:]) for row in rows if (row[1], row[2]) in keys}

    def apply(self, creates, updates, *, user=None):
        for start in range(0, len(creates), BATCH_SIZE):
            Plan.objects.bulk_create(
                [Plan(**planned.fields) for planned in creates[start : start + BATCH_SIZE]]
            )
        if updates:
            Plan.objects.bulk_update(
                [
                    Plan(pk=planned.pk, **{name: planned.fields[name] for name in self.update_fields})
                    for planned in updates
                ],
                self.update_fields,
                batch_size=BATCH_SIZE,
            )


class ActionImport(_AuthorityRows):
    name = "actions"
    model = Action
    required = ("authority", "plan", "action", "priority", "title", "owner", "due", "status")
    optional = ("indicators", "progress", "as_of")
    key_columns = ("authority", "plan", "action")
    #: The fields a row can set: the action's own, then its latest update's status and progress.
    update_fields = ("priority", "title", "owner", "due", "indicators", "status", "progress")
    action_fields = ("priority", "title", "owner", "due")
    audit_kind = "action"
    audited_fields = update_fields

    def prepare(self):
        super().prepare()
        self.today = today_in_london()
        self.plans = {
            (authority_id, code): pk
            for pk, authority_id, code in Plan.objects.values_list("pk", "authority_id", "code")
        }
        self.indicators = frozenset(Indicator.objects.values_list("code", flat=True))
        self.latest = {
            (plan_id, code): latest
            for plan_id, code, latest in Action.objects.annotate(latest=Max("updates__as_of")).values_list(
                "plan_id", "code", "latest"
            )
        }

    def parse(self, reader, ordinal):
        authority_id = self.read_authority(reader)
        plan_code = reader.read(
            "plan",
            parse_code(rules.PLAN_CODE, plan_messages.BAD_PLAN_CODE, max_length(Plan, "code")),
            required=True,
        )
        plan_id = self._plan(reader, authority_id, plan_code)
        code = reader.read(
            "action",
            parse_code(rules.ACTION_CODE, plan_messages.BAD_ACTION_CODE, max_length(Action, "code")),
            required=True,
        )
        fields = {
            "priority": reader.read("priority", text_of(max_length(Action, "priority")), required=True),
            "title": reader.read("title", text_of(TITLE_LIMIT), required=True),
            "owner": reader.read("owner", text_of(max_length(Action, "owner")), required=True),
            "due": reader.read("due", parse_date, required=True),
            "status": reader.read(
                "status",
                lambda text: cells.parse_choice(text, STATUSES, plan_messages.UNKNOWN_ACTION_STATUS),
                required=True,
            ),
            "indicators": reader.read("indicators", self._indicators),
            "progress": reader.read("progress", text_of(PROGRESS_LIMIT)),
        }
        as_of = reader.read("as_of", parse_date)
        if as_of is ABSENT or as_of is None:
            as_of = self.today
        if not (is_set(authority_id) and plan_id is not None and is_set(code)):
            return None
        latest = self.latest.get((plan_id, code))
        if is_set(as_of) and latest is not None and as_of < latest:
            reader.error(
                "as_of",
                plan_messages.AS_OF_BEFORE_LATEST.format(value=as_of.isoformat(), latest=latest.isoformat()),
            )
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        if fields.get("indicators", ()) is None:
            fields["indicators"] = ()
        if not fields.get("progress", "x"):
            del fields["progress"]  # an empty cell keeps the earlier progress
        fields.update(as_of=as_of, latest_as_of=latest)
        return (plan_id, code), {"authority_id": authority_id, "plan_id": plan_id, "code": code}, fields

    def _plan(self, reader: RowReader, authority_id, plan_code):
        if not (is_set(authority_id) and is_set(plan_code)):
            return None
        plan_id = self.plans.get((authority_id, plan_code))
        if plan_id is None:
            reader.error(
                "plan",
                plan_messages.UNKNOWN_PLAN.format(authority=reader.cells["authority"], value=plan_code),
            )
        return plan_id

    def _indicators(self, text: str) -> tuple[str, ...]:
        codes: list[str] = []
        for item in text.split(";"):
            code = item.strip()
            if not code or code in codes:
                continue
            if code not in self.indicators:
                raise CellError(plan_messages.UNKNOWN_INDICATORS.format(value=code))
            codes.append(code)
        return tuple(sorted(codes))

    def existing(self, keys):
        keys = set(keys)
        if not keys:
            return {}
        actions = {
            (plan_id, code): (pk, rest)
            for pk, plan_id, code, *rest in Action.objects.filter(
                plan_id__in={key[0] for key in keys}, code__in={key[1] for key in keys}
            ).values_list("pk", "plan_id", "code", *self.action_fields)
            if (plan_id, code) in keys
        }
        ids = [pk for pk, _ in actions.values()]
        latest: dict[int, tuple[str, str]] = {}
        for action_id, status, progress in (
            ActionUpdate.objects.filter(action_id__in=ids)
            .order_by("action_id", "as_of")
            .values_list("action_id", "status", "progress")
        ):
            latest[action_id] = (status, progress)
        cited: dict[int, list[str]] = defaultdict(list)
        for action_id, code in Action.indicators.through.objects.filter(action_id__in=ids).values_list(
            "action_id", "indicator__code"
        ):
            cited[action_id].append(code)
        return {
            key: (pk, (*rest, tuple(sorted(cited.get(pk, ()))), *latest.get(pk, ("", ""))))
            for key, (pk, rest) in actions.items()
        }

    def apply(self, creates, updates, *, user=None):
        recorded_by = user if user is not None and user.is_authenticated else None
        for start in range(0, len(creates), BATCH_SIZE):
            Action.objects.bulk_create(
                [
                    Action(
                        plan_id=planned.fields["plan_id"],
                        code=planned.fields["code"],
                        **{name: planned.fields[name] for name in self.action_fields},
                    )
                    for planned in creates[start : start + BATCH_SIZE]
                ]
            )
        ids = {(planned.fields["plan_id"], planned.fields["code"]): planned.pk for planned in updates}
        if creates:
            ids.update(
                ((plan_id, code), pk)
                for pk, plan_id, code in Action.objects.filter(
                    plan_id__in={p.fields["plan_id"] for p in creates},
                    code__in={p.fields["code"] for p in creates},
                ).values_list("pk", "plan_id", "code")
            )
        changed = [p for p in updates if set(p.changes) & set(self.action_fields)]
        if changed:
            Action.objects.bulk_update(
                [Action(pk=p.pk, **{name: p.fields[name] for name in self.action_fields}) for p in changed],
                self.action_fields,
                batch_size=BATCH_SIZE,
            )
        self._record_updates(creates, updates, ids, recorded_by)
        self._link_indicators(creates, updates, ids)

    def _record_updates(self, creates, updates, ids, recorded_by) -> None:
        """A new update for each new action and each status or progress change; the same day's is replaced."""
        new, replaced = [], {}
        for planned in [*creates, *(p for p in updates if {"status", "progress"} & set(p.changes))]:
            fields = planned.fields
            action_id = ids[(fields["plan_id"], fields["code"])]
            values = {"status": fields["status"], "progress": fields.get("progress", "")}
            if fields.get("latest_as_of") == fields["as_of"]:
                replaced[action_id] = (fields["as_of"], values)
            else:
                new.append(
                    ActionUpdate(
                        action_id=action_id, as_of=fields["as_of"], recorded_by=recorded_by, **values
                    )
                )
        ActionUpdate.objects.bulk_create(new, batch_size=BATCH_SIZE)
        same_day = [
            update
            for update in ActionUpdate.objects.filter(action_id__in=replaced)
            if update.as_of == replaced[update.action_id][0]
        ]
        for update in same_day:
            update.status, update.progress = (
                replaced[update.action_id][1][name] for name in ("status", "progress")
            )
            update.recorded_by, update.recorded_at = recorded_by, timezone.now()
        ActionUpdate.objects.bulk_update(same_day, ["status", "progress", "recorded_by", "recorded_at"])

    def _link_indicators(self, creates, updates, ids) -> None:
        relinked = [p for p in creates if p.fields.get("indicators")] + [
            p for p in updates if "indicators" in p.changes
        ]
        if not relinked:
            return
        through = Action.indicators.through
        action_ids = [ids[(p.fields["plan_id"], p.fields["code"])] for p in relinked]
        through.objects.filter(action_id__in=action_ids).delete()
        indicator_ids = dict(
            Indicator.objects.filter(
                code__in={code for p in relinked for code in p.fields["indicators"]}
            ).values_list("code", "pk")
        )
        through.objects.bulk_create(
            [
                through(action_id=action_id, indicator_id=indicator_ids[code])
                for action_id, planned in zip(action_ids, relinked, strict=True)
                for code in planned.fields["indicators"]
            ],
            batch_size=BATCH_SIZE,
        )

    def note(self, planned, name, note):
        if name in ("status", "progress"):
            return "; ".join(filter(None, [note, f"update of {planned.fields['as_of']:%Y-%m-%d}"]))
        return note
