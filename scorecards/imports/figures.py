"""Importing an authority's figures for an indicator: monthly values, benchmarks, targets and baselines."""

from __future__ import annotations

from decimal import Decimal

from authorities.models import Authority
from scorecards.models import (
    Benchmark,
    BenchmarkSource,
    Indicator,
    MonthlyValue,
    Target,
    TargetKind,
    Unit,
    ValueStatus,
)
from scorecards.rating import financial_year_of, parse_financial_year, round_half_up

from . import cells, messages
from .base import ABSENT, INVALID, KindImport, RowReader, all_set, is_set, max_length, not_negative, text_of
from .cells import CellError

#: A computed value is the ratio times this, by unit; any other unit keeps the plain ratio.
RATIO_FACTORS = {Unit.PERCENT.value: Decimal(100), Unit.RATE_PER_10K.value: Decimal(10_000)}
#: Units whose numerator is part of its denominator, so it can never be larger (days and scores are averages).
PROPORTION_UNITS = {Unit.PERCENT.value, Unit.RATE_PER_10K.value}
STATUSES = tuple(ValueStatus.values)
TARGET_KINDS = tuple(TargetKind.values)
#: The comparators a benchmarks row gives, each a figure in the indicator's unit.
BENCHMARK_FIGURES = ("england", "region", "sn_average", "sn_min", "sn_max", "own")


# Figures of an authority for an indicator: values, benchmarks, targets -------------------------------------


class FigureImport(KindImport):
    """A kind whose rows name an authority and an indicator that must already exist."""

    #: The database fields of the natural key, in the order of the key tuples ``parse`` returns.
    key_fields: tuple[str, ...]
    #: Fields every object of this import has, beyond its natural key.
    fixed: dict[str, str] = {}
    copies_creates = True

    def prepare(self):
        self.authorities = dict(Authority.objects.values_list("code", "pk"))
        self.indicators = {
            code: (pk, unit, decimals)
            for code, pk, unit, decimals in Indicator.objects.values_list("code", "pk", "unit", "decimals")
        }
        # Each cell's parser made once, not once a row: a file can have a hundred thousand rows.
        self.figure_parsers = {unit: _figure_parser(unit) for unit in {*Unit.values, None}}
        self.codes_found: dict[str, int] = {}  # authority codes already read and found, by text

    def read_references(self, reader: RowReader):
        """(authority id, indicator (id, unit, decimals)), each INVALID when unknown."""
        return (
            reader.read("authority", self._authority, required=True),
            reader.read("indicator", self._indicator, required=True),
        )

    def _authority(self, text):
        if text in self.codes_found:
            return self.codes_found[text]
        code = cells.parse_authority_code(text)
        if code not in self.authorities:
            raise CellError(messages.UNKNOWN_AUTHORITY.format(value=text))
        self.codes_found[text] = self.authorities[code]
        return self.codes_found[text]

    def _indicator(self, text):
        if text not in self.indicators:
            raise CellError(messages.UNKNOWN_INDICATOR.format(value=text))
        return self.indicators[text]

    def existing(self, keys):
        keys = list(keys)
        if not keys:
            return {}
        lookups = {f"{name}__in": {key[i] for key in keys} for i, name in enumerate(self.key_fields)}
        rows = self.model.objects.filter(**lookups, **self.fixed).values_list(
            "pk", *self.key_fields, *self.stored
        )
        width = len(self.key_fields) + 1
        return {row[1:width]: (row[0], row[width:]) for row in rows}

    def figure(self, reader: RowReader, column: str, indicator, *, required: bool = False):
        """A number in the indicator's unit, checked against the unit's range."""
        unit = indicator[1] if is_set(indicator) else None
        parse = self.figure_parsers.get(unit) or _figure_parser(unit)
        return reader.read(column, parse, required=required)


def _figure_parser(unit: str | None):
    """Reads a figure of this unit, checked against the unit's range; with no unit (the indicator cell has its
    own error), any number, a % sign being no second error to report."""

    def parse(text):
        if unit is None:
            return cells.parse_number(text, unit=cells.PERCENT)
        number = cells.parse_number(text, unit=unit)
        cells.check_figure(number, unit)
        return number

    return parse


def parse_status(text: str) -> str:
    return cells.parse_choice(text, STATUSES, messages.UNKNOWN_STATUS)


def _count_parser(column: str):
    return lambda text: not_negative(cells.parse_number(text), f"a {column}")


#: The parsers of a values row's cells that do not depend on its indicator, made once.
COHORT_TEXT = text_of(max_length(MonthlyValue, "cohort"))
COUNTS = {column: _count_parser(column) for column in ("numerator", "denominator")}


class ValueImport(FigureImport):
    name = "values"
    model = MonthlyValue
    required = ("authority", "indicator", "period")
    optional = ("value", "numerator", "denominator", "status", "commentary", "cohort")
    key_columns = ("authority", "indicator", "period")
    #: A row without a cohort is the month's headline figure; a breakdown (a cohort) of the same month is
    #: another row, never the one a headline row updates.
    key_fields = ("authority_id", "indicator_id", "period", "cohort")
    update_fields = ("value", "numerator", "denominator", "status", "commentary", "updated_by", "updated_at")
    audit_kind = "value"
    audited_fields = ("value", "numerator", "denominator", "status", "commentary")

    def object_key(self, planned):
        # The audit names a cohort's figure apart from the headline figure of the same month.
        cohort = planned.fields.get("cohort", "")
        return " ".join(planned.key) + (f" ({cohort})" if cohort else "")

    def parse(self, reader, ordinal):
        authority_id, indicator = self.read_references(reader)
        period = reader.read("period", cells.parse_period, required=True)
        cohort = reader.read("cohort", COHORT_TEXT)
        cohort = "" if cohort is ABSENT or cohort is None else cohort
        value, numerator, denominator = (
            self.figure(reader, "value", indicator),
            reader.read("numerator", COUNTS["numerator"]),
            reader.read("denominator", COUNTS["denominator"]),
        )
        status = reader.read("status", parse_status)
        commentary = reader.read("commentary")
        value, numerator, denominator = [None if v is ABSENT else v for v in (value, numerator, denominator)]
        status = "" if status is ABSENT or status is None else status
        if all_set(value, numerator, denominator, status):
            has_figure = any(v is not None for v in (value, numerator, denominator))
            if has_figure and status:
                reader.error("status", messages.VALUE_AND_STATUS.format(status=status))
            elif not has_figure and not status:
                reader.error("value", messages.VALUE_OR_STATUS_REQUIRED)
            elif has_figure and is_set(indicator):
                value = self._value_from_ratio(reader, value, numerator, denominator, indicator)
            if status and is_set(cohort) and cohort:
                reader.error("cohort", messages.COHORT_WITH_STATUS.format(cohort=cohort, status=status))
        if not all_set(authority_id, indicator, period, cohort):
            return None
        fields = {"value": value, "numerator": numerator, "denominator": denominator, "status": status}
        if commentary is not ABSENT:
            fields["commentary"] = commentary or ""
        key = {"authority_id": authority_id, "indicator_id": indicator[0], "period": period, "cohort": cohort}
        return (authority_id, indicator[0], period, cohort), key, fields

    def _value_from_ratio(self, reader, value, numerator, denominator, indicator):
        if (numerator is None) != (denominator is None):
            reader.error(
                "numerator" if numerator is None else "denominator", messages.NUMERATOR_AND_DENOMINATOR
            )
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

    def build(self, fields, *, pk=None, user=None):
        return MonthlyValue(pk=pk, updated_by=user, **fields)


class BenchmarkImport(FigureImport):
    name = "benchmarks"
    model = Benchmark
    required = ("authority", "indicator", "year")
    optional = ("england", "region", "sn_average", "sn_min", "sn_max", "own", "note", "range_group")
    key_columns = ("authority", "indicator", "year")
    key_fields = ("authority_id", "indicator_id", "year")
    fixed = {"source": BenchmarkSource.ENTERED}
    update_fields = (*BENCHMARK_FIGURES, "note", "range_group")
    audit_kind = "benchmark"
    audited_fields = update_fields

    def object_key(self, planned):
        # As the admin site writes it: the source is part of a benchmark's key.
        return " ".join((*planned.key, BenchmarkSource.ENTERED.value))

    def parse(self, reader, ordinal):
        authority_id, indicator = self.read_references(reader)
        year = reader.read("year", cells.parse_year, required=True)
        fields = {name: self.figure(reader, name, indicator) for name in BENCHMARK_FIGURES}
        fields["note"] = reader.read("note", text_of(max_length(Benchmark, "note")))
        fields["range_group"] = reader.read("range_group", text_of(max_length(Benchmark, "range_group")))
        minimum, maximum = fields["sn_min"], fields["sn_max"]
        if is_set(minimum) and is_set(maximum) and None not in (minimum, maximum) and minimum > maximum:
            reader.error(
                "sn_min",
                messages.MIN_OVER_MAX.format(minimum=cells.plain(minimum), maximum=cells.plain(maximum)),
            )
        if not all(is_set(v) for v in (authority_id, indicator, year)):
            return None
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        for name in ("note", "range_group"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        key = {"authority_id": authority_id, "indicator_id": indicator[0], "year": year, **self.fixed}
        return (authority_id, indicator[0], year), key, fields


class TargetImport(FigureImport):
    name = "targets"
    model = Target
    required = ("authority", "indicator", "kind", "year", "value")
    optional = ("note", "period")
    key_columns = ("authority", "indicator", "kind", "year")
    #: A row with a period is an interim target for that month, on the way to the year's target.
    key_fields = ("authority_id", "indicator_id", "kind", "year", "period")
    update_fields = ("value", "note")
    audit_kind = "target"
    audited_fields = update_fields

    def parse(self, reader, ordinal):
        authority_id, indicator = self.read_references(reader)
        kind = reader.read(
            "kind",
            lambda text: cells.parse_choice(text, TARGET_KINDS, messages.UNKNOWN_TARGET_KIND),
            required=True,
        )
        year = reader.read("year", cells.parse_year, required=True)
        period = reader.read("period", cells.parse_period)
        period = None if period is ABSENT else period
        fields = {
            "value": self.figure(reader, "value", indicator, required=True),
            "note": reader.read("note", text_of(max_length(Target, "note"))),
        }
        if period not in (None, INVALID) and kind == TargetKind.BASELINE:
            reader.error("period", messages.INTERIM_ON_BASELINE)
            period = INVALID
        elif period not in (None, INVALID) and is_set(year) and financial_year_of(period) != year:
            start = parse_financial_year(year)
            reader.error(
                "period",
                messages.INTERIM_OUTSIDE_YEAR.format(
                    period=f"{period:%Y-%m}", year=year, start=start, end=start + 1
                ),
            )
            period = INVALID
        if not all(is_set(v) for v in (authority_id, indicator, kind, year, period)):
            return None
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        if "note" in fields and fields["note"] is None:
            fields["note"] = ""
        key = {"authority_id": authority_id, "indicator_id": indicator[0], "kind": kind, "year": year}
        key["period"] = period
        return (authority_id, indicator[0], kind, year, period), key, fields

    def existing(self, keys):
        # A year's target has no period (NULL), which ``period IN (...)`` never matches: look up without it.
        keys = list(keys)
        if not keys:
            return {}
        lookups = {f"{name}__in": {key[i] for key in keys} for i, name in enumerate(self.key_fields[:-1])}
        rows = Target.objects.filter(**lookups).values_list("pk", *self.key_fields, *self.stored)
        width = len(self.key_fields) + 1
        return {row[1:width]: (row[0], row[width:]) for row in rows}

    def object_key(self, planned):
        period = planned.fields.get("period")
        return " ".join(planned.key) + (f" {period:%Y-%m}" if period else "")
