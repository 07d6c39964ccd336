"""Security across the project: CSRF on every form, safe sign-in redirects, inert exports, no SQL from strings,
upload limits, response headers and error pages that reveal nothing."""

from __future__ import annotations

import ast
import csv
import datetime
import io
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
PROJECT_CODE = [ROOT / "config", ROOT / "authorities", ROOT / "scorecards", ROOT / "bench"]
TEMPLATE_DIRS = [ROOT / "templates", *(path / "templates" for path in PROJECT_CODE)]
FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.IGNORECASE | re.DOTALL)
POST = re.compile(r"""method\s*=\s*["']?post""", re.IGNORECASE)
SIGN_IN = "/accounts/login/"
SCORECARD = "/scorecards/838/2020-11/"
FORMULA_TEXT = '=HYPERLINK("https://evil.example","click")'


def _templates() -> list[Path]:
    return sorted(path for folder in TEMPLATE_DIRS if folder.exists() for path in folder.rglob("*.html"))


# CSRF -------------------------------------------------------------------------------------------------------


def test_the_template_scan_finds_the_forms_it_checks():
    forms = [form for path in _templates() for form in FORM.finditer(path.read_text(encoding="utf-8"))]
    assert sum(1 for form in forms if POST.search(form["attrs"])) >= 8


@pytest.mark.parametrize("path", _templates(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_post_form_carries_a_csrf_token(path):
    for form in FORM.finditer(path.read_text(encoding="utf-8")):
        if POST.search(form["attrs"]):
            assert "{% csrf_token %}" in form["body"], f"a POST form in {path.name} has no {{% csrf_token %}}"


def test_csrf_protection_is_not_switched_off_anywhere():
    assert "django.middleware.csrf.CsrfViewMiddleware" in django_settings.MIDDLEWARE
    for path in (p for folder in PROJECT_CODE for p in folder.rglob("*.py")):
        assert "csrf_exempt" not in path.read_text(encoding="utf-8"), path


def test_a_post_without_the_token_is_refused_with_a_page_that_says_nothing(db, board_member):
    client = Client(enforce_csrf_checks=True)
    response = client.post(SIGN_IN, {"username": "board", "password": PASSWORD})
    assert response.status_code == 403
    text = response.content.decode()
    assert "This form has expired" in text
    assert "CSRF" not in text and "Referer" not in text and "cookie not set" not in text


# Sign-in redirects ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_signing_in_ignores_an_off_site_next(client, board_member, next_url):
    response = client.post(SIGN_IN, {"username": "board", "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/scorecards/"


def test_signing_in_follows_an_on_site_next(client, board_member):
    response = client.post(SIGN_IN, {"username": "board", "password": PASSWORD, "next": SCORECARD})
    assert response.status_code == 302
    assert response["Location"] == SCORECARD


def test_the_sign_in_page_does_not_echo_an_off_site_next_into_its_form(client, db):
    response = client.get(SIGN_IN, {"next": "https://evil.example/"})
    assert response.status_code == 200
    assert 'name="next" value=""' in response.content.decode()


# Exports ----------------------------------------------------------------------------------------------------


@pytest.fixture
def hostile_scorecard(home_authority, make_indicator, make_value):
    from scorecards.core import selectors

    formula = make_indicator(
        code="formula_name", name=FORMULA_TEXT, section="+cmd|' /C calc'!A0", unit="score"
    )
    at_sign = make_indicator(code="at_sign", name="@SUM(1+1)*cmd|' /C calc'!A0", unit="score")
    make_value(home_authority, formula, "2020-11", -3.5)
    make_value(home_authority, at_sign, "2020-11", 12)
    return selectors.scorecard_build(
        authority=home_authority, period=datetime.date(2020, 11, 1), months=6, include_drafts=True
    )


def test_the_csv_export_makes_formula_text_inert_and_leaves_numbers(hostile_scorecard):
    from scorecards.core import exports

    rows = list(csv.DictReader(io.StringIO(exports.scorecard_csv(hostile_scorecard))))
    formula = next(row for row in rows if row["indicator"] == "formula_name")
    assert formula["name"] == "'" + FORMULA_TEXT
    assert formula["section"].startswith("'+cmd")
    assert formula["2020-11"] == "-3.5"
    at_sign = next(row for row in rows if row["indicator"] == "at_sign")
    assert at_sign["name"].startswith("'@SUM")
    assert at_sign["2020-11"] == "12.0"


def test_the_xlsx_export_stores_formula_text_as_text_and_numbers_as_numbers(hostile_scorecard):
    from scorecards.core import exports

    sheet = load_workbook(io.BytesIO(exports.scorecard_xlsx(hostile_scorecard))).active
    header = [cell.value for cell in sheet[1]]
    rows = {row[0].value: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)}
    name = rows["formula_name"]["name"]
    assert name.value == "'" + FORMULA_TEXT and name.data_type == "s"
    assert rows["formula_name"]["2020-11"].value == -3.5 and rows["formula_name"]["2020-11"].data_type == "n"
    assert rows["at_sign"]["name"].value.startswith("'@SUM") and rows["at_sign"]["name"].data_type == "s"
    formulas = [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("Dorset", "Dorset"),
        (-3.5, -3.5),
        (42, 42),
        (None, None),
    ],
)
def test_escape_formula(value, expected):
    from scorecards.core.exports import escape_formula

    assert escape_formula(value) == expected


# SQL --------------------------------------------------------------------------------------------------------


#: Places that build a statement at run time, each read and found safe: the only text put into the statement is
#: table and column names from the models' own metadata, quoted by the database backend; every value travels
#: as a parameter. A new place fails the test below until someone reviews it and adds it here with its reason.
REVIEWED_STATEMENT_BUILDERS = {
    (
        "scorecards/core/figures.py",
        "series_sums_live",
    ): "wraps a statement Django compiled from a queryset in constant SQL and integer ranks; values as parameters",
    (
        "scorecards/core/series.py",
        "series_summaries_refresh",
    ): "DELETE and INSERT ... SELECT with window functions; names from model meta, quoted; values as parameters",
    (
        "scorecards/imports/base.py",
        "_update_from_copy",
    ): "temporary table, COPY and one UPDATE ... FROM it; names from model meta, values as parameters",
    (
        "scorecards/imports/base.py",
        "_update_from_values",
    ): "UPDATE ... FROM a VALUES list; names from model meta, values as parameters",
    (
        "scorecards/imports/base.py",
        "_update_row_by_row",
    ): "UPDATE per row (SQLite before 3.33); names from model meta, values as parameters",
    (
        "scorecards/audit.py",
        "_insert",
    ): "multi-row INSERT of audit records; names from model meta, values as parameters",
    ("bench/generate.py", "_load"): "bulk INSERT of generated data; names from model meta",
    ("bench/generate.py", "_analyze"): "ANALYZE of a model's table, name quoted",
    (
        "bench/generate.py",
        "_snapshot_figures",
    ): "INSERT ... SELECT of generated figures; names from model meta",
    ("bench/measure/processes.py", "_vacuum"): "VACUUM ANALYZE of a model's table, name quoted",
    ("bench/measure/pages.py", "_run_floor"): "runs a statement Django compiled from a queryset",
    (
        "bench/measure/common.py",
        "catalogue_cut",
    ): "DELETE with the table name from model meta; ids as a parameter, or on SQLite integers from the database",
    ("bench/measure/common.py", "__call__"): "Django's execute wrapper, passing its statement on",
}
SQL_CALLS = {"raw", "extra", "RawSQL", "execute", "executemany", "executescript"}


def _sql_calls() -> list[tuple[str, str, int, str, ast.Call]]:
    """Every call that could run SQL text, as (file, enclosing function, line, name, call)."""
    calls = []
    for folder in PROJECT_CODE:
        for path in folder.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            relative = str(path.relative_to(ROOT))
            tree = ast.parse(path.read_text(encoding="utf-8"))
            functions = [
                node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
            owner = {id(inner): function.name for function in functions for inner in ast.walk(function)}
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if name in SQL_CALLS:
                    calls.append((relative, owner.get(id(node), "<module>"), node.lineno, name, node))
    return calls


def _is_safe_statement(node: ast.AST) -> bool:
    """A constant string, or psycopg's sql.SQL("...").format(sql.Identifier(...), ...), quoted by the driver."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        node = node.func.value
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "SQL"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
    )


def test_no_sql_is_built_from_strings():
    """Queries go through the ORM or pass a constant statement with parameters; nothing else is unreviewed."""
    offences = []
    for path, function, line, name, call in _sql_calls():
        where = f"{path}:{line} ({function})"
        if name in {"raw", "extra", "RawSQL"}:
            offences.append(f"{where}: .{name}() is not used in this project")
        elif not call.args:
            offences.append(f"{where}: {name}() without a statement")
        elif not _is_safe_statement(call.args[0]) and (path, function) not in REVIEWED_STATEMENT_BUILDERS:
            offences.append(f"{where}: {name}() with a statement built at run time, not reviewed")
    assert not offences, "\n".join(offences)


def test_no_request_data_reaches_a_reviewed_statement_builder():
    for path, function in REVIEWED_STATEMENT_BUILDERS:
        if not (ROOT / path).exists():
            continue
        source = (ROOT / path).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
                assert "request" not in ast.get_source_segment(source, node), (path, function)


def test_the_sql_scan_sees_the_health_checks_constant_query():
    found = [(path, call) for path, _function, _line, name, call in _sql_calls() if name == "execute"]
    assert any(
        path == "scorecards/core/views.py" and call.args[0].value == "SELECT 1" for path, call in found
    )


# Uploads ----------------------------------------------------------------------------------------------------


@pytest.fixture
def upload_client(client, officer):
    client.force_login(officer)
    return client


def _upload(client, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        "/scorecards/838/upload/", {"kind": "values", "file": SimpleUploadedFile(name, content)}
    )


@pytest.mark.parametrize("name", ["values.txt", "values.csv.exe", "values.html", "values"])
def test_uploads_of_other_types_are_refused(upload_client, name):
    response = _upload(upload_client, name, b"authority,indicator,period,value\r\n")
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file" in response.content.decode()


def test_uploads_over_the_size_limit_are_refused(upload_client, settings):
    settings.SCORECARD_UPLOAD_MAX_BYTES = 1024
    response = _upload(upload_client, "values.csv", b"authority,indicator,period,value\r\n" + b"x" * 2048)
    assert response.status_code == 400
    assert "the largest accepted is 1024 bytes" in response.content.decode()


def test_request_bodies_are_limited():
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert django_settings.SCORECARD_UPLOAD_MAX_BYTES <= 5 * 1024 * 1024


# Headers and error pages ------------------------------------------------------------------------------------


def test_pages_carry_the_security_headers(client, db):
    response = client.get(SIGN_IN)
    assert response["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_template_has_inline_script_or_event_handlers():
    """The policy allows scripts from static files only; JSON data blocks are data, not script."""
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, re.IGNORECASE):
            assert "src=" in tag or 'type="application/json"' in tag, f"inline script in {path.name}: {tag}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"an inline event handler in {path.name}"


LEAKS = ("Traceback", "secret-detail", "Exception Value", "settings.py", "DEBUG", "SECRET_KEY")


def test_a_server_error_page_reveals_nothing(db, settings, board_member):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(board_member)
    with mock.patch(
        "scorecards.core.views.selectors.scorecard_build", side_effect=RuntimeError("secret-detail")
    ):
        response = client.get(SCORECARD)
    assert response.status_code == 500
    text = response.content.decode()
    assert "Sorry, something went wrong" in text
    assert not [leak for leak in LEAKS if leak in text]


def test_a_bad_host_gets_a_400_page_that_reveals_nothing(client, db, settings):
    settings.DEBUG = False
    response = client.get(SIGN_IN, HTTP_HOST="evil.example")
    assert response.status_code == 400
    text = response.content.decode()
    assert "could not be understood" in text
    assert "evil.example" not in text and "ALLOWED_HOSTS" not in text


def test_a_missing_page_reveals_nothing(client, db, settings, board_member):
    settings.DEBUG = False
    client.force_login(board_member)
    response = client.get("/scorecards/838/2020-11/no-such-indicator/at/all/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "Page not found" in text
    assert "urlpatterns" not in text and "Using the URLconf" not in text
