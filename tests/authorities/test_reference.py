"""Importing DfE's authority list, the reorganisations and the statistical-neighbour model."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from authorities.models import Authority, StatisticalNeighbour
from authorities.reference import (
    REORGANISATIONS_CSV,
    ReferenceDataError,
    import_authority_list,
    import_reorganisations,
    import_statistical_neighbours,
)
from tests.conftest import SHARED_DATA, needs_shared

EES_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,la_name,new_la_code,population_type,rate_per_10000"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text.lstrip("\n"), encoding="utf-8-sig")
    return path


def neighbour_codes(code: str) -> list[str]:
    return list(
        StatisticalNeighbour.objects.filter(authority__code=code)
        .order_by("rank")
        .values_list("neighbour_code", flat=True)
    )


def wide_model(path: Path, rows: list[tuple[str, list[str]]]) -> Path:
    header = ["old_la_code", "la_name", "region_ind", "region_name"]
    for rank in range(1, 11):
        header += [f"SN_{rank}", f"SN_{rank}P"]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for code, neighbours in rows:
            cells = [code, f"Authority {code}", "7", "South West"]
            for neighbour in neighbours:
                cells += [neighbour, "Very close " if neighbour != "-" else "-"]
            writer.writerow(cells)
    return path


TEN = [f"{code}" for code in range(801, 811)]


# The authority list -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_reads_authorities_from_any_ees_csv_keeping_the_latest_name(tmp_path):
    path = write(
        tmp_path / "cla.csv",
        f"""
{EES_HEADER}
2024,Reporting year,National,E92000001,England,,,,,,x,69
2024,Reporting year,Regional,E92000001,England,E12000009,South West,,,,x,62
2024,Reporting year,Local authority,E92000001,England,E12000009,South West,838,Dorset Council,E06000059,x,65
2025,Reporting year,Local authority,E92000001,England,E12000009,South West,838,Dorset,E06000059,x,65
2025,Reporting year,Local authority,E92000001,England,E13000001,Inner London,202,Camden,E09000007,x,40
""",
    )

    result = import_authority_list(path)

    assert (result.created, result.changed) == (2, 0)
    dorset = Authority.objects.get(code="838")
    assert (dorset.name, dorset.gss_code, dorset.region, dorset.is_current) == (
        "Dorset",
        "E06000059",
        "South West",
        True,
    )
    assert Authority.objects.get(code="202").region == "Inner London"


@pytest.mark.django_db
def test_it_reads_the_reference_list_layout_and_ignores_extra_columns(tmp_path):
    path = write(
        tmp_path / "list.csv",
        """
old_la_code,new_la_code,la_name,region_name,status
838,E06000059,Dorset,South West,current
909,E10000006,Cumbria,North West,predecessor
""",
    )

    assert import_authority_list(path).created == 2
    assert Authority.objects.get(code="909").name == "Cumbria"


@pytest.mark.django_db
def test_it_updates_an_authority_by_code_and_a_second_import_changes_nothing(tmp_path, make_authority):
    make_authority(code="838", name="Dorset County", region="")
    path = write(
        tmp_path / "list.csv",
        "old_la_code,new_la_code,la_name,region_name\n838,E06000059,Dorset,South West\n",
    )

    first = import_authority_list(path)
    second = import_authority_list(path)

    assert (first.created, first.changed) == (0, 1)
    assert (second.created, second.changed, second.unchanged) == (0, 0, 1)
    assert Authority.objects.get(code="838").name == "Dorset"


@pytest.mark.django_db
def test_a_file_of_the_wrong_layout_names_the_expected_columns(tmp_path):
    path = write(tmp_path / "values.csv", "authority,indicator,period,value\n838,x,2020-11,1\n")

    with pytest.raises(ReferenceDataError) as error:
        import_authority_list(path)

    assert "expected the columns old_la_code, new_la_code, la_name, region_name" in str(error.value)
    assert "missing old_la_code, new_la_code, la_name, region_name" in str(error.value)
    assert not Authority.objects.exists()


@pytest.mark.django_db
def test_a_code_that_is_not_three_digits_is_an_error_with_its_row(tmp_path):
    path = write(
        tmp_path / "list.csv",
        "old_la_code,new_la_code,la_name,region_name\n838,E06000059,Dorset,South West\nDorset,E1,Dorset,SW\n",
    )

    with pytest.raises(
        ReferenceDataError, match=r"list.csv row 3, column old_la_code: 'Dorset' is not a DfE"
    ):
        import_authority_list(path)
    assert not Authority.objects.exists()


@pytest.mark.django_db
def test_neighbours_named_before_their_authority_are_linked_when_it_arrives(tmp_path, make_authority):
    dorset = make_authority(code="838", name="Dorset")
    StatisticalNeighbour.objects.create(authority=dorset, rank=1, neighbour_code="933")
    path = write(
        tmp_path / "list.csv",
        "old_la_code,new_la_code,la_name,region_name\n933,E06000066,Somerset,South West\n",
    )

    import_authority_list(path)

    assert StatisticalNeighbour.objects.get(authority=dorset).neighbour.code == "933"


# Reorganisations --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_predecessors_are_no_longer_current_and_lead_to_their_successors(make_authority):
    for code in ("838", "839", "940", "941", "942", "943"):
        make_authority(code=code)
    make_authority(code="909", name="Cumbria", region="North West")
    make_authority(code="928", name="Northamptonshire")

    result = import_reorganisations()

    cumbria = Authority.objects.get(code="909")
    assert not cumbria.is_current
    assert set(cumbria.successors.values_list("code", flat=True)) == {"942", "943"}
    old_dorset = Authority.objects.get(code="835")  # not in EES files any more: created from the shipped list
    assert not old_dorset.is_current
    assert set(old_dorset.successors.values_list("code", flat=True)) == {"838", "839"}
    assert set(Authority.objects.get(code="839").predecessors.values_list("code", flat=True)) == {
        "835",
        "836",
        "837",
    }
    assert Authority.objects.get(code="836").gss_code == "E06000029"
    assert result.unknown_codes == set()
    again = import_reorganisations()
    assert (again.created, again.changed) == (0, 0)


@pytest.mark.django_db
def test_unknown_successors_are_reported_not_created(make_authority):
    make_authority(code="838")

    result = import_reorganisations()

    assert {"839", "940", "941", "942", "943"} <= result.unknown_codes
    assert not Authority.objects.filter(code="942").exists()


def test_the_shipped_reorganisations_name_their_sources():
    with REORGANISATIONS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    pairs = {(row["predecessor_code"], row["successor_code"]) for row in rows}
    assert pairs == {
        ("835", "838"),
        ("835", "839"),
        ("836", "839"),
        ("837", "839"),
        ("928", "940"),
        ("928", "941"),
        ("909", "942"),
        ("909", "943"),
    }
    assert all("legislation.gov.uk" in row["source"] for row in rows)


# The statistical-neighbour model ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_dfe_wide_csv_in_order_with_closeness(tmp_path, make_authority):
    for code in ["838", *TEN]:
        make_authority(code=code)
    path = wide_model(tmp_path / "sn.csv", [("838", TEN)])

    result = import_statistical_neighbours(path)

    assert result.created == 10
    assert neighbour_codes("838") == TEN
    first = StatisticalNeighbour.objects.get(authority__code="838", rank=1)
    assert (first.neighbour.code, first.closeness) == ("801", "Very close")


def lait_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "LA SN Groups"
    sheet.append(["A", "B", "C", "D", "E", *range(3, 23)])
    sheet.append(list(range(1, 26)))
    header = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
    for rank in range(1, 11):
        header += [f"SN{rank}", "SNP"]
    sheet.append(header)
    row = [838, "Dorset", 838, 7, "South West"]
    for code in reversed(TEN):
        row += [int(code), "Very Close"]
    sheet.append(row)
    sheet.append([None])
    sheet.append([None, "Old SNs:"])
    sheet.append([835, "Dorset (Pre LG)", 835, 7, "South West", 838, "Extremely Close", *["-"] * 18])
    workbook.save(path)
    return path


@pytest.mark.django_db
def test_it_imports_the_lait_workbook_with_its_header_on_row_3(tmp_path, make_authority):
    for code in ["838", "835", *TEN]:
        make_authority(code=code)

    import_statistical_neighbours(lait_workbook(tmp_path / "sn_may_2025.xlsx"))

    assert neighbour_codes("838") == list(reversed(TEN))
    assert StatisticalNeighbour.objects.get(authority__code="838", rank=1).closeness == "Very close"
    assert neighbour_codes("835") == ["838"]  # "-" is no neighbour, not a code
    assert StatisticalNeighbour.objects.get(authority__code="835").closeness == "Extremely close"


@pytest.mark.django_db
def test_unknown_authority_codes_are_reported_and_neighbours_kept_by_code(tmp_path, make_authority):
    make_authority(code="838")
    path = wide_model(tmp_path / "sn.csv", [("838", TEN), ("999", TEN)])

    result = import_statistical_neighbours(path)

    assert result.unknown_codes == {"999", *TEN}
    assert neighbour_codes("838") == TEN
    assert not StatisticalNeighbour.objects.filter(neighbour__isnull=False).exists()


@pytest.mark.django_db
def test_a_second_import_changes_nothing_and_a_new_model_replaces_the_list(tmp_path, make_authority):
    for code in ["838", *TEN, "811"]:
        make_authority(code=code)
    import_statistical_neighbours(wide_model(tmp_path / "sn.csv", [("838", TEN)]))

    again = import_statistical_neighbours(tmp_path / "sn.csv")
    changed = import_statistical_neighbours(
        wide_model(tmp_path / "sn2.csv", [("838", ["811", *TEN[1:9], "-"])])
    )

    assert (again.created, again.changed, again.removed, again.unchanged) == (0, 0, 0, 10)
    assert (changed.created, changed.changed, changed.removed) == (0, 1, 1)
    assert neighbour_codes("838") == ["811", *TEN[1:9]]


@pytest.mark.django_db
def test_a_neighbour_model_of_the_wrong_layout_names_both_accepted_layouts(tmp_path):
    path = write(tmp_path / "sn.csv", "code,neighbours\n838,933;878\n")

    with pytest.raises(ReferenceDataError) as error:
        import_statistical_neighbours(path)

    message = str(error.value)
    assert "old_la_code, SN_1, SN_2" in message and "SN_10" in message
    assert "LA num, SN1, SN2" in message and "SNP" in message


# The real files ---------------------------------------------------------------------------------------------


@needs_shared(SHARED_DATA)
@pytest.mark.django_db
def test_the_published_files_give_153_current_authorities_and_the_may_2025_model():
    import_authority_list(SHARED_DATA / "derived" / "la_reference_2025.csv")
    import_reorganisations()
    result = import_statistical_neighbours(SHARED_DATA / "dfe_csc_outcomes" / "sn_model_2025_wide.csv")

    assert Authority.objects.filter(is_current=True).count() == 153
    assert set(Authority.objects.filter(is_current=False).values_list("code", flat=True)) == {
        "835",
        "836",
        "837",
        "909",
        "928",
    }
    assert result.unknown_codes == set()
    assert neighbour_codes("838") == ["933", "878", "893", "935", "885", "881", "830", "886", "938", "815"]

    from_csv = {code: neighbour_codes(code) for code in Authority.objects.values_list("code", flat=True)}
    import_statistical_neighbours(SHARED_DATA / "lait" / "sn_may_2025.xlsx")
    from_workbook = {code: neighbour_codes(code) for code in from_csv}
    assert from_workbook == {code: codes for code, codes in from_csv.items() if codes} | {
        code: from_workbook[code] for code in ("835", "836", "837", "909", "928")
    }
    assert neighbour_codes("909")[0] == "925"  # the workbook's pre-reorganisation block
