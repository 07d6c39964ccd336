"""Cohorts: imported as rows with a cohort, listed in the order first imported, shown and never rated."""

from __future__ import annotations

import datetime
import io
import re

import pytest

from scorecards.core.exports import scorecard_dict
from scorecards.core.selectors import scorecard_build
from scorecards.imports import ImportFailed, import_file, messages
from scorecards.models import MonthlyValue, SnapshotFigure
from scorecards.quarters import Quarter
from tests.scorecards.quarters.conftest import approve

MAY = datetime.date(2020, 5, 1)
HEADER = "authority,indicator,period,value,numerator,denominator,status,cohort\n"


def load(text: str) -> None:
    import_file("values", io.BytesIO((HEADER + text).encode()), "values.csv")


@pytest.fixture
def attendance(home_authority, make_indicator):
    return make_indicator(code="attendance_pct", unit="percent", polarity="neutral", quarter_rule="pooled")


def cohorts_of(authority, period=MAY, months=6, **options):
    data = scorecard_dict(scorecard_build(authority=authority, period=period, months=months, **options))
    return next(row for row in data["rows"] if row["indicator"] == "attendance_pct")


def test_cohorts_come_in_the_order_first_imported_and_only_the_headline_is_rated(home_authority, attendance):
    load(
        "838,attendance_pct,2020-05,,86,499,,\n"
        "838,attendance_pct,2020-05,,81,483,,in Devon schools\n"
        "838,attendance_pct,2020-05,,20,186,,other councils' children in Devon schools\n"
    )
    # A later file names them the other way round, and adds one: the first import's order stays.
    load(
        "838,attendance_pct,2020-04,,5,186,,other councils' children in Devon schools\n"
        "838,attendance_pct,2020-04,,7,10,,a new cohort\n"
        "838,attendance_pct,2020-04,,9,483,,in Devon schools\n"
    )
    row = cohorts_of(home_authority, include_drafts=True)
    assert [cohort["cohort"] for cohort in row["cohorts"]] == [
        "in Devon schools",
        "other councils' children in Devon schools",
        "a new cohort",
    ]
    devon = row["cohorts"][0]
    assert devon["values"]["2020-05"] == 16.7702 and devon["numerators"]["2020-05"] == 81.0
    assert devon["denominators"]["2020-05"] == 483.0 and devon["values"]["2020-04"] == 1.8634
    assert row["values"]["2020-05"] == 17.2345  # the headline, 86 of 499, is the rated row's figure
    assert MonthlyValue.objects.filter(indicator=attendance).count() == 6


def test_a_row_lists_only_cohorts_with_a_value_in_the_window_and_none_is_an_empty_list(
    home_authority, attendance
):
    load("838,attendance_pct,2019-01,,1,2,,long ago\n838,attendance_pct,2020-05,,86,499,,\n")
    assert cohorts_of(home_authority, include_drafts=True)["cohorts"] == []


def test_board_members_see_cohorts_only_once_the_month_is_approved(home_authority, attendance):
    load("838,attendance_pct,2020-05,,86,499,,\n838,attendance_pct,2020-05,,81,483,,in Devon schools\n")
    assert cohorts_of(home_authority)["cohorts"] == []
    approve(home_authority, "2020-05")
    assert SnapshotFigure.objects.filter(cohort="in Devon schools").count() == 1
    assert [c["cohort"] for c in cohorts_of(home_authority)["cohorts"]] == ["in Devon schools"]


def test_cohorts_follow_their_indicators_quarter_rule(home_authority, attendance):
    rows = "".join(
        f"838,attendance_pct,2020-{month:02d},,{x},{n},,in Devon schools\n"
        for month, x, n in ((4, 10, 100), (5, 20, 100), (6, 30, 100))
    )
    load(rows)
    row = cohorts_of(home_authority, period=Quarter.parse("2020-21-Q1"), months=1, include_drafts=True)
    cohort = row["cohorts"][0]
    assert cohort["values"] == {"2020-21-Q1": 20.0}
    assert (cohort["numerators"]["2020-21-Q1"], cohort["denominators"]["2020-21-Q1"]) == (60.0, 300.0)


def test_a_cohort_on_a_status_row_is_an_error_and_nothing_is_written(home_authority, attendance):
    with pytest.raises(ImportFailed) as failure:
        load(
            "838,attendance_pct,2020-05,,86,499,,\n838,attendance_pct,2020-05,,,,not_available,in Devon schools\n"
        )
    (error,) = failure.value.errors
    assert (error.row, error.column) == (3, "cohort")
    assert error.message == messages.COHORT_WITH_STATUS.format(
        cohort="in Devon schools", status="not_available"
    )
    assert not MonthlyValue.objects.exists()


def test_the_headline_and_a_cohort_of_the_same_month_are_different_rows(home_authority, attendance):
    load("838,attendance_pct,2020-05,,86,499,,\n838,attendance_pct,2020-05,,81,483,,in Devon schools\n")
    load("838,attendance_pct,2020-05,,87,499,,\n")  # updates the headline only
    figures = dict(MonthlyValue.objects.values_list("cohort", "numerator"))
    assert figures == {"": 87, "in Devon schools": 81}


def test_every_scrolling_table_of_the_indicator_page_is_a_named_region_a_keyboard_can_focus(
    client, home_authority, attendance, officer
):
    """axe-core's scrollable-region-focusable (issue 13): at 390 px the month and cohort tables scroll
    sideways."""
    load("838,attendance_pct,2020-05,,86,499,,\n838,attendance_pct,2020-05,,81,483,,in Devon schools\n")
    client.force_login(officer)
    html = client.get("/scorecards/838/2020-05/attendance_pct/").content.decode()
    wrappers = re.findall(r'<div class="table-wrap"([^>]*)>', html)
    assert len(wrappers) >= 2  # the month table and the cohort table at least
    for attributes in wrappers:
        assert 'tabindex="0"' in attributes and 'role="region"' in attributes, attributes
        (named,) = re.findall(r'aria-label(?:ledby)?="([^"]+)"', attributes)
        assert "aria-label=" in attributes or f'id="{named}"' in html
    month_table = (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{attendance.name}: month by month">'
    )
    assert month_table in html
