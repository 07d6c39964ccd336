"""The import of officers' files (shared/CONTRACT.md, "Files officers upload"): every kind, every rule."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from textwrap import dedent

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from authorities.models import Authority, StatisticalNeighbour
from scorecards.imports import (
    Action,
    ImportFailed,
    RowError,
    Table,
    TableRow,
    apply_import,
    import_file,
    messages,
    plan_import,
    plan_table,
    read_table,
)
from scorecards.models import (
    Benchmark,
    ChangeRecord,
    Indicator,
    MonthlyValue,
    ScorecardMonth,
    SignOffState,
    Target,
)

VALUES_HEADER = "authority,indicator,period,value,numerator,denominator,status,commentary"
VALUE_COLUMNS = "authority, indicator, period, value, numerator, denominator, status, commentary, cohort"
NOV = datetime.date(2020, 11, 1)


def csv_bytes(text: str) -> io.BytesIO:
    return io.BytesIO(dedent(text).lstrip("\n").encode("utf-8"))


def plan_csv(kind: str, text: str, filename: str = "upload.csv"):
    return plan_import(kind, csv_bytes(text), filename)


def import_csv(kind: str, text: str, **options):
    return import_file(kind, csv_bytes(text), "upload.csv", **options)


def counts() -> dict[str, int]:
    models = (Authority, StatisticalNeighbour, Indicator, MonthlyValue, Benchmark, Target, ChangeRecord)
    return {model.__name__: model.objects.count() for model in models}


def xlsx_bytes(rows: list[list], *, formats: dict[str, str] | None = None) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def catalogue(home_authority, make_indicator):
    """Dorset and one indicator of each unit, as the Dorset reference file has them."""
    return {
        "authority": home_authority,
        "dental": make_indicator(code="dental_check_pct", unit="percent", decimals=0),
        "rate": make_indicator(
            code="cic_rate_per_10k", unit="rate_per_10k", polarity="lower_is_better", decimals=1
        ),
        "count": make_indicator(code="cic_count", unit="count", polarity="neutral", decimals=0),
        "days": make_indicator(code="days_to_adoption", unit="days", polarity="lower_is_better", decimals=0),
        "score": make_indicator(code="progress8_average", unit="score", decimals=2),
    }


# Each kind: created, then updated, then unchanged ---------------------------------------------------------

KIND_CASES = {
    "authorities": (
        """
        code,name,gss_code,region,statistical_neighbours
        838,Dorset,E06000059,South West,933;878
        878,Devon,E10000008,South West,845;838
        """,
        """
        code,name,gss_code,region,statistical_neighbours
        838,Dorset Council,E06000059,South West,933;878
        878,Devon,E10000008,South West,845;838
        """,
        lambda: Authority.objects.get(code="838").name == "Dorset Council",
    ),
    "indicators": (
        """
        code,section,name,unit,polarity,decimals,source,definition,amber_tolerance
        dental_check_pct,Health,Dental checks,percent,higher_is_better,0,Mosaic,,5
        cic_count,Profile,Children in care,count,neutral,0,Mosaic,,
        """,
        """
        code,section,name,unit,polarity,decimals,source,definition,amber_tolerance
        dental_check_pct,Health,Dental checks,percent,higher_is_better,1,Mosaic,,2.5
        cic_count,Profile,Children in care,count,neutral,0,Mosaic,,
        """,
        lambda: Indicator.objects.filter(
            code="dental_check_pct", decimals=1, amber_tolerance=Decimal("2.5")
        ).exists(),
    ),
    "values": (
        """
        authority,indicator,period,value,status,commentary
        838,dental_check_pct,2020-10,55,,
        838,dental_check_pct,2020-11,,not_yet_reported,Late from the CCG
        """,
        """
        authority,indicator,period,value,status,commentary
        838,dental_check_pct,2020-10,55,,
        838,dental_check_pct,2020-11,42,,Late from the CCG
        """,
        lambda: MonthlyValue.objects.filter(period=NOV, value=42, status="").exists(),
    ),
    "benchmarks": (
        """
        authority,indicator,year,england,region,sn_average,sn_min,sn_max,own,note
        838,dental_check_pct,2018/19,85,,,78,94,,
        838,cic_rate_per_10k,2018/19,65,,55,44,57,54,
        """,
        """
        authority,indicator,year,england,region,sn_average,sn_min,sn_max,own,note
        838,dental_check_pct,2018/19,86,,,78,94,,revised
        838,cic_rate_per_10k,2018/19,65,,55,44,57,54,
        """,
        lambda: Benchmark.objects.filter(england=86, note="revised", source="entered").exists(),
    ),
    "targets": (
        """
        authority,indicator,kind,year,value,note
        838,cic_rate_per_10k,target,2022/23,60,Placement Sufficiency Strategy
        838,cic_count,baseline,2019/20,440,
        """,
        """
        authority,indicator,kind,year,value,note
        838,cic_rate_per_10k,target,2022/23,58.5,Placement Sufficiency Strategy
        838,cic_count,baseline,2019/20,440,
        """,
        lambda: Target.objects.filter(kind="target", value=Decimal("58.5")).exists(),
    ),
}


@pytest.mark.parametrize("kind", KIND_CASES)
def test_it_creates_then_updates_then_leaves_unchanged(kind, catalogue):
    first, second, updated = KIND_CASES[kind]
    if kind == "authorities":
        Authority.objects.all().delete()
    if kind == "indicators":
        Indicator.objects.filter(code__in=["dental_check_pct", "cic_count"]).delete()

    assert str(import_csv(kind, first)) == "created 2, updated 0, unchanged 0"
    assert str(import_csv(kind, second)) == "created 0, updated 1, unchanged 1"
    assert updated()
    assert str(import_csv(kind, second)) == "created 0, updated 0, unchanged 2"


def test_the_plan_says_what_changes_from_what_without_writing(catalogue, make_value):
    make_value(catalogue["authority"], catalogue["dental"], "2020-11", 55, commentary="Backlog")
    plan = plan_csv(
        "values",
        """
        authority,indicator,period,value,commentary
        838,dental_check_pct,2020-11,42,Backlog
        838,dental_check_pct,2020-10,50,
        """,
    )
    updated, created = plan.rows
    assert (updated.row, updated.action, updated.key) == (
        2,
        Action.UPDATE,
        ("838", "dental_check_pct", "2020-11"),
    )
    assert updated.changes == {"value": (Decimal("55"), Decimal("42"))}
    assert (created.row, created.action) == (3, Action.CREATE)
    assert created.fields["value"] == Decimal("50")
    assert MonthlyValue.objects.get(period=NOV).value == 55

    assert apply_import(plan) == plan.summary
    assert MonthlyValue.objects.get(period=NOV).value == 42


def test_it_compares_decimals_by_number(catalogue, make_value):
    make_value(catalogue["authority"], catalogue["rate"], "2020-11", Decimal("70.1"))
    plan = plan_csv("values", "authority,indicator,period,value\n838,cic_rate_per_10k,2020-11,70.1000\n")
    assert plan.rows[0].action == Action.UNCHANGED


def test_a_column_present_sets_its_field_and_an_absent_one_leaves_it(catalogue, make_value):
    make_value(catalogue["authority"], catalogue["dental"], "2020-11", 42, commentary="Backlog")
    import_csv("values", "authority,indicator,period,value\n838,dental_check_pct,2020-11,43\n")
    assert MonthlyValue.objects.get(period=NOV).commentary == "Backlog"

    import_csv("values", "authority,indicator,period,value,commentary\n838,dental_check_pct,2020-11,43,\n")
    assert MonthlyValue.objects.get(period=NOV).commentary == ""


def test_a_value_replaces_a_status_and_its_old_ratio(catalogue, make_value):
    make_value(catalogue["authority"], catalogue["dental"], "2020-11", 50, numerator=1, denominator=2)
    import_csv("values", "authority,indicator,period,status\n838,dental_check_pct,2020-11,suppressed\n")
    stored = MonthlyValue.objects.get(period=NOV)
    assert (stored.value, stored.numerator, stored.denominator, stored.status) == (
        None,
        None,
        None,
        "suppressed",
    )


def test_the_indicator_file_order_is_the_catalogue_order(db):
    header = "code,section,name,unit,polarity,decimals\n"
    rows = ["b,Health,B,percent,higher_is_better,0", "a,Health,A,percent,higher_is_better,0"]
    import_csv("indicators", header + "\n".join(rows) + "\n")
    assert list(Indicator.objects.values_list("code", flat=True)) == ["b", "a"]

    assert str(import_csv("indicators", header + "\n".join(reversed(rows)) + "\n")) == (
        "created 0, updated 2, unchanged 0"
    )
    assert list(Indicator.objects.values_list("code", "position")) == [("a", 1), ("b", 2)]


# Numbers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "cell", "stored"),
    [
        ("dental_check_pct", "42", Decimal("42")),
        ("dental_check_pct", "42.0", Decimal("42")),
        ("dental_check_pct", "42%", Decimal("42")),
        ("dental_check_pct", " 42.5 ", Decimal("42.5")),
        ("cic_count", "1,234", Decimal("1234")),
        ("cic_count", "1,234,567.5", Decimal("1234567.5")),
        ("progress8_average", "-1.23", Decimal("-1.23")),
        ("cic_rate_per_10k", "70.123456", Decimal("70.1235")),
    ],
)
def test_it_reads_numbers_as_people_write_them(catalogue, indicator, cell, stored):
    import_csv("values", f'authority,indicator,period,value\n838,{indicator},2020-11,"{cell}"\n')
    assert MonthlyValue.objects.get().value == stored


@pytest.mark.parametrize(
    ("indicator", "numerator", "denominator", "value", "stored"),
    [
        ("dental_check_pct", "3", "4", "", Decimal("75")),
        ("dental_check_pct", "1", "3", "", Decimal("33.3333")),
        ("dental_check_pct", "1", "3", "33", Decimal("33")),
        ("cic_rate_per_10k", "71", "100000", "", Decimal("7.1")),
        ("cic_rate_per_10k", "1,050", "75,000", "140", Decimal("140")),
        ("days_to_adoption", "4,120", "10", "", Decimal("412")),
        ("progress8_average", "77", "4", "", Decimal("19.25")),
    ],
)
def test_it_computes_the_value_from_numerator_and_denominator(
    catalogue, indicator, numerator, denominator, value, stored
):
    row = f'838,{indicator},2020-11,"{value}","{numerator}","{denominator}"'
    import_csv("values", f"authority,indicator,period,value,numerator,denominator\n{row}\n")
    monthly_value = MonthlyValue.objects.get()
    assert monthly_value.value == stored
    assert monthly_value.numerator == Decimal(numerator.replace(",", ""))


# Bad input: each rule, its row, column and message, and nothing written ------------------------------------

VALUES = "authority,indicator,period,value,numerator,denominator,status\n"
GOOD = "838,dental_check_pct,2020-10,55,,,\n"
UNITS = "percent, rate_per_10k, count, days, score"
POLARITIES = "higher_is_better, lower_is_better, neutral"
STATUSES = "not_available, not_yet_reported, suppressed"
INDICATORS = "code,section,name,unit,polarity,decimals,amber_tolerance\n"
AUTHORITIES = "code,name,gss_code,region,statistical_neighbours\n"
BENCHMARKS = "authority,indicator,year,england,sn_min,sn_max\n"
TARGETS = "authority,indicator,kind,year,value\n"

BAD_ROWS = [
    # values: numbers
    (
        "values",
        VALUES + GOOD + "838,dental_check_pct,2020-11,abc,,,",
        3,
        "value",
        messages.NOT_A_NUMBER.format(value="abc"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,1.2.3,,,",
        2,
        "value",
        messages.NOT_A_NUMBER.format(value="1.2.3"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,NaN,,,",
        2,
        "value",
        messages.NOT_A_NUMBER.format(value="NaN"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,Infinity,,,",
        2,
        "value",
        messages.NOT_A_NUMBER.format(value="Infinity"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,1e5,,,",
        2,
        "value",
        messages.NOT_A_NUMBER.format(value="1e5"),
    ),
    (
        "values",
        VALUES + '838,cic_count,2020-11,"1,23",,,',
        2,
        "value",
        messages.NOT_A_NUMBER.format(value="1,23"),
    ),
    ("values", VALUES + "838,cic_count,2020-11,-,,,", 2, "value", messages.NOT_A_NUMBER.format(value="-")),
    (
        "values",
        VALUES + "838,cic_count,2020-11,=1+1,,,",
        2,
        "value",
        messages.FORMULA_NOT_A_NUMBER.format(value="=1+1"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,+5,,,",
        2,
        "value",
        messages.FORMULA_NOT_A_NUMBER.format(value="+5"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,@A1,,,",
        2,
        "value",
        messages.FORMULA_NOT_A_NUMBER.format(value="@A1"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,42%,,,",
        2,
        "value",
        messages.PERCENT_SIGN_NOT_ALLOWED.format(value="42%"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,1234567890123,,,",
        2,
        "value",
        messages.TOO_LARGE.format(value="1234567890123"),
    ),
    # values: ranges
    (
        "values",
        VALUES + "838,dental_check_pct,2020-11,101,,,",
        2,
        "value",
        messages.PERCENT_OUT_OF_RANGE.format(value="101"),
    ),
    (
        "values",
        VALUES + "838,dental_check_pct,2020-11,-1,,,",
        2,
        "value",
        messages.PERCENT_OUT_OF_RANGE.format(value="-1"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,-3,,,",
        2,
        "value",
        messages.NEGATIVE_NUMBER.format(value="-3", what="a count"),
    ),
    (
        "values",
        VALUES + "838,days_to_adoption,2020-11,-3,,,",
        2,
        "value",
        messages.NEGATIVE_NUMBER.format(value="-3", what="a number of days"),
    ),
    (
        "values",
        VALUES + "838,cic_count,2020-11,,-1,5,",
        2,
        "numerator",
        messages.NEGATIVE_NUMBER.format(value="-1", what="a numerator"),
    ),
    # values: numerator and denominator
    (
        "values",
        VALUES + "838,dental_check_pct,2020-11,,5,4,",
        2,
        "numerator",
        messages.NUMERATOR_OVER_DENOMINATOR.format(numerator="5", denominator="4"),
    ),
    ("values", VALUES + "838,dental_check_pct,2020-11,,0,0,", 2, "denominator", messages.ZERO_DENOMINATOR),
    (
        "values",
        VALUES + "838,dental_check_pct,2020-11,,3,,",
        2,
        "denominator",
        messages.NUMERATOR_AND_DENOMINATOR,
    ),
    (
        "values",
        VALUES + "838,dental_check_pct,2020-11,75,,4,",
        2,
        "numerator",
        messages.NUMERATOR_AND_DENOMINATOR,
    ),
    (
        "values",
        VALUES + "838,dental_check_pct,2020-11,74,3,4,",
        2,
        "value",
        messages.VALUE_DIFFERS_FROM_RATIO.format(value="74", computed="75", numerator="3", denominator="4"),
    ),
    (
        "values",
        VALUES + "838,cic_rate_per_10k,2020-11,7.2,71,100000,",
        2,
        "value",
        messages.VALUE_DIFFERS_FROM_RATIO.format(
            value="7.2", computed="7.1", numerator="71", denominator="100000"
        ),
    ),
    # values: value and status
    (
        "values",
        VALUES + "838,dental_check_pct,2020-11,42,,,not_available",
        2,
        "status",
        messages.VALUE_AND_STATUS.format(status="not_available"),
    ),
    (
        "values",
        VALUES + "838,dental_check_pct,2020-11,,3,4,suppressed",
        2,
        "status",
        messages.VALUE_AND_STATUS.format(status="suppressed"),
    ),
    ("values", VALUES + "838,dental_check_pct,2020-11,,,,", 2, "value", messages.VALUE_OR_STATUS_REQUIRED),
    (
        "values",
        VALUES + "838,dental_check_pct,2020-11,,,,missing",
        2,
        "status",
        messages.UNKNOWN_STATUS.format(value="missing", expected=STATUSES),
    ),
    # values: months, authorities, indicators
    (
        "values",
        VALUES + "838,dental_check_pct,2020-13,42,,,",
        2,
        "period",
        messages.BAD_PERIOD.format(value="2020-13"),
    ),
    (
        "values",
        VALUES + "838,dental_check_pct,2020-1,42,,,",
        2,
        "period",
        messages.BAD_PERIOD.format(value="2020-1"),
    ),
    (
        "values",
        VALUES + "838,dental_check_pct,20-11,42,,,",
        2,
        "period",
        messages.BAD_PERIOD.format(value="20-11"),
    ),
    (
        "values",
        VALUES + "838,dental_check_pct,Nov-20,42,,,",
        2,
        "period",
        messages.BAD_PERIOD.format(value="Nov-20"),
    ),
    ("values", VALUES + "838,dental_check_pct,,42,,,", 2, "period", messages.REQUIRED),
    (
        "values",
        VALUES + "999,dental_check_pct,2020-11,42,,,",
        2,
        "authority",
        messages.UNKNOWN_AUTHORITY.format(value="999"),
    ),
    (
        "values",
        VALUES + "83,dental_check_pct,2020-11,42,,,",
        2,
        "authority",
        messages.BAD_AUTHORITY_CODE.format(value="83"),
    ),
    (
        "values",
        VALUES + "838,no_such_thing,2020-11,42,,,",
        2,
        "indicator",
        messages.UNKNOWN_INDICATOR.format(value="no_such_thing"),
    ),
    (
        "values",
        VALUES + GOOD + GOOD.replace("55", "56"),
        3,
        "authority",
        messages.DUPLICATE_KEY.format(
            key="authority 838, indicator dental_check_pct, period 2020-10", first=2
        ),
    ),
    # indicators
    (
        "indicators",
        INDICATORS + "x,Health,X,percentage,higher_is_better,0,",
        2,
        "unit",
        messages.UNKNOWN_UNIT.format(value="percentage", expected=UNITS),
    ),
    (
        "indicators",
        INDICATORS + "x,Health,X,percent,up,0,",
        2,
        "polarity",
        messages.UNKNOWN_POLARITY.format(value="up", expected=POLARITIES),
    ),
    (
        "indicators",
        INDICATORS + "x,Health,X,percent,neutral,4,",
        2,
        "decimals",
        messages.BAD_DECIMALS.format(value="4"),
    ),
    (
        "indicators",
        INDICATORS + "x,Health,X,percent,neutral,-1,",
        2,
        "decimals",
        messages.BAD_DECIMALS.format(value="-1"),
    ),
    (
        "indicators",
        INDICATORS + "x,Health,X,percent,neutral,two,",
        2,
        "decimals",
        messages.BAD_DECIMALS.format(value="two"),
    ),
    ("indicators", INDICATORS + "x,Health,X,percent,neutral,,", 2, "decimals", messages.REQUIRED),
    (
        "indicators",
        INDICATORS + "x,Health,X,percent,neutral,0,abc",
        2,
        "amber_tolerance",
        messages.NOT_A_NUMBER.format(value="abc"),
    ),
    (
        "indicators",
        INDICATORS + "x,Health,X,percent,neutral,0,-2",
        2,
        "amber_tolerance",
        messages.NEGATIVE_NUMBER.format(value="-2", what="an amber tolerance"),
    ),
    (
        "indicators",
        INDICATORS + "x y,Health,X,percent,neutral,0,",
        2,
        "code",
        messages.BAD_INDICATOR_CODE.format(value="x y"),
    ),
    (
        "indicators",
        INDICATORS + f"x,Health,{'N' * 251},percent,neutral,0,",
        2,
        "name",
        messages.TOO_LONG.format(length=251, limit=250),
    ),
    (
        "indicators",
        INDICATORS + "x,Health,X,percent,neutral,0,\nx,Health,X again,percent,neutral,0,",
        3,
        "code",
        messages.DUPLICATE_KEY.format(key="code x", first=2),
    ),
    # authorities
    (
        "authorities",
        AUTHORITIES + "8380,Dorset,,,",
        2,
        "code",
        messages.BAD_AUTHORITY_CODE.format(value="8380"),
    ),
    ("authorities", AUTHORITIES + "838,,,,", 2, "name", messages.REQUIRED),
    (
        "authorities",
        AUTHORITIES + "838,Dorset,E0600005,,",
        2,
        "gss_code",
        messages.BAD_GSS_CODE.format(value="E0600005"),
    ),
    (
        "authorities",
        AUTHORITIES + "838,Dorset,,,933;93",
        2,
        "statistical_neighbours",
        messages.BAD_NEIGHBOUR_CODE.format(value="93"),
    ),
    (
        "authorities",
        AUTHORITIES + '838,Dorset,,,"933,878"',
        2,
        "statistical_neighbours",
        messages.BAD_NEIGHBOUR_CODE.format(value="933,878"),
    ),
    (
        "authorities",
        AUTHORITIES + "838,Dorset,,,933;933",
        2,
        "statistical_neighbours",
        messages.DUPLICATE_NEIGHBOUR.format(value="933"),
    ),
    (
        "authorities",
        AUTHORITIES + "838,Dorset,,,933;838",
        2,
        "statistical_neighbours",
        messages.SELF_NEIGHBOUR.format(value="838"),
    ),
    # benchmarks
    (
        "benchmarks",
        BENCHMARKS + "838,dental_check_pct,2019/21,85,,",
        2,
        "year",
        messages.BAD_FINANCIAL_YEAR.format(value="2019/21"),
    ),
    (
        "benchmarks",
        BENCHMARKS + "838,dental_check_pct,2019-20,85,,",
        2,
        "year",
        messages.BAD_FINANCIAL_YEAR.format(value="2019-20"),
    ),
    (
        "benchmarks",
        BENCHMARKS + "838,dental_check_pct,19/20,85,,",
        2,
        "year",
        messages.BAD_FINANCIAL_YEAR.format(value="19/20"),
    ),
    (
        "benchmarks",
        BENCHMARKS + "838,dental_check_pct,2019/20,n/a,,",
        2,
        "england",
        messages.NOT_A_NUMBER.format(value="n/a"),
    ),
    (
        "benchmarks",
        BENCHMARKS + "838,dental_check_pct,2019/20,185,,",
        2,
        "england",
        messages.PERCENT_OUT_OF_RANGE.format(value="185"),
    ),
    (
        "benchmarks",
        BENCHMARKS + "838,dental_check_pct,2019/20,85,94,78",
        2,
        "sn_min",
        messages.MIN_OVER_MAX.format(minimum="94", maximum="78"),
    ),
    (
        "benchmarks",
        BENCHMARKS + "999,dental_check_pct,2019/20,85,,",
        2,
        "authority",
        messages.UNKNOWN_AUTHORITY.format(value="999"),
    ),
    # targets
    (
        "targets",
        TARGETS + "838,cic_count,goal,2022/23,60",
        2,
        "kind",
        messages.UNKNOWN_TARGET_KIND.format(value="goal", expected="target, baseline"),
    ),
    ("targets", TARGETS + "838,cic_count,target,2022/23,", 2, "value", messages.REQUIRED),
    (
        "targets",
        TARGETS + "838,cic_count,target,2022,60",
        2,
        "year",
        messages.BAD_FINANCIAL_YEAR.format(value="2022"),
    ),
    (
        "targets",
        TARGETS + "838,cic_count,target,2022/23,-60",
        2,
        "value",
        messages.NEGATIVE_NUMBER.format(value="-60", what="a count"),
    ),
    (
        "targets",
        TARGETS + "838,nothing,target,2022/23,60",
        2,
        "indicator",
        messages.UNKNOWN_INDICATOR.format(value="nothing"),
    ),
    # the header
    (
        "values",
        "authority,indicator,value\n838,dental_check_pct,42\n",
        1,
        "period",
        messages.MISSING_COLUMN.format(column="period"),
    ),
    (
        "values",
        "authority,indicator,period,value,Comments\n838,dental_check_pct,2020-11,42,ok\n",
        1,
        "Comments",
        messages.UNKNOWN_COLUMN.format(column="Comments", expected=VALUE_COLUMNS),
    ),
    (
        "values",
        "authority,indicator,period,value,value\n838,dental_check_pct,2020-11,42,43\n",
        1,
        "value",
        messages.DUPLICATE_COLUMN.format(column="value"),
    ),
    (
        "values",
        "authority,indicator,period,value\n838,dental_check_pct,2020-11,42,stray\n",
        1,
        "E",
        messages.UNNAMED_COLUMN.format(letter="E"),
    ),
    ("values", "", 1, messages.FILE_COLUMN, messages.EMPTY_FILE),
    ("values", "\n,,,\n\n", 1, messages.FILE_COLUMN, messages.EMPTY_FILE),
]


def _case_id(case) -> str:
    kind, _text, row, column, message = case
    return f"{kind}-{column}-{message[:40]}"


@pytest.mark.parametrize(("kind", "text", "row", "column", "message"), BAD_ROWS, ids=map(_case_id, BAD_ROWS))
def test_it_reports_bad_input_by_row_and_column_and_writes_nothing(
    catalogue, kind, text, row, column, message
):
    before = counts()
    plan = plan_import(kind, io.BytesIO(text.encode()), f"{kind}.csv")

    assert RowError(row, column, message) in plan.errors
    with pytest.raises(ImportFailed) as failure:
        import_file(kind, io.BytesIO(text.encode()), f"{kind}.csv")
    assert RowError(row, column, message) in failure.value.errors
    assert counts() == before


def test_one_bad_row_at_the_end_of_many_writes_nothing(catalogue):
    good = [
        f"838,dental_check_pct,{year}-{month:02d},{month},,,"
        for year in (2018, 2019)
        for month in range(1, 13)
    ]
    text = VALUES + "\n".join(good) + "\n838,dental_check_pct,2020-13,42,,,\n"
    before = counts()

    with pytest.raises(ImportFailed) as failure:
        import_file("values", io.BytesIO(text.encode()), "values.csv")

    assert failure.value.errors == [RowError(26, "period", messages.BAD_PERIOD.format(value="2020-13"))]
    assert counts() == before


def test_it_reports_every_bad_cell_of_every_row(catalogue):
    plan = plan_csv(
        "values",
        VALUES + "999,dental_check_pct,2020-13,abc,,,\n" + GOOD + "838,nothing,2020-11,42,,,\n",
    )
    assert [(error.row, error.column) for error in plan.errors] == [
        (2, "authority"),
        (2, "period"),
        (2, "value"),
        (4, "indicator"),
    ]
    assert [planned.action for planned in plan.rows] == [Action.REJECT, Action.CREATE, Action.REJECT]
    assert str(plan.errors[0]) == "row 2, column authority: " + messages.UNKNOWN_AUTHORITY.format(value="999")


def test_an_applied_plan_with_errors_is_refused(catalogue):
    plan = plan_csv("values", VALUES + "838,dental_check_pct,2020-13,42,,,\n")
    with pytest.raises(ImportFailed, match="1 error"):
        apply_import(plan)
    assert MonthlyValue.objects.count() == 0


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("values.pdf", b"%PDF-1.4", messages.WRONG_FILE_TYPE.format(filename="values.pdf")),
        (
            "values.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            messages.WRONG_FILE_TYPE.format(filename="values.xls"),
        ),
        (
            "values.xlsx",
            b"authority,indicator",
            messages.UNREADABLE_XLSX.format(reason="it is not a zip archive"),
        ),
        (
            "values.csv",
            "authority,indicator,period,value\n838,dental_check_pct,2020-11,42\n£".encode("cp1252"),
            messages.NOT_UTF8.format(byte="0xa3"),
        ),
    ],
)
def test_it_names_a_file_it_cannot_read(catalogue, filename, content, message):
    plan = plan_import("values", io.BytesIO(content), filename)
    row = 3 if "not UTF-8 text" in message else 1
    assert plan.errors == [RowError(row, messages.FILE_COLUMN, message)]


def test_it_names_a_zip_that_is_not_a_workbook(catalogue):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    plan = plan_import("values", io.BytesIO(buffer.getvalue()), "values.xlsx")
    [error] = plan.errors
    assert (error.row, error.column) == (1, messages.FILE_COLUMN)
    assert error.message.startswith(messages.UNREADABLE_XLSX.split("(")[0])


def test_an_unknown_kind_is_a_programming_error(db):
    with pytest.raises(ValueError, match="'value' is not a kind of import"):
        plan_csv("value", "x\n")


# Files as officers make them -------------------------------------------------------------------------------


def test_it_reads_a_csv_with_a_byte_order_mark_and_columns_in_any_order(catalogue):
    text = "\ufeffPeriod,Value,Indicator,Authority\r\n2020-11,42,dental_check_pct,838\r\n"
    summary = import_file("values", io.BytesIO(text.encode("utf-8")), "values.csv")
    assert str(summary) == "created 1, updated 0, unchanged 0"
    assert MonthlyValue.objects.get().value == 42


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(catalogue):
    plan = plan_csv("values", VALUES + GOOD + ",,,,,,\n\n838,dental_check_pct,2020-13,42,,,\n\n\n")
    assert [planned.row for planned in plan.rows] == [2, 5]
    assert plan.errors == [RowError(5, "period", messages.BAD_PERIOD.format(value="2020-13"))]


def test_a_quoted_cell_may_hold_a_line_break(catalogue):
    plan = plan_csv(
        "values",
        VALUES.replace("status", "commentary") + '838,dental_check_pct,2020-10,55,,,"two\nlines"\n'
        "838,dental_check_pct,2020-13,42,,,\n",
    )
    assert plan.errors[0].row == 3


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","click")', "+44 1305 221000", "-see note", "@SUM(A1:A2)"]
)
def test_formula_like_text_is_stored_as_written(catalogue, text):
    escaped = text.replace('"', '""')
    import_csv(
        "values",
        f'authority,indicator,period,value,commentary\n838,dental_check_pct,2020-11,42,"{escaped}"\n',
    )
    import_csv("authorities", f'code,name\n838,"{escaped}"\n')
    assert MonthlyValue.objects.get().commentary == text
    assert Authority.objects.get(code="838").name == text


def test_it_reads_the_first_sheet_of_a_workbook(catalogue):
    workbook = xlsx_bytes(
        [
            ["authority", "indicator", "period", "value", "numerator", "denominator", "status", "commentary"],
            [838, "dental_check_pct", datetime.datetime(2020, 11, 1), 42, None, None, None, "=A1"],
            [838, "cic_rate_per_10k", "2020-11", 70.1, None, None, None, None],
            [838, "cic_count", "2020-11", 1234.0, None, None, None, None],
            [838, "dental_check_pct", "2020-10", 0.425, None, None, None, None],
            [838, "progress8_average", datetime.date(2020, 10, 15), -1.23, None, None, None, None],
            [838, "days_to_adoption", "2020-11", None, 4120, 10, None, None],
            [None, None, None, None, None, None, None, None],
        ],
        formats={"D5": "0.0%"},
    )
    plan = plan_import("values", workbook, "values.xlsx")
    assert plan.errors == []
    assert [planned.key for planned in plan.rows][:2] == [
        ("838", "dental_check_pct", "2020-11"),
        ("838", "cic_rate_per_10k", "2020-11"),
    ]
    apply_import(plan)

    stored = {(v.indicator.code, v.period): v for v in MonthlyValue.objects.select_related("indicator")}
    assert stored["dental_check_pct", NOV].value == 42
    assert stored["dental_check_pct", NOV].commentary == "=A1"
    assert stored["cic_rate_per_10k", NOV].value == Decimal("70.1")
    assert stored["cic_count", NOV].value == 1234
    assert stored["dental_check_pct", datetime.date(2020, 10, 1)].value == Decimal("42.5")
    assert stored["progress8_average", datetime.date(2020, 10, 1)].value == Decimal("-1.23")
    assert stored["days_to_adoption", NOV].value == 412


def test_a_workbook_imported_twice_is_unchanged(catalogue):
    rows = [["code", "name", "gss_code"], [838, "Dorset", "E06000059"], [878, "Devon", "E10000008"]]
    Authority.objects.all().delete()
    assert str(import_file("authorities", xlsx_bytes(rows), "a.xlsx")) == "created 2, updated 0, unchanged 0"
    assert str(import_file("authorities", xlsx_bytes(rows), "a.xlsx")) == "created 0, updated 0, unchanged 2"


def test_a_date_outside_the_period_column_is_an_error(catalogue):
    workbook = xlsx_bytes(
        [
            ["authority", "indicator", "period", "value"],
            [838, "dental_check_pct", "2020-10", 55],
            [],
            [838, "dental_check_pct", "2020-11", datetime.date(2020, 11, 1)],
        ]
    )
    plan = plan_import("values", workbook, "values.xlsx")
    assert plan.errors == [RowError(4, "value", messages.DATE_NOT_ALLOWED)]


def test_a_formula_where_a_number_belongs_is_never_evaluated(catalogue):
    workbook = xlsx_bytes(
        [["authority", "indicator", "period", "value"], [838, "cic_count", "2020-11", "=2*21"]]
    )
    plan = plan_import("values", workbook, "values.xlsx")
    assert plan.errors == [RowError(2, "value", messages.FORMULA_NOT_A_NUMBER.format(value="=2*21"))]


def test_a_workbook_is_recognised_by_its_content_whatever_its_name(catalogue):
    workbook = xlsx_bytes([["authority", "indicator", "period", "value"], [838, "cic_count", "2020-11", 3]])
    assert str(import_file("values", workbook, "values.csv")) == "created 1, updated 0, unchanged 0"


def test_read_table_gives_text_cells_and_spreadsheet_row_numbers(db):
    table = read_table(io.BytesIO(b" Code , Name \n\n838, Dorset \n"), "a.csv")
    assert table.header == ["code", "name"]
    assert [(row.number, row.cells) for row in table.rows] == [(3, {"code": "838", "name": "Dorset"})]


def test_a_form_can_plan_rows_it_built_itself(catalogue):
    header = ["authority", "indicator", "period", "value"]
    table = Table(header=header, labels={name: name for name in header})
    table.rows.append(
        TableRow(2, {"authority": "838", "indicator": "dental_check_pct", "period": "2020-11", "value": "42"})
    )
    plan = plan_table("values", table)
    assert plan.summary.created == 1


# Statistical neighbours ------------------------------------------------------------------------------------


def test_neighbours_are_kept_in_order_and_linked_when_their_authority_arrives(db):
    import_csv("authorities", AUTHORITIES + "838,Dorset,E06000059,South West,933;878;893\n")
    dorset = Authority.objects.get(code="838")
    listed = list(dorset.statistical_neighbours.values_list("rank", "neighbour_code", "neighbour"))
    assert listed == [(1, "933", None), (2, "878", None), (3, "893", None)]

    import_csv("authorities", AUTHORITIES + "878,Devon,E10000008,South West,845;838\n")
    devon = Authority.objects.get(code="878")
    assert dorset.statistical_neighbours.get(rank=2).neighbour == devon
    assert devon.statistical_neighbours.get(rank=2).neighbour == dorset


def test_a_new_neighbour_list_replaces_the_old_one(db):
    import_csv("authorities", AUTHORITIES + "838,Dorset,,,933;878;893\n")
    StatisticalNeighbour.objects.filter(neighbour_code="878").update(closeness="Very close")

    assert (
        str(import_csv("authorities", AUTHORITIES + "838,Dorset,,,878;935\n"))
        == "created 0, updated 1, unchanged 0"
    )
    dorset = Authority.objects.get(code="838")
    assert list(dorset.statistical_neighbours.values_list("rank", "neighbour_code", "closeness")) == [
        (1, "878", "Very close"),
        (2, "935", ""),
    ]
    assert str(import_csv("authorities", "code,name\n838,Dorset\n")) == "created 0, updated 0, unchanged 1"
    assert dorset.statistical_neighbours.count() == 2


# What else an import does: audit, sign-off, queries --------------------------------------------------------


def test_every_change_is_audited_with_its_route(catalogue, make_value, make_user):
    make_value(catalogue["authority"], catalogue["dental"], "2020-11", 55)
    officer = make_user("importer")
    import_csv(
        "values",
        "authority,indicator,period,value\n838,dental_check_pct,2020-11,42\n838,dental_check_pct,2020-10,50\n",
        user=officer,
        route="command",
    )
    records = ChangeRecord.objects.filter(kind="value").order_by("period")
    assert [(r.object_key, r.field, r.old, r.new, r.note, r.route) for r in records] == [
        ("838 dental_check_pct 2020-10", "value", "", "50", "created", "command"),
        ("838 dental_check_pct 2020-11", "value", "55", "42", "", "command"),
    ]
    assert {record.user for record in records} == {officer}
    assert MonthlyValue.objects.get(period=NOV).updated_by == officer


def test_changing_an_approved_month_sends_it_back_to_draft(catalogue, make_value):
    make_value(catalogue["authority"], catalogue["dental"], "2020-11", 55)
    ScorecardMonth.objects.create(authority=catalogue["authority"], period=NOV, state=SignOffState.APPROVED)

    import_csv("values", "authority,indicator,period,value\n838,dental_check_pct,2020-11,42\n")

    month = ScorecardMonth.objects.get(period=NOV)
    assert (month.state, month.revision) == (SignOffState.DRAFT, 2)


def test_a_dry_run_writes_nothing(catalogue):
    before = counts()
    summary = import_csv("values", VALUES + GOOD, dry_run=True)
    assert str(summary) == "created 1, updated 0, unchanged 0"
    assert counts() == before


def test_the_digest_changes_when_the_database_does(catalogue, make_value):
    text = VALUES + GOOD
    first = plan_csv("values", text).digest()
    assert plan_csv("values", text).digest() == first
    make_value(catalogue["authority"], catalogue["dental"], "2020-10", 54)
    assert plan_csv("values", text).digest() != first


def _values_file(rows: int) -> str:
    months = [f"{year}-{month:02d}" for year in range(2000, 2030) for month in range(1, 13)]
    indicators = ["dental_check_pct", "cic_count"]
    lines = [f"838,{indicators[i % 2]},{months[i // 2]},{i % 100},,," for i in range(rows)]
    return VALUES + "\n".join(lines) + "\n"


def test_planning_costs_the_same_queries_for_50_rows_as_for_500(catalogue, make_value):
    for month in ("2000-01", "2000-02"):
        make_value(catalogue["authority"], catalogue["dental"], month, 1)
    query_counts = []
    for rows in (50, 500):
        with CaptureQueriesContext(connection) as queries:
            plan = plan_csv("values", _values_file(rows))
        assert not plan.errors
        assert plan.summary.updated + plan.summary.unchanged == 2
        query_counts.append(len(queries))
    assert query_counts[0] == query_counts[1] <= 4
