"""Reading an SSDA903 return: what is read, and every way a file is refused. No database."""

from __future__ import annotations

import io
import zipfile

import pytest

from scorecards.returns.reader import (
    ReturnError,
    load_schema_codes,
    read_csv_files,
    read_folder,
    read_return,
    read_xml,
)

EPISODES = (
    b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    b"101,01/04/2017,S,C2,N1,U1,PR1,,,,AB1 2CD,EF3 4GH,123\n"
)


def error_of(files: dict[str, bytes], **limits) -> ReturnError:
    with pytest.raises(ReturnError) as caught:
        read_csv_files(files, **limits)
    return caught.value


# What is read ----------------------------------------------------------------------------------------------


def test_it_keeps_only_the_columns_the_rules_need():
    tables = read_csv_files({"episodes.csv": EPISODES})
    [row] = tables.episodes.rows
    assert row.number == 2
    assert row.cells == {
        "CHILD": "101",
        "DECOM": "01/04/2017",
        "RNE": "S",
        "LS": "C2",
        "PLACE": "U1",
        "DEC": "",
        "REC": "",
    }
    assert tables.missing is None and tables.oc2 is None


def test_columns_are_found_by_name_in_any_order_and_case_and_cells_are_trimmed():
    data = "\ufeffrec , Dec,place,LS,rne,decom,child\r\n X1 ,,U1,C2,S,01/04/2017, 101 \r\n".encode()
    [row] = read_csv_files({"Episodes.CSV": data}).episodes.rows
    assert row.cells["CHILD"] == "101" and row.cells["REC"] == "X1" and row.cells["DECOM"] == "01/04/2017"


def test_blank_rows_are_skipped_and_rows_keep_the_numbers_a_spreadsheet_shows():
    data = EPISODES + b",,,,,,,,,,,,\n\n102,01/05/2017,S,C2,N1,U1,PR1,,,,,,\n"
    rows = read_csv_files({"episodes.csv": data}).episodes.rows
    assert [row.number for row in rows] == [2, 5]


def test_a_short_row_reads_as_blank_cells_and_trailing_empty_cells_are_allowed():
    data = b"CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n101,01/04/2017,S,C2,U1\n102,01/04/2017,S,C2,U1,,,,\n"
    rows = read_csv_files({"episodes.csv": data}).episodes.rows
    assert rows[0].cells["DEC"] == "" and rows[0].cells["REC"] == ""
    assert len(rows) == 2


def test_the_optional_tables_are_read_when_present_and_other_files_ignored(tmp_path):
    (tmp_path / "episodes.csv").write_bytes(EPISODES)
    (tmp_path / "missing.csv").write_bytes(
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\n101,01/01/2010,M,02/05/2017,\n"
    )
    (tmp_path / "oc2.csv").write_bytes(b"CHILD,TEETH_CHECK,HEALTH_ASSESSMENT,IMMUNISATIONS\n101,1,0,\n")
    (tmp_path / "header.csv").write_bytes(b"CHILD,SEX,DOB\n101,1,01/01/2010\n")
    (tmp_path / "reviews.csv").write_bytes(b"PK\x03\x04 not read at all")
    tables = read_return(tmp_path)
    assert tables.missing.rows[0].cells == {"CHILD": "101", "MIS_START": "02/05/2017", "MISSING": "M"}
    assert tables.oc2.rows[0].cells == {
        "CHILD": "101",
        "TEETH_CHECK": "1",
        "HEALTH_ASSESSMENT": "0",
        "IMMUNISATIONS": "",
    }
    assert tables.source == str(tmp_path)


def test_a_missing_table_without_the_missing_column_is_still_read():
    tables = read_csv_files({"episodes.csv": EPISODES, "missing.csv": b"CHILD,MIS_START\n101,02/05/2017\n"})
    assert tables.missing.rows[0].cells == {"CHILD": "101", "MIS_START": "02/05/2017"}


# What is refused -------------------------------------------------------------------------------------------


def test_episodes_are_required():
    error = error_of({"missing.csv": b"CHILD,MIS_START\n"})
    assert error.file == "episodes.csv" and "no episodes.csv" in str(error)
    with pytest.raises(ReturnError, match="no such folder"):
        read_folder("/nonexistent/return")


@pytest.mark.parametrize(
    "content", [b"", b"\n\n", b"  \r\n,,\n", b"\xef\xbb\xbf"], ids=["empty", "blank", "commas", "bom"]
)
def test_an_empty_file_is_refused(content):
    error = error_of({"episodes.csv": EPISODES, "oc2.csv": content})
    assert (error.file, error.row, error.column) == ("oc2.csv", None, None)
    assert str(error) == "oc2.csv: the file is empty: expected a header row naming the columns"


def test_a_header_without_rows_is_an_empty_table():
    tables = read_csv_files({"episodes.csv": b"CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n"})
    assert tables.episodes.rows == ()


def test_a_missing_column_is_refused_naming_it():
    error = error_of({"episodes.csv": b"CHILD,DECOM,RNE,PLACE,DEC\n101,01/04/2017,S,U1,\n"})
    assert (error.file, error.row, error.column) == ("episodes.csv", 1, "LS")
    assert str(error) == "episodes.csv, row 1, column LS: required column(s) LS, REC missing"


def test_a_column_given_twice_is_refused():
    error = error_of({"episodes.csv": b"CHILD,DECOM,RNE,LS,PLACE,DEC,REC,dec\n"})
    assert (error.row, error.column) == (1, "DEC")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00", "zip archive"),
        (b"\x7fELF\x02\x01\x01\x00", "ELF executable"),
        (b"%PDF-1.7", "PDF"),
        (b"\xff\xfeC\x00H\x00", "UTF-16"),
    ],
    ids=["zip", "elf", "pdf", "utf16"],
)
def test_binary_files_renamed_csv_are_refused(content, words):
    error = error_of({"episodes.csv": content + b"\x00" * 64})
    assert error.file == "episodes.csv" and words in error.message and "not a CSV file" in error.message


def test_a_real_zip_renamed_csv_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("episodes.csv", EPISODES)
    assert "zip archive" in error_of({"episodes.csv": buffer.getvalue()}).message


def test_a_nul_byte_is_binary_content():
    error = error_of({"episodes.csv": EPISODES + b"102,01/04/2017\x00,S\n"})
    assert (error.row, "binary content" in error.message) == (3, True)


def test_text_that_is_not_utf8_is_refused_on_its_row():
    error = error_of(
        {"episodes.csv": EPISODES + "103,01/04/2017,S,C2,N1,U1,PR1,,,,Café,,\n".encode("latin-1")}
    )
    assert (error.file, error.row) == ("episodes.csv", 3)
    assert "not UTF-8" in error.message


def test_a_row_with_more_cells_than_the_header_is_refused_without_quoting_it():
    data = b"CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n101,01/04/2017,S,C2,U1,,,SECRET-ID-42\n"
    error = error_of({"episodes.csv": data})
    assert (error.row, error.column) == (2, None)
    assert "SECRET" not in str(error) and "101" not in str(error)


def test_a_csv_that_cannot_be_parsed_is_refused():
    data = b'CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n101,"' + b"x" * 200_000 + b'",S,C2,U1,,\n'
    error = error_of({"episodes.csv": data})
    assert error.row == 2 and "cannot be read" in error.message and "xxx" not in str(error)


def test_header_csv_is_checked_but_not_kept():
    assert "zip archive" in error_of({"episodes.csv": EPISODES, "header.csv": b"PK\x03\x04"}).message
    assert error_of({"episodes.csv": EPISODES, "header.csv": b"SEX,DOB\n1,01/01/2010\n"}).column == "CHILD"


def test_limits_on_bytes_and_rows(tmp_path):
    assert "larger than 100 bytes" in error_of({"episodes.csv": EPISODES}, max_bytes=100).message
    rows = EPISODES + b"102,01/04/2017,S,C2,N1,U1,PR1,,,,,,\n"
    error = error_of({"episodes.csv": rows}, max_rows=1)
    assert (error.row, "more than 1 rows" in error.message) == (3, True)
    (tmp_path / "episodes.csv").write_bytes(EPISODES)
    with pytest.raises(ReturnError, match="larger than"):
        read_folder(tmp_path, max_bytes=10)


# XML -------------------------------------------------------------------------------------------------------

XML = b"""<?xml version='1.0' encoding='utf-8'?>
<EXPSSDA903><CHILD><HEADER><CHILDID>101</CHILDID><UPN>A123</UPN><DOB>01/01/2010</DOB>
<AMISSING><MISSING>A</MISSING><MIS_START>02/05/2017</MIS_START><MIS_END /></AMISSING>
<OC2><SDQ_SCORE>21</SDQ_SCORE><IMMUNISATIONS>1</IMMUNISATIONS><TEETH_CHECK>0</TEETH_CHECK>
<HEALTH_ASSESSMENT>1</HEALTH_ASSESSMENT></OC2></HEADER>
<EPISODE><DECOM>01/04/2017</DECOM><RNE>S</RNE><LS>C2</LS><PL>U1</PL><HOME_POST>AB1 2CD</HOME_POST>
<DEC>01/06/2017</DEC><REC>X1</REC></EPISODE>
<EPISODE><DECOM>01/06/2017</DECOM><RNE>P</RNE><LS>C2</LS><PL>U2</PL><DEC /><REC /></EPISODE></CHILD>
<CHILD><HEADER><CHILDID>102</CHILDID></HEADER>
<EPISODE><DECOM>01/05/2017</DECOM><RNE>S</RNE><LS>V3</LS><PL>U1</PL></EPISODE></CHILD></EXPSSDA903>
"""


def test_the_xml_return_gives_the_tables_the_csv_return_would():
    tables = read_xml(XML, file_name="return.xml")
    assert tables.source == "return.xml"
    episodes = [(row.number, row.cells) for row in tables.episodes.rows]
    assert episodes[0] == (
        2,
        {
            "CHILD": "101",
            "DECOM": "01/04/2017",
            "RNE": "S",
            "LS": "C2",
            "PLACE": "U1",
            "DEC": "01/06/2017",
            "REC": "X1",
        },
    )
    assert episodes[1][1]["DEC"] == "" and episodes[1][1]["REC"] == ""
    assert episodes[2] == (
        4,
        {"CHILD": "102", "DECOM": "01/05/2017", "RNE": "S", "LS": "V3", "PLACE": "U1"}
        | {"DEC": "", "REC": ""},
    )
    assert [row.cells for row in tables.missing.rows] == [
        {"CHILD": "101", "MIS_START": "02/05/2017", "MISSING": "A"}
    ]
    assert [row.cells for row in tables.oc2.rows] == [
        {"CHILD": "101", "TEETH_CHECK": "0", "HEALTH_ASSESSMENT": "1", "IMMUNISATIONS": "1"}
    ]


def test_the_xml_is_read_in_small_pieces(monkeypatch):
    monkeypatch.setattr("scorecards.returns.reader.XML_CHUNK", 7)
    assert len(read_xml(XML).episodes.rows) == 3


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<EXPSSDA903><CHILD><HEADER><CHILDID>&lol2;</CHILDID></HEADER></CHILD></EXPSSDA903>
"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<EXPSSDA903><CHILD><HEADER><CHILDID>&xxe;</CHILDID></HEADER></CHILD></EXPSSDA903>"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL, b"<!doctype EXPSSDA903><EXPSSDA903/>"])
def test_entity_and_doctype_declarations_are_refused(content):
    with pytest.raises(ReturnError, match="DOCTYPE or ENTITY") as caught:
        read_xml(content, file_name="return.xml")
    assert caught.value.file == "return.xml"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            b"<EXPSSDA903><CHILD><HEADER><CHILDID>&undefined;</CHILDID></HEADER></CHILD></EXPSSDA903>",
            "cannot be read",
        ),
        (b"<EXPSSDA903><CHILD></EXPSSDA903>", "cannot be read"),
        (b"", "cannot be read"),
        (b"<EXPSSDA903></EXPSSDA903>", "no CHILD element"),
        (b"<OTHER><CHILD/></OTHER>", "not EXPSSDA903"),
        (XML.replace(b"utf-8", b"utf-16"), "encoded as UTF-8"),
        ("<EXPSSDA903/>".encode("utf-16-le"), "encoded as UTF-8"),
        (b"PK\x03\x04", "zip archive"),
    ],
    ids=["undefined-entity", "mismatched", "empty", "no-child", "root", "utf16-declared", "utf16", "zip"],
)
def test_xml_that_cannot_be_read_is_refused(content, words):
    with pytest.raises(ReturnError, match=words):
        read_xml(content)


def test_xml_limits(tmp_path):
    with pytest.raises(ReturnError, match="larger than"):
        read_xml(XML, max_bytes=100)
    with pytest.raises(ReturnError, match="more than 2 rows"):
        read_xml(XML, max_rows=2)
    (tmp_path / "return.xml").write_bytes(XML)
    assert len(read_return(tmp_path / "return.xml").episodes.rows) == 3


# The schema's code lists -----------------------------------------------------------------------------------


def test_load_schema_codes_reads_the_category_lists_and_blank_rules(tmp_path):
    schema = tmp_path / "schema.yml"
    schema.write_text(
        "column_map:\n"
        "    Episodes:\n"
        "      RNE:\n"
        "       category:\n"
        '       - code: "S"\n'
        '       - code: "L"\n'
        "       canbeblank: no\n"
        "      DEC:\n"
        '       date: "%d/%m/%Y"\n'
        "       canbeblank: yes\n"
        "      REC:\n"
        "       category:\n"
        "       - code: X1\n"
        '         name: "Ceased"\n'
        '       dictionary: {"A" : "1",\n'
        '                    "B" : "2"}\n'
        "       canbeblank: yes\n"
        "    Header:\n"
        "      SEX:\n"
        "       category:\n"
        '       - code: "1"\n'
        "    UASC:\n"
        "      SEX:\n"
        "       category:\n"
        '       - code: "2"\n',
        encoding="utf-8",
    )
    assert load_schema_codes(schema) == {"RNE": {"S", "L"}, "REC": {"X1", ""}, "SEX": {"1", "2"}}
