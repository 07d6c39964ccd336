"""Indicators: the catalogue every authority's scorecard is drawn from, and what feeds DfE benchmarks."""

from django.db import models

from scorecards.rating import Polarity, Unit  # one definition, beside the rules that read them

FIGURE = {"max_digits": 16, "decimal_places": 4}
YEAR_HELP = "Financial year as YYYY/YY, e.g. 2019/20 (1 April 2019 to 31 March 2020)."


class QuarterRule(models.TextChoices):
    """How an indicator's quarter value is made from its months' values (the contract's ``quarter_rule``)."""

    END = "end", "Latest month of the quarter with a value"
    SUM = "sum", "Sum of the three months"
    POOLED = "pooled", "Numerators over denominators of the three months"


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
    quarter_rule = models.CharField(max_length=10, choices=QuarterRule.choices, default=QuarterRule.END)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(decimals__lte=3), name="indicator_decimals_0_to_3"),
        ]

    def __str__(self) -> str:
        return self.name


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
