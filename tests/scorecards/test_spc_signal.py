"""The grid's fast path agrees with the full SPC analysis on every series, boundaries included."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from scorecards.spc import spc_analyse
from scorecards.spc_signal import Signal, spc_signal

ON_LIMIT = [10, 10, 8, 10, 8, 9, 12, 11, 8, 9, 10, 11, 11, 12, 14]


def series(values):
    return [(datetime.date(2010 + i // 12, i % 12 + 1, 1), v) for i, v in enumerate(values)]


def both(points, polarity, target):
    full = spc_analyse(points, polarity=polarity, target=target)
    return Signal(full.points, full.variation, full.assurance), spc_signal(
        points, polarity=polarity, target=target
    )


@pytest.mark.parametrize("seed", range(40))
def test_it_agrees_with_spc_analyse_on_random_series(seed):
    rng = random.Random(seed)
    for _ in range(150):
        n = rng.choice([0, 1, 12, 13, 14, 20, 40, 60, 70])
        shape = rng.choice(["noise", "walk", "steps", "few", "decimals"])
        values, level = [], 50
        for _ in range(n):
            if shape == "noise":
                values.append(rng.randint(40, 60))
            elif shape == "walk":
                level += rng.randint(-3, 3)
                values.append(level)
            elif shape == "steps":
                values.append(rng.choice([10, 10, 10, 30]))
            elif shape == "few":
                values.append(rng.randint(0, 2))
            else:
                values.append(Decimal(rng.randint(0, 100000)) / 10000)
            if rng.random() < 0.05:
                values[-1] = None
        points = series(values)
        rng.shuffle(points)
        polarity = rng.choice(["higher_is_better", "lower_is_better", "neutral"])
        full = spc_analyse(points, polarity=polarity, target=None)
        targets = [None, 0, 55, Fraction(1, 3), full.mean, full.lower, full.upper]
        target = rng.choice(targets)
        expected, fast = both(points, polarity, target)
        assert fast == expected, (values, polarity, target)


@pytest.mark.parametrize("polarity", ["higher_is_better", "lower_is_better"])
@pytest.mark.parametrize("target", [14, Fraction(102, 10), 5, 15])
def test_it_agrees_when_a_point_or_the_target_sits_exactly_on_a_limit(polarity, target):
    expected, fast = both(series(ON_LIMIT), polarity, target)
    assert fast == expected


def test_it_agrees_on_the_contracts_worked_cases():
    one = [50, 47, 52, 49, 53, 48, 51, 55, 56, 54, 57, 55, 56, 49, 45, 47, 48, 50, 52, 61]
    two = [50, 47, 52, 49, 53, 48, 51, 50, 49, 52, 48, 51, 50, 58, 63, 52, 49, 51, 50, 48]
    assert spc_signal(series(one), polarity="higher_is_better", target=60) == (
        20,
        "improvement",
        "hit_and_miss",
    )
    assert spc_signal(series(two), polarity="higher_is_better", target=55) == (
        20,
        "common_cause",
        "hit_and_miss",
    )
    for values in (one, two, one[:14] + [70, 71], two[:13] + [58, 63, 64]):
        for polarity in ("higher_is_better", "lower_is_better", "neutral"):
            expected, fast = both(series(values), polarity, 55)
            assert fast == expected
