"""Rule 8 (health figures at 31 March), codes outside the schema, the catalogue, and the rules staying
plain Python and fast. No database."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from scorecards.returns.rules import INDICATORS, ProblemRule, compute

from .helpers import APR, FEB, MAR, figures, make, problems

PROJECT_ROOT = Path(__file__).resolve().parents[3]


# Rule 8 ----------------------------------------------------------------------------------------------------

HEALTH_RETURN = dict(
    episodes=(
        "1,01/04/2017,S,C2,U1,,",  # in care from the first day of the 12 months
        "2,02/04/2017,S,C2,U1,,",  # a day late
        "3,01/01/2017,S,C2,U1,10/10/2017,X1",  # continuous, no oc2 row: denominator only
        "3,10/10/2017,P,C2,U2,,",
        "4,01/01/2017,S,C2,U1,10/10/2017,E11",  # out for a day
        "4,11/10/2017,S,C2,U1,,",
        "5,01/01/2016,S,C2,U1,,",  # two oc2 rows: the later is used
        "6,01/01/2016,S,C2,U1,,",
        "7,01/01/2017,S,C2,U1,01/06/2017,X1",  # a temporary placement keeps the child in care
        "7,01/06/2017,T,C2,T1,15/06/2017,X1",
        "7,15/06/2017,T,C2,U1,,",
        "8,01/01/2017,S,C2,U1,01/07/2017,X1",  # a short break is not care: a gap
        "8,01/07/2017,L,V3,U1,08/07/2017,X1",
        "8,08/07/2017,L,C2,U1,,",
        "9,01/01/2017,S,C2,U1,31/03/2018,E11",  # in care all year but not on D
    ),
    oc2=[
        "1,1,1,1",
        "2,1,1,1",
        "4,1,1,1",
        "5,1,1,1",
        "6,01,1,",
        "7,1,1,0",
        "8,1,1,1",
        "9,1,1,1",
        "5,0,0,0",
    ],
)


def test_health_figures_are_made_at_31_march_over_children_in_care_all_year():
    tables = make(*HEALTH_RETURN["episodes"], oc2=HEALTH_RETURN["oc2"])
    result = compute(tables, month_ends=[FEB, MAR, APR])
    found = figures(result)
    assert found[("dental_check_pct", "2018-03")] == (2, 5, Decimal(40))  # children 1, 7 of 1, 3, 5, 6, 7
    assert found[("rha_on_time_pct", "2018-03")] == (3, 5, Decimal(60))  # 1, 6, 7
    assert found[("immunisations_up_to_date_pct", "2018-03")] == (1, 5, Decimal(20))  # 1
    health = {"dental_check_pct", "rha_on_time_pct", "immunisations_up_to_date_pct"}
    assert {figure.period for figure in result.figures if figure.indicator in health} == {date(2018, 3, 1)}
    assert problems(result) == [(5, "5", "repeated_oc2_row")]
    assert result.problems[0].table == "oc2.csv" and "(row 10)" in result.problems[0].message


def test_health_figures_need_children_in_care_all_year():
    result = compute(make("1,01/05/2017,S,C2,U1,,", oc2=["1,1,1,1"]), month_ends=[MAR])
    assert ("dental_check_pct", "2018-03") not in figures(result)


# Codes outside the schema ----------------------------------------------------------------------------------

SCHEMA_CODES = {
    "RNE": {"S", "L", "P", "T", "B", "U"},
    "LS": {"C2", "V3", "V4"},
    "PLACE": {"U1", "T0"},
    "REC": {"X1", "E11", ""},
    "MISSING": {"M", "A"},
    "TEETH_CHECK": {"0", "1", ""},
}


def test_codes_outside_the_schema_are_problems_and_the_row_is_kept():
    tables = make(
        "1,01/01/2018,S,Z9,U1,,",
        "2,01/01/2018,,C2,U1,,",
        "3,01/01/2018,S,C2,U1,01/03/2018,E99",
        missing=["1,Q,01/03/2018"],
        oc2=["1,yes,1,1"],
    )
    result = compute(tables, month_ends=[MAR], schema_codes=SCHEMA_CODES)
    assert figures(result)[("cic_count", "2018-03")] == 2
    assert figures(result)[("cic_ceased_in_month", "2018-03")] == 1
    assert figures(result)[("missing_incidents_in_month", "2018-03")] == 1
    assert problems(result) == [
        (2, "1", "unknown_code"),
        (3, "2", "unknown_code"),
        (4, "3", "unknown_code"),
    ] + [
        (2, "1", "unknown_code"),
        (2, "1", "unknown_code"),
    ]
    assert [problem.message for problem in result.problems[:2]] == [
        "LS 'Z9' is not one of the schema's codes",
        "RNE is blank, which the schema does not allow",
    ]
    assert compute(tables, month_ends=[MAR]).problems == []


def test_problem_rules_and_the_catalogue():
    assert {rule.value for rule in ProblemRule} >= {"bad_date", "duplicate_episode", "overlapping_episode"}
    assert [entry.code for entry in INDICATORS] == [
        "cic_count",
        "cic_started_in_month",
        "cic_ceased_in_month",
        "missing_incidents_in_month",
        "three_plus_placements_pct",
        "rha_on_time_pct",
        "dental_check_pct",
        "immunisations_up_to_date_pct",
    ]
    kinds = {entry.code: (entry.unit, entry.polarity) for entry in INDICATORS}
    assert (
        kinds["cic_count"]
        == kinds["cic_started_in_month"]
        == kinds["cic_ceased_in_month"]
        == ("count", "neutral")
    )
    assert kinds["missing_incidents_in_month"] == ("count", "lower_is_better")
    assert kinds["three_plus_placements_pct"] == ("percent", "lower_is_better")
    assert kinds["dental_check_pct"] == kinds["rha_on_time_pct"] == ("percent", "higher_is_better")
    assert all(entry.definition and entry.name and entry.decimals == 0 for entry in INDICATORS)


# The rules stay plain Python and fast ----------------------------------------------------------------------


def test_the_modules_import_no_django():
    modules = (
        "scorecards.returns, scorecards.returns.reader, scorecards.returns.rules, scorecards.returns.schema"
    )
    check = (
        f"import sys, {modules}; "
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "assert not loaded, loaded"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


MEASURE = """
import json, resource, sys, time
from scorecards.returns.reader import read_csv_files
from scorecards.returns.rules import compute
from tests.scorecards.returns.synthetic import month_ends, synthetic_return

files = synthetic_return()  # 15,000 children, about 60,000 episodes, 20,000 missing rows
started = time.process_time()
result = compute(read_csv_files(files), month_ends=month_ends())
seconds = time.process_time() - started
# VmHWM, not ru_maxrss: a child keeps its parent's ru_maxrss through fork and exec, so after any test that once
# held 600 MB in the pytest process this measured 600 MB.
try:
    peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) * 1024
except OSError:  # no /proc (not Linux): the whole process, as getrusage sees it
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
rows = {name: data.count(b"\\n") - 1 for name, data in files.items()}
print(json.dumps({"seconds": seconds, "peak": peak, "figures": len(result.figures), "rows": rows}))
"""


def test_a_large_councils_ten_years_compute_in_well_under_30_seconds_and_500_mb():
    """Measured in a fresh process, so that the peak memory is this return's alone (CPU time: a busy machine
    does not count). It took about 2 s and 90 MB when written."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    measured = json.loads(result.stdout)
    assert measured["rows"]["episodes.csv"] > 59_000 and measured["rows"]["missing.csv"] == 20_000
    assert measured["figures"] == 120 * 5 + 10 * 3  # 120 month-ends, ten of them 31 March
    assert measured["seconds"] < 30 and measured["peak"] < 500 * 1024 * 1024, measured
