"""D2I's fake SSDA903 return (../shared/data): its figures at 31 March 2018, checked against a naive reading
of the contract, and the CSV and XML routes giving the same figures. Skipped when the data is absent, except in
CI (CI=true), where it is required. No database."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from scorecards.returns.reader import load_schema_codes, read_csv_files, read_folder, read_xml, read_xml_file
from scorecards.returns.rules import compute

from .helpers import FAKE, MAR, SCHEMA, figures, needs_shared, shared


@pytest.mark.shared_data
@needs_shared
def test_load_schema_codes_reads_the_liia_schema():
    codes = load_schema_codes(shared(SCHEMA))
    assert codes["RNE"] == {"S", "L", "P", "T", "B", "U"}
    assert {"V3", "V4", "C2", "J3"} <= codes["LS"] and "" not in codes["LS"]
    assert {"T0", "T4", "U6", "Z1"} <= codes["PLACE"] and len(codes["PLACE"]) == 27
    assert {"X1", "E11", "E4A", ""} <= codes["REC"]
    assert codes["MISSING"] == {"M", "A"}
    assert codes["TEETH_CHECK"] == codes["IMMUNISATIONS"] == codes["HEALTH_ASSESSMENT"] == {"0", "1", ""}


def naive_figures(folder: Path, day: date) -> dict[str, int]:
    """The contract read literally, checking every day of the year one by one (slow, and independent)."""

    def parse(text):
        return date(int(text[6:]), int(text[3:5]), int(text[:2])) if text else None

    with (folder / "episodes.csv").open(newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["LS"] not in ("V3", "V4")]
    by_child: dict[str, dict[date, dict]] = {}
    for row in rows:  # every date of the fake return parses; a later row replaces an earlier one
        by_child.setdefault(row["CHILD"], {})[parse(row["DECOM"])] = row
    spans = {}
    for child, by_start in by_child.items():
        starts = sorted(by_start)
        spans[child] = []
        for index, start in enumerate(starts):
            row = by_start[start]
            ends = [parse(row["DEC"])] + ([starts[index + 1]] if index + 1 < len(starts) else [])
            ends = [end for end in ends if end]
            spans[child].append((start, min(ends) if ends else None, row))

    def is_open(span, on):
        return span[0] <= on and (span[1] is None or span[1] > on)

    first = date(day.year - 1, 4, 1)
    year = [first + timedelta(days=n) for n in range((day - first).days + 1)]
    in_care = {child for child, spans_ in spans.items() if any(is_open(span, day) for span in spans_)}
    three_plus = 0
    for child in in_care:
        placements = []
        for span in spans[child]:
            if span[2]["PLACE"] in ("T0", "T1", "T2", "T3", "T4"):
                continue
            if not placements or span[2]["RNE"] in ("S", "P", "B"):
                placements.append([])
            placements[-1].append(span)
        counted = [p for p in placements if any(is_open(span, on) for span in p for on in year)]
        three_plus += len(counted) >= 3
    stayed = {c for c in in_care if all(any(is_open(span, on) for span in spans[c]) for on in year)}
    with (folder / "oc2.csv").open(newline="") as file:
        oc2 = {row["CHILD"]: row for row in csv.DictReader(file)}

    def in_month(text):
        return bool(text) and (parse(text).year, parse(text).month) == (day.year, day.month)

    everything = [span for spans_ in spans.values() for span in spans_]
    out = {
        "cic_count": len(in_care),
        "three_plus": three_plus,
        "stayed": len(stayed),
        "started": len({s[2]["CHILD"] for s in everything if s[2]["RNE"] == "S" and in_month(s[2]["DECOM"])}),
        "ceased": len({s[2]["CHILD"] for s in everything if s[2]["REC"] != "X1" and in_month(s[2]["DEC"])}),
    }
    for column in ("TEETH_CHECK", "HEALTH_ASSESSMENT", "IMMUNISATIONS"):
        out[column] = sum(1 for c in stayed if c in oc2 and oc2[c][column] == "1")
    return out


@pytest.mark.shared_data
@needs_shared
def test_the_fake_csv_return_at_31_march_2018():
    folder = shared(FAKE)
    tables = read_folder(folder)
    result = compute(tables, month_ends=[MAR])
    assert compute(tables, month_ends=[MAR], schema_codes=load_schema_codes(shared(SCHEMA))) == result
    found = figures(result)
    naive = naive_figures(folder, MAR)
    assert naive == {
        "cic_count": 1196,
        "three_plus": 172,
        "stayed": 1048,
        "started": 9,
        "ceased": 49,
        "TEETH_CHECK": 497,
        "HEALTH_ASSESSMENT": 528,
        "IMMUNISATIONS": 523,
    }
    assert found[("cic_count", "2018-03")] == 1196
    assert found[("cic_started_in_month", "2018-03")] == 9
    assert found[("cic_ceased_in_month", "2018-03")] == 49
    assert found[("missing_incidents_in_month", "2018-03")] == 0
    assert found[("three_plus_placements_pct", "2018-03")][:2] == (172, 1196)
    assert found[("dental_check_pct", "2018-03")][:2] == (497, 1048)
    assert found[("rha_on_time_pct", "2018-03")][:2] == (528, 1048)
    assert found[("immunisations_up_to_date_pct", "2018-03")][:2] == (523, 1048)
    assert found[("dental_check_pct", "2018-03")][2] == Decimal(497) * 100 / Decimal(1048)
    rules = [problem.rule for problem in result.problems]
    assert (rules.count("overlapping_episode"), rules.count("stray_open_episode"), len(rules)) == (47, 10, 57)
    assert result.notes == []


@pytest.mark.shared_data
@needs_shared
def test_the_fake_xml_return_at_31_march_2018():
    result = compute(read_xml_file(shared(FAKE) / "fake_903.xml"), month_ends=[MAR])
    found = figures(result)
    assert found[("cic_count", "2018-03")] == 109
    assert found[("three_plus_placements_pct", "2018-03")][:2] == (18, 109)
    assert found[("dental_check_pct", "2018-03")][:2] == (45, 95)
    assert found[("rha_on_time_pct", "2018-03")][:2] == (42, 95)
    assert found[("immunisations_up_to_date_pct", "2018-03")][:2] == (52, 95)
    assert [problem.rule for problem in result.problems] == ["overlapping_episode"] * 3


# The real fake return: the CSV and XML routes agree ---------------------------------------------------------


def _as_csv(tables) -> dict[str, bytes]:
    """The tables written back as CSV files, as a council exporting its XML return to CSV would."""
    files = {}
    for table in (tables.episodes, tables.missing, tables.oc2):
        out = io.StringIO()
        columns = list(table.rows[0].cells)
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([row.cells[column] for column in columns] for row in table.rows)
        files[table.name] = out.getvalue().encode()
    return files


def _as_xml(folder: Path) -> bytes:
    """The CSV tables written as an XML return, laid out as fake_903.xml."""
    children: dict[str, dict[str, list[dict[str, str]]]] = {}
    for name, key in (("episodes.csv", "EPISODE"), ("missing.csv", "AMISSING"), ("oc2.csv", "OC2")):
        with (folder / name).open(newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                children.setdefault(row.pop("CHILD"), {}).setdefault(key, []).append(row)

    def element(tag, cells):
        inner = "".join(f"<{k}>{escape(v)}</{k}>" if v else f"<{k} />" for k, v in cells.items())
        return f"<{tag}>{inner}</{tag}>"

    parts = ["<?xml version='1.0' encoding='us-ascii'?><EXPSSDA903>"]
    for child, tables in children.items():
        header = "".join(element(key, row) for key in ("AMISSING", "OC2") for row in tables.get(key, []))
        episodes = "".join(
            element("EPISODE", {"PL" if k == "PLACE" else k: v for k, v in row.items()})
            for row in tables.get("EPISODE", [])
        )
        parts.append(f"<CHILD><HEADER><CHILDID>{child}</CHILDID>{header}</HEADER>{episodes}</CHILD>")
    parts.append("</EXPSSDA903>")
    return "".join(parts).encode("ascii")


@pytest.mark.shared_data
@needs_shared
def test_the_fake_xml_return_read_as_csv_gives_the_same_figures_and_problems():
    xml_tables = read_xml_file(shared(FAKE / "fake_903.xml"))
    assert (len(xml_tables.episodes.rows), len(xml_tables.missing.rows), len(xml_tables.oc2.rows)) == (
        459,
        6,
        253,
    )
    ends = [date(2017, 12, 31), date(2018, 3, 31)]
    from_xml = compute(xml_tables, month_ends=ends)
    from_csv = compute(read_csv_files(_as_csv(xml_tables)), month_ends=ends)
    assert from_xml.figures == from_csv.figures
    assert from_xml.problems == from_csv.problems
    assert len(from_xml.figures) == 5 + 8


@pytest.mark.shared_data
@needs_shared
def test_the_fake_csv_return_written_as_xml_gives_the_same_figures():
    folder = shared(FAKE)
    ends = [date(2017, month, 30 if month in (4, 6, 9, 11) else 31) for month in (4, 5, 6, 7, 8, 10, 12)]
    ends += [date(2018, 1, 31), date(2018, 2, 28), date(2018, 3, 31)]
    from_csv = compute(read_folder(folder), month_ends=ends)
    from_xml = compute(read_xml(_as_xml(folder)), month_ends=ends)
    assert from_csv.figures == from_xml.figures
    assert len(from_csv.problems) == len(from_xml.problems) == 57
