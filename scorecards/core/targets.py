"""Reads: an authority's targets, interim targets (trajectories) and baselines, in one query."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from authorities.models import Authority
from scorecards import rating
from scorecards.models import Target, TargetKind


@dataclass
class IndicatorTargets:
    """One indicator's year targets, interim targets by month, and baselines, as the rating rules read them."""

    years: dict[str, Decimal] = field(default_factory=dict)
    interim: dict[datetime.date, Decimal] = field(default_factory=dict)
    baselines: dict[str, Decimal] = field(default_factory=dict)

    def target(self, month: datetime.date) -> tuple[str, Decimal] | None:
        """The target of this month (interim targets first; see ``rating.target_for``)."""
        if not self.years and not self.interim:
            return None
        return rating.target_for(month, self.years, self.interim)

    def interim_month(self, month: datetime.date) -> datetime.date | None:
        """The month of the interim target that applies in this month, if one does."""
        chosen = rating.interim_target_for(month, self.interim) if self.interim else None
        return chosen[0] if chosen else None

    def baseline(self, month: datetime.date) -> tuple[str, Decimal] | None:
        return rating.baseline_for(month, self.baselines) if self.baselines else None

    def trajectory(self, months: list[datetime.date]) -> tuple[tuple[datetime.date, Decimal | None], ...]:
        """The target of each month of the window (a quarter: its last month), then each month ahead where the
        target changes, to the end of the last target's year: the steps a chart draws. Empty without a target.
        """
        if not self.years and not self.interim or not months:
            return ()
        steps = [(month, chosen[1] if (chosen := self.target(month)) else None) for month in months]
        last = max(
            [rating.financial_year_end(year) for year in self.years]
            + [rating.financial_year_end(rating.financial_year_of(month)) for month in self.interim]
        ).replace(day=1)
        ahead = {month for month in self.interim if month > months[-1]}
        year = months[-1].year if months[-1].month >= 4 else months[-1].year - 1
        while datetime.date(year + 1, 4, 1) <= last:
            year += 1
            ahead.add(datetime.date(year, 4, 1))
        for month in sorted(ahead):
            chosen = self.target(month)
            if chosen and chosen[1] != steps[-1][1]:
                steps.append((month, chosen[1]))
        if last > steps[-1][0] and steps[-1][1] is not None:
            steps.append((last, steps[-1][1]))
        return tuple(steps)


NO_TARGETS = IndicatorTargets()


def targets_fetch(*, authority: Authority) -> dict[int, IndicatorTargets]:
    """Every target, interim target and baseline of the authority, by indicator, in one query."""
    by_indicator: dict[int, IndicatorTargets] = defaultdict(IndicatorTargets)
    rows = Target.objects.filter(authority=authority).order_by().values_list(
        "indicator_id", "kind", "year", "period", "value"
    )
    for indicator_id, kind, year, period, value in rows:
        targets = by_indicator[indicator_id]
        if kind == TargetKind.BASELINE:
            targets.baselines[year] = value
        elif period is not None:
            targets.interim[period] = value
        else:
            targets.years[year] = value
    return dict(by_indicator)
