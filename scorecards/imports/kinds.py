"""The five kinds of file: their columns, how a row is read, how existing objects are found and written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from authorities.models import Authority, StatisticalNeighbour
from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    Indicator,
    MonthlyValue,
    Polarity,
    Target,
    TargetKind,
    Unit,
    ValueStatus,
)
from scorecards.rating import round_half_up

from . import cells, messages
from .cells import CellError
from .plans import Action, PlannedRow
from .tables import RowError, TableRow

BATCH_SIZE = 500
#: A computed value is the ratio times this, by unit; any other unit keeps the plain ratio.
RATIO_FACTORS = {Unit.PERCENT: Decimal(100), Unit.RATE_PER_10K: Decimal(10_000)}
#: Units whose numerator is part of its denominator, so it can never be larger (days and scores are averages).
PROPORTION_UNITS = {Unit.PERCENT, Unit.RATE_PER_10K}

ABSENT = object()  # the column is not in the file
INVALID = object()  # the cell had an error, already recorded


class RowReader:
    """Reads one row's cells, recording an error per bad cell rather than stopping at the first."""

    __slots__ = ("cells", "errors", "number")

    def __init__(self, row: TableRow, errors: list[RowError]) -> None:
        self.number = row.number
        self.cells = row.cells
        self.errors = errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def has_error(self, column: str) -> bool:
        return any(error.column == column for error in self.errors)

    def read(self, column: str, parse: Callable[[str], Any] | None = None, *, required: bool = False) -> Any:
        """The parsed cell; None when empty; ABSENT without the column; INVALID after recording an error."""
        if column not in self.cells:
            return ABSENT
        if self.has_error(column):
            return INVALID
        text = self.cells[column]
        if not text:
            if required:
                self.error(column, messages.REQUIRED)
                return INVALID
            return None
        if parse is None:
            return text
        try:
            return parse(text)
        except CellError as error:
            self.error(column, str(error))
            return INVALID


def _text(max_length: int) -> Callable[[str], str]:
    # Text is stored exactly as written, even "=1+1" or "@cmd": it is never evaluated here, and exports escape it.
    return lambda text: cells.check_length(text, max_length)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _is_set(value: Any) -> bool:
    return value is not ABSENT and value is not INVALID


def same(old: Any, new: Any) -> bool:
    """Equal as stored: Decimals compare by number (70.1 == 70.1000), None only equals None."""
    if old is None or new is None:
        return old is None and new is None
    return old == new


class KindImport:
    """One kind of file. Subclasses fill in the columns and the four steps of an import."""

    name: str
    model: type
    required: tuple[str, ...]
    optional: tuple[str, ...]
    key_columns: tuple[str, ...]
    #: The fields an update writes: every field a file can set.
    update_fields: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional

    def prepare(self) -> None:
        """Load what rows refer to (authorities, indicators), in a fixed number of queries."""

    def parse(self, reader: RowReader, ordinal: int) -> tuple[tuple, dict, dict] | None:
        """Return (database key, key fields, other fields) for a row, or None when a key cell is bad."""
        raise NotImplementedError

    def existing(self, keys: Iterable[tuple]) -> dict[tuple, tuple[int, dict[str, Any]]]:
        """Existing objects for these keys, in a fixed number of queries: key -> (pk, fields)."""
        raise NotImplementedError

    def apply(self, creates: list[PlannedRow], updates: list[PlannedRow], *, user=None) -> None:
        self.model.objects.bulk_create(
            [self.build(planned.fields, user=user) for planned in creates], batch_size=BATCH_SIZE
        )
        if updates:
            self.model.objects.bulk_update(
                [self.build(planned.fields, pk=planned.pk, user=user) for planned in updates],
                fields=list(self.update_fields),
                batch_size=BATCH_SIZE,
            )

    def build(self, fields: dict[str, Any], *, pk: int | None = None, user=None):
        return self.model(pk=pk, **fields)


# Authorities -----------------------------------------------------------------------------------------------


class AuthorityImport(KindImport):
    name = "authorities"
    model = Authority
    required = ("code", "name")
    optional = ("gss_code", "region", "statistical_neighbours")
    key_columns = ("code",)
    update_fields = ("name", "gss_code", "region")
    model_fields = frozenset({"code", "name", "gss_code", "region"})

    def parse(self, reader, ordinal):
        code = reader.read("code", cells.parse_authority_code, required=True)
        fields = {
            "name": reader.read("name", _text(_max_length(Authority, "name")), required=True),
            "gss_code": reader.read("gss_code", cells.parse_gss_code),
            "region": reader.read("region", _text(_max_length(Authority, "region"))),
            "statistical_neighbours": reader.read(
                "statistical_neighbours",
                lambda text: cells.parse_neighbours(text, own_code=code if _is_set(code) else None),
            ),
        }
        if not _is_set(code):
            return None
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        for name in ("gss_code", "region"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        if fields.get("statistical_neighbours", ()) is None:
            fields["statistical_neighbours"] = ()
        return (code,), {"code": code}, fields

    def existing(self, keys):
        found = {
            (code,): (pk, {"name": name, "gss_code": gss_code, "region": region, "statistical_neighbours": ()})
            for pk, code, name, gss_code, region in Authority.objects.values_list(
                "pk", "code", "name", "gss_code", "region"
            )
        }
        by_pk = {pk: fields for pk, fields in found.values()}
        neighbours: dict[int, list[str]] = {}
        for authority_id, code in StatisticalNeighbour.objects.order_by("authority_id", "rank").values_list(
            "authority_id", "neighbour_code"
        ):
            neighbours.setdefault(authority_id, []).append(code)
        for authority_id, codes in neighbours.items():
            if authority_id in by_pk:
                by_pk[authority_id]["statistical_neighbours"] = tuple(codes)
        return found

    def build(self, fields, *, pk=None, user=None):
        return Authority(pk=pk, **{name: value for name, value in fields.items() if name in self.model_fields})

    def apply(self, creates, updates, *, user=None):
        super().apply(creates, updates, user=user)
        relisted = [
            planned
            for planned in creates + updates
            if "statistical_neighbours" in (planned.changes if planned.pk else planned.fields)
        ]
        if relisted:
            ids = dict(
                Authority.objects.filter(code__in=[planned.fields["code"] for planned in relisted]).values_list(
                    "code", "pk"
                )
            )
            authority_ids = [ids[planned.fields["code"]] for planned in relisted]
            # Closeness is not in the file; keep it for neighbours that stay on the list.
            closeness = {
                (authority_id, code): value
                for authority_id, code, value in StatisticalNeighbour.objects.filter(
                    authority_id__in=authority_ids
                ).values_list("authority_id", "neighbour_code", "closeness")
            }
            StatisticalNeighbour.objects.filter(authority_id__in=authority_ids).delete()
            StatisticalNeighbour.objects.bulk_create(
                [
                    StatisticalNeighbour(
                        authority_id=ids[planned.fields["code"]],
                        rank=rank,
                        neighbour_code=code,
                        closeness=closeness.get((ids[planned.fields["code"]], code), ""),
                    )
                    for planned in relisted
                    for rank, code in enumerate(planned.fields["statistical_neighbours"], start=1)
                ],
                batch_size=BATCH_SIZE,
            )
        # Lists imported earlier may name authorities that have only now arrived: link them.
        StatisticalNeighbour.objects.filter(neighbour__isnull=True).update(
            neighbour=Subquery(Authority.objects.filter(code=OuterRef("neighbour_code")).values("pk")[:1])
        )


# Indicators ------------------------------------------------------------------------------------------------


class IndicatorImport(KindImport):
    name = "indicators"
    model = Indicator
    required = ("code", "section", "name", "unit", "polarity", "decimals")
    optional = ("source", "definition", "amber_tolerance")
    key_columns = ("code",)
    update_fields = (
        "section", "name", "unit", "polarity", "decimals", "source", "definition", "amber_tolerance", "position",
    )

    def parse(self, reader, ordinal):
        code = reader.read(
            "code", lambda text: cells.parse_indicator_code(text, max_length=_max_length(Indicator, "code")),
            required=True,
        )
        unit = reader.read(
            "unit", lambda text: cells.parse_choice(text, Unit.values, messages.UNKNOWN_UNIT), required=True
        )
        fields = {
            "section": reader.read("section", _text(_max_length(Indicator, "section")), required=True),
            "name": reader.read("name", _text(_max_length(Indicator, "name")), required=True),
            "unit": unit,
            "polarity": reader.read(
                "polarity",
                lambda text: cells.parse_choice(text, Polarity.values, messages.UNKNOWN_POLARITY),
                required=True,
            ),
            "decimals": reader.read("decimals", cells.parse_decimals, required=True),
            "source": reader.read("source", _text(_max_length(Indicator, "source"))),
            "definition": reader.read("definition"),
            "amber_tolerance": reader.read(
                "amber_tolerance",
                lambda text: _not_negative(
                    cells.parse_number(text, unit=unit if _is_set(unit) else None), "an amber tolerance"
                ),
            ),
            # The catalogue's order is the file's order, so importing it again reorders the catalogue.
            "position": ordinal,
        }
        if not _is_set(code):
            return None
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        for name in ("source", "definition"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        return (code,), {"code": code}, fields

    def existing(self, keys):
        found = {}
        for row in Indicator.objects.values("pk", "code", *self.update_fields):
            pk, code = row.pop("pk"), row.pop("code")
            found[(code,)] = (pk, row)
        return found


def _not_negative(number: Decimal, what: str) -> Decimal:
    if number < 0:
        raise CellError(messages.NEGATIVE_NUMBER.format(value=cells.plain(number), what=what))
    return number


# Figures of an authority for an indicator: values, benchmarks, targets -------------------------------------


class FigureImport(KindImport):
    """A kind whose rows name an authority and an indicator that must already exist."""

    def prepare(self):
        self.authorities = dict(Authority.objects.values_list("code", "pk"))
        self.indicators = {
            code: (pk, unit, decimals)
            for code, pk, unit, decimals in Indicator.objects.values_list("code", "pk", "unit", "decimals")
        }

    def read_references(self, reader: RowReader):
        """(authority id, indicator (id, unit, decimals)), each INVALID when unknown."""

        def authority(text):
            code = cells.parse_authority_code(text)
            if code not in self.authorities:
                raise CellError(messages.UNKNOWN_AUTHORITY.format(value=text))
            return self.authorities[code]

        def indicator(text):
            if text not in self.indicators:
                raise CellError(messages.UNKNOWN_INDICATOR.format(value=text))
            return self.indicators[text]

        return (
            reader.read("authority", authority, required=True),
            reader.read("indicator", indicator, required=True),
        )

    def figure(self, reader: RowReader, column: str, indicator, *, required: bool = False):
        """A number in the indicator's unit, checked against the unit's range."""
        unit = indicator[1] if _is_set(indicator) else None

        def parse(text):
            number = cells.parse_number(text, unit=unit)
            if unit is not None:
                cells.check_figure(number, unit)
            return number

        return reader.read(column, parse, required=required)


class ValueImport(FigureImport):
    name = "values"
    model = MonthlyValue
    required = ("authority", "indicator", "period")
    optional = ("value", "numerator", "denominator", "status", "commentary")
    key_columns = ("authority", "indicator", "period")
    update_fields = ("value", "numerator", "denominator", "status", "commentary", "updated_by", "updated_at")

    def parse(self, reader, ordinal):
        authority_id, indicator = self.read_references(reader)
        period = reader.read("period", cells.parse_period, required=True)
        value, numerator, denominator = (
            self.figure(reader, "value", indicator),
            self.count(reader, "numerator"),
            self.count(reader, "denominator"),
        )
        status = reader.read(
            "status",
            lambda text: cells.parse_choice(text, ValueStatus.values, messages.UNKNOWN_STATUS),
        )
        commentary = reader.read("commentary")
        value, numerator, denominator = (None if v is ABSENT else v for v in (value, numerator, denominator))
        status = "" if status is ABSENT or status is None else status
        if all(_is_set(v) for v in (value, numerator, denominator, status)):
            has_figure = any(v is not None for v in (value, numerator, denominator))
            if has_figure and status:
                reader.error("status", messages.VALUE_AND_STATUS.format(status=status))
            elif not has_figure and not status:
                reader.error("value", messages.VALUE_OR_STATUS_REQUIRED)
            elif has_figure and _is_set(indicator):
                value = self._value_from_ratio(reader, value, numerator, denominator, indicator)
        if not all(_is_set(v) for v in (authority_id, indicator, period)):
            return None
        fields = {"value": value, "numerator": numerator, "denominator": denominator, "status": status}
        if commentary is not ABSENT:
            fields["commentary"] = commentary or ""
        key = {"authority_id": authority_id, "indicator_id": indicator[0], "period": period}
        return (authority_id, indicator[0], period), key, fields

    @staticmethod
    def count(reader: RowReader, column: str):
        return reader.read(column, lambda text: _not_negative(cells.parse_number(text), f"a {column}"))

    def _value_from_ratio(self, reader, value, numerator, denominator, indicator):
        if (numerator is None) != (denominator is None):
            reader.error("numerator" if numerator is None else "denominator", messages.NUMERATOR_AND_DENOMINATOR)
            return INVALID
        if numerator is None:
            return value
        _, unit, decimals = indicator
        if denominator == 0:
            reader.error("denominator", messages.ZERO_DENOMINATOR)
            return INVALID
        if unit in PROPORTION_UNITS and numerator > denominator:
            reader.error(
                "numerator",
                messages.NUMERATOR_OVER_DENOMINATOR.format(
                    numerator=cells.plain(numerator), denominator=cells.plain(denominator)
                ),
            )
            return INVALID
        computed = cells.to_stored(numerator / denominator * RATIO_FACTORS.get(unit, Decimal(1)))
        if value is None:
            try:
                cells.check_figure(computed, unit)
            except CellError as error:
                reader.error("value", str(error))
                return INVALID
            return computed
        if round_half_up(value, decimals) != round_half_up(computed, decimals):
            reader.error(
                "value",
                messages.VALUE_DIFFERS_FROM_RATIO.format(
                    value=cells.plain(value),
                    computed=round_half_up(computed, decimals),
                    numerator=cells.plain(numerator),
                    denominator=cells.plain(denominator),
                ),
            )
            return INVALID
        return value

    def existing(self, keys):
        keys = list(keys)
        if not keys:
            return {}
        authority_ids, indicator_ids, periods = ({key[i] for key in keys} for i in range(3))
        rows = MonthlyValue.objects.filter(
            authority_id__in=authority_ids, indicator_id__in=indicator_ids, period__in=periods
        ).values_list("pk", "authority_id", "indicator_id", "period", "value", "numerator", "denominator",
                      "status", "commentary")
        return {
            (authority_id, indicator_id, period): (
                pk,
                {"value": value, "numerator": numerator, "denominator": denominator, "status": status,
                 "commentary": commentary},
            )
            for pk, authority_id, indicator_id, period, value, numerator, denominator, status, commentary in rows
        }

    def apply(self, creates, updates, *, user=None):
        self.now = timezone.now()
        super().apply(creates, updates, user=user)

    def build(self, fields, *, pk=None, user=None):
        extra = {"updated_at": self.now} if pk else {}
        return MonthlyValue(pk=pk, updated_by=user, **fields, **extra)


class BenchmarkImport(FigureImport):
    name = "benchmarks"
    model = Benchmark
    required = ("authority", "indicator", "year")
    optional = ("england", "region", "sn_average", "sn_min", "sn_max", "own", "note")
    key_columns = ("authority", "indicator", "year")
    update_fields = ("england", "region", "sn_average", "sn_min", "sn_max", "own", "note")

    def parse(self, reader, ordinal):
        authority_id, indicator = self.read_references(reader)
        year = reader.read("year", cells.parse_year, required=True)
        fields = {name: self.figure(reader, name, indicator) for name in self.update_fields[:-1]}
        fields["note"] = reader.read("note", _text(_max_length(Benchmark, "note")))
        minimum, maximum = fields["sn_min"], fields["sn_max"]
        if _is_set(minimum) and _is_set(maximum) and None not in (minimum, maximum) and minimum > maximum:
            reader.error(
                "sn_min", messages.MIN_OVER_MAX.format(minimum=cells.plain(minimum), maximum=cells.plain(maximum))
            )
        if not all(_is_set(v) for v in (authority_id, indicator, year)):
            return None
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        if "note" in fields and fields["note"] is None:
            fields["note"] = ""
        key = {"authority_id": authority_id, "indicator_id": indicator[0], "year": year,
               "source": BenchmarkSource.ENTERED}
        return (authority_id, indicator[0], year), key, fields

    def existing(self, keys):
        keys = list(keys)
        if not keys:
            return {}
        authority_ids, indicator_ids, years = ({key[i] for key in keys} for i in range(3))
        rows = Benchmark.objects.filter(
            authority_id__in=authority_ids, indicator_id__in=indicator_ids, year__in=years,
            source=BenchmarkSource.ENTERED,
        ).values("pk", "authority_id", "indicator_id", "year", *self.update_fields)
        return {
            (row.pop("authority_id"), row.pop("indicator_id"), row.pop("year")): (row.pop("pk"), row) for row in rows
        }


class TargetImport(FigureImport):
    name = "targets"
    model = Target
    required = ("authority", "indicator", "kind", "year", "value")
    optional = ("note",)
    key_columns = ("authority", "indicator", "kind", "year")
    update_fields = ("value", "note")

    def parse(self, reader, ordinal):
        authority_id, indicator = self.read_references(reader)
        kind = reader.read(
            "kind",
            lambda text: cells.parse_choice(text, TargetKind.values, messages.UNKNOWN_TARGET_KIND),
            required=True,
        )
        year = reader.read("year", cells.parse_year, required=True)
        fields = {
            "value": self.figure(reader, "value", indicator, required=True),
            "note": reader.read("note", _text(_max_length(Target, "note"))),
        }
        if not all(_is_set(v) for v in (authority_id, indicator, kind, year)):
            return None
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        if "note" in fields and fields["note"] is None:
            fields["note"] = ""
        key = {"authority_id": authority_id, "indicator_id": indicator[0], "kind": kind, "year": year}
        return (authority_id, indicator[0], kind, year), key, fields

    def existing(self, keys):
        keys = list(keys)
        if not keys:
            return {}
        authority_ids, indicator_ids, kinds, years = ({key[i] for key in keys} for i in range(4))
        rows = Target.objects.filter(
            authority_id__in=authority_ids, indicator_id__in=indicator_ids, kind__in=kinds, year__in=years
        ).values("pk", "authority_id", "indicator_id", "kind", "year", *self.update_fields)
        return {
            (row.pop("authority_id"), row.pop("indicator_id"), row.pop("kind"), row.pop("year")): (
                row.pop("pk"),
                row,
            )
            for row in rows
        }


KINDS: dict[str, type[KindImport]] = {
    kind.name: kind for kind in (AuthorityImport, IndicatorImport, ValueImport, BenchmarkImport, TargetImport)
}
