"""A large synthetic SSDA903 return (CSV tables as bytes), for measuring how long the rules take."""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

EPISODE_COLUMNS = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]
FIRST, LAST = date(2015, 4, 1), date(2025, 3, 31)


def month_ends(first: date = FIRST, last: date = LAST) -> list[date]:
    ends = []
    year, month = first.year, first.month
    while date(year, month, 1) <= last:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        ends.append(date(year, month, 1) - timedelta(days=1))
    return ends


def synthetic_return(children: int = 15_000, missing_rows: int = 20_000, seed: int = 903) -> dict[str, bytes]:
    """About 4 episodes a child (60,000 for 15,000 children) over ten years, with short breaks, temporary
    placements, gaps, overlaps and open episodes; ``missing_rows`` missing incidents; an oc2 row a child."""
    rng = random.Random(seed)
    span = (LAST - FIRST).days

    def show(day: date) -> str:
        return day.strftime("%d/%m/%Y")

    episodes, missing, oc2 = io.StringIO(), io.StringIO(), io.StringIO()
    writer = csv.writer(episodes)
    writer.writerow(EPISODE_COLUMNS)
    for number in range(children):
        child = f"{100000 + number}"
        day = FIRST + timedelta(days=rng.randrange(-365, span))
        count = rng.randint(1, 7)
        rne = "S"
        for index in range(count):
            last = index == count - 1
            ls = rng.choice(["C2", "C2", "C1", "J2", "E1", "D1", "L1", "V2", "V3", "V4"])
            place = rng.choice(["U1", "U4", "K2", "R1", "A3", "P1", "H5", "T0", "T2", "T4"])
            ended = day + timedelta(days=rng.randint(1, 400))
            open_ = last and rng.random() < 0.4
            rec = "" if open_ else ("X1" if not last else rng.choice(["E11", "E12", "E4A", "E13", ""]))
            writer.writerow(
                [
                    child,
                    show(day),
                    rne,
                    ls,
                    "N1",
                    place,
                    "PR1",
                    "" if open_ else show(ended),
                    rec,
                    "",
                    "",
                    "",
                    "",
                ]
            )
            gap, overlap = rng.random() < 0.1, rng.random() < 0.02  # overlaps make data-quality problems
            day = ended + timedelta(days=30 if gap else -10 if overlap else 0)
            rne = "S" if gap else rng.choice("PPLTBU")
    writer = csv.writer(missing)
    writer.writerow(["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"])
    for _ in range(missing_rows):
        start = FIRST + timedelta(days=rng.randrange(span))
        child = f"{100000 + rng.randrange(children)}"
        writer.writerow([child, "01/01/2010", rng.choice("MA"), show(start), show(start + timedelta(days=2))])
    writer = csv.writer(oc2)
    writer.writerow(["CHILD", "DOB", "SDQ_SCORE", "TEETH_CHECK", "HEALTH_ASSESSMENT", "IMMUNISATIONS"])
    for number in range(children):
        writer.writerow([f"{100000 + number}", "01/01/2010", "12"] + [rng.choice("01") for _ in range(3)])
    return {
        "episodes.csv": episodes.getvalue().encode(),
        "missing.csv": missing.getvalue().encode(),
        "oc2.csv": oc2.getvalue().encode(),
    }
