"""The SSDA903 rules 1 to 7 of shared/CONTRACT.md on small hand-made returns. No database.

Every expectation is worked out from the contract's wording, not read off the implementation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from scorecards.returns.rules import compute, year_start

from .helpers import APR, FEB, MAR, figures, make, problems

# The 12 months and the month-ends --------------------------------------------------------------------------


def test_the_12_months_ending_on_d_start_the_day_after_the_same_date_a_year_before():
    assert year_start(MAR) == date(2017, 4, 1)
    assert year_start(date(2017, 6, 30)) == date(2016, 7, 1)
    assert year_start(FEB) == date(2017, 3, 1)
    assert year_start(date(2020, 2, 29)) == date(2019, 3, 1)  # no 29/02/2019: the year runs from 1 March


def test_only_month_ends_are_accepted():
    with pytest.raises(ValueError, match="2018-03-30 is not the last day of a month"):
        compute(make(), month_ends=[date(2018, 3, 30)])


# Rules 1 and 2 ---------------------------------------------------------------------------------------------


def test_dates_that_do_not_parse_or_are_blank_are_problems_and_the_row_is_left_out():
    result = compute(
        make(
            "1,31/02/2018,S,C2,U1,,",
            "2,2018-03-01,S,C2,U1,,",
            "3,,S,C2,U1,,",
            "4,01/03/2018,S,C2,U1,1/3/2018,E11",
            "5,01/03/2018,S,C2,U1,,",
            missing=["5,M,32/03/2018", "5,M,", "5,A,01/03/2018"],
        ),
        month_ends=[MAR],
    )
    assert figures(result)[("cic_count", "2018-03")] == 1
    assert figures(result)[("cic_started_in_month", "2018-03")] == 1
    assert figures(result)[("missing_incidents_in_month", "2018-03")] == 1
    assert problems(result) == [(2, "1", "bad_date"), (3, "2", "bad_date"), (4, "3", "bad_date")] + [
        (5, "4", "bad_date"),
        (2, "5", "bad_date"),
        (3, "5", "bad_date"),
    ]
    messages = [problem.message for problem in result.problems]
    assert messages[0] == "DECOM '31/02/2018' is not a date written DD/MM/YYYY"
    assert messages[2] == "DECOM is blank" and messages[3].startswith("DEC '1/3/2018'")
    assert [problem.table for problem in result.problems] == ["episodes.csv"] * 4 + ["missing.csv"] * 2


def test_a_blank_child_is_a_problem_and_left_out():
    result = compute(make(",01/03/2018,S,C2,U1,,"), month_ends=[MAR])
    assert figures(result)[("cic_count", "2018-03")] == 0
    assert problems(result) == [(2, "", "blank_child")]


def test_short_breaks_take_no_part():
    result = compute(
        make(
            "1,01/01/2018,S,C2,U1,,",  # stays open: the short break after it is removed, so it is not stray
            "1,01/02/2018,P,V3,U2,03/02/2018,E11",
            "2,01/03/2018,S,V4,U1,,",  # only short breaks: not in care, not started
            "3,01/03/2018,S,C2,U1,,",
            "3,01/03/2018,S,V3,U1,10/03/2018,E11",  # removed first, so it does not replace the row above
        ),
        month_ends=[FEB, MAR],
    )
    assert figures(result)[("cic_count", "2018-03")] == 2
    assert figures(result)[("cic_started_in_month", "2018-03")] == 1
    assert figures(result)[("cic_ceased_in_month", "2018-02")] == 0
    assert result.problems == []


def test_of_two_rows_with_the_same_child_and_decom_the_later_replaces_the_earlier_whole():
    result = compute(
        make(
            "1,01/01/2018,S,C2,U1,15/03/2018,E11",
            "2,01/01/2018,S,C2,U1,,",
            "2,01/01/2018,S,C2,U1,,",
            "2,01/01/2018,P,C2,U1,20/03/2018,E11",
            "1,01/01/2018,S,C2,U1,,",
        ),
        month_ends=[MAR],
    )
    assert figures(result)[("cic_count", "2018-03")] == 1  # child 1's later row is open; child 2's ended
    assert figures(result)[("cic_ceased_in_month", "2018-03")] == 1
    assert figures(result)[("cic_started_in_month", "2018-03")] == 0
    assert problems(result) == [(2, "1", "duplicate_episode"), (3, "2", "duplicate_episode")] + [
        (4, "2", "duplicate_episode")
    ]
    assert result.problems[0].message == "same CHILD and DECOM (01/01/2018) as row 6, which replaces this row"
    assert "row 5" in result.problems[1].message and "row 5" in result.problems[2].message


def test_an_overlapping_episode_is_closed_where_the_next_starts_but_its_recorded_dec_still_counts():
    result = compute(
        make("1,01/02/2018,P,C2,U2,10/02/2018,E12", "1,01/01/2018,S,C2,U1,20/03/2018,E11"),
        month_ends=[date(2018, 1, 31), FEB, MAR],
    )
    found = figures(result)
    assert found[("cic_count", "2018-01")] == 1
    assert found[("cic_count", "2018-02")] == 0  # the first episode ended on 01/02, the second on 10/02
    assert found[("cic_ceased_in_month", "2018-02")] == 1
    assert found[("cic_ceased_in_month", "2018-03")] == 1  # the recorded DEC, not the end of rule 2
    assert problems(result) == [(3, "1", "overlapping_episode")]
    assert "(row 2) starts on 01/02/2018" in result.problems[0].message


def test_a_stray_open_episode_is_closed_where_the_next_starts():
    result = compute(
        make("1,01/01/2017,S,C2,U1,,", "1,01/06/2017,S,C2,U1,01/07/2017,E11"),
        month_ends=[date(2017, 5, 31), MAR],
    )
    found = figures(result)
    assert found[("cic_count", "2017-05")] == 1 and found[("cic_count", "2018-03")] == 0
    assert ("three_plus_placements_pct", "2018-03") not in found  # no child in care: no figure
    assert problems(result) == [(2, "1", "stray_open_episode")]


def test_an_episode_ending_before_it_starts_is_reported_and_never_open():
    result = compute(make("1,01/03/2018,S,C2,U1,01/02/2018,E11"), month_ends=[FEB, MAR])
    assert figures(result)[("cic_count", "2018-03")] == 0
    assert figures(result)[("cic_ceased_in_month", "2018-02")] == 1
    assert problems(result) == [(2, "1", "ends_before_start")]


# Rules 3 to 5: month boundaries ----------------------------------------------------------------------------


def test_open_on_d_when_decom_is_d_and_not_when_the_end_is_d():
    result = compute(
        make(
            "1,31/03/2018,S,C2,U1,,",  # starts on the last day of March: open on D, started in March
            "2,01/01/2018,S,C2,U1,31/03/2018,E11",  # ends on D: not open on D, ceased in March
            "3,01/04/2018,S,C2,U1,,",  # starts on the first day of April
            "4,01/01/2018,S,C2,U1,01/04/2018,E11",  # ends on the first day of April
            "5,01/03/2018,S,C2,U1,,",  # starts on the first day of March
            "6,28/02/2018,S,C2,U1,01/03/2018,E13",
        ),
        month_ends=[FEB, MAR, APR],
    )
    found = figures(result)
    assert [found[("cic_count", month)] for month in ("2018-02", "2018-03", "2018-04")] == [3, 3, 3]
    assert [found[("cic_started_in_month", month)] for month in ("2018-02", "2018-03", "2018-04")] == [
        1,
        2,
        1,
    ]
    assert [found[("cic_ceased_in_month", month)] for month in ("2018-02", "2018-03", "2018-04")] == [0, 2, 1]
    assert all(figure.numerator is None and figure.denominator is None for figure in result.figures[:3])


def test_started_and_ceased_count_children_and_rec_x1_is_not_a_leaving():
    result = compute(
        make(
            "1,01/03/2018,S,C2,U1,10/03/2018,X1",
            "1,20/03/2018,S,C2,U1,25/03/2018,E11",  # a child who starts and leaves twice counts once each
            "2,01/01/2018,S,C2,U1,10/03/2018,",  # a blank REC counts
            "3,01/01/2018,S,C2,U1,11/03/2018,E4A",
            "4,01/01/2018,L,C2,U1,12/03/2018,X1",
            "5,02/03/2018,P,C2,U1,,",  # not S: a change, not a start
        ),
        month_ends=[MAR],
    )
    assert figures(result)[("cic_started_in_month", "2018-03")] == 1
    assert figures(result)[("cic_ceased_in_month", "2018-03")] == 3


# Rule 6 ----------------------------------------------------------------------------------------------------


def test_placements_pass_over_temporary_episodes_and_count_when_open_in_the_12_months():
    result = compute(
        make(
            # child 1: placements [a], [c d f], [g] -> 3
            "1,01/05/2017,S,C2,U1,,",
            "1,01/06/2017,T,C2,T1,,",  # temporary: ends the episode before it, then passed over
            "1,01/07/2017,P,C2,U1,,",
            "1,01/08/2017,L,C2,U1,,",
            "1,01/09/2017,P,C2,T2,,",  # temporary although its RNE is P: starts nothing
            "1,01/10/2017,T,C2,U3,,",
            "1,01/11/2017,B,C2,U4,,",
            # child 2: the same without the last -> 2
            "2,01/05/2017,S,C2,U1,,",
            "2,01/06/2017,T,C2,T1,,",
            "2,01/07/2017,P,C2,U1,,",
            "2,01/09/2017,P,C2,T2,,",
            "2,01/10/2017,T,C2,U3,,",
            # child 3: the first placement ended on 01/04/2017, the first day of the 12 months -> 2
            "3,01/02/2017,S,C2,U1,01/04/2017,X1",
            "3,01/04/2017,P,C2,U2,01/06/2017,X1",
            "3,01/06/2017,P,C2,U3,,",
            # child 4: the first placement ended a day later, so was open on 01/04/2017 -> 3
            "4,01/02/2017,S,C2,U1,02/04/2017,X1",
            "4,02/04/2017,P,C2,U2,01/06/2017,X1",
            "4,01/06/2017,P,C2,U3,,",
            # child 5: three placements but not in care on D -> in neither count
            "5,01/05/2017,S,C2,U1,,",
            "5,01/06/2017,P,C2,U2,,",
            "5,01/07/2017,P,C2,U3,01/03/2018,E11",
            # child 6: in care on D in a temporary placement -> in care, 1 placement
            "6,01/01/2018,S,C2,U1,,",
            "6,01/03/2018,T,C2,T0,,",
            # child 7: the first non-temporary episode starts a placement whatever its RNE -> 3
            "7,01/01/2018,S,C2,T0,,",
            "7,15/01/2018,L,C2,U1,,",
            "7,01/02/2018,P,C2,U2,,",
            "7,01/03/2018,B,C2,U3,,",
        ),
        month_ends=[MAR],
    )
    assert figures(result)[("three_plus_placements_pct", "2018-03")] == (3, 6, Decimal(50))
    assert [problem.rule for problem in result.problems] == ["stray_open_episode"] * 16


def test_percentages_are_unrounded():
    result = compute(
        make(
            "1,01/01/2018,S,C2,U1,,",
            "2,01/01/2018,S,C2,U1,,",
            "3,01/01/2018,S,C2,U1,01/02/2018,X1",
            "3,01/02/2018,P,C2,U2,01/03/2018,X1",
            "3,01/03/2018,B,C2,U3,,",
        ),
        month_ends=[MAR],
    )
    numerator, denominator, value = figures(result)[("three_plus_placements_pct", "2018-03")]
    assert (numerator, denominator) == (1, 3)
    assert value == Decimal(100) / Decimal(3) == Decimal("33.33333333333333333333333333")


# Rule 7 ----------------------------------------------------------------------------------------------------


def test_missing_incidents_count_rows_by_the_month_they_start_whatever_their_code():
    result = compute(
        make(
            "1,01/01/2018,S,C2,U1,,",
            missing=["1,M,01/03/2018", "1,A,15/03/2018", "1,A,15/03/2018", "2,M,31/03/2018", "1,M,28/02/2018"]
            + ["1,M,01/04/2018", "1,Z,20/03/2018"],
        ),
        month_ends=[FEB, MAR, APR],
    )
    found = figures(result)
    assert [found[("missing_incidents_in_month", m)] for m in ("2018-02", "2018-03", "2018-04")] == [1, 5, 1]


def test_without_the_missing_or_oc2_table_their_figures_are_not_computed():
    result = compute(make("1,01/01/2017,S,C2,U1,,"), month_ends=[MAR])
    assert {figure.indicator for figure in result.figures} == {
        "cic_count",
        "cic_started_in_month",
        "cic_ceased_in_month",
        "three_plus_placements_pct",
    }
    assert result.notes == [
        "missing.csv is absent: missing_incidents_in_month is not computed",
        "oc2.csv is absent: dental_check_pct, rha_on_time_pct, immunisations_up_to_date_pct are not computed",
    ]
