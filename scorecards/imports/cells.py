"""Reading one cell's text as a number, a month, a financial year or a code, or saying why it cannot be."""

from __future__ import annotations

import datetime
import functools
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from scorecards.models import Unit
from scorecards.rating import parse_financial_year

from . import messages

#: What the database keeps: 16 digits, 4 of them after the point.
STORED_PLACES = Decimal("0.0001")
LARGEST = Decimal(10) ** 12
# Every pattern names the ASCII digits [0-9]: Python's \d, int() and Decimal() also take full-width (４２) and
# other scripts' digits (٤٢), which no officer means to type and the contract does not accept. Each is
# anchored with \A and \Z, so that no trailing line break slips through as $ would let it.
NUMBER = re.compile(r"\A-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?%?\Z")
FORMULA_PREFIXES = ("=", "+", "-", "@")
PERIOD = re.compile(r"\A([0-9]{4})-([0-9]{2})\Z")
AUTHORITY_CODE = re.compile(r"\A[0-9]{3}\Z")
GSS_CODE = re.compile(r"\A[A-Z][0-9]{8}\Z")
INDICATOR_CODE = re.compile(r"\A[-a-zA-Z0-9_]+\Z")
DECIMALS = re.compile(r"\A[0-3]\Z")
#: What a figure of each unit cannot be below, in words for the message; score may be negative (Progress 8).
NOT_NEGATIVE = {
    Unit.COUNT.value: "a count",
    Unit.DAYS.value: "a number of days",
    Unit.RATE_PER_10K.value: "a rate",
}
PERCENT = Unit.PERCENT.value


class CellError(ValueError):
    """The cell cannot be read; the message is one of ``messages``."""


def parse_number(text: str, *, unit: str | None = None) -> Decimal:
    """A figure written ``42``, ``42.0``, ``-1.23``, ``1,234`` or, for a percent indicator, ``42%``.

    Anything else is an error, never a silent zero: ``abc``, ``1.2.3``, ``NaN``, ``inf``, ``Infinity``, ``1e5``,
    ``1e309``, ``1_000``, ``.5``, a formula (``=1+1``, ``+5``, ``@A1``), digits other than 0-9 (``４２``, ``٤٢``).
    The result is kept to the 4 decimal places the database stores.
    """
    if not NUMBER.fullmatch(text):
        if has_other_digits(text):
            raise CellError(messages.NOT_PLAIN_DIGITS.format(value=text))
        if text.startswith(FORMULA_PREFIXES) and not text.startswith("-"):
            raise CellError(messages.FORMULA_NOT_A_NUMBER.format(value=text))
        raise CellError(messages.NOT_A_NUMBER.format(value=text))
    if text.endswith("%"):
        if unit != PERCENT:
            raise CellError(messages.PERCENT_SIGN_NOT_ALLOWED.format(value=text))
        text = text[:-1]
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only valid decimals
        raise CellError(messages.NOT_A_NUMBER.format(value=text)) from error
    if abs(number) >= LARGEST:
        raise CellError(messages.TOO_LARGE.format(value=text))
    return to_stored(number)


def has_other_digits(text: str) -> bool:
    """Whether the text has a digit other than 0-9 (full-width, Arabic-Indic, superscript...)."""
    return not text.isascii() and any(character.isdigit() for character in text)


def to_stored(number: Decimal) -> Decimal:
    return number.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)


def check_figure(number: Decimal, unit: str) -> None:
    """A percentage lies between 0 and 100; counts, days and rates are never negative."""
    if unit == PERCENT and not (0 <= number <= 100):
        raise CellError(messages.PERCENT_OUT_OF_RANGE.format(value=plain(number)))
    if unit in NOT_NEGATIVE and number < 0:
        raise CellError(messages.NEGATIVE_NUMBER.format(value=plain(number), what=NOT_NEGATIVE[unit]))


def plain(number: Decimal) -> str:
    """A Decimal for a message, without the trailing zeros of storage: 70.1000 -> 70.1."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@functools.lru_cache(maxsize=1024)  # a file names a few months in every row; errors are raised, never cached
def parse_period(text: str) -> datetime.date:
    """A month written ``YYYY-MM`` as its first day; ``2020-13``, ``2020-1`` and ``20-11`` are errors."""
    match = PERIOD.fullmatch(text)
    if not match:
        if has_other_digits(text):
            raise CellError(messages.NOT_PLAIN_DIGITS.format(value=text))
        raise CellError(messages.BAD_PERIOD.format(value=text))
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as error:
        raise CellError(messages.BAD_PERIOD.format(value=text)) from error


def parse_year(text: str) -> str:
    """A financial year written ``YYYY/YY`` with consecutive years, returned as written."""
    if has_other_digits(text):
        raise CellError(messages.NOT_PLAIN_DIGITS.format(value=text))
    try:
        parse_financial_year(text)
    except ValueError as error:
        raise CellError(messages.BAD_FINANCIAL_YEAR.format(value=text)) from error
    return text


def parse_authority_code(text: str) -> str:
    if not AUTHORITY_CODE.fullmatch(text):
        if has_other_digits(text):
            raise CellError(messages.NOT_PLAIN_DIGITS.format(value=text))
        raise CellError(messages.BAD_AUTHORITY_CODE.format(value=text))
    return text


def parse_gss_code(text: str) -> str:
    if text and not GSS_CODE.fullmatch(text):
        raise CellError(messages.BAD_GSS_CODE.format(value=text))
    return text


def parse_indicator_code(text: str, *, max_length: int) -> str:
    if not INDICATOR_CODE.fullmatch(text):
        raise CellError(messages.BAD_INDICATOR_CODE.format(value=text))
    return check_length(text, max_length)


def parse_decimals(text: str) -> int:
    if not DECIMALS.fullmatch(text):
        raise CellError(messages.BAD_DECIMALS.format(value=text))
    return int(text)


def parse_choice(text: str, choices: tuple[str, ...], message: str) -> str:
    if text not in choices:
        raise CellError(
            message.format(value=text, expected=", ".join(choice for choice in choices if choice))
        )
    return text


def check_length(text: str, max_length: int) -> str:
    if len(text) > max_length:
        raise CellError(messages.TOO_LONG.format(length=len(text), limit=max_length))
    return text


def parse_neighbours(text: str, *, own_code: str | None) -> tuple[str, ...]:
    """``933;878;893`` nearest first; empty items (a trailing ``;``) are ignored."""
    codes: list[str] = []
    for item in text.split(";"):
        code = item.strip()
        if not code:
            continue
        if not AUTHORITY_CODE.fullmatch(code):
            raise CellError(messages.BAD_NEIGHBOUR_CODE.format(value=code))
        if code in codes:
            raise CellError(messages.DUPLICATE_NEIGHBOUR.format(value=code))
        if code == own_code:
            raise CellError(messages.SELF_NEIGHBOUR.format(value=code))
        codes.append(code)
    return tuple(codes)
