"""Indicators, monthly values, benchmarks, targets and baselines.

A month is stored as the first day of that month. Figures are Decimals: a board paper must show exactly what
was entered, and rounding is a rule (half-up at the indicator's decimals), not an accident of floats.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from authorities.models import Authority

FIGURE = {"max_digits": 16, "decimal_places": 4}
YEAR_HELP = "Financial year as YYYY/YY, e.g. 2019/20 (1 April 2019 to 31 March 2020)."


class Unit(models.TextChoices):
    PERCENT = "percent", "Percent"
    RATE_PER_10K = "rate_per_10k", "Rate per 10,000 children"
    COUNT = "count", "Count"
    DAYS = "days", "Days"
    SCORE = "score", "Score"


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    NEUTRAL = "neutral", "Neutral (no better direction)"


class ValueStatus(models.TextChoices):
    REPORTED = "", "Reported"
    NOT_AVAILABLE = "not_available", "Not available"
    NOT_YET_REPORTED = "not_yet_reported", "Not yet reported"
    SUPPRESSED = "suppressed", "Suppressed (small numbers)"


class Indicator(models.Model):
    """One measure of the catalogue, e.g. the percentage of children in care with a dental check."""

    code = models.SlugField(max_length=80, unique=True)
    section = models.CharField(max_length=60)
    name = models.CharField(max_length=250)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    polarity = models.CharField(max_length=20, choices=Polarity.choices)
    decimals = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=120, blank=True)
    definition = models.TextField(blank=True)
    amber_tolerance = models.DecimalField(
        **FIGURE,
        null=True,
        blank=True,
        help_text="How far worse than the comparator is still amber, in the indicator's unit. "
        "Empty: 5% of the comparator.",
    )
    position = models.PositiveIntegerField(
        default=0, help_text="Place in the catalogue; sections appear in the order of their first indicator."
    )

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(decimals__lte=3), name="indicator_decimals_0_to_3"),
        ]

    def __str__(self) -> str:
        return self.name


class MonthlyValue(models.Model):
    """An authority's figure for one indicator in one month, or the reason there is none."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="monthly_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="monthly_values")
    period = models.DateField(help_text="First day of the month the figure describes.")
    value = models.DecimalField(**FIGURE, null=True, blank=True)
    numerator = models.DecimalField(**FIGURE, null=True, blank=True)
    denominator = models.DecimalField(**FIGURE, null=True, blank=True)
    status = models.CharField(max_length=20, choices=ValueStatus.choices, blank=True, default="")
    commentary = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["authority", "indicator", "period"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "indicator", "period"], name="one_value_per_month"),
            # Missing is never zero: a row has a figure or says why it has none, never both.
            models.CheckConstraint(
                condition=(models.Q(value__isnull=False) & models.Q(status=""))
                | (models.Q(value__isnull=True) & ~models.Q(status="")),
                name="value_or_status",
            ),
            models.CheckConstraint(condition=models.Q(period__day=1), name="period_is_first_of_month"),
        ]
        indexes = [models.Index(fields=["authority", "period"], name="value_authority_period")]

    def __str__(self) -> str:
        return f"{self.authority.code} {self.indicator.code} {self.period:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse(
            "scorecards:indicator",
            args=[self.authority.code, f"{self.period:%Y-%m}", self.indicator.code],
        )


class BenchmarkSource(models.TextChoices):
    ENTERED = "entered", "Entered by the council"
    DFE = "dfe", "DfE published statistics"


class Benchmark(models.Model):
    """Comparators for one authority, indicator and financial year.

    Figures entered by the council (the contract's ``benchmarks`` upload) and figures computed from DfE's
    published releases are kept apart, so the page can say where each came from; entered figures win.
    """

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="benchmarks")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="benchmarks")
    year = models.CharField(max_length=7, help_text=YEAR_HELP)
    source = models.CharField(max_length=10, choices=BenchmarkSource.choices, default=BenchmarkSource.ENTERED)
    england = models.DecimalField(**FIGURE, null=True, blank=True)
    region = models.DecimalField(**FIGURE, null=True, blank=True)
    sn_average = models.DecimalField("SN average", **FIGURE, null=True, blank=True)
    sn_min = models.DecimalField("SN minimum", **FIGURE, null=True, blank=True)
    sn_max = models.DecimalField("SN maximum", **FIGURE, null=True, blank=True)
    sn_count = models.PositiveSmallIntegerField(
        "neighbours used",
        null=True,
        blank=True,
        help_text="How many neighbours had a value for the SN average.",
    )
    own = models.DecimalField("own published figure", **FIGURE, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="1 is best among all authorities."
    )
    rank_of = models.PositiveSmallIntegerField(null=True, blank=True)
    quartile = models.CharField(max_length=1, blank=True, help_text="A (best) to D (worst).")
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["authority", "indicator", "year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "indicator", "year", "source"], name="one_benchmark_per_year_and_source"
            ),
        ]
        indexes = [
            models.Index(fields=["authority", "indicator"], name="benchmark_authority_indicator"),
            # The league table and its years: one indicator's DfE figures of one year, every authority.
            models.Index(fields=["indicator", "source", "year"], name="benchmark_indicator_year"),
        ]

    def __str__(self) -> str:
        return f"{self.authority.code} {self.indicator.code} {self.year} ({self.source})"


class PublishedMeasure(models.Model):
    """Which figure of DfE's published statistics feeds an indicator's ``dfe`` benchmarks.

    Kept as data, not code, so that a council can map another published measure in the admin without a
    programmer. A measure is one column of the rows of one Explore Education Statistics (EES) CSV that match
    every filter, e.g. ``children_percent`` of ``la_cla_placement_stability.csv`` where ``cla_group`` is
    "CLA on 31 March" and ``placement_stability`` is "With 3 or more placements during the year".
    """

    indicator = models.OneToOneField(Indicator, on_delete=models.CASCADE, related_name="published_measure")
    file_name = models.CharField(
        max_length=200, help_text="The EES CSV as published, e.g. la_cla_placement_stability.csv."
    )
    filters = models.JSONField(
        default=dict,
        blank=True,
        help_text='Column and value every row must match, e.g. {"cla_group": "CLA on 31 March"}.',
    )
    value_column = models.CharField(
        max_length=80, help_text="The column holding the figure, e.g. children_percent."
    )
    note = models.CharField(
        max_length=250, blank=True, help_text="How the published measure differs, if it does."
    )

    class Meta:
        ordering = ["indicator"]

    def __str__(self) -> str:
        return f"{self.indicator.code} from {self.file_name} {self.value_column}"


class TargetKind(models.TextChoices):
    TARGET = "target", "Target"
    BASELINE = "baseline", "Baseline"


class Target(models.Model):
    """A target or a baseline an authority set for an indicator in a financial year."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="targets")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    year = models.CharField(max_length=7, help_text=YEAR_HELP)
    value = models.DecimalField(**FIGURE)
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["authority", "indicator", "kind", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "indicator", "kind", "year"], name="one_target_per_kind_and_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} for {self.indicator.code} in {self.year}"


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


class PackState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BoardPack(models.Model):
    """A board pack as made: kept, so the record of what a board saw never changes when data is revised."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="board_packs")
    period = models.DateField()
    months = models.PositiveSmallIntegerField(default=6)
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

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["authority", "-requested_at"], name="pack_authority_requested")]

    def __str__(self) -> str:
        return f"Board pack {self.authority.code} {self.period:%Y-%m} ({self.get_state_display()})"


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

    class Meta:
        ordering = ["snapshot", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "indicator"], name="one_figure_per_snapshot"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.indicator.code}"
