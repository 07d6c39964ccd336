"""Figures computed from a council's SSDA903 return, and the data-quality problems found on the way.

No child-level data is kept: the uploaded files are read, computed and deleted in the request that receives
them; what stays is the computed figures (aggregates) awaiting confirmation, and the problem list, which names
children and is shown to that authority's officers only, who can delete it.
"""

from django.conf import settings
from django.db import models

from authorities.models import Authority


class ReturnState(models.TextChoices):
    PREVIEW = "preview", "Awaiting confirmation"
    APPLIED = "applied", "Figures written"
    DISCARDED = "discarded", "Discarded"


class ReturnImport(models.Model):
    """One computation of figures from a return: which files, which months, what it found and wrote."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="return_imports")
    state = models.CharField(max_length=10, choices=ReturnState.choices, default=ReturnState.PREVIEW)
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_names = models.CharField(max_length=500, help_text="The files of the return, comma-separated.")
    first_month = models.DateField()
    last_month = models.DateField()
    #: The computed figures (indicator, period, value, numerator, denominator): aggregates, no child data.
    figures = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["authority", "-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.authority.code} 903 return of {self.uploaded_at:%Y-%m-%d} ({self.state})"


class DataQualityProblem(models.Model):
    """A row of the return that broke a rule: shown to the authority's officers only; deletable."""

    return_import = models.ForeignKey(ReturnImport, on_delete=models.CASCADE, related_name="problems")
    table = models.CharField(max_length=40)
    row = models.PositiveIntegerField()
    child = models.CharField(max_length=40, blank=True)
    rule = models.CharField(max_length=40)
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["return_import", "table", "row", "pk"]

    def __str__(self) -> str:
        return f"{self.table} row {self.row}: {self.rule}"
