"""Benchmarks from DfE's published statistics: reading, the mapping, ranks, quartiles, the SN average."""

from __future__ import annotations

import csv
import time
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from authorities.models import Authority, StatisticalNeighbour
from authorities.reference import ReferenceDataError
from scorecards.benchmarks.published import (
    MEASURES_CSV,
    MeasureSpec,
    YearFigures,
    competition_ranks,
    compute_benchmarks,
    import_published_benchmarks,
    parse_published_value,
    published_year,
    quartile_band,
    quartile_thresholds,
    read_published_file,
    seed_published_measures,
)
from scorecards.models import Benchmark, Indicator, PublishedMeasure
from tests.conftest import SHARED_DATA, needs_shared

D = Decimal
EES_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,la_name,new_la_code,cla_group,placement_stability,children_count,children_percent"
)
THREE_PLUS = "CLA on 31 March,With 3 or more placements during the year"
TOTAL = "CLA on 31 March,Total children"
MEASURE = MeasureSpec(
    "three_plus_placements_pct",
    (("cla_group", "CLA on 31 March"), ("placement_stability", "With 3 or more placements during the year")),
    "children_percent",
)


def ees_row(
    year: str, level: str, code: str = "", region: str = "E12000009", breakdown=THREE_PLUS, value="10"
):
    region_code = region if level != "National" else ""
    area = f"{region_code},,{code},LA {code},"
    return f"{year},Reporting year,{level},E92000001,England,{area},{breakdown},1,{value}"


def stability_file(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([EES_HEADER, *rows]) + "\n", encoding="utf-8-sig")
    return path


# Reading published values -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["c", "z", "x", "low", "k", "u", "-", "", " z ", "C", "LOW"])
def test_a_suppression_or_missing_symbol_stays_missing_never_zero(text):
    assert parse_published_value(text) is None


@pytest.mark.parametrize(
    ("text", "value"), [("67", D("67")), ("15.6", D("15.6")), ("0", D("0")), ("-1.5", D("-1.5"))]
)
def test_a_published_number_is_read_as_an_exact_decimal(text, value):
    assert parse_published_value(text) == value


@pytest.mark.parametrize("text", ["00:10", "n/a", "NaN", "1,234"])
def test_anything_else_is_an_error_naming_the_cell(text):
    with pytest.raises(
        ReferenceDataError, match=r"f.csv row 7, column children_percent: .* neither a number"
    ):
        parse_published_value(text, file="f.csv", row=7, column="children_percent")


@pytest.mark.parametrize(
    ("period", "year"), [("2025", "2024/25"), ("2021", "2020/21"), ("202425", "2024/25")]
)
def test_a_published_year_to_31_march_is_stored_as_its_financial_year(period, year):
    assert published_year(period) == year


@pytest.mark.parametrize("period", ["25", "2024/25", "202426", "Reporting year"])
def test_a_time_period_that_is_not_a_year_is_rejected(period):
    with pytest.raises(ValueError):
        published_year(period)


def test_it_reads_national_regional_and_authority_rows_that_match_the_filters(tmp_path):
    path = stability_file(
        tmp_path / "la_cla_placement_stability.csv",
        [
            ees_row("2025", "National", value="10"),
            ees_row("2025", "National", breakdown=TOTAL, value="100"),
            ees_row("2025", "Regional", value="11"),
            ees_row("2025", "Local authority", "838", value="c"),
            ees_row("2025", "Local authority", "839", value="12"),
            ees_row("2024", "Local authority", "838", value="9"),
        ],
    )

    figures = read_published_file(path, [MEASURE])

    year = figures[("three_plus_placements_pct", "2024/25")]
    assert year.england == D("10")
    assert year.regions == {"E12000009": D("11")}
    assert year.authorities == {"838": (None, "E12000009"), "839": (D("12"), "E12000009")}
    assert figures[("three_plus_placements_pct", "2023/24")].authorities == {"838": (D("9"), "E12000009")}


def test_a_file_of_the_wrong_layout_names_the_columns_the_mapping_expects(tmp_path):
    path = tmp_path / "la_cla_placement_stability.csv"
    path.write_text("time_period,old_la_code,children_percent\n2025,838,10\n", encoding="utf-8")

    with pytest.raises(ReferenceDataError) as error:
        read_published_file(path, [MEASURE])

    message = str(error.value)
    assert (
        "expected the columns time_period, geographic_level, old_la_code, region_code, cla_group, "
        "placement_stability, children_percent" in message
    )
    assert "missing geographic_level, region_code, cla_group, placement_stability" in message


def test_filters_that_match_two_rows_for_one_authority_are_an_error(tmp_path):
    loose = MeasureSpec("three_plus_placements_pct", (("cla_group", "CLA on 31 March"),), "children_percent")
    path = stability_file(
        tmp_path / "la_cla_placement_stability.csv",
        [
            ees_row("2025", "Local authority", "838"),
            ees_row("2025", "Local authority", "838", breakdown=TOTAL),
        ],
    )

    with pytest.raises(
        ReferenceDataError, match="row 3: a second row for 838 in 2024/25 matches the filters"
    ):
        read_published_file(path, [loose])


# Ranks, quartiles and the SN average ------------------------------------------------------------------------


def test_ties_share_the_best_rank_and_the_next_rank_is_skipped():
    values = {"a": D("10"), "b": D("20"), "c": D("20"), "d": D("30")}

    assert competition_ranks(values, "lower_is_better") == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert competition_ranks(values, "higher_is_better") == {"d": 1, "b": 2, "c": 2, "a": 4}
    assert competition_ranks(values, "neutral") == {}


def test_quartiles_are_those_of_r_quantile_type_7():
    assert quartile_thresholds([D(n) for n in range(8, 0, -1)]) == (D("2.75"), D("4.5"), D("6.25"))
    assert quartile_thresholds([D("5")]) == (D("5"), D("5"), D("5"))
    assert quartile_thresholds([]) is None


@pytest.mark.parametrize(
    ("value", "lower_is_better", "higher_is_better"),
    [
        ("1", "A", "D"),
        ("2.75", "A", "D"),  # on Q1: the lowest band, as LAIT's "<=" has it
        ("2.76", "B", "C"),
        ("4.5", "B", "C"),
        ("6.25", "C", "B"),
        ("6.26", "D", "A"),
        ("8", "D", "A"),
    ],
)
def test_quartile_bands_run_from_a_best_to_d_worst_by_polarity(value, lower_is_better, higher_is_better):
    thresholds = (D("2.75"), D("4.5"), D("6.25"))

    assert quartile_band(D(value), thresholds, "lower_is_better") == lower_is_better
    assert quartile_band(D(value), thresholds, "higher_is_better") == higher_is_better


def test_a_neutral_indicator_or_a_missing_value_has_no_band():
    thresholds = (D("1"), D("2"), D("3"))

    assert quartile_band(D("2"), thresholds, "neutral") == ""
    assert quartile_band(None, thresholds, "lower_is_better") == ""


def test_the_sn_average_uses_the_neighbours_with_a_value_and_says_how_many():
    figures = YearFigures(
        england=D("67"),
        regions={"E12000009": D("62")},
        authorities={
            "838": (D("65"), "E12000009"),
            "801": (D("10"), "E12000009"),
            "802": (D("10"), "E12000009"),
            "803": (D("21"), "E12000009"),
            "804": (None, "E12000009"),  # suppressed: not a zero, not counted
        },
    )

    result = compute_benchmarks(
        figures,
        polarity="lower_is_better",
        neighbours={"838": ["801", "802", "803", "804", "805"]},
        codes=["838"],
    )["838"]

    assert result.sn_average == D("13.6667")  # 41 / 3, half-up at four places
    assert (result.sn_count, result.sn_min, result.sn_max) == (3, D("10"), D("21"))
    assert (result.england, result.region, result.own) == (D("67"), D("62"), D("65"))
    assert (result.rank, result.rank_of, result.quartile) == (4, 4, "D")


def test_an_authority_without_its_own_figure_still_gets_comparators_but_no_rank():
    figures = YearFigures(
        england=D("67"), authorities={"420": (None, "E12000009"), "801": (D("30"), "E12000009")}
    )

    result = compute_benchmarks(
        figures, polarity="lower_is_better", neighbours={"420": ["801"]}, codes=["420"]
    )["420"]

    assert (result.own, result.rank, result.rank_of, result.quartile) == (None, None, None, "")
    assert (result.england, result.sn_average, result.sn_count) == (D("67"), D("30"), 1)


def test_no_neighbour_with_a_value_leaves_the_sn_average_missing():
    figures = YearFigures(authorities={"838": (D("5"), ""), "801": (None, "")})

    result = compute_benchmarks(
        figures, polarity="higher_is_better", neighbours={"838": ["801"]}, codes=["838"]
    )["838"]

    assert (result.sn_average, result.sn_min, result.sn_max, result.sn_count) == (None, None, None, 0)


# The mapping ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_shipped_mapping_creates_missing_indicators_once_and_leaves_existing_ones(make_indicator):
    make_indicator(code="dental_check_pct", name="Dental checks (ours)", polarity="higher_is_better")

    first = seed_published_measures()
    second = seed_published_measures()

    assert first.created == 10 and first.indicators_created == 9
    assert (second.created, second.indicators_created, second.unchanged) == (0, 0, 10)
    assert Indicator.objects.get(code="dental_check_pct").name == "Dental checks (ours)"
    rate = PublishedMeasure.objects.get(indicator__code="cic_rate_per_10k")
    assert (rate.file_name, rate.value_column) == (
        "cla_number_and_rate_per_10k_children.csv",
        "rate_per_10000",
    )
    assert rate.filters == {"population_type": "Children looked after on 31 March each year"}


@pytest.mark.django_db
def test_a_mapping_edited_in_the_admin_is_not_overwritten():
    seed_published_measures()
    PublishedMeasure.objects.filter(indicator__code="care_leavers_eet_pct").update(
        filters={
            "care_leaver_age": "17 to 18 years",
            "breakdown": "Total in education, employment or training",
        }
    )

    seed_published_measures()

    edited = PublishedMeasure.objects.get(indicator__code="care_leavers_eet_pct")
    assert edited.filters["care_leaver_age"] == "17 to 18 years"


@pytest.mark.django_db
def test_a_bad_mapping_row_is_reported_with_its_row_and_column(tmp_path):
    path = tmp_path / "measures.csv"
    with MEASURES_CSV.open(encoding="utf-8") as handle:
        header = handle.readline()
    path.write_text(
        header + "x_pct,Health,X,furlongs,up,7,x.xlsx,breakdown,,,,children_percent,\n", encoding="utf-8"
    )

    with pytest.raises(ReferenceDataError) as error:
        seed_published_measures(path)

    message = str(error.value)
    for column in ("unit", "polarity", "decimals", "file_name", "filter_column_1"):
        assert f"measures.csv row 2, column {column}:" in message
    assert not PublishedMeasure.objects.exists()


def test_the_admin_form_accepts_only_column_value_filters():
    from scorecards.benchmarks.admin import FILTERS_NOT_AN_OBJECT, PublishedMeasureForm

    form = PublishedMeasureForm(data={"file_name": "a.csv", "filters": '["x"]', "value_column": "v"})

    assert FILTERS_NOT_AN_OBJECT in form.errors["filters"]


# Storing benchmarks -----------------------------------------------------------------------------------------


@pytest.fixture
def small_release(tmp_path, make_authority, make_indicator):
    """Dorset and three neighbours, one mapped measure, two years of a hand-made stability file."""
    dorset = make_authority(code="838", name="Dorset")
    for code in ("801", "802", "803"):
        make_authority(code=code)
        StatisticalNeighbour.objects.create(authority=dorset, rank=int(code) - 800, neighbour_code=code)
    make_authority(code="909", name="Cumbria", is_current=False)
    indicator = make_indicator(code="three_plus_placements_pct", polarity="lower_is_better")
    PublishedMeasure.objects.create(
        indicator=indicator,
        file_name="la_cla_placement_stability.csv",
        filters=dict(MEASURE.filters),
        value_column="children_percent",
    )
    folder = tmp_path / "release"
    (folder / "dfe_csc_outcomes").mkdir(parents=True)
    stability_file(
        folder / "dfe_csc_outcomes" / "la_cla_placement_stability.csv",
        [
            ees_row("2025", "National", value="10"),
            ees_row("2025", "Regional", value="11"),
            ees_row("2025", "Local authority", "838", value="11"),
            ees_row("2025", "Local authority", "801", value="8"),
            ees_row("2025", "Local authority", "802", value="z"),
            ees_row("2025", "Local authority", "803", value="11"),
            ees_row("2025", "Local authority", "909", value="z"),
            ees_row("2025", "Local authority", "998", value="12"),
            ees_row("2024", "Local authority", "838", value="12"),
            ees_row("2024", "Local authority", "909", value="9"),
        ],
    )
    return folder


@pytest.mark.django_db
def test_it_stores_dfe_benchmarks_and_reports_unknown_codes(small_release):
    result = import_published_benchmarks(small_release)

    assert result.unknown_codes == {"998"}
    dorset = Benchmark.objects.get(authority__code="838", year="2024/25", source="dfe")
    assert (dorset.england, dorset.region, dorset.own) == (D("10"), D("11"), D("11"))
    assert (dorset.sn_average, dorset.sn_count, dorset.sn_min, dorset.sn_max) == (
        D("9.5"),
        2,
        D("8"),
        D("11"),
    )
    assert (dorset.rank, dorset.rank_of, dorset.quartile) == (2, 4, "B")  # 8, 11, 11, 12: tied second
    assert dorset.note == "DfE la_cla_placement_stability.csv, year to 31 March 2025"
    # Cumbria: published while it existed, not after.
    assert list(Benchmark.objects.filter(authority__code="909").values_list("year", flat=True)) == ["2023/24"]


@pytest.mark.django_db
def test_importing_the_same_release_twice_changes_nothing_and_entered_benchmarks_are_untouched(small_release):
    dorset = Authority.objects.get(code="838")
    indicator = Indicator.objects.get(code="three_plus_placements_pct")
    entered = Benchmark.objects.create(
        authority=dorset, indicator=indicator, year="2024/25", source="entered", england=D("99")
    )

    first = import_published_benchmarks(small_release)
    second = import_published_benchmarks(small_release)

    assert first.created == Benchmark.objects.filter(source="dfe").count() > 0
    assert (second.created, second.changed, second.removed) == (0, 0, 0)
    assert second.unchanged == first.created
    entered.refresh_from_db()
    assert entered.england == D("99")


@pytest.mark.django_db
def test_a_figure_the_release_no_longer_gives_is_removed_and_a_changed_one_updated(small_release):
    import_published_benchmarks(small_release)
    stability_file(
        small_release / "dfe_csc_outcomes" / "la_cla_placement_stability.csv",
        [
            ees_row("2025", "National", value="10"),
            ees_row("2025", "Regional", value="11"),
            ees_row("2025", "Local authority", "838", value="11"),
            ees_row("2025", "Local authority", "801", value="c"),
            ees_row("2025", "Local authority", "802", value="z"),
            ees_row("2025", "Local authority", "803", value="11"),
            ees_row("2024", "Local authority", "909", value="9"),
        ],
    )

    result = import_published_benchmarks(small_release)

    assert not Benchmark.objects.filter(authority__code="838", year="2023/24").exists()
    dorset = Benchmark.objects.get(authority__code="838", year="2024/25")
    assert (dorset.sn_average, dorset.sn_count, dorset.rank, dorset.rank_of) == (D("11"), 1, 1, 2)
    assert result.removed == 1 and result.changed >= 1


@pytest.mark.django_db
def test_a_mapped_file_missing_from_the_folder_is_reported(small_release, make_indicator):
    PublishedMeasure.objects.create(
        indicator=make_indicator(code="dental_check_pct"),
        file_name="la_conviction_health_outcome_cla.csv",
        filters={},
        value_column="children_percent",
    )

    result = import_published_benchmarks(small_release)

    assert result.missing_files == {"la_conviction_health_outcome_cla.csv": ["dental_check_pct"]}


# The command ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_says_which_file_the_folder_lacks(tmp_path):
    with pytest.raises(
        CommandError, match="lacks an authority list: expected derived/la_reference_2025.csv or"
    ):
        call_command("load_reference_data", str(tmp_path), stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_the_command_writes_nothing_when_a_file_is_bad(tmp_path):
    (tmp_path / "derived").mkdir()
    (tmp_path / "derived" / "la_reference_2025.csv").write_text(
        "old_la_code,new_la_code,la_name,region_name\n838,E06000059,Dorset,South West\n", encoding="utf-8"
    )
    (tmp_path / "dfe_csc_outcomes").mkdir()
    (tmp_path / "dfe_csc_outcomes" / "sn_model_2025_wide.csv").write_text(
        "nothing,useful\n", encoding="utf-8"
    )

    with pytest.raises(CommandError, match="layout of a statistical-neighbour model"):
        call_command("load_reference_data", str(tmp_path), stdout=StringIO(), stderr=StringIO())

    assert not Authority.objects.exists() and not PublishedMeasure.objects.exists()


# The real release (../shared/data), loaded once for the module --------------------------------------------


def raw_rows(file_name: str, filters: dict[str, str]) -> list[dict[str, str]]:
    with (SHARED_DATA / "dfe_csc_outcomes" / file_name).open(encoding="utf-8-sig", newline="") as handle:
        return [row for row in csv.DictReader(handle) if all(row[k] == v for k, v in filters.items())]


def number_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except ArithmeticError:
        return None


@pytest.fixture(scope="module")
def real_release(django_db_setup, django_db_blocker):
    """Load the whole shared folder once (it takes a second or two), then leave the database empty again."""
    with django_db_blocker.unblock():
        started = time.perf_counter()
        stdout, stderr = StringIO(), StringIO()
        call_command("load_reference_data", str(SHARED_DATA), stdout=stdout, stderr=stderr)
        elapsed = time.perf_counter() - started
        yield {"seconds": elapsed, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}
        Benchmark.objects.all().delete()
        PublishedMeasure.objects.all().delete()
        Indicator.objects.all().delete()
        StatisticalNeighbour.objects.all().delete()
        Authority.objects.all().delete()


@needs_shared(SHARED_DATA)
@pytest.mark.django_db
def test_the_real_release_loads_in_under_a_minute_with_a_summary_and_a_progress_bar(real_release):
    assert real_release["seconds"] < 60
    assert "benchmarks 7690 created" in real_release["stdout"]
    assert "0 unknown authority codes" in real_release["stdout"]
    assert "[" + "#" * 30 + "]" in real_release["stderr"]


@needs_shared(SHARED_DATA)
@pytest.mark.django_db
def test_england_2025_cla_rate_is_the_published_national_row(real_release):
    national = {
        row["time_period"]: Decimal(row["rate_per_10000"])
        for row in raw_rows(
            "cla_number_and_rate_per_10k_children.csv",
            {
                "geographic_level": "National",
                "population_type": "Children looked after on 31 March each year",
            },
        )
    }

    stored = Benchmark.objects.filter(authority__code="838", indicator__code="cic_rate_per_10k", source="dfe")
    england = dict(stored.values_list("year", "england"))
    assert national["2025"] == 67
    assert england["2024/25"] == national["2025"]
    assert [england[year] for year in ("2020/21", "2021/22", "2022/23", "2023/24", "2024/25")] == [
        69,
        70,
        70,
        69,
        67,
    ]
    assert list(stored.order_by("year").values_list("own", flat=True)) == [68, 68, 65, 67, 65]


@needs_shared(SHARED_DATA)
@pytest.mark.django_db
def test_dorset_sn_average_is_the_mean_of_its_ten_neighbours_in_the_raw_files(real_release):
    with (SHARED_DATA / "dfe_csc_outcomes" / "sn_model_2025_wide.csv").open(encoding="utf-8-sig") as handle:
        dorset_row = next(row for row in csv.DictReader(handle) if row["old_la_code"] == "838")
    neighbours = [dorset_row[f"SN_{rank}"] for rank in range(1, 11)]
    measures = list(PublishedMeasure.objects.select_related("indicator"))
    assert len(measures) == 10

    checked = 0
    for measure in measures:
        rows = raw_rows(measure.file_name, {**measure.filters, "geographic_level": "Local authority"})
        for period in sorted({row["time_period"] for row in rows}):
            values = {
                row["old_la_code"]: number_or_none(row[measure.value_column])
                for row in rows
                if row["time_period"] == period
            }
            used = [values[code] for code in neighbours if values.get(code) is not None]
            expected = (sum(used) / len(used)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            year = f"{int(period) - 1}/{period[2:]}"
            benchmark = Benchmark.objects.get(
                authority__code="838", indicator=measure.indicator, year=year, source="dfe"
            )
            assert (benchmark.sn_average, benchmark.sn_count) == (expected, len(used)), (
                measure.indicator.code,
                year,
            )
            assert benchmark.sn_min == min(used) and benchmark.sn_max == max(used)
            assert benchmark.own == values["838"]
            checked += 1
    assert checked == 50


@needs_shared(SHARED_DATA)
@pytest.mark.django_db
def test_every_current_authority_gets_dfe_benchmarks(real_release):
    current = set(Authority.objects.filter(is_current=True).values_list("code", flat=True))
    with_benchmarks = set(Benchmark.objects.filter(source="dfe").values_list("authority__code", flat=True))

    assert len(current) == 153
    assert current <= with_benchmarks
    assert Benchmark.objects.filter(source="dfe", authority__code="942", year="2024/25").count() == 10


@needs_shared(SHARED_DATA)
@pytest.mark.django_db
def test_loading_the_real_release_again_changes_nothing(real_release):
    stdout, stderr = StringIO(), StringIO()

    call_command("load_reference_data", str(SHARED_DATA), verbosity=0, stdout=stdout, stderr=stderr)

    assert stderr.getvalue() == ""  # no progress bar at verbosity 0
    assert "authorities 0 created, 0 changed" in stdout.getvalue()
    assert "benchmarks 0 created, 0 changed, 0 removed, 7690 unchanged" in stdout.getvalue()
