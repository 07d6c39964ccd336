"""Interim targets (trajectories): which target a month gets, and the steps a chart draws. No database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from scorecards.core.targets import IndicatorTargets
from scorecards.rating import interim_target_for, target_for

D = Decimal


def month(text: str) -> datetime.date:
    year, number = text.split("-")
    return datetime.date(int(year), int(number), 1)


YEARS = {"2021/22": D(440), "2022/23": D(410)}
INTERIM = {month("2021-06"): D(470), month("2021-09"): D(460), month("2022-12"): D(420)}


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2021-06", ("2021/22", D(470))),  # the month's own interim target
        ("2021-08", ("2021/22", D(470))),  # else the latest interim target before it in the year
        ("2021-09", ("2021/22", D(460))),
        ("2022-03", ("2021/22", D(460))),  # still 2021/22: March ends it
        ("2021-05", ("2021/22", D(440))),  # before the year's first interim target: the year rule
        ("2022-04", ("2022/23", D(410))),  # a new year: 2021/22's interim targets no longer apply
        ("2022-12", ("2022/23", D(420))),
        ("2020-11", ("2021/22", D(440))),  # no target for 2020/21: the nearest later year's
        ("2023-04", None),  # none for 2023/24 or later; interim targets never reach past their year
    ],
)
def test_it_picks_the_interim_target_then_the_year_rule(period, expected):
    assert target_for(month(period), YEARS, INTERIM) == expected


def test_the_year_rule_reads_only_targets_without_a_period():
    # An interim target of a later year is not "the nearest later target" of an earlier month.
    assert target_for(month("2020-11"), {}, {month("2021-06"): D(470)}) is None
    assert interim_target_for(month("2021-05"), INTERIM) is None


def test_without_interim_targets_the_year_rule_is_unchanged():
    assert target_for(month("2021-06"), YEARS) == ("2021/22", D(440))


def test_the_trajectory_has_each_months_target_then_the_steps_ahead():
    targets = IndicatorTargets(years={"2021/22": D(440), "2022/23": D(410), "2023/24": D(380)})
    steps = targets.trajectory([month("2020-10"), month("2020-11")])
    assert steps == (
        (month("2020-10"), D(440)),
        (month("2020-11"), D(440)),
        (month("2022-04"), D(410)),
        (month("2023-04"), D(380)),
        (month("2024-03"), D(380)),
    )


def test_interim_targets_step_within_the_window():
    targets = IndicatorTargets(years=YEARS, interim=INTERIM)
    steps = dict(targets.trajectory([month("2021-05"), month("2021-06"), month("2021-09")]))
    assert [steps[month(m)] for m in ("2021-05", "2021-06", "2021-09")] == [D(440), D(470), D(460)]
    assert targets.interim_month(month("2021-08")) == month("2021-06")


def test_an_indicator_without_targets_has_no_trajectory():
    assert IndicatorTargets().trajectory([month("2020-11")]) == ()
