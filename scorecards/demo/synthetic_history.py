"""Write ``values_839_history.csv``: a SYNTHETIC history for Bournemouth, Christchurch and Poole (839).

Not BCP's figures. The demonstration's statistical process control charts need years of months, and Dorset's
public paper gives only April to November 2020, so the synthetic council gets December 2017 to November 2020:
every month ``values.csv`` does not already hold for it. Each series wanders around the level of its 2020 months
with their month-to-month scatter; a few tell a story a board would recognise:

- ``dental_check_pct``: steady at about 82% until dental practices stopped routine checks in March 2020, then
  the fall already in ``values.csv``: the one genuine special cause (a real change for the worse).
- ``foster_placement_pct``: a step up in April 2019 (a fostering recruitment drive): a shift.
- ``cic_rate_per_10k``, ``cic_count``, ``care_leavers_count``: a slow rise, as in England over those years.

Percentages carry a numerator and denominator (the value is computed by the import), so their intervals show;
``add_numerators`` gives the synthetic council's 2020 percentages in ``values.csv`` theirs too (same values).
Deterministic: ``.venv/bin/python scorecards/demo/synthetic_history.py`` writes the same file every time
(seed 839).
"""

from __future__ import annotations

import csv
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
OUTPUT = DEMO_DIR / "values_839_history.csv"
AUTHORITY = "839"
FIRST, LAST = (2017, 12), (2020, 11)
HEADER = ("authority", "indicator", "period", "value", "numerator", "denominator", "status", "commentary")
NOTE = "Synthetic demonstration figures, not BCP's."

#: How many children (or care leavers, or households) a percentage is of, for a council of BCP's size.
DENOMINATORS = {
    "iha_within_20_days_pct": 12,
    "rha_on_time_pct": 330,
    "dental_check_pct": 330,
    "immunisations_up_to_date_pct": 330,
    "sdq_completed_pct": 210,
    "missing_episode_pct": 470,
    "missing_repeat_pct": 470,
    "foster_placement_pct": 470,
    "three_plus_placements_pct": 470,
    "long_term_stability_pct": 120,
    "commissioned_placement_pct": 470,
    "placed_over_20_miles_pct": 470,
    "placed_outside_la_pct": 470,
    "ehcp_pct": 300,
    "pep_pct": 300,
    "unauthorised_absence_pct": 300,
    "fixed_term_exclusion_pct": 210,
    "reduced_timetable_pct": 300,
    "permanence_plan_pct": 400,
    "permanence_achieved_pct": 470,
    "permanence_sgo_pct": 95,
    "permanence_adoption_pct": 95,
    "care_leavers_pathway_plan_pct": 268,
    "care_leavers_suitable_accommodation_pct": 150,
    "care_leavers_eet_pct": 150,
    "care_leavers_in_touch_pct": 150,
}
#: Levels for the indicators whose 2020 months are missing or too few to read one from.
LEVELS = {"cic_count": (430, 459, 4), "care_leavers_count": (240, 268, 3)}
COMMENTARY = {
    ("dental_check_pct", "2020-05"): "Routine dental checks stopped when practices closed on 23 March 2020; "
    "urgent care only until practices reopen.",
    ("foster_placement_pct", "2019-04"): "The fostering recruitment campaign's first carers were approved.",
}


def months() -> list[str]:
    (year, month), found = FIRST, []
    while (year, month) <= LAST:
        found.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def catalogue() -> dict[str, dict[str, str]]:
    with (DEMO_DIR / "indicators.csv").open(newline="", encoding="utf-8") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def existing() -> dict[str, dict[str, str]]:
    """The synthetic council's rows already in values.csv, by indicator and month."""
    found: dict[str, dict[str, str]] = {}
    with (DEMO_DIR / "values.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["authority"] == AUTHORITY:
                found.setdefault(row["indicator"], {})[row["period"]] = row["value"]
    return found


def _level_and_scatter(values: list[float]) -> tuple[float, float]:
    level = sum(values) / len(values)
    ranges = [abs(b - a) for a, b in zip(values, values[1:], strict=False)]
    # The mean moving range over 1.128 estimates the month-to-month standard deviation, as SPC does.
    return level, (sum(ranges) / len(ranges) / 1.128 if ranges else level * 0.02)


def _story(code: str, month: str, level: float, index: int, total: int) -> float:
    if code == "dental_check_pct":
        return 82.0
    if code == "foster_placement_pct":
        return 64.0 if month < "2019-04" else level
    if code == "cic_rate_per_10k":
        return 62.0 + (level - 62.0) * index / total
    return level


def series(code: str, indicator: dict[str, str], known: dict[str, str], rng: random.Random) -> list[list]:
    values = [float(v) for v in known.values() if v]
    if code in LEVELS:
        start, end, scatter = LEVELS[code]
    elif len(values) >= 3:
        start = end = None
        level, scatter = _level_and_scatter(values)
        scatter *= 0.8  # the 2020 months were made noisier than a council's months usually are
    else:
        return []
    decimals, unit = int(indicator["decimals"]), indicator["unit"]
    rows, wander, all_months = [], 0.0, months()
    for index, month in enumerate(all_months):
        # Each month carries a little of the month before: real services drift rather than jump.
        wander = 0.3 * wander + rng.gauss(0, scatter)
        if start is not None:
            expected = start + (end - start) * index / len(all_months)
        else:
            expected = _story(code, month, level, index, len(all_months))
        if month in known:
            continue
        figure = expected + wander
        if unit in ("count", "days") or (unit == "percent" and code in DENOMINATORS):
            figure = max(figure, 0.0)
        commentary = COMMENTARY.get((code, month), "")
        commentary = f"{NOTE} {commentary}".strip() if commentary else ""
        if unit == "percent" and code in DENOMINATORS:
            denominator = max(1, round(DENOMINATORS[code] * rng.uniform(0.95, 1.05)))
            numerator = min(denominator, round(min(figure, 100.0) / 100 * denominator))
            rows.append([AUTHORITY, code, month, "", numerator, denominator, "", commentary])
        else:
            if unit == "percent":
                figure = min(figure, 100.0)
            rows.append([AUTHORITY, code, month, f"{figure:.{decimals}f}", "", "", "", commentary])
    return rows


def add_numerators() -> int:
    """Fill in the numerator and denominator of the synthetic council's percentages in values.csv that have
    none, so that their 95% intervals show: the usual denominator, nudged until the value is unchanged at 0
    decimal places. Only those cells of those lines change (the file keeps its line endings); safe to rerun."""
    path = DEMO_DIR / "values.csv"
    data = path.read_bytes()
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    lines, changed = data.split(newline), 0
    for number, line in enumerate(lines):
        cells = line.decode("utf-8").split(",")
        if len(cells) != 8 or cells[0] != AUTHORITY or cells[1] not in DENOMINATORS or not cells[3]:
            continue
        if cells[4] or cells[5]:
            continue
        value, denominator = Decimal(cells[3]), DENOMINATORS[cells[1]]
        while True:
            numerator = int((value / 100 * denominator).quantize(Decimal(1), ROUND_HALF_UP))
            shown = (Decimal(numerator) * 100 / denominator).quantize(Decimal(1), ROUND_HALF_UP)
            if numerator <= denominator and shown == value:
                break
            denominator += 1
        cells[4], cells[5] = str(numerator), str(denominator)
        lines[number], changed = ",".join(cells).encode("utf-8"), changed + 1
    path.write_bytes(newline.join(lines))
    return changed


def main() -> None:
    add_numerators()
    rng = random.Random(839)
    indicators, known = catalogue(), existing()
    with OUTPUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for code, indicator in indicators.items():
            writer.writerows(series(code, indicator, known.get(code, {}), rng))


if __name__ == "__main__":
    main()
