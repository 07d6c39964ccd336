"""The table of an authority's board packs: presentation only; the view chooses the rows."""

from __future__ import annotations

import django_tables2 as tables
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from scorecards.models import BoardPack, PackState, SignOffState
from scorecards.packs.selectors import pack_label


def _when(moment) -> str:
    return date_filter(timezone.localtime(moment), "j M Y, H:i")


class BoardPackTable(tables.Table):
    """Every pack made, newest first: what month or quarter, what approval state, who asked, and the file."""

    requested_at = tables.Column(verbose_name="Requested")
    period = tables.Column(verbose_name="Month or quarter")
    months = tables.Column(verbose_name="Window", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    approval_state = tables.Column(verbose_name="Approval")
    state = tables.Column(verbose_name="Status")
    requested_by = tables.Column(verbose_name="Requested by", default="command line")
    data_as_of = tables.Column(verbose_name="Data as of", default="–")
    page_count = tables.Column(
        verbose_name="Pages", default="–", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    size_bytes = tables.Column(
        verbose_name="Size", default="–", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    pack = tables.Column(verbose_name="Pack", accessor="pk", orderable=False)

    class Meta:
        model = BoardPack
        fields = (
            "requested_at",
            "period",
            "months",
            "approval_state",
            "state",
            "requested_by",
            "data_as_of",
            "page_count",
            "size_bytes",
        )
        orderable = False
        attrs = {"class": "data-table pack-table"}
        template_name = "scorecards/core/partials/table.html"
        empty_text = "No board packs have been made for this authority yet."

    def __init__(self, *args, caption: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.caption = caption

    def render_requested_at(self, value) -> str:
        return _when(value)

    def render_period(self, value, record: BoardPack) -> str:
        return pack_label(record)

    def render_months(self, value, record: BoardPack) -> str:
        """E.g. "6 months", or "5 quarters" for a quarter's pack."""
        word = "quarter" if record.quarter else "month"
        return f"{value} {word}{'s' if value != 1 else ''}"

    def render_data_as_of(self, value) -> str:
        return _when(value)

    def render_approval_state(self, value, record: BoardPack) -> str:
        if record.approval_state == SignOffState.APPROVED:
            return "Approved"
        return "Draft"

    def render_state(self, value, record: BoardPack) -> str:
        if record.state == PackState.FAILED:
            return format_html("Failed: {}", record.error)
        if record.state == PackState.RENDERING and record.progress_total:
            return f"Rendering {record.progress_done} of {record.progress_total}"
        return record.get_state_display()

    def render_requested_by(self, value) -> str:
        return value.get_username()

    def render_size_bytes(self, value) -> str:
        return filesizeformat(value)

    def render_pack(self, value, record: BoardPack) -> str:
        page = reverse("scorecards:pack", args=[record.authority.code, record.pk])
        if record.state == PackState.DONE and record.file:
            download = reverse("scorecards:pack_download", args=[record.authority.code, record.pk])
            return format_html(
                '<a href="{}">Download<span class="visually-hidden"> the {} pack made {}</span></a> · '
                '<a href="{}">Details<span class="visually-hidden"> of pack {}</span></a>',
                download,
                pack_label(record),
                _when(record.requested_at),
                page,
                record.pk,
            )
        return format_html(
            '<a href="{}">Details<span class="visually-hidden"> of pack {}</span></a>', page, record.pk
        )
