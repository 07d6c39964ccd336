"""A council with months of January to June 2020 (Q4 2019/20, Q1 2020/21): a count, a pooled and an end figure."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from scorecards.entry.signoff import snapshot_take
from scorecards.models import Benchmark, ScorecardMonth


def approve(authority, *months: str) -> None:
    """Approve months as an approver would: the month signed off and its figures kept in a snapshot."""
    for text in months:
        year, number = map(int, text.split("-"))
        month, _ = ScorecardMonth.objects.update_or_create(
            authority=authority,
            period=datetime.date(year, number, 1),
            defaults={"state": "approved", "approved_at": timezone.now()},
        )
        snapshot_take(month, user=None)


@pytest.fixture
def quarter_council(home_authority, other_authority, make_indicator, make_value):
    """Started in care (sum), placements pooled (percent), children in care (end), months Jan to Jun 2020."""
    started = make_indicator(
        code="started", section="Profile", unit="count", polarity="neutral", quarter_rule="sum"
    )
    placed = make_indicator(code="placed_pct", section="Placement", unit="percent", polarity="lower_is_better",
                            quarter_rule="pooled")  # fmt: skip
    children = make_indicator(
        code="children", section="Headline", unit="count", polarity="neutral", quarter_rule="end"
    )
    for month, count, (x, n), stock in [
        ("2020-01", 11, (10, 50), 470),
        ("2020-02", 9, (12, 50), 472),
        ("2020-03", 14, (14, 50), 474),
        ("2020-04", 10, (8, 40), 475),
        ("2020-05", 6, (9, 45), None),
        # June: no started figure; placements without counts; children in care only as a status
    ]:
        make_value(home_authority, started, month, count)
        make_value(home_authority, placed, month, Decimal(x) / n * 100, numerator=x, denominator=n)
        if stock:
            make_value(home_authority, children, month, stock)
    make_value(home_authority, placed, "2020-06", 20)
    make_value(home_authority, children, "2020-06", None, status="not_available")
    make_value(other_authority, started, "2020-03", 99)
    Benchmark.objects.create(
        authority=home_authority,
        indicator=placed,
        year="2018/19",
        england=Decimal(10),
        sn_average=Decimal(20),
    )
    Benchmark.objects.create(
        authority=home_authority,
        indicator=placed,
        year="2019/20",
        england=Decimal(30),
        sn_average=Decimal(40),
    )
    approve(home_authority, "2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06")
    return home_authority
