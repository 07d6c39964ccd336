"""Uploads awaiting confirmation: each preview is confirmed at most once."""

from django.conf import settings
from django.db import models

from authorities.models import Authority


class UploadState(models.TextChoices):
    PENDING = "pending", "Awaiting confirmation"
    APPLYING = "applying", "Being applied"
    APPLIED = "applied", "Applied"
    DISCARDED = "discarded", "Discarded"


class PendingUpload(models.Model):
    """A previewed spreadsheet: claimed by one confirmation with a conditional update, so a double click or two
    officers confirming at once apply it once."""

    token = models.CharField(max_length=64, unique=True)
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="pending_uploads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    filename = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255, help_text="The file under MEDIA_ROOT/uploads.")
    digest = models.CharField(max_length=64, help_text="What the preview showed; confirming checks it again.")
    state = models.CharField(max_length=10, choices=UploadState.choices, default=UploadState.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.authority.code} {self.kind} upload {self.filename} ({self.state})"
