"""django-tables2 tables: presentation only, built from scorecard rows, never a query."""

from __future__ import annotations

import django_tables2 as tables

from scorecards.rows import ScorecardRow


class MonthTable(tables.Table):
    """Month by month figures of one indicator, newest first, with the commentary for each month."""

    month = tables.Column(verbose_name="Month")
    figure = tables.Column(verbose_name="Value", attrs={"td": {"class": "num"}})
    status = tables.Column(verbose_name="Status")
    commentary = tables.Column(verbose_name="Commentary")

    class Meta:
        orderable = False
        attrs = {"class": "data-table month-table"}
        template_name = "scorecards/core/partials/table.html"
        empty_text = "No months in this window."

    def __init__(self, *args, caption: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption

    @classmethod
    def for_row(cls, row: ScorecardRow) -> MonthTable:
        data = [
            {
                "month": cell.name,
                "figure": cell.text if cell.value is not None else "–",
                "status": cell.status_label or ("Reported" if cell.value is not None else "No figure"),
                "commentary": cell.commentary or "–",
            }
            for cell in reversed(row.cells)
        ]
        if row.quarterly:
            table = cls(data, caption=f"{row.indicator.name}: quarter by quarter")
            table.columns["month"].column.verbose_name = "Quarter"
            return table
        return cls(data, caption=f"{row.indicator.name}: month by month")
