"""URL converter for months written YYYY-MM."""

import datetime


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
