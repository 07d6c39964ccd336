"""The new columns of the uploads: quarter_rule, cohort, range_group and the period of a target.

Every bad row names its row and column, and nothing of the file is written.
"""

from __future__ import annotations

import datetime
import io

import pytest

from scorecards.core.exports import scorecard_dict
from scorecards.core.selectors import scorecard_build
from scorecards.imports import ImportFailed, import_file, messages
from scorecards.models import Benchmark, Indicator, Target

INDICATORS = "code,section,name,unit,polarity,decimals,quarter_rule\n"


def load(kind: str, text: str) -> None:
    import_file(kind, io.BytesIO(text.encode()), f"{kind}.csv")


def refused(kind: str, text: str):
    with pytest.raises(ImportFailed) as failure:
        load(kind, text)
    return failure.value.errors


def test_the_indicators_import_reads_the_quarter_rule_and_defaults_to_end(db):
    load(
        "indicators",
        INDICATORS + "started,Profile,Started,count,neutral,0,sum\nplaced,Placement,Placed,percent,"
        "lower_is_better,0,pooled\nchildren,Headline,Children,count,neutral,0,\n",
    )
    assert dict(Indicator.objects.values_list("code", "quarter_rule")) == {
        "started": "sum",
        "placed": "pooled",
        "children": "end",
    }


def test_a_quarter_rule_outside_the_list_is_an_error_naming_row_and_column(db):
    errors = refused("indicators", INDICATORS + "a,S,A,count,neutral,0,end\nb,S,B,count,neutral,0,mean\n")
    assert [(e.row, e.column) for e in errors] == [(3, "quarter_rule")]
    assert errors[0].message == messages.UNKNOWN_QUARTER_RULE.format(
        value="mean", expected="end, sum, pooled"
    )
    assert not Indicator.objects.exists()


def test_pooled_is_refused_for_a_count(db):
    errors = refused("indicators", INDICATORS + "started,Profile,Started,count,neutral,0,pooled\n")
    assert [(e.row, e.column, e.message) for e in errors] == [(2, "quarter_rule", messages.POOLED_COUNT)]


def test_pooled_is_refused_for_an_indicator_whose_stored_figures_have_no_counts(
    home_authority, make_indicator, make_value
):
    indicator = make_indicator(code="placed", unit="percent")
    make_value(home_authority, indicator, "2020-05", 20)
    make_value(home_authority, indicator, "2020-06", 25, numerator=1, denominator=4)
    errors = refused("indicators", INDICATORS + "placed,Placement,Placed,percent,lower_is_better,0,pooled\n")
    assert [(e.row, e.column) for e in errors] == [(2, "quarter_rule")]
    assert errors[0].message == messages.POOLED_WITHOUT_COUNTS.format(count=1, code="placed")
    assert Indicator.objects.get(code="placed").quarter_rule == "end"


def test_a_benchmark_names_the_group_behind_its_range_and_the_json_says_so(home_authority, make_indicator):
    make_indicator(code="placed", unit="percent", polarity="lower_is_better")
    load(
        "benchmarks",
        "authority,indicator,year,england,sn_average,sn_min,sn_max,range_group\n"
        "838,placed,2019/20,41,38,16,38,good and outstanding neighbours\n",
    )
    assert Benchmark.objects.get().range_group == "good and outstanding neighbours"
    data = scorecard_dict(scorecard_build(authority=home_authority, period=datetime.date(2020, 11, 1)))
    assert data["rows"][0]["range_group"] == "good and outstanding neighbours"


def test_without_a_group_the_json_range_group_is_null(home_authority, make_indicator):
    make_indicator(code="placed")
    load("benchmarks", "authority,indicator,year,sn_min,sn_max\n838,placed,2019/20,16,38\n")
    data = scorecard_dict(scorecard_build(authority=home_authority, period=datetime.date(2020, 11, 1)))
    assert data["rows"][0]["range_group"] is None


TARGETS = "authority,indicator,kind,year,value,note,period\n"


def test_a_target_with_a_period_is_an_interim_target_beside_the_years(home_authority, make_indicator):
    make_indicator(code="children", unit="count")
    load(
        "targets",
        TARGETS + "838,children,target,2021/22,440,year end,\n838,children,target,2021/22,460,,2021-09\n"
        "838,children,target,2021/22,450,,2021-12\n",
    )
    assert set(Target.objects.values_list("period", "value")) == {
        (None, 440),
        (datetime.date(2021, 9, 1), 460),
        (datetime.date(2021, 12, 1), 450),
    }
    load("targets", TARGETS + "838,children,target,2021/22,455,,2021-12\n")  # updates that month's only
    assert Target.objects.get(period=datetime.date(2021, 12, 1)).value == 455
    assert Target.objects.get(period__isnull=True).value == 440


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "838,children,target,2021/22,460,,2022-04",
            messages.INTERIM_OUTSIDE_YEAR.format(period="2022-04", year="2021/22", start=2021, end=2022),
        ),
        (
            "838,children,target,2021/22,460,,2021-03",
            messages.INTERIM_OUTSIDE_YEAR.format(period="2021-03", year="2021/22", start=2021, end=2022),
        ),
        ("838,children,baseline,2021/22,460,,2021-09", messages.INTERIM_ON_BASELINE),
        ("838,children,target,2021/22,460,,2021-13", messages.BAD_PERIOD.format(value="2021-13")),
    ],
)
def test_a_bad_interim_target_is_an_error_naming_row_and_column(home_authority, make_indicator, row, message):
    make_indicator(code="children", unit="count")
    errors = refused("targets", TARGETS + "838,children,target,2021/22,440,,\n" + row + "\n")
    assert [(e.row, e.column, e.message) for e in errors] == [(3, "period", message)]
    assert not Target.objects.exists()


def test_the_upload_preview_shows_what_a_new_row_holds(
    client, home_authority, officer, make_indicator, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_indicator(code="placed", unit="percent")
    client.force_login(officer)
    content = (
        "authority,indicator,period,numerator,denominator,cohort\n"
        "838,placed,2020-05,463,503,\n838,placed,2020-05,81,483,in Devon schools\n"
    )
    upload = io.BytesIO(content.encode())
    upload.name = "values.csv"
    response = client.post("/scorecards/838/upload/", {"kind": "values", "file": upload})
    html = response.content.decode()
    assert "value: 92.0477" in html and "numerator: 463" in html and "denominator: 503" in html
    assert "cohort: in Devon schools" in html
