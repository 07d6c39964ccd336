"""How a page says a figure was computed from the return: "computed from the 903 return of 3 May 2021"."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

SOURCE_NOTE = "computed from the 903 return of {day}"
WITH_COUNTS = "{note}: {numerator} of {denominator} children"


def source_note(
    *,
    updated_at: datetime.datetime | None,
    uploaded_at: datetime.datetime | None,
    applied_at: datetime.datetime | None,
) -> str:
    """The note for a stored figure computed from a return, or "" when it was not, or no longer is.

    A figure changed by another route after the return's figures were written (the month form, an upload)
    keeps its link to the return but is no longer what the return gave: its ``updated_at`` is then later than
    the return's ``applied_at``, and it gets no note.
    """
    if uploaded_at is None or applied_at is None or updated_at is None or updated_at > applied_at:
        return ""
    day = timezone.localtime(uploaded_at)
    return SOURCE_NOTE.format(day=f"{day.day} {day:%B %Y}")


def _whole(number: Decimal | int) -> str:
    return f"{int(number):,}" if number == int(number) else format(Decimal(number).normalize(), ",f")


def note_with_counts(note: str, numerator: Decimal | None, denominator: Decimal | None) -> str:
    """ "computed from ...: 205 of 1,196 children" for a percentage; the note alone for a count."""
    if not note or numerator is None or denominator is None:
        return note
    return WITH_COUNTS.format(note=note, numerator=_whole(numerator), denominator=_whole(denominator))
