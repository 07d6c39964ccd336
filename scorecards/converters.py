"""URL converters for months written YYYY-MM and quarters written YYYY-YY-Qn."""

import datetime

from scorecards.quarters import QUARTER_REGEX, Quarter


class PeriodConverter:
    """Matches YYYY-MM; an impossible month (2020-13) does not match, so it is a 404 and never a 500."""

    regex = r"[0-9]{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> datetime.date:
        year, month = value.split("-")
        return datetime.date(int(year), int(month), 1)

    def to_url(self, value: datetime.date | str) -> str:
        if isinstance(value, str):
            return value
        return f"{value:%Y-%m}"


class QuarterConverter:
    """Matches YYYY-YY-Qn; an impossible quarter (2020-21-Q5, 2020-22-Q1) does not match, so it is a 404."""

    regex = QUARTER_REGEX

    def to_python(self, value: str) -> Quarter:
        return Quarter.parse(value)  # a ValueError means no match, never a 500

    def to_url(self, value: Quarter | str) -> str:
        return value if isinstance(value, str) else value.label
