"""Reads: the benchmarks a scorecard rates against, each indicator's year of them, both sources merged."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import F, Max, Window

from authorities.models import Authority
from scorecards import rating
from scorecards.models import Benchmark, BenchmarkSource
from scorecards.rows import BENCHMARK_FIELDS, BenchmarkFigures


def benchmarks_fetch(
    *, authority: Authority, period: datetime.date
) -> tuple[dict[tuple[int, str], BenchmarkFigures], dict[int, list[str]]]:
    """Each indicator's benchmark year of the period (the latest that ended before the month), both sources of
    it, merged; not every year, in one query. Years written YYYY/YY sort as text, so the database can pick the
    latest."""
    benchmarks = merge_benchmarks(
        list(
            Benchmark.objects.filter(authority=authority, year__lte=latest_ended_year(period))
            .annotate(year_in_use=Window(Max("year"), partition_by=[F("indicator_id")]))
            .filter(year=F("year_in_use"))
            .order_by()
        )
    )
    years_by_indicator: dict[int, list[str]] = defaultdict(list)
    for indicator_id, year in benchmarks:
        years_by_indicator[indicator_id].append(year)
    return benchmarks, years_by_indicator


def merge_benchmarks(rows: list[Benchmark]) -> dict[tuple[int, str], BenchmarkFigures]:
    """Per indicator and year, every figure from the council's own entry if present, else from DfE."""
    grouped: dict[tuple[int, str], list[Benchmark]] = defaultdict(list)
    for benchmark in rows:
        grouped[(benchmark.indicator_id, benchmark.year)].append(benchmark)
    merged = {}
    for key, candidates in grouped.items():
        candidates.sort(key=lambda b: 0 if b.source == BenchmarkSource.ENTERED else 1)
        figures: dict[str, object] = {}
        sources: dict[str, str] = {}
        for name in BENCHMARK_FIELDS:
            for benchmark in candidates:
                value = getattr(benchmark, name)
                if value is not None:
                    figures[name], sources[name] = value, benchmark.source
                    break
        note = next((b.note for b in candidates if b.note), "")
        # The group behind the range travels with the range: that of the benchmark that gave sn_min.
        range_group = next(
            (b.range_group for b in candidates if b.source == sources.get("sn_min") and b.range_group), ""
        )
        merged[key] = BenchmarkFigures(
            year=key[1], note=note, sources=sources, range_group=range_group, **figures
        )
    return merged


def latest_ended_year(period: datetime.date) -> str:
    """The latest financial year that ended (31 March) before the period's month starts."""
    return rating.financial_year_label(period.year - 1 if period.month >= 4 else period.year - 2)
