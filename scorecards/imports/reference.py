"""Importing the reference lists: authorities with their statistical neighbours; the indicator catalogue."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery

from authorities.models import Authority, StatisticalNeighbour
from scorecards.models import Indicator, MonthlyValue, Polarity, QuarterRule, Unit

from . import cells, messages
from .base import ABSENT, BATCH_SIZE, KindImport, is_set, max_length, not_negative, text_of

UNITS = tuple(Unit.values)
POLARITIES = tuple(Polarity.values)
QUARTER_RULES = tuple(QuarterRule.values)


def ids_by_code(model, creates, updates) -> dict[str, int]:
    """Primary keys of the objects just written, by code; bulk_create cannot be relied on to return them."""
    ids = {planned.fields["code"]: planned.pk for planned in updates}
    if creates:
        codes = [planned.fields["code"] for planned in creates]
        ids.update(model.objects.filter(code__in=codes).values_list("code", "pk"))
    return ids


# Authorities -----------------------------------------------------------------------------------------------


class AuthorityImport(KindImport):
    name = "authorities"
    model = Authority
    required = ("code", "name")
    optional = ("gss_code", "region", "statistical_neighbours")
    key_columns = ("code",)
    update_fields = ("name", "gss_code", "region")
    stored = ("name", "gss_code", "region", "statistical_neighbours")
    audit_kind = "authority"
    audited_fields = ("name", "gss_code", "region", "statistical_neighbours")
    model_fields = frozenset({"code", "name", "gss_code", "region"})

    def parse(self, reader, ordinal):
        code = reader.read("code", cells.parse_authority_code, required=True)
        fields = {
            "name": reader.read("name", text_of(max_length(Authority, "name")), required=True),
            "gss_code": reader.read("gss_code", cells.parse_gss_code),
            "region": reader.read("region", text_of(max_length(Authority, "region"))),
            "statistical_neighbours": reader.read(
                "statistical_neighbours",
                lambda text: cells.parse_neighbours(text, own_code=code if is_set(code) else None),
            ),
        }
        if not is_set(code):
            return None
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        for name in ("gss_code", "region"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        if fields.get("statistical_neighbours", ()) is None:
            fields["statistical_neighbours"] = ()
        return (code,), {"code": code}, fields

    def existing(self, keys):
        neighbours: dict[int, list[str]] = {}
        for authority_id, code in StatisticalNeighbour.objects.order_by("authority_id", "rank").values_list(
            "authority_id", "neighbour_code"
        ):
            neighbours.setdefault(authority_id, []).append(code)
        return {
            (code,): (pk, (name, gss_code, region, tuple(neighbours.get(pk, ()))))
            for pk, code, name, gss_code, region in Authority.objects.values_list(
                "pk", "code", "name", "gss_code", "region"
            )
        }

    def build(self, fields, *, pk=None, user=None):
        return Authority(
            pk=pk, **{name: value for name, value in fields.items() if name in self.model_fields}
        )

    def apply(self, creates, updates, *, user=None):
        super().apply(creates, updates, user=user)
        self.ids = ids_by_code(Authority, creates, updates)
        relisted = [
            planned
            for planned in creates + updates
            if "statistical_neighbours" in (planned.changes if planned.pk else planned.fields)
        ]
        if relisted:
            ids = self.ids
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

    def audit_ids(self, planned):
        return self.ids[planned.fields["code"]], None, None


# Indicators ------------------------------------------------------------------------------------------------


class IndicatorImport(KindImport):
    name = "indicators"
    model = Indicator
    required = ("code", "section", "name", "unit", "polarity", "decimals")
    optional = ("source", "definition", "amber_tolerance", "quarter_rule")
    key_columns = ("code",)
    audit_kind = "indicator"
    audited_fields = (
        "section",
        "name",
        "unit",
        "polarity",
        "decimals",
        "source",
        "definition",
        "amber_tolerance",
        "position",
        "quarter_rule",
    )
    update_fields = (
        "section",
        "name",
        "unit",
        "polarity",
        "decimals",
        "source",
        "definition",
        "amber_tolerance",
        "position",
        "quarter_rule",
    )

    def prepare(self):
        # Stored figures without both counts, by indicator: such an indicator cannot become ``pooled``.
        self.uncounted = dict(
            MonthlyValue.objects.filter(value__isnull=False)
            .filter(Q(numerator__isnull=True) | Q(denominator__isnull=True))
            .values("indicator__code")
            .annotate(count=Count("pk"))
            .values_list("indicator__code", "count")
        )

    def parse(self, reader, ordinal):
        code = reader.read(
            "code",
            lambda text: cells.parse_indicator_code(text, max_length=max_length(Indicator, "code")),
            required=True,
        )
        unit = reader.read(
            "unit", lambda text: cells.parse_choice(text, UNITS, messages.UNKNOWN_UNIT), required=True
        )
        fields = {
            "section": reader.read("section", text_of(max_length(Indicator, "section")), required=True),
            "name": reader.read("name", text_of(max_length(Indicator, "name")), required=True),
            "unit": unit,
            "polarity": reader.read(
                "polarity",
                lambda text: cells.parse_choice(text, POLARITIES, messages.UNKNOWN_POLARITY),
                required=True,
            ),
            "decimals": reader.read("decimals", cells.parse_decimals, required=True),
            "source": reader.read("source", text_of(max_length(Indicator, "source"))),
            "definition": reader.read("definition"),
            "amber_tolerance": reader.read(
                "amber_tolerance",
                lambda text: not_negative(
                    cells.parse_number(text, unit=unit if is_set(unit) else None), "an amber tolerance"
                ),
            ),
            # The catalogue's order is the file's order, so importing it again reorders the catalogue.
            "position": ordinal,
            "quarter_rule": reader.read(
                "quarter_rule",
                lambda text: cells.parse_choice(text, QUARTER_RULES, messages.UNKNOWN_QUARTER_RULE),
            ),
        }
        if fields["quarter_rule"] is None:
            fields["quarter_rule"] = QuarterRule.END.value
        if fields["quarter_rule"] == QuarterRule.POOLED:
            if unit == Unit.COUNT:
                reader.error("quarter_rule", messages.POOLED_COUNT)
            elif is_set(code) and self.uncounted.get(code):
                reader.error(
                    "quarter_rule",
                    messages.POOLED_WITHOUT_COUNTS.format(count=self.uncounted[code], code=code),
                )
        if not is_set(code):
            return None
        fields = {name: value for name, value in fields.items() if value is not ABSENT}
        for name in ("source", "definition"):
            if name in fields and fields[name] is None:
                fields[name] = ""
        return (code,), {"code": code}, fields

    def existing(self, keys):
        rows = Indicator.objects.values_list("pk", "code", *self.stored)
        return {(row[1],): (row[0], row[2:]) for row in rows}

    def apply(self, creates, updates, *, user=None):
        super().apply(creates, updates, user=user)
        self.ids = ids_by_code(Indicator, creates, updates)

    def audit_ids(self, planned):
        return None, self.ids[planned.fields["code"]], None
