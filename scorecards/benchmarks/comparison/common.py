"""What the comparison page and the league share: the source line, the mapping, the years, the order."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist

from scorecards.formatting import MISSING
from scorecards.models import Indicator
from scorecards.rating import better_first_key, parse_financial_year

PUBLICATION = "DfE, Children looked after in England including adoptions"
ONLY_PUBLISHED = (
    "Only figures derived from DfE's published statistics are used on this page. Benchmarks your council "
    "entered itself, and its monthly figures, are not."
)
NO_PUBLISHED_DATA = (
    "DfE's published statistics give no figures for this indicator, so there is nothing to compare."
)


class _HasValue(Protocol):
    @property
    def value(self) -> Decimal | None: ...


Valued = TypeVar("Valued", bound=_HasValue)


def source_label(year: str | None) -> str:
    """E.g. "DfE, Children looked after in England including adoptions, year ending 31 March 2025"."""
    if not year:
        return PUBLICATION
    return f"{PUBLICATION}, year ending 31 March {parse_financial_year(year) + 1}"


def years_sorted(years: Iterable[str]) -> tuple[str, ...]:
    """Financial years, each once, oldest first."""
    return tuple(sorted(set(years), key=parse_financial_year))


def published_indicator_get(*, code: str) -> Indicator | None:
    """The indicator with this code and its published-measure mapping (one query); None if unknown."""
    return Indicator.objects.select_related("published_measure").filter(code=code).first()


def measure_fields(indicator: Indicator) -> dict[str, str]:
    """The note and file name of the indicator's published-measure mapping; empty if it has none."""
    try:
        measure = indicator.published_measure
    except ObjectDoesNotExist:
        return {"measure_note": "", "file_name": ""}
    return {"measure_note": measure.note, "file_name": measure.file_name}


def better_first(figures: Sequence[Valued], polarity: str) -> list[Valued]:
    """Best first by the indicator's polarity (largest first for neutral ones); missing values last."""
    key = better_first_key(polarity)
    present = sorted(
        (figure for figure in figures if figure.value is not None), key=lambda figure: key(figure.value)
    )
    missing = [figure for figure in figures if figure.value is None]
    return present + missing


class PublishedYear:
    """A page of one published ``year``, or of none when DfE published no figure for the indicator."""

    year: str | None

    @property
    def has_data(self) -> bool:
        return self.year is not None

    @property
    def source(self) -> str:
        return source_label(self.year)


class Quartiled:
    """A figure with the quartile band stored with it, empty where it has none."""

    quartile: str

    @property
    def quartile_text(self) -> str:
        return self.quartile or MISSING
