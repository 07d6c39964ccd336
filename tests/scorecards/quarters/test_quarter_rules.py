"""The quarter rules of shared/CONTRACT.md without a database: labels, windows and every rule's boundaries."""

from __future__ import annotations

import ast
import datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import pytest

from scorecards import quarters
from scorecards.quarters import POOLED, SUM, Quarter, quarter_figure, quarter_window, rule_problem

D = Decimal


class Month(NamedTuple):
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    status: str = ""
    commentary: str = ""


Q4 = Quarter(2019, 4)  # January to March 2020
JAN, FEB, MAR = (datetime.date(2020, month, 1) for month in (1, 2, 3))


def test_the_module_imports_no_django():
    tree = ast.parse(Path(quarters.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.startswith("django") for name in imported)


@pytest.mark.parametrize(
    ("text", "year", "number", "first", "last"),
    [
        ("2019-20-Q4", 2019, 4, datetime.date(2020, 1, 1), datetime.date(2020, 3, 1)),
        ("2020-21-Q1", 2020, 1, datetime.date(2020, 4, 1), datetime.date(2020, 6, 1)),
        ("2020-21-Q3", 2020, 3, datetime.date(2020, 10, 1), datetime.date(2020, 12, 1)),
        ("1999-00-Q2", 1999, 2, datetime.date(1999, 7, 1), datetime.date(1999, 9, 1)),
    ],
)
def test_it_reads_a_quarter_and_its_months(text, year, number, first, last):
    quarter = Quarter.parse(text)
    assert (quarter.year, quarter.number) == (year, number)
    assert (quarter.first_month, quarter.last_month) == (first, last)
    assert quarter.label == text


@pytest.mark.parametrize(
    "text", ["2020-21-Q5", "2020-21-Q0", "2020-22-Q1", "2020-21", "2020-21-q1", "", "20-21-Q1"]
)
def test_it_refuses_an_impossible_quarter(text):
    with pytest.raises(ValueError, match="is not a quarter"):
        Quarter.parse(text)


@pytest.mark.parametrize(
    ("month", "label"),
    [
        ("2020-01", "2019-20-Q4"),
        ("2020-03", "2019-20-Q4"),
        ("2020-04", "2020-21-Q1"),
        ("2020-12", "2020-21-Q3"),
    ],
)
def test_a_month_belongs_to_its_financial_quarter(month, label):
    year, number = map(int, month.split("-"))
    assert Quarter.of(datetime.date(year, number, 1)).label == label


def test_the_window_counts_quarters_back_across_financial_years():
    assert [q.label for q in quarter_window(Quarter(2020, 2), 5)] == [
        "2019-20-Q2",
        "2019-20-Q3",
        "2019-20-Q4",
        "2020-21-Q1",
        "2020-21-Q2",
    ]


def test_names_say_the_quarter_and_its_months():
    assert Q4.name == "Q4 2019/20 (January to March 2020)"
    assert Q4.short == "Q4 2019/20"


# end --------------------------------------------------------------------------------------------------------


def test_end_takes_the_latest_month_with_a_value_and_its_counts():
    figure = quarter_figure(
        "end", "percent", Q4, {JAN: Month(D(50), D(5), D(10)), FEB: Month(D(60), D(6), D(10))}
    )
    assert (figure.value, figure.numerator, figure.denominator, figure.months) == (D(60), D(6), D(10), (FEB,))


def test_end_passes_over_a_latest_month_with_only_a_status():
    figure = quarter_figure(
        "end", "percent", Q4, {FEB: Month(D(60)), MAR: Month(None, status="not_available")}
    )
    assert figure.value == D(60) and figure.numerator is None


def test_end_without_any_value_keeps_the_status_so_not_available_is_not_blank():
    figure = quarter_figure("end", "percent", Q4, {MAR: Month(None, status="not_available")})
    assert figure.value is None and figure.status == "not_available"


def test_no_month_at_all_is_no_value_and_no_status():
    figure = quarter_figure("end", "count", Q4, {})
    assert figure.value is None and figure.status == "" and figure.incomplete == 0


# sum --------------------------------------------------------------------------------------------------------


def test_sum_adds_the_three_months():
    figure = quarter_figure("sum", "count", Q4, {JAN: Month(D(11)), FEB: Month(D(9)), MAR: Month(D(14))})
    assert figure.value == D(34) and figure.numerator is None and figure.denominator is None


@pytest.mark.parametrize("missing", [JAN, FEB, MAR])
def test_sum_needs_all_three_months(missing):
    months = {month: Month(D(10)) for month in (JAN, FEB, MAR) if month != missing}
    figure = quarter_figure(SUM, "count", Q4, months)
    assert figure.value is None and figure.incomplete == 2


def test_sum_of_a_month_with_a_status_instead_of_a_value_is_no_value():
    months = {JAN: Month(D(1)), FEB: Month(D(2)), MAR: Month(None, status="suppressed")}
    assert quarter_figure(SUM, "count", Q4, months).value is None


def test_sum_carries_summed_counts_only_when_all_three_have_them():
    full = {m: Month(D(50), D(5), D(10)) for m in (JAN, FEB, MAR)}
    figure = quarter_figure(SUM, "days", Q4, full)
    assert (figure.numerator, figure.denominator) == (D(15), D(30))
    partial = {**full, MAR: Month(D(50))}
    figure = quarter_figure(SUM, "days", Q4, partial)
    assert figure.value == D(150) and figure.numerator is None and figure.denominator is None


# pooled -----------------------------------------------------------------------------------------------------


def test_pooled_is_the_numerators_over_the_denominators_times_the_unit():
    months = {JAN: Month(D(50), D(1), D(2)), FEB: Month(D(100), D(3), D(3)), MAR: Month(D(0), D(0), D(5))}
    figure = quarter_figure(POOLED, "percent", Q4, months)
    assert figure.value == D("40.0000")  # 4 of 10, not the mean of 50, 100 and 0
    assert (figure.numerator, figure.denominator) == (D(4), D(10))


def test_pooled_rate_per_10k_uses_its_multiplier():
    months = {m: Month(D(1), D(1), D(30_000)) for m in (JAN, FEB, MAR)}
    assert quarter_figure(POOLED, "rate_per_10k", Q4, months).value == D("0.3333")


@pytest.mark.parametrize(
    "march",
    [Month(D(50)), Month(D(50), D(1), None), Month(D(50), None, D(2)), None],
    ids=["no counts", "no denominator", "no numerator", "no month"],
)
def test_pooled_needs_both_counts_in_all_three_months(march):
    months = {JAN: Month(D(50), D(1), D(2)), FEB: Month(D(50), D(1), D(2))}
    if march is not None:
        months[MAR] = march
    figure = quarter_figure(POOLED, "percent", Q4, months)
    assert figure.value is None and figure.numerator is None and figure.incomplete == 2


def test_commentary_of_the_months_travels_newest_first():
    figure = quarter_figure(
        "end", "count", Q4, {JAN: Month(D(1), commentary="first"), MAR: Month(D(2), commentary="last")}
    )
    assert figure.commentary == "March 2020: last\n\nJanuary 2020: first"


def test_a_rule_outside_the_list_and_pooled_counts_are_problems():
    assert "not a quarter rule" in rule_problem("mean", "percent")
    assert "pooled" in rule_problem(POOLED, "count")
    assert rule_problem(POOLED, "percent") == rule_problem(SUM, "count") == ""
