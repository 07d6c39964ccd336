"""Every number the contract refuses, typed into the month form: an error beside the field, nothing written.

"Numbers accept 42, 42.0, 42% (percent only), 1,234; anything else is an error, never a silent zero." A refused
save writes nothing at all: no figure, no audit record, and no sign-off row for the month. Text that cannot be
stored (NUL, which PostgreSQL refuses, or another control character) is a message too, never a 500.
"""

from __future__ import annotations

import pytest

from scorecards.imports import messages
from scorecards.models import ChangeRecord, MonthlyValue, ScorecardMonth

URL = "/scorecards/838/2020-11/enter/"

REFUSED = [
    "abc",
    "forty-two",
    "1.2.3",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e5",
    "1E5",
    "1e309",
    "-1e309",
    "1_000",
    ".5",
    "5.",
    "1,23",
    "12,34,567",
    "1 000",
    "--5",
    "- 5",
    "0x10",
    "0b1",
    "=1+1",
    "+5",
    "@A1",
    "−5",  # U+2212 MINUS SIGN
    "４２",
    "٤٢",
    "४२",
    "²",
    "½",
    "42%%",
    "%42",
    "4 2",
    "1" * 13,  # over 12 digits before the point
    "(5)",
    "$5",
    "5e",
]


@pytest.fixture
def month(home_authority, make_indicator, make_value):
    count = make_indicator(code="cic_count", name="Children in care", unit="count", polarity="neutral")
    percent = make_indicator(code="dental_check_pct", name="Dental checks", unit="percent")
    make_value(home_authority, count, "2020-10", 470)
    return {"count": count, "percent": percent}


def save(client, user, **fields):
    client.force_login(user)
    version = client.get(URL).context["version"]
    return client.post(
        URL, {"version": version, **{name.replace("__", "-"): v for name, v in fields.items()}}
    )


def assert_nothing_written():
    assert MonthlyValue.objects.filter(period__year=2020, period__month=11).count() == 0
    assert ChangeRecord.objects.count() == 0
    assert ScorecardMonth.objects.count() == 0  # a refused save makes no sign-off row


@pytest.mark.parametrize("text", REFUSED)
def test_the_month_form_refuses_each_number_form_the_contract_refuses(client, month, officer, text):
    response = save(client, officer, cic_count__value=text)
    assert response.status_code == 400
    error = response.context["result"].errors[("cic_count", "value")]
    assert text in error or "too large" in error
    assert_nothing_written()


@pytest.mark.parametrize(
    ("indicator", "text", "message"),
    [
        ("cic_count", "42%", messages.PERCENT_SIGN_NOT_ALLOWED.format(value="42%")),
        ("cic_count", "-1", messages.NEGATIVE_NUMBER.format(value="-1", what="a count")),
        ("dental_check_pct", "100.5", messages.PERCENT_OUT_OF_RANGE.format(value="100.5")),
        ("dental_check_pct", "-0.1", messages.PERCENT_OUT_OF_RANGE.format(value="-0.1")),
    ],
)
def test_numbers_outside_the_units_range_are_refused(client, month, officer, indicator, text, message):
    response = save(client, officer, **{f"{indicator}__value": text})
    assert response.status_code == 400
    assert response.context["result"].errors[(indicator, "value")] == message
    assert_nothing_written()


def test_a_value_beyond_any_float_is_refused_without_a_sign_off_row(client, month, officer):
    response = save(client, officer, cic_count__value="1e309", cic_count__commentary="huge")
    assert response.status_code == 400
    assert "1e309" in response.content.decode()
    assert_nothing_written()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Backlog\x00", messages.NUL_CHARACTER),
        ("Back\x1blog", messages.CONTROL_CHARACTER.format(code="U+001B")),
        ("Back\x7flog", messages.CONTROL_CHARACTER.format(code="U+007F")),
    ],
)
def test_commentary_with_characters_that_cannot_be_stored_is_a_message_not_a_500(
    client, month, officer, text, message
):
    response = save(client, officer, cic_count__value="476", cic_count__commentary=text)
    assert response.status_code == 400
    assert response.context["result"].errors[("cic_count", "commentary")] == message
    assert_nothing_written()


def test_commentary_keeps_line_breaks_and_tabs(client, month, officer):
    response = save(client, officer, cic_count__value="476", cic_count__commentary="Two lines:\r\n\tindented")
    assert response.status_code == 302
    assert MonthlyValue.objects.get(period__month=11).commentary == "Two lines:\r\n\tindented"
    assert ScorecardMonth.objects.count() == 1  # made by the save that wrote something


@pytest.mark.parametrize("text", ["42", "42.0", "1,234", "0", "-0"])
def test_the_forms_the_contract_accepts_are_saved(client, month, officer, text):
    response = save(client, officer, cic_count__value=text)
    assert response.status_code == 302, response.context["result"].errors
    assert MonthlyValue.objects.filter(period__month=11).count() == 1
