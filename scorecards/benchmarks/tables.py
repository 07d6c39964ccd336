"""django-tables2 tables of the comparison pages: presentation only, built from the selectors' rows, no query.

The reader's authority is marked in words ("your council") and with ``<mark>``, never by colour alone.
"""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from scorecards.benchmarks.comparison import AreaFigure, Comparison, League, LeagueRow

NUMBER = {"th": {"class": "num"}, "td": {"class": "num"}}
TEMPLATE = "scorecards/core/partials/table_rows.html"


class _Table(tables.Table):
    """A captioned table whose row header is ``row_header``, with a row marked for the reader's authority."""

    #: the column whose cells are the rows' headers (``<th scope="row">``)
    row_header = "name"

    class Meta:
        orderable = False
        template_name = TEMPLATE
        attrs = {"class": "data-table"}
        row_attrs = {"class": lambda record: "is-reader" if record.get("is_reader") else ""}

    def __init__(self, *args, caption: str = "", caption_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption
        self.caption_id = caption_id

    def render_name(self, value: str, record: dict):
        if record.get("is_reader"):
            return format_html("<strong><mark>{}</mark></strong> (your council)", value)
        if record.get("note"):
            return format_html('{} <span class="source">{}</span>', value, record["note"])
        return value


class NeighbourTable(_Table):
    """The authority, then its statistical neighbours nearest first, then the averages pinned below."""

    name = tables.Column(verbose_name="Area")
    sn_rank = tables.Column(verbose_name="Neighbour (nearest first)", default="")
    value = tables.Column(verbose_name="Value", attrs=NUMBER)
    # Averages have no rank or quartile: their cells stay empty rather than showing a dash for "missing".
    rank = tables.Column(verbose_name="Rank in England", attrs=NUMBER, default="")
    quartile = tables.Column(verbose_name="Quartile", default="")

    class Meta(_Table.Meta):
        attrs = {"class": "data-table neighbour-table"}
        empty_text = "No statistical neighbours are recorded for this authority."

    def __init__(self, *args, averages: list[dict] | None = None, **kwargs):
        # Set before the base class builds the rows, which asks for the pinned rows.
        self._averages = averages or []
        super().__init__(*args, **kwargs)

    def get_bottom_pinned_data(self) -> list[dict]:
        return self._averages

    @staticmethod
    def _record(area: AreaFigure) -> dict:
        if area.sn_rank is not None:
            sn_rank = f"{area.sn_rank} ({area.closeness.lower()})" if area.closeness else str(area.sn_rank)
        else:
            sn_rank = ""
        return {
            "name": area.name,
            "sn_rank": sn_rank,
            "value": area.text if area.value is not None else "– (no published figure)",
            "rank": area.rank_text if not area.is_average else "",
            "quartile": area.quartile_text if not area.is_average else "",
            "is_reader": area.is_authority,
            "note": area.detail,
        }

    @classmethod
    def for_comparison(cls, comparison: Comparison) -> NeighbourTable:
        rows = ([comparison.own] if comparison.own else []) + list(comparison.neighbours)
        return cls(
            [cls._record(area) for area in rows],
            averages=[cls._record(area) for area in comparison.averages],
            caption=f"{comparison.indicator.name}, {comparison.year}: {comparison.authority.name}, its "
            "statistical neighbours nearest first, the neighbours' average, the region and England",
            caption_id="neighbour-caption",
        )


class TrendTable(_Table):
    """Each published year: the authority's figure, rank and quartile, and its comparators."""

    name = tables.Column(verbose_name="Year to 31 March")
    own = tables.Column(verbose_name="Authority", attrs=NUMBER)
    rank = tables.Column(verbose_name="Rank in England", attrs=NUMBER)
    quartile = tables.Column(verbose_name="Quartile")
    sn_average = tables.Column(verbose_name="Statistical-neighbour average", attrs=NUMBER)
    region = tables.Column(verbose_name="Region", attrs=NUMBER)
    england = tables.Column(verbose_name="England", attrs=NUMBER)

    class Meta(_Table.Meta):
        attrs = {"class": "data-table trend-table"}
        empty_text = "No published years."

    @classmethod
    def for_comparison(cls, comparison: Comparison) -> TrendTable:
        table = cls(
            [
                {
                    "name": point.year,
                    "own": point.own_text,
                    "rank": point.rank_text,
                    "quartile": point.quartile or "–",
                    "sn_average": point.sn_average_text,
                    "region": point.region_text,
                    "england": point.england_text,
                }
                for point in reversed(comparison.trend)
            ],
            caption=f"{comparison.indicator.name}: {comparison.authority.name} and its comparators by year, "
            "newest first",
            caption_id="trend-caption",
        )
        table.columns["own"].column.verbose_name = comparison.authority.name
        if comparison.region is not None:
            table.columns["region"].column.verbose_name = comparison.region.name
        return table


class LeagueTable(_Table):
    """Every authority with its stored rank and quartile, best first; no published figure last."""

    rank = tables.Column(verbose_name="Rank", attrs=NUMBER)
    name = tables.Column(verbose_name="Authority")
    region = tables.Column(verbose_name="Region")
    value = tables.Column(verbose_name="Value", attrs=NUMBER)
    quartile = tables.Column(verbose_name="Quartile")

    class Meta(_Table.Meta):
        attrs = {"class": "data-table league-table"}
        empty_text = "No authority has a published figure this year."

    @staticmethod
    def _record(row: LeagueRow) -> dict:
        notes = []
        if row.neighbour_rank is not None:
            notes.append(f"statistical neighbour {row.neighbour_rank}")
        if not row.is_current:
            notes.append("former authority")
        return {
            "rank": row.rank_text,
            "name": row.name,
            "region": row.region or "–",
            "value": row.text if row.value is not None else "– (no published figure)",
            "quartile": row.quartile_text,
            "is_reader": row.is_reader,
            "note": "; ".join(notes),
        }

    @classmethod
    def for_league(cls, league: League) -> LeagueTable:
        return cls(
            [cls._record(row) for row in league.rows],
            caption=f"{league.indicator.name}, {league.year}: every authority, best first"
            if league.is_ranked
            else f"{league.indicator.name}, {league.year}: every authority, largest first",
            caption_id="league-caption",
        )
