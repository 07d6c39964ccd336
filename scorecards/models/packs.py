"""Board packs as made and kept."""

from django.conf import settings
from django.db import models

from authorities.models import Authority
from scorecards.models.signoff import SignOffState


class PackState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BoardPack(models.Model):
    """A board pack as made: kept, so the record of what a board saw never changes when data is revised."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="board_packs")
    period = models.DateField()
    months = models.PositiveSmallIntegerField(
        default=6, help_text="The window: months, or quarters for a quarter's pack."
    )
    quarter = models.CharField(
        max_length=10,
        blank=True,
        help_text="A quarter's pack (YYYY-YY-Qn, period its last month); blank for a month's.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=PackState.choices, default=PackState.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life from the worker.")
    finished_at = models.DateTimeField(null=True, blank=True)
    data_as_of = models.DateTimeField(
        null=True, blank=True, help_text="Newest change in the data the pack used."
    )
    approval_state = models.CharField(max_length=10, choices=SignOffState.choices, blank=True)
    approval_revision = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="packs/%Y/%m/", blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    meeting = models.ForeignKey(
        "scorecards.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="packs"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["authority", "-requested_at"], name="pack_authority_requested")]

    def __str__(self) -> str:
        period = self.quarter or f"{self.period:%Y-%m}"
        return f"Board pack {self.authority.code} {period} ({self.get_state_display()})"
