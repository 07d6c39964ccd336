"""The rows of the large tables besides monthly values: benchmarks, targets and baselines, audit records."""

from __future__ import annotations

import statistics
from collections.abc import Iterator

from bench.dataset import (
    TARGET_SHARE,
    UNIT_SHAPES,
    base_level,
    bounded,
    figure_text,
    moment,
    monthly_series,
    series_rng,
)
from scorecards.models import BenchmarkSource, ChangeRoute, Polarity, TargetKind
from scorecards.rating import financial_year_label


def benchmark_rows(seed, authorities, indicators, years, authority_ids, indicator_ids) -> Iterator[tuple]:
    """DfE's figures (England, region, neighbours, rank, quartile) and the council's own, per year."""
    for indicator in indicators:
        step = UNIT_SHAPES[indicator.unit][4]
        ranked = indicator.polarity != Polarity.NEUTRAL
        levels = {
            spec.code: base_level(series_rng(seed, spec.code, indicator.code), indicator)
            for spec in authorities
        }
        for year_index, year in enumerate(years):
            own = {}
            for spec in authorities:
                level = levels[spec.code]
                drift = series_rng(seed, spec.code, indicator.code, f"benchmark-{year_index}").gauss(
                    0, step * 3
                )
                own[spec.code] = round(bounded(level + drift, indicator.unit), indicator.decimals)
            england = statistics.fmean(own.values())
            by_region: dict[str, list[float]] = {}
            for spec in authorities:
                by_region.setdefault(spec.region, []).append(own[spec.code])
            region = {name: statistics.fmean(values) for name, values in by_region.items()}
            better_first = sorted(own.values(), reverse=indicator.polarity == Polarity.HIGHER_IS_BETTER)
            first_place = {}
            for place, value in enumerate(better_first, start=1):
                first_place.setdefault(value, place)
            count = len(own)
            for spec in authorities:
                neighbours = [own[code] for code in spec.neighbours]
                figures = (
                    figure_text(england, indicator),
                    figure_text(region[spec.region], indicator),
                    figure_text(statistics.fmean(neighbours), indicator) if neighbours else None,
                    figure_text(min(neighbours), indicator) if neighbours else None,
                    figure_text(max(neighbours), indicator) if neighbours else None,
                )
                rank = first_place[own[spec.code]] if ranked else None
                quartile = "ABCD"[min(3, (rank - 1) * 4 // count)] if rank else ""
                key = (authority_ids[spec.code], indicator_ids[indicator.code], year)
                own_text = figure_text(own[spec.code], indicator)
                yield (
                    *key,
                    BenchmarkSource.DFE.value,
                    *figures,
                    len(neighbours),
                    own_text,
                    rank,
                    count if ranked else None,
                    quartile,
                    "",
                )
                yield (
                    *key,
                    BenchmarkSource.ENTERED.value,
                    *figures,
                    None,
                    own_text,
                    None,
                    None,
                    "",
                    "From the council's benchmarking return",
                )


def target_rows(seed, rng, size, authorities, indicators, authority_ids, indicator_ids) -> Iterator[tuple]:
    """Targets for this year and the next and a baseline, for about a third of the rated indicators."""
    this_year = size.end.year if size.end.month >= 4 else size.end.year - 1
    for spec in authorities:
        for indicator in indicators:
            if indicator.polarity == Polarity.NEUTRAL or rng.random() >= TARGET_SHARE:
                continue
            level = base_level(series_rng(seed, spec.code, indicator.code, "target"), indicator)
            better = 1.05 if indicator.polarity == Polarity.HIGHER_IS_BETTER else 0.95
            key = (authority_ids[spec.code], indicator_ids[indicator.code])
            for kind, start, factor in (
                (TargetKind.BASELINE, this_year - 2, 1.0),
                (TargetKind.TARGET, this_year, better),
                (TargetKind.TARGET, this_year + 1, better * better),
            ):
                value = figure_text(bounded(level * factor, indicator.unit), indicator)
                yield (*key, kind.value, financial_year_label(start), value, "Sufficiency strategy")


def audit_rows(seed, authorities, indicators, months, authority_ids, indicator_ids) -> Iterator[tuple]:
    """What importing every value and approving every month would have recorded."""
    for spec in authorities:
        for indicator in indicators:
            for period, value, status, _commentary in monthly_series(seed, spec.code, indicator, months):
                yield (
                    moment(period, 35, 9),
                    "bench-officer",
                    ChangeRoute.UPLOAD.value,
                    "value",
                    authority_ids[spec.code],
                    indicator_ids[indicator.code],
                    period,
                    f"{spec.code} {indicator.code} {period:%Y-%m}",
                    "value" if value is not None else "status",
                    "",
                    value if value is not None else status,
                    "created",
                )
        for period in months:
            key = f"{spec.code} {period:%Y-%m}"
            for at, old, new in (
                (moment(period, 40, 10), "draft", "submitted (revision 1)"),
                (moment(period, 45, 10), "submitted", "approved (revision 1)"),
            ):
                yield (
                    at,
                    "bench-approver",
                    ChangeRoute.SIGN_OFF.value,
                    "month",
                    authority_ids[spec.code],
                    None,
                    period,
                    key,
                    "state",
                    old,
                    new,
                    "",
                )
