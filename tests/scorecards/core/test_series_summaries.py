"""The approved series' SPC sums kept at approval (scorecards.core.series) against the sums worked out live from
the snapshots (figures.series_sums_live): the same for every month, through gaps, statuses, cohorts, months
awaiting approval and a month approved again with a changed figure."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scorecards.core.figures import series_sums_fetch, series_sums_live
from scorecards.core.series import approved_series_sums, series_summaries_refresh
from scorecards.models import MonthlyValue, ScorecardMonth, SeriesSummary
from scorecards.spc_signal import SeriesSums

PERIODS = [datetime.date(2014 + i // 12, i % 12 + 1, 1) for i in range(75)]  # Jan 2014 to Mar 2020


def _every_month_agrees(authority, periods=PERIODS) -> None:
    for end in periods:
        live = series_sums_live(authority=authority, end=end, include_drafts=False)
        kept = approved_series_sums(authority=authority, end=end)
        assert kept == live, end


@pytest.fixture
def long_series(home_authority, make_indicator, make_value, approve_month):
    """Three indicators over 75 months (more than 60 values), with gaps, a status month and a cohort."""
    walk = make_indicator(code="walk", unit="count", polarity="lower_is_better")
    fine = make_indicator(code="fine", unit="percent")
    sparse = make_indicator(code="sparse", unit="rate", polarity="neutral")
    for number, period in enumerate(PERIODS):
        make_value(home_authority, walk, period, 50 + (number * 7919 % 13) - 6 + number // 5)
        if number % 9 == 4:
            make_value(home_authority, fine, period, None, status="not_available")
        else:
            make_value(home_authority, fine, period, Decimal("12.3456") + Decimal(number % 7) / 10000)
            make_value(home_authority, fine, period, 99, cohort="in county schools")
        if number % 4 == 0:
            make_value(home_authority, sparse, period, Decimal(number) / 3)
    for period in PERIODS:
        approve_month(home_authority, period)
    return {"walk": walk, "fine": fine, "sparse": sparse}


def test_the_kept_sums_are_the_live_sums_at_every_month(home_authority, long_series):
    _every_month_agrees(home_authority)
    latest = approved_series_sums(authority=home_authority, end=PERIODS[-1])
    assert latest[long_series["walk"].pk].points == 60  # the latest 60 of 75 values
    assert latest[long_series["fine"].pk].points == 60  # 66 values, status months left out
    assert latest[long_series["sparse"].pk].points == 19  # every fourth month
    assert len(latest[long_series["walk"].pk].latest) == 6


def test_a_month_approved_again_with_a_changed_figure_rewrites_the_sums_after_it(
    home_authority, long_series, approve_month
):
    before = approved_series_sums(authority=home_authority, end=PERIODS[-1])
    month = PERIODS[40]
    MonthlyValue.objects.filter(
        authority=home_authority, indicator=long_series["walk"], period=month, cohort=""
    ).update(value=Decimal("400.5"))
    ScorecardMonth.objects.filter(authority=home_authority, period=month).update(revision=2)
    approve_month(home_authority, month)
    after = approved_series_sums(authority=home_authority, end=PERIODS[-1])
    assert after[long_series["walk"].pk].total != before[long_series["walk"].pk].total
    assert after[long_series["fine"].pk] == before[long_series["fine"].pk]
    _every_month_agrees(home_authority)


def test_a_month_awaiting_approval_reads_the_series_as_last_approved(
    home_authority, make_indicator, make_value, approve_month
):
    indicator = make_indicator(code="stock", unit="count", polarity="neutral")
    for number, period in enumerate(PERIODS[:20]):
        make_value(home_authority, indicator, period, 100 + number)
    for period in PERIODS[:15]:
        approve_month(home_authority, period)
    sums = series_sums_fetch(authority=home_authority, end=PERIODS[19], include_drafts=False)
    assert sums[indicator.pk].points == 15
    assert sums[indicator.pk] == series_sums_live(
        authority=home_authority, end=PERIODS[19], include_drafts=False
    )[indicator.pk]
    # People who see drafts read the working figures, all 20.
    assert series_sums_fetch(authority=home_authority, end=PERIODS[19], include_drafts=True)[
        indicator.pk
    ].points == 20


def test_whole_numbers_of_ten_thousandths_and_nothing_before_the_first_approval(
    home_authority, make_indicator, make_value, approve_month
):
    indicator = make_indicator(code="pct", unit="percent")
    make_value(home_authority, indicator, PERIODS[0], Decimal("12.3456"))
    make_value(home_authority, indicator, PERIODS[1], Decimal("0.0001"))
    assert approved_series_sums(authority=home_authority, end=PERIODS[1]) == {}
    approve_month(home_authority, PERIODS[0])
    approve_month(home_authority, PERIODS[1])
    assert approved_series_sums(authority=home_authority, end=PERIODS[1])[indicator.pk] == SeriesSums(
        2, 123457, 123455, (1, 123456), 10_000
    )
    assert approved_series_sums(authority=home_authority, end=PERIODS[0])[indicator.pk].points == 1


def test_refreshing_every_authority_gives_what_approvals_gave(
    home_authority, other_authority, long_series, make_value, approve_month
):
    make_value(other_authority, long_series["walk"], PERIODS[0], 7)
    approve_month(other_authority, PERIODS[0])
    kept = sorted(SeriesSummary.objects.values_list("authority_id", "indicator_id", "period", "total"))
    series_summaries_refresh(authority_id=None, start=datetime.date(1900, 1, 1))
    assert sorted(SeriesSummary.objects.values_list("authority_id", "indicator_id", "period", "total")) == kept


def test_the_kept_sums_are_one_query_whatever_the_catalogue(home_authority, long_series):
    with CaptureQueriesContext(connection) as queries:
        approved_series_sums(authority=home_authority, end=PERIODS[-1])
    assert len(queries) == 1
