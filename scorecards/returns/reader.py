"""Reading an SSDA903 return into in-memory tables, refusing what cannot be read.

A return comes as its CSV tables (a folder, or a mapping of file name to bytes, named as in
``shared/data/ssda903_spec/d2i_fake_data/``) or as the XML return (``<EXPSSDA903><CHILD><HEADER>...``).
Only what the rules need is read and kept, so postcodes, UPNs and dates of birth never reach memory:

- ``episodes.csv`` is required: CHILD, DECOM, RNE, LS, PLACE, DEC, REC.
- ``missing.csv`` (CHILD, MIS_START; MISSING kept when present for the code check) and ``oc2.csv`` (CHILD,
  TEETH_CHECK, HEALTH_ASSESSMENT, IMMUNISATIONS) are optional: without one, the figures that need it are not
  computed and ``rules`` says so in its notes. A present file is read whole, and a missing column is an error.
- ``header.csv``, when present, is checked to be a readable table with a CHILD column and then dropped: no rule
  needs it. Every other file is ignored.

Columns are found by name (trimmed, any case), in any order; cells are trimmed; blank rows are skipped; rows
are numbered as a spreadsheet shows them (the header is row 1). In the XML, a table's rows are numbered as in
the CSV table it stands for (the first EPISODE element is row 2 of ``episodes.csv``), so a problem points to
the same row whichever route the return took; PL is read as PLACE and CHILDID as CHILD.

Anything that cannot be read raises ``ReturnError`` naming the file, row and column. Its message never
quotes a cell, so no child's identifier or detail can leak through an error page or log.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - DOCTYPE and ENTITY declarations are refused before parsing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from .schema import load_schema_codes as load_schema_codes  # offered here beside the readers

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROWS = 500_000
XML_CHUNK = 1024 * 1024

BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive (an Excel workbook is one)",
    b"\x7fELF": "a program (an ELF executable)",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Office document (an .xls workbook)",
    b"\xff\xfe": "UTF-16 text",
    b"\xfe\xff": "UTF-16 text",
}
XML_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"}
XML_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
XML_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class ReturnError(Exception):
    """The return cannot be read. ``row`` and ``column`` are None when the whole file is at fault."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str) -> None:
        super().__init__(file, row, column, message)
        self.file, self.row, self.column, self.message = file, row, column, message

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class TableSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    keep: bool = True

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


EPISODES = TableSpec("episodes.csv", ("CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC", "REC"))
MISSING = TableSpec("missing.csv", ("CHILD", "MIS_START"), ("MISSING",))
OC2 = TableSpec("oc2.csv", ("CHILD", "TEETH_CHECK", "HEALTH_ASSESSMENT", "IMMUNISATIONS"))
HEADER = TableSpec("header.csv", ("CHILD",), keep=False)
SPECS = (EPISODES, MISSING, OC2, HEADER)


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    #: the spec's columns the file has, trimmed; an absent optional column is absent here too.
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    name: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class ReturnTables:
    #: the folder or XML file the return was read from, for messages.
    source: str
    episodes: Table
    #: None when the return has no such file; then the figures needing it are not computed.
    missing: Table | None
    oc2: Table | None


# CSV ------------------------------------------------------------------------------------------------------


def _refuse_binary(name: str, data: bytes) -> None:
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ReturnError(
                name, None, None, f"this is not a CSV file but {what}; save the table as CSV UTF-8"
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        row = data.count(b"\n", 0, nul) + 1
        raise ReturnError(name, row, None, "the file holds binary content (a NUL byte), not CSV text")


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        raise ReturnError(
            name,
            row,
            None,
            f"the file is not UTF-8 text (byte {error.start + 1} cannot be read); save it as CSV UTF-8",
        ) from None


def _records(name: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of every record, blank ones included."""
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ReturnError(name, number + 1, None, f"the CSV cannot be read ({error})") from None
        number += 1
        yield number, record


def read_csv_table(spec: TableSpec, data: bytes, *, max_rows: int = DEFAULT_MAX_ROWS) -> Table:
    """Read one CSV table, keeping only the spec's columns."""
    name = spec.name
    _refuse_binary(name, data)
    text = _decode(name, data)
    records = _records(name, text)
    header: list[str] | None = None
    number = 0
    for number, record in records:  # noqa: B007 - the header's row number is used below
        if any(cell.strip() for cell in record):
            header = [cell.strip().upper() for cell in record]
            break
    if header is None:
        raise ReturnError(name, None, None, "the file is empty: expected a header row naming the columns")
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            raise ReturnError(name, number, column, f"column {column} appears more than once in the header")
        seen.add(column)
    absent = [column for column in spec.required if column not in seen]
    if absent:
        raise ReturnError(name, number, absent[0], f"required column(s) {', '.join(absent)} missing")
    wanted = [(column, header.index(column)) for column in spec.columns if column in seen]
    width = len(header)
    values: dict[str, str] = {}  # one string object per distinct value: codes and dates repeat a lot
    rows: list[Row] = []
    for number, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            raise ReturnError(
                name, number, None, f"the row has {len(record)} cells but the header names {width} columns"
            )
        if len(rows) >= max_rows:
            raise ReturnError(
                name, number, None, f"the table has more than {max_rows:,} rows, the most allowed"
            )
        if spec.keep:
            cells = {}
            for column, index in wanted:
                value = record[index].strip() if index < len(record) else ""
                cells[column] = values.setdefault(value, value)
            rows.append(Row(number, cells))
        else:
            rows.append(Row(number, {}))
    return Table(name, tuple(rows) if spec.keep else ())


def read_csv_files(
    files: Mapping[str, bytes],
    *,
    source: str = "upload",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ReturnTables:
    """Read the return's tables from a mapping of file name (a path's last part counts) to content."""
    by_name: dict[str, bytes] = {}
    for key, data in files.items():
        name = PurePath(key).name.lower()
        if name in by_name and any(name == spec.name for spec in SPECS):
            raise ReturnError(name, None, None, "two files have this name; give the return's tables once")
        by_name[name] = data
    return _read_tables(source, lambda name: by_name.get(name), max_bytes=max_bytes, max_rows=max_rows)


def read_folder(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_rows: int = DEFAULT_MAX_ROWS
) -> ReturnTables:
    """Read the return's tables from a folder (file names compared without regard to case)."""
    folder = Path(path)
    if not folder.is_dir():
        raise ReturnError(
            str(folder), None, None, "no such folder: give the folder holding the return's tables"
        )
    found = {entry.name.lower(): entry for entry in folder.iterdir() if entry.is_file()}

    def load(name: str) -> bytes | None:
        entry = found.get(name)
        if entry is None:
            return None
        if entry.stat().st_size > max_bytes:
            raise ReturnError(name, None, None, _too_large(max_bytes))
        return entry.read_bytes()

    return _read_tables(str(folder), load, max_bytes=max_bytes, max_rows=max_rows)


def _too_large(max_bytes: int) -> str:
    return f"the file is larger than {max_bytes:,} bytes, the most allowed"


def _read_tables(source: str, load, *, max_bytes: int, max_rows: int) -> ReturnTables:
    tables: dict[str, Table | None] = {}
    for spec in SPECS:
        data = load(spec.name)
        if data is None:
            if spec is EPISODES:
                raise ReturnError(
                    spec.name, None, None, "the return has no episodes.csv, which every figure needs"
                )
            tables[spec.name] = None
            continue
        if len(data) > max_bytes:
            raise ReturnError(spec.name, None, None, _too_large(max_bytes))
        tables[spec.name] = read_csv_table(spec, data, max_rows=max_rows)
    episodes = tables[EPISODES.name]
    assert episodes is not None
    return ReturnTables(source, episodes, tables[MISSING.name], tables[OC2.name])


# XML ------------------------------------------------------------------------------------------------------


def read_xml(
    data: bytes,
    *,
    file_name: str = "return.xml",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ReturnTables:
    """Read the XML return (laid out as ``fake_903.xml``) into the tables the CSV return would give."""
    if len(data) > max_bytes:
        raise ReturnError(file_name, None, None, _too_large(max_bytes))
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise ReturnError(file_name, None, None, f"this is not an XML return but {what}")
    if b"\x00" in data:  # UTF-8, ASCII and ISO-8859-1 XML never holds a NUL; UTF-16 without a BOM does
        raise ReturnError(file_name, None, None, "the XML must be encoded as UTF-8 (or ASCII or ISO-8859-1)")
    declared = XML_DECLARED_ENCODING.search(data[:200])
    if declared and declared.group(1).decode("ascii").lower() not in XML_ENCODINGS:
        raise ReturnError(file_name, None, None, "the XML must be encoded as UTF-8 (or ASCII or ISO-8859-1)")
    if XML_DECLARATION.search(data):
        raise ReturnError(
            file_name,
            None,
            None,
            "the XML declares a DOCTYPE or ENTITY, which a return never needs; refused, as entity "
            "expansion could be used to attack the server",
        )
    builder = _XmlTables(file_name, max_rows)
    parser = ET.XMLPullParser(events=("start", "end"))
    try:
        for start in range(0, max(len(data), 1), XML_CHUNK):
            parser.feed(data[start : start + XML_CHUNK])
            builder.take(parser.read_events())
        parser.close()
        builder.take(parser.read_events())
    except ET.ParseError as error:  # its message gives the line and column, never the text
        raise ReturnError(file_name, None, None, f"the XML cannot be read ({error})") from None
    if builder.children == 0:
        raise ReturnError(file_name, None, "CHILD", "the XML holds no CHILD element")
    return ReturnTables(
        file_name,
        Table(EPISODES.name, tuple(builder.rows[EPISODES.name])),
        Table(MISSING.name, tuple(builder.rows[MISSING.name])),
        Table(OC2.name, tuple(builder.rows[OC2.name])),
    )


def read_xml_file(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_rows: int = DEFAULT_MAX_ROWS
) -> ReturnTables:
    file = Path(path)
    if not file.is_file():
        raise ReturnError(str(file), None, None, "no such file")
    if file.stat().st_size > max_bytes:
        raise ReturnError(file.name, None, None, _too_large(max_bytes))
    return read_xml(file.read_bytes(), file_name=file.name, max_bytes=max_bytes, max_rows=max_rows)


def _text(element: ET.Element | None, *tags: str) -> str:
    for tag in tags:
        found = element.find(tag) if element is not None else None
        if found is not None:
            return (found.text or "").strip()
    return ""


class _XmlTables:
    """Turns each CHILD element, as soon as it is complete, into rows; then forgets the element."""

    def __init__(self, file_name: str, max_rows: int) -> None:
        self.file_name, self.max_rows = file_name, max_rows
        self.rows: dict[str, list[Row]] = {EPISODES.name: [], MISSING.name: [], OC2.name: []}
        self.root: ET.Element | None = None
        self.children = 0

    def take(self, events) -> None:
        for event, element in events:
            if event == "start":
                if self.root is None:
                    self.root = element
                    if element.tag != "EXPSSDA903":
                        raise ReturnError(
                            self.file_name, None, element.tag, "the root element is not EXPSSDA903"
                        )
                continue
            if element.tag == "CHILD" and self.root is not None and element in list(self.root):
                self.child(element)
                self.root.remove(element)

    def add(self, spec: TableSpec, cells: dict[str, str]) -> None:
        rows = self.rows[spec.name]
        if len(rows) >= self.max_rows:
            raise ReturnError(
                self.file_name, None, None, f"{spec.name} would have more than {self.max_rows:,} rows"
            )
        rows.append(Row(len(rows) + 2, cells))

    def child(self, element: ET.Element) -> None:
        self.children += 1
        header = element.find("HEADER")
        child = _text(header, "CHILDID", "CHILD")
        for episode in element.iter("EPISODE"):
            cells = {column: _text(episode, column) for column in EPISODES.columns[1:]}
            self.add(EPISODES, {"CHILD": child} | cells | {"PLACE": _text(episode, "PL", "PLACE")})
        if header is None:
            return
        for missing in header.iter("AMISSING"):
            self.add(MISSING, {"CHILD": child} | {c: _text(missing, c) for c in MISSING.columns[1:]})
        for oc2 in header.iter("OC2"):
            self.add(OC2, {"CHILD": child} | {column: _text(oc2, column) for column in OC2.required[1:]})


def read_return(
    source: str | Path | Mapping[str, bytes],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ReturnTables:
    """A folder of CSV tables, an XML file, or a mapping of CSV file name to content."""
    if isinstance(source, Mapping):
        return read_csv_files(source, max_bytes=max_bytes, max_rows=max_rows)
    path = Path(source)
    if path.is_file() and path.suffix.lower() == ".xml":
        return read_xml_file(path, max_bytes=max_bytes, max_rows=max_rows)
    return read_folder(path, max_bytes=max_bytes, max_rows=max_rows)
