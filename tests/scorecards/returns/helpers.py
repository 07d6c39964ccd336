"""What the SSDA903 return tests share: hand-made returns, reading results, and the shared data."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from scorecards.returns.reader import read_csv_files

SHARED_DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
FAKE = SHARED_DATA / "ssda903_spec" / "d2i_fake_data"
SCHEMA = SHARED_DATA / "ssda903_spec" / "liia_SSDA903_schema_2024.yml"
#: In CI the shared data is required: the tests run, and fail loudly when it is absent.
CI = os.environ.get("CI") == "true"
needs_shared = pytest.mark.skipif(
    not CI and not FAKE.exists(),
    reason="../shared/data is absent: clone the project beside ../shared to run the tests on the D2I fake return",
)
HEADER = "CHILD,DECOM,RNE,LS,PLACE,DEC,REC"
FEB, MAR, APR = date(2018, 2, 28), date(2018, 3, 31), date(2018, 4, 30)


def shared(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"CI=true but {path} is absent: ../shared/data is required in CI")
    return path


def make(*episodes: str, missing: list[str] | None = None, oc2: list[str] | None = None):
    """A return from rows written CHILD,DECOM,RNE,LS,PLACE,DEC,REC (missing: CHILD,MISSING,MIS_START;
    oc2: CHILD,TEETH_CHECK,HEALTH_ASSESSMENT,IMMUNISATIONS); episode rows are rows 2, 3, ... of the file."""
    files = {"episodes.csv": "\n".join([HEADER, *episodes]).encode()}
    if missing is not None:
        files["missing.csv"] = "\n".join(["CHILD,MISSING,MIS_START", *missing]).encode()
    if oc2 is not None:
        files["oc2.csv"] = "\n".join(["CHILD,TEETH_CHECK,HEALTH_ASSESSMENT,IMMUNISATIONS", *oc2]).encode()
    return read_csv_files(files)


def figures(result) -> dict[tuple[str, str], object]:
    """(indicator, YYYY-MM) -> value for counts, (numerator, denominator, value) for percentages."""
    out = {}
    for figure in result.figures:
        key = (figure.indicator, figure.period.strftime("%Y-%m"))
        if figure.denominator is None:
            out[key] = figure.value
        else:
            out[key] = (figure.numerator, figure.denominator, figure.value)
    return out


def problems(result) -> list[tuple[int, str, str]]:
    return [(problem.row, problem.child, problem.rule) for problem in result.problems]
