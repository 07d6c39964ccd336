"""The benchmark's results: each measure against its budget, as a console table and as ``bench/results.md``."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field

MET, MISSED, NOT_MEASURED = "met", "missed", "not available"


@dataclass(frozen=True)
class Budget:
    """A limit on one statistic of a measure's samples, e.g. the median under 100 ms.

    ``statistic`` is ``median``, ``max`` or ``spread`` (max minus min: 0 means every sample was equal).
    ``ceiling``, when given, is a second limit the figure must also stay under (strictly), e.g. an update
    import within 1.5× the create import (``limit``, made from that run's figure) and under 20 s.
    """

    statistic: str
    limit: float
    text: str
    inclusive: bool = False
    ceiling: float | None = None

    def met(self, samples: list[float]) -> bool:
        figure = {
            "median": statistics.median(samples),
            "max": max(samples),
            "spread": max(samples) - min(samples),
        }[self.statistic]
        within = figure <= self.limit if self.inclusive else figure < self.limit
        return within and (self.ceiling is None or figure < self.ceiling)


@dataclass
class Measure:
    """One line of the table: what was measured, every sample, and its budget if it has one."""

    key: str
    name: str
    unit: str
    samples: list[float] = field(default_factory=list)
    budget: Budget | None = None
    #: why there are no samples (e.g. the page does not exist yet)
    unavailable: str = ""

    @property
    def result(self) -> str:
        if not self.samples:
            return NOT_MEASURED
        if self.budget is None:
            return ""
        return MET if self.budget.met(self.samples) else MISSED

    def stats(self) -> tuple[float, float, float] | None:
        if not self.samples:
            return None
        return min(self.samples), statistics.median(self.samples), max(self.samples)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Measure:
        budget = data.get("budget")
        return cls(**{**data, "budget": Budget(**budget) if budget else None})


def format_figure(value: float, unit: str) -> str:
    if unit == "queries" or unit == "":
        return f"{value:g}" if value != int(value) else f"{int(value)}"
    if unit == "×":
        return f"{value:.1f}×"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:g} {unit}".strip()


HEADERS = ("measure", "min", "median", "max", "budget", "result")


def table_rows(measures: list[Measure]) -> list[tuple[str, ...]]:
    rows = []
    for measure in measures:
        stats = measure.stats()
        figures = tuple(format_figure(value, measure.unit) for value in stats) if stats else ("–", "–", "–")
        budget = measure.budget.text if measure.budget else ""
        result = measure.result
        if result == NOT_MEASURED and measure.unavailable:
            result = f"{NOT_MEASURED}: {measure.unavailable}"
        rows.append((measure.name, *figures, budget, result))
    return rows


def console_table(measures: list[Measure]) -> str:
    """A fixed-width table for the terminal."""
    rows = [HEADERS, *table_rows(measures)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADERS))]
    lines = []
    for number, row in enumerate(rows):
        lines.append(
            "  ".join(
                cell.rjust(width) if 1 <= column <= 3 else cell.ljust(width)
                for column, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(measures: list[Measure]) -> str:
    rows = table_rows(measures)
    lines = [
        "| " + " | ".join(HEADERS) + " |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        cells = [cell.replace("|", "\\|") for cell in row]
        cells[-1] = f"**{cells[-1]}**" if cells[-1] == MISSED else cells[-1]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def missed(measures: list[Measure]) -> list[Measure]:
    return [measure for measure in measures if measure.result == MISSED]


def summary_line(measures: list[Measure]) -> str:
    budgeted = [measure for measure in measures if measure.budget is not None]
    met = sum(measure.result == MET for measure in budgeted)
    failed = [measure.name for measure in budgeted if measure.result == MISSED]
    absent = [measure.name for measure in budgeted if measure.result == NOT_MEASURED]
    line = f"{met} of {len(budgeted)} budgets met"
    if failed:
        line += f"; missed: {', '.join(failed)}"
    if absent:
        line += f"; not measured: {', '.join(absent)}"
    return line


def results_markdown(
    *,
    measures: list[Measure],
    environment: list[tuple[str, str]],
    dataset: list[tuple[str, str]],
    sections: list[tuple[str, str]],
    analysis: dict[str, tuple[str, str]],
    command: str,
) -> str:
    """``bench/results.md``: where and when, on what data, the table, then details and every miss explained.

    ``analysis`` maps a measure's key to (cause found by profiling, what would fix it), written for the
    measures known to miss; a miss without an entry says so, so that it is looked into.
    """
    lines = ["# Benchmark results", "", f"Made by `{command}`. Compare a later run with this one.", ""]
    lines += ["## Machine and versions", "", "| | |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in environment]
    lines += ["", "## Data set", "", "| | |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in dataset]
    lines += ["", "## Results", "", markdown_table(measures), "", summary_line(measures), ""]
    failures = missed(measures)
    if failures:
        lines += ["## Budgets missed", ""]
        for measure in failures:
            low, middle, high = measure.stats()
            cause, fix = analysis.get(
                measure.key, ("not yet profiled: look into it before the next release", "unknown yet")
            )
            lines += [
                f"### {measure.name}",
                "",
                f"- **Measured**: median {format_figure(middle, measure.unit)} "
                f"(min {format_figure(low, measure.unit)}, max {format_figure(high, measure.unit)}); "
                f"budget {measure.budget.text}.",
                f"- **Cause, found by profiling**: {cause}",
                f"- **What would fix it**: {fix}",
                "",
            ]
    for title, body in sections:
        lines += [f"## {title}", "", body.rstrip(), ""]
    return "\n".join(lines).rstrip() + "\n"
