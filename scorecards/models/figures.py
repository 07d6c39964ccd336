"""Figures: monthly values, benchmarks, targets and baselines.

A month is stored as the first day of that month. Figures are Decimals: a board paper must show exactly what
was entered, and rounding is a rule (half-up at the indicator's decimals), not an accident of floats.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from authorities.models import Authority
from scorecards.models.catalogue import FIGURE, YEAR_HELP, Indicator


class ValueStatus(models.TextChoices):
    REPORTED = "", "Reported"
    NOT_AVAILABLE = "not_available", "Not available"
    NOT_YET_REPORTED = "not_yet_reported", "Not yet reported"
    SUPPRESSED = "suppressed", "Suppressed (small numbers)"


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
    #: Empty for the headline figure; else the group a breakdown describes, e.g. "in Devon schools".
    cohort = models.CharField(max_length=120, blank=True, default="")
    #: Set when the figure was computed from the council's SSDA903 return rather than entered.
    computed_from = models.ForeignKey(
        "scorecards.ReturnImport", on_delete=models.SET_NULL, null=True, blank=True, related_name="values"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["authority", "indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "indicator", "period", "cohort"], name="one_value_per_month_and_cohort"
            ),
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
    range_group = models.CharField(
        max_length=120,
        blank=True,
        help_text="The group behind SN minimum and maximum, e.g. good and outstanding neighbours. "
        "Empty: the statistical neighbours.",
    )

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
    #: An interim target on the way to the year's target (a trajectory): the month it applies from.
    period = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["authority", "indicator", "kind", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "indicator", "kind", "year"],
                condition=models.Q(period__isnull=True),
                name="one_target_per_kind_and_year",
            ),
            models.UniqueConstraint(
                fields=["authority", "indicator", "kind", "year", "period"],
                condition=models.Q(period__isnull=False),
                name="one_interim_target_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(period__isnull=True) | models.Q(kind="target"),
                name="interim_only_for_targets",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} for {self.indicator.code} in {self.year}"
