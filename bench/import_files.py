"""The ``values`` files the import measurements upload: new monthly values, then the same ones changed."""

from __future__ import annotations

import csv
import datetime
import random
from pathlib import Path

from authorities.models import Authority
from bench.dataset import (
    COMMENTARY,
    COMMENTARY_SHARE,
    STATUS_SHARE,
    IndicatorSpec,
    base_level,
    bounded,
    figure_text,
)
from scorecards.models import Indicator


def write_import_csv(
    path: Path, *, seed: int, rows: int, after: datetime.date, changed: bool = False
) -> tuple[datetime.date, int]:
    """A ``values`` file of ``rows`` new monthly values for the months after ``after``, every authority.

    ``changed``: the same rows (authorities, indicators, months, in the same order) with every figure drawn
    again, as a correction of the first file would be: imported after it, nearly every row is an update.
    Returns the last month it reaches and how many rows it holds.
    """
    rng = random.Random(f"{seed}:import:changed" if changed else f"{seed}:import")
    authorities = list(Authority.objects.order_by("code").values_list("code", flat=True))
    indicators = [
        IndicatorSpec(code, "", "", unit, polarity, decimals, 0)
        for code, unit, polarity, decimals in Indicator.objects.order_by("position", "code").values_list(
            "code", "unit", "polarity", "decimals"
        )
    ]
    written = 0
    period = after
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["authority", "indicator", "period", "value", "status", "commentary"])
        while written < rows:
            period = (period + datetime.timedelta(days=32)).replace(day=1)
            for code in authorities:
                for indicator in indicators:
                    if written >= rows:
                        break
                    level = base_level(rng, indicator)
                    if rng.random() < STATUS_SHARE:
                        writer.writerow([code, indicator.code, f"{period:%Y-%m}", "", "not_yet_reported", ""])
                    else:
                        commentary = COMMENTARY if rng.random() < COMMENTARY_SHARE else ""
                        value = figure_text(bounded(level, indicator.unit), indicator)
                        writer.writerow([code, indicator.code, f"{period:%Y-%m}", value, "", commentary])
                    written += 1
    return period, written
