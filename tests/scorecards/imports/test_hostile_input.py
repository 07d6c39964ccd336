"""Hostile and broken uploads: each refused early, with its own message naming the row, and nothing written.

No test measures time (the machine is noisy): each shows instead that reading stops at the limit, by counting
what the reader consumed, or that the file is refused before openpyxl opens it.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from scorecards.imports import ImportFailed, RowError, import_file, messages, plan_import, read_table, tables
from scorecards.imports.cells import CellError, parse_authority_code, parse_number, parse_period, parse_year
from scorecards.imports.tables import Limits
from scorecards.models import MonthlyValue

FILE = messages.FILE_COLUMN
HEADER = "authority,indicator,period,value,commentary\n"
GOOD = "838,dental_check_pct,2020-11,42,fine\n"
SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>authority</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>indicator</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>period</t></is></c>'
    b'<c r="D1" t="inlineStr"><is><t>value</t></is></c></row>'
)
SHEET_END = b"</sheetData></worksheet>"


@pytest.fixture
def catalogue(home_authority, make_indicator):
    return {
        "authority": home_authority,
        "dental": make_indicator(code="dental_check_pct", unit="percent", decimals=0),
        "count": make_indicator(code="cic_count", unit="count", polarity="neutral", decimals=0),
    }


def plan_csv(text: str):
    return plan_import("values", io.BytesIO(text.encode("utf-8")), "values.csv")


def refused_and_nothing_written(text: str) -> list[RowError]:
    with pytest.raises(ImportFailed) as failure:
        import_file("values", io.BytesIO(text.encode("utf-8")), "values.csv")
    assert MonthlyValue.objects.count() == 0
    return failure.value.errors


@pytest.fixture
def lines_read(monkeypatch):
    """How many physical lines of a CSV file the reader took, over all its passes."""
    count = {"lines": 0}
    original = tables.csv_reader._csv_lines

    def counting(text, lines, limit):
        for line in original(text, lines, limit):
            count["lines"] += 1
            yield line

    monkeypatch.setattr(tables.csv_reader, "_csv_lines", counting)
    return count


def workbook_with_sheet(write_rows, *, level: int = 6) -> io.BytesIO:
    """A real workbook whose first sheet's XML is replaced by SHEET_START, what write_rows writes, SHEET_END.

    The sheet is compressed as it is written, so a sheet of hundreds of megabytes never exists whole.
    """
    workbook = openpyxl.Workbook()
    workbook.active.append(["authority", "indicator", "period", "value"])
    template = io.BytesIO()
    workbook.save(template)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target,
    ):
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info, source.read(info.filename))
                continue
            with target.open(SHEET, "w", force_zip64=True) as sheet:
                sheet.write(SHEET_START)
                write_rows(sheet)
                sheet.write(SHEET_END)
    out.seek(0)
    return out


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open a workbook that should have been refused before")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


# Limits: columns -------------------------------------------------------------------------------------------


def test_a_csv_header_of_200000_columns_is_refused_on_its_first_row(db, lines_read):
    header = ",".join(f"c{index:05d}" for index in range(200_000))
    assert len(header) > 1_300_000
    plan = plan_csv(header + "\n" + GOOD * 10)
    assert plan.errors == [
        RowError(1, FILE, messages.TOO_MANY_COLUMNS.format(letter="BI", limit=60, last="BH"))
    ]
    assert lines_read["lines"] == 1  # the header line, and not one row after it
    assert plan.rows == []


def test_a_value_beyond_the_last_allowed_column_is_refused_on_its_row(catalogue):
    row = "838,dental_check_pct,2020-11,42,fine" + "," * 70 + "surprise\n"
    errors = refused_and_nothing_written(HEADER + GOOD + row)
    assert errors == [RowError(3, FILE, messages.TOO_MANY_COLUMNS.format(letter="BW", limit=60, last="BH"))]


def test_empty_cells_beyond_the_last_allowed_column_are_ignored(catalogue):
    summary = import_file(
        "values", io.BytesIO((HEADER + GOOD.rstrip("\n") + "," * 500 + "\n").encode()), "v.csv"
    )
    assert summary.created == 1


def test_the_column_limit_is_a_setting(catalogue, settings):
    settings.SCORECARD_UPLOAD_MAX_COLUMNS = 4
    assert Limits.from_settings().columns == 4
    plan = plan_csv(HEADER + GOOD)
    assert plan.errors == [RowError(1, FILE, messages.TOO_MANY_COLUMNS.format(letter="E", limit=4, last="D"))]


# Limits: rows and cells ------------------------------------------------------------------------------------


def test_the_default_row_limit_is_above_the_benchmark_import(db):
    # bench/generate.py imports 100,000 monthly values in one file.
    assert Limits.from_settings().rows == 200_000 > 100_000


def test_a_csv_over_the_row_limit_is_refused_before_its_rows_are_read(catalogue, settings, lines_read):
    settings.SCORECARD_UPLOAD_MAX_ROWS = 50
    plan = plan_csv(HEADER + "999,nope,2020-13,x,\n" * 10_000)
    assert plan.errors == [RowError(52, FILE, messages.TOO_MANY_ROWS.format(limit=50))]
    assert (
        lines_read["lines"] == 52
    )  # refused on the 52nd line, in the first pass, before any row was checked
    assert plan.rows == []


def test_blank_lines_count_towards_the_row_limit(catalogue, settings):
    settings.SCORECARD_UPLOAD_MAX_ROWS = 50
    plan = plan_csv(HEADER + GOOD + "\n" * 10_000)
    assert plan.errors == [RowError(52, FILE, messages.TOO_MANY_ROWS.format(limit=50))]


def test_a_file_at_the_row_limit_is_read(catalogue, settings):
    settings.SCORECARD_UPLOAD_MAX_ROWS = 3
    rows = "".join(f"838,dental_check_pct,2020-{month:02d},42,\n" for month in (1, 2, 3))
    assert plan_csv(HEADER + rows).summary.created == 3


def test_a_csv_over_the_cell_limit_is_refused(catalogue, settings):
    settings.SCORECARD_UPLOAD_MAX_CELLS = 100
    plan = plan_csv(HEADER + GOOD * 100)
    # The header has 5 cells, each row 5: the 20th row (row 21) brings the count to 105.
    assert plan.errors == [RowError(21, FILE, messages.TOO_MANY_CELLS.format(limit=100))]


# Limits: XLSX ----------------------------------------------------------------------------------------------


def test_an_xlsx_expanding_to_3000000_rows_is_refused_before_it_is_opened(db, openpyxl_never_opens):
    row = b'<row><c t="inlineStr"><is><t>838</t></is></c><c><v>1</v></c></row>'

    def three_million_rows(sheet):
        block = row * 10_000
        for _ in range(300):
            sheet.write(block)

    workbook = workbook_with_sheet(three_million_rows)
    data = workbook.read()
    assert len(data) < 2 * 1024 * 1024
    plan = plan_import("values", io.BytesIO(data), "bomb.xlsx")
    [error] = plan.errors
    assert (error.row, error.column) == (1, FILE)
    expanded = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert expanded > 100 * 1024 * 1024
    assert error.message == messages.XLSX_TOO_LARGE.format(
        size=tables.xlsx_reader._size(expanded), limit="100.0 MB"
    )


def test_an_xlsx_part_expanding_more_than_100_fold_is_refused_as_a_zip_bomb(db, openpyxl_never_opens):
    workbook = workbook_with_sheet(lambda sheet: sheet.write(b"<row><c><v>1</v></c></row>" * 200_000))
    plan = plan_import("values", workbook, "bomb.xlsx")
    [error] = plan.errors
    assert (error.row, error.column) == (1, FILE)
    assert error.message.startswith(messages.XLSX_BOMB.split("{")[0] + repr(SHEET))


def test_an_xlsx_over_the_row_limit_is_refused_before_it_is_opened(db, settings, openpyxl_never_opens):
    settings.SCORECARD_UPLOAD_MAX_ROWS = 1000
    workbook = workbook_with_sheet(
        lambda sheet: sheet.write(
            b"".join(
                b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n * 7919 % 10007)
                for n in range(2, 1200)
            )
        )
    )
    plan = plan_import("values", workbook, "rows.xlsx")
    assert plan.errors == [RowError(1, FILE, messages.TOO_MANY_ROWS.format(limit=1000))]


def test_an_xlsx_over_the_row_limit_stops_while_it_is_parsed(db, settings, monkeypatch):
    # Should a sheet's rows escape the count made before opening, the parse stops at the limit all the same.
    settings.SCORECARD_UPLOAD_MAX_ROWS = 1000
    monkeypatch.setattr(tables.xlsx_reader, "_archive_refusal", lambda archive, limits: None)
    yielded = []
    original = tables.xlsx_reader._xlsx_rows

    def counting(workbook, limits):
        for record in original(workbook, limits):
            yielded.append(record[0])
            yield record

    monkeypatch.setattr(tables.xlsx_reader, "_xlsx_rows", counting)
    workbook = workbook_with_sheet(
        lambda sheet: sheet.write(
            b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(2, 20_000))
        )
    )
    plan = plan_import("values", workbook, "rows.xlsx")
    assert plan.errors == [RowError(1002, FILE, messages.TOO_MANY_ROWS.format(limit=1000))]
    assert len(yielded) == 1001


def test_an_xlsx_value_in_column_xfd_is_refused_without_making_16384_cells(db):
    workbook = workbook_with_sheet(
        lambda sheet: sheet.write(b'<row r="2"><c r="A2"><v>1</v></c><c r="XFD2"><v>1</v></c></row>')
    )
    plan = plan_import("values", workbook, "wide.xlsx")
    assert plan.errors == [
        RowError(2, FILE, messages.TOO_MANY_COLUMNS.format(letter="XFD", limit=60, last="BH"))
    ]


def test_an_xlsx_row_numbered_a_billion_is_one_row_not_a_billion(catalogue):
    workbook = workbook_with_sheet(
        lambda sheet: sheet.write(
            b'<row r="1000000000"><c r="A1000000000" t="inlineStr"><is><t>838</t></is></c>'
            b'<c r="B1000000000" t="inlineStr"><is><t>dental_check_pct</t></is></c>'
            b'<c r="C1000000000" t="inlineStr"><is><t>2020-11</t></is></c><c r="D1000000000"><v>42</v></c></row>'
        )
    )
    plan = plan_import("values", workbook, "far.xlsx")
    assert plan.errors == []
    assert [planned.row for planned in plan.rows] == [1_000_000_000]


def test_an_xlsx_with_more_xml_elements_than_its_cells_can_need_is_refused(
    db, settings, openpyxl_never_opens
):
    settings.SCORECARD_UPLOAD_MAX_CELLS = 1000
    settings.SCORECARD_UPLOAD_MAX_ROWS = 100
    limit = Limits.from_settings().xml_elements
    workbook = workbook_with_sheet(lambda sheet: sheet.write(b"".join(b"<x%d/>" % n for n in range(limit))))
    plan = plan_import("values", workbook, "junk.xlsx")
    assert plan.errors == [RowError(1, FILE, messages.XLSX_TOO_COMPLEX.format(limit=limit))]


def test_an_xlsx_over_the_cell_limit_is_refused(db, settings):
    settings.SCORECARD_UPLOAD_MAX_CELLS = 100
    workbook = workbook_with_sheet(
        lambda sheet: sheet.write(
            b"".join(
                b'<row r="%d"><c r="A%d"><v>1</v></c><c r="B%d"><v>2</v></c></row>' % (n, n, n)
                for n in range(2, 200)
            )
        )
    )
    plan = plan_import("values", workbook, "cells.xlsx")
    # The header has 4 cells, each row 2: row 50 brings the count to 102.
    assert plan.errors == [RowError(50, FILE, messages.TOO_MANY_CELLS.format(limit=100))]


def test_an_ordinary_workbook_is_still_read(catalogue):
    workbook = openpyxl.Workbook()
    workbook.active.append(["authority", "indicator", "period", "value"])
    workbook.active.append(["838", "dental_check_pct", "2020-11", 0.42])
    workbook.active["D2"].number_format = "0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    assert import_file("values", buffer, "values.xlsx").created == 1
    assert MonthlyValue.objects.get().value == Decimal("42")


# Numbers: only the contract's forms, in plain digits 0-9 ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("４２", messages.NOT_PLAIN_DIGITS),
        ("٤٢", messages.NOT_PLAIN_DIGITS),
        ("4２", messages.NOT_PLAIN_DIGITS),
        ("１,２３４", messages.NOT_PLAIN_DIGITS),
        ("1e309", messages.NOT_A_NUMBER),
        ("1E5", messages.NOT_A_NUMBER),
        ("inf", messages.NOT_A_NUMBER),
        ("-inf", messages.NOT_A_NUMBER),
        ("nan", messages.NOT_A_NUMBER),
        ("NaN", messages.NOT_A_NUMBER),
        ("Infinity", messages.NOT_A_NUMBER),
        ("1_000", messages.NOT_A_NUMBER),
        (".5", messages.NOT_A_NUMBER),
        ("42.", messages.NOT_A_NUMBER),
        ("1,23", messages.NOT_A_NUMBER),
        ("42\n", messages.NOT_A_NUMBER),
        ("0x2A", messages.NOT_A_NUMBER),
        ("+5", messages.FORMULA_NOT_A_NUMBER),
        ("+42.0", messages.FORMULA_NOT_A_NUMBER),
    ],
)
def test_a_number_outside_the_contracts_forms_is_refused(text, message):
    with pytest.raises(CellError) as error:
        parse_number(text, unit="percent")
    assert str(error.value) == message.format(value=text)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("42", "42"),
        ("42.0", "42"),
        ("42%", "42"),
        ("1,234", "1234"),
        ("-1.5", "-1.5"),
        ("1,234,567.25", "1234567.25"),
    ],
)
def test_the_contracts_forms_are_read(text, number):
    assert parse_number(text, unit="percent") == Decimal(number)


def test_other_digits_are_refused_in_periods_years_and_codes():
    for parse, text in (
        (parse_period, "２０２０-１１"),
        (parse_year, "２０１９/２０"),
        (parse_authority_code, "８３８"),
    ):
        with pytest.raises(CellError) as error:
            parse(text)
        assert str(error.value) == messages.NOT_PLAIN_DIGITS.format(value=text)


def test_full_width_digits_in_a_file_are_errors_of_their_cells(catalogue):
    errors = refused_and_nothing_written(HEADER + "838,dental_check_pct,２０２０-１１,４２,\n")
    assert errors == [
        RowError(2, "period", messages.NOT_PLAIN_DIGITS.format(value="２０２０-１１")),
        RowError(2, "value", messages.NOT_PLAIN_DIGITS.format(value="４２")),
    ]


# Text: NUL and control characters ---------------------------------------------------------------------------


def test_a_nul_character_in_commentary_is_an_error_of_its_cell(catalogue):
    errors = refused_and_nothing_written(HEADER + GOOD + "838,dental_check_pct,2020-10,41,bad\x00text\n")
    assert errors == [RowError(3, "commentary", messages.NUL_CHARACTER)]


def test_a_control_character_is_an_error_of_its_cell(catalogue):
    errors = refused_and_nothing_written(HEADER + "838,dental_check_pct,2020-11,42,ring\x07bell\n")
    assert errors == [RowError(2, "commentary", messages.CONTROL_CHARACTER.format(code="U+0007"))]


def test_tabs_and_line_breaks_are_text(catalogue):
    import_file(
        "values", io.BytesIO((HEADER + '838,dental_check_pct,2020-11,42,"a\tb\r\nc"\n').encode()), "v.csv"
    )
    assert MonthlyValue.objects.get().commentary == "a\tb\r\nc"


def test_a_nul_character_in_a_workbook_is_refused_as_unreadable(catalogue):
    # XML cannot hold NUL, not even as &#0;: the workbook is damaged, and said to be.
    workbook = workbook_with_sheet(
        lambda sheet: sheet.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>8&#0;38</t></is></c></row>')
    )
    plan = plan_import("values", workbook, "nul.xlsx")
    [error] = plan.errors
    assert (error.row, error.column) == (1, FILE)
    assert error.message.startswith(messages.UNREADABLE_XLSX.split("(")[0])


def test_a_cell_longer_than_excel_allows_is_an_error_of_its_cell(catalogue):
    errors = refused_and_nothing_written(HEADER + f"838,dental_check_pct,2020-11,42,{'x' * 40_000}\n")
    assert errors == [RowError(2, "commentary", messages.TOO_LONG.format(length=40_000, limit=32_767))]


# Quotes ------------------------------------------------------------------------------------------------------


def test_an_unterminated_quote_is_refused_on_the_row_where_it_opened(catalogue):
    text = (
        HEADER + '838,dental_check_pct,2020-10,41,"two\nlines"\n' + '838,dental_check_pct,2020-11,42,"oops\n'
    )
    text += GOOD * 20
    errors = refused_and_nothing_written(text)
    # Row 3 of the spreadsheet starts on line 4 of the file: row 2 has a (closed) quoted line break.
    assert errors == [RowError(3, FILE, messages.UNTERMINATED_QUOTE.format(line=4))]


def test_an_unterminated_quote_swallowing_a_large_file_stops_at_the_cell_limit(catalogue, lines_read):
    text = HEADER + '838,dental_check_pct,2020-11,42,"oops\n' + GOOD * 100_000
    errors = refused_and_nothing_written(text)
    assert errors == [RowError(2, FILE, messages.UNTERMINATED_QUOTE.format(line=2))]
    assert lines_read["lines"] < 10_000  # csv's field limit stops it long before the end


def test_a_quote_closed_on_the_last_line_without_a_line_break_is_read(catalogue):
    import_file("values", io.BytesIO((HEADER + '838,dental_check_pct,2020-11,42,"a\nb"').encode()), "v.csv")
    assert MonthlyValue.objects.get().commentary == "a\nb"


def test_a_file_without_a_final_line_break_is_read(db):
    table = read_table(io.BytesIO(b"code,name\n838,Dorset"), "a.csv")
    assert table.errors == []
    assert [row.cells for row in table.rows] == [{"code": "838", "name": "Dorset"}]


def test_a_row_that_mimics_the_readers_end_of_file_marker_does_not_end_the_file(catalogue):
    text = HEADER + GOOD + f"{tables.csv_reader._END_OF_FILE}\n" + "838,dental_check_pct,2020-13,42,\n"
    errors = refused_and_nothing_written(text)
    assert RowError(3, "authority", messages.NUL_CHARACTER) in errors
    assert RowError(4, "period", messages.BAD_PERIOD.format(value="2020-13")) in errors


def test_an_archive_of_too_many_parts_is_refused_before_it_is_opened(db, openpyxl_never_opens):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(tables.xlsx_reader.MAX_PARTS + 1):
            archive.writestr(f"x/{number}", b"")
    plan = plan_import("values", io.BytesIO(buffer.getvalue()), "parts.xlsx")
    count = tables.xlsx_reader.MAX_PARTS + 1
    assert plan.errors == [
        RowError(
            1, FILE, messages.XLSX_TOO_MANY_PARTS.format(count=count, limit=tables.xlsx_reader.MAX_PARTS)
        )
    ]
