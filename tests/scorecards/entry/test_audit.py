"""The audit trail: a large batch (COPY on PostgreSQL) records exactly what small batches record."""

import datetime
from decimal import Decimal

from scorecards.audit import COPY_FROM, Change, changes_record
from scorecards.models import ChangeRecord


def _changes(authority, indicator, count: int, note: str) -> list[Change]:
    return [
        Change(
            kind="value",
            object_key=f"838 {indicator.code} month {number}",
            field="value",
            old=None if number % 2 else Decimal("1.5000"),
            new=Decimal(number),
            authority_id=authority.pk,
            indicator_id=indicator.pk,
            period=datetime.date(2020, 1 + number % 12, 1),
            note=note,
        )
        for number in range(count)
    ] + [Change(kind="value", object_key="unchanged", field="value", old=Decimal("2.0"), new=Decimal(2))]


def _recorded(note: str) -> list[tuple]:
    return list(
        ChangeRecord.objects.filter(note=note)
        .order_by("object_key")
        .values_list("user_id", "username", "route", "kind", "authority_id", "indicator_id", "period",
                     "object_key", "field", "old", "new")
    )  # fmt: skip


def test_a_large_batch_is_recorded_as_small_batches_are(home_authority, make_indicator, officer):
    indicator = make_indicator()
    large = _changes(home_authority, indicator, COPY_FROM + 50, "large")
    small = _changes(home_authority, indicator, COPY_FROM + 50, "small")
    assert changes_record(large, user=officer, route="upload") == COPY_FROM + 50
    for start in range(0, len(small), 50):
        changes_record(small[start : start + 50], user=officer, route="upload")
    recorded = _recorded("large")
    assert recorded == _recorded("small")
    assert recorded[0][:3] == (officer.pk, "officer", "upload")
    assert ChangeRecord.objects.filter(object_key="unchanged").count() == 0
    assert ChangeRecord.objects.filter(note="large", at__isnull=True).count() == 0
