"""Sign-off: the month's state, its approved snapshots, and the audit trail of every change."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from authorities.models import Authority
from scorecards.models.catalogue import FIGURE, Indicator
from scorecards.models.figures import ValueStatus


class SignOffState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved"


class ScorecardMonth(models.Model):
    """The sign-off of one authority's month: draft, submitted, approved.

    Board members see a month once it has been approved. A change after approval sends the month back to
    draft as a new revision; ``approved_at`` keeps the last approval, so values changed since then can be
    marked "revised since approval" until the month is approved again.
    """

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="scorecard_months")
    period = models.DateField()
    state = models.CharField(max_length=10, choices=SignOffState.choices, default=SignOffState.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    summary = models.TextField("overall commentary", blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["authority", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "period"], name="one_sign_off_per_month"),
            models.CheckConstraint(condition=models.Q(period__day=1), name="sign_off_period_first_of_month"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.authority.code} {self.period:%Y-%m} {self.get_state_display()} (revision {self.revision})"
        )

    def get_absolute_url(self) -> str:
        return reverse("scorecards:detail", args=[self.authority.code, f"{self.period:%Y-%m}"])


class ChangeRoute(models.TextChoices):
    FORM = "form", "Month-entry form"
    UPLOAD = "upload", "Spreadsheet upload"
    ADMIN = "admin", "Admin site"
    COMMAND = "command", "Command line"
    SIGN_OFF = "sign_off", "Sign-off"
    RETURN = "return", "SSDA903 return"
    PLAN = "plan", "Plan and action forms"


class ChangeRecord(models.Model):
    """One changed field: who changed what, when, from what to what, and by which route. Never edited."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="Kept if the account is deleted.")
    route = models.CharField(max_length=10, choices=ChangeRoute.choices)
    kind = models.CharField(max_length=20, help_text="value, benchmark, target, indicator, authority, month")
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, null=True, blank=True, related_name="change_records"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="change_records"
    )
    period = models.DateField(null=True, blank=True)
    object_key = models.CharField(
        max_length=200, help_text="The natural key, e.g. 838 dental_check_pct 2020-11."
    )
    field = models.CharField(max_length=40)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    note = models.CharField(
        max_length=250, blank=True, help_text="E.g. the confirmation of an unusual value."
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["authority", "indicator", "period"], name="change_authority_indicator"),
            models.Index(fields=["authority", "period"], name="change_authority_period"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or 'system'} {self.object_key} {self.field}"


class MonthSnapshot(models.Model):
    """What an approver signed off: one authority's month at one revision, kept as it was, never edited.

    Board members, their exports and their packs read figures from the latest snapshot of each month, never
    from the working figures, so nothing written behind the application's back (a ``QuerySet.update``, a data
    fix in SQL, a restore) reaches them until an approver signs it off. Database triggers refuse updates.
    """

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="month_snapshots")
    period = models.DateField()
    revision = models.PositiveIntegerField()
    approved_at = models.DateTimeField()
    #: A name, not a foreign key: a snapshot is never updated, not even to forget a deleted account.
    approved_by_name = models.CharField(max_length=150, blank=True)
    summary = models.TextField("overall commentary", blank=True)

    class Meta:
        ordering = ["authority", "-period", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "period", "revision"], name="one_snapshot_per_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority.code} {self.period:%Y-%m} as approved (revision {self.revision})"


class SnapshotFigure(models.Model):
    """One indicator's figure as approved in a month snapshot."""

    snapshot = models.ForeignKey(MonthSnapshot, on_delete=models.CASCADE, related_name="figures")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(**FIGURE, null=True, blank=True)
    numerator = models.DecimalField(**FIGURE, null=True, blank=True)
    denominator = models.DecimalField(**FIGURE, null=True, blank=True)
    status = models.CharField(max_length=20, choices=ValueStatus.choices, blank=True, default="")
    commentary = models.TextField(blank=True)
    cohort = models.CharField(max_length=120, blank=True, default="")
    #: Where the figure came from, in words, as it stood at approval (e.g. "computed from the 903 return of
    #: 3 May 2021"); empty for figures entered by form or upload.
    source_note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["snapshot", "indicator", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "indicator", "cohort"], name="one_figure_per_snapshot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.indicator.code}"
