"""Each approved series' SPC sums, kept as approvals change them: what the grid's icons read."""

from django.db import models

from authorities.models import Authority
from scorecards.models.catalogue import Indicator


class SeriesSummary(models.Model):
    """One indicator's SPC series as board members read it (each month's latest approved snapshot), ending at
    one of its values, reduced to what the grid's icons need (``spc_signal.SeriesSums``): the count, total and
    sum of moving ranges of its latest 60 values and its 6 newest, as whole numbers of ten-thousandths.

    Derived data, never edited by hand: ``scorecards.core.series.series_summaries_refresh`` rewrites an
    authority's rows from the approved month onwards in the transaction of every approval, with the same
    definition as the live computation (``scorecards.core.figures.series_sums_fetch``), which tests compare.
    A scorecard at month M reads, for each indicator, the row of its latest value at or before M.
    """

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    #: the month of the series' newest value
    period = models.DateField()
    points = models.PositiveSmallIntegerField()
    total = models.BigIntegerField()
    moving = models.BigIntegerField()
    newest_1 = models.BigIntegerField()
    newest_2 = models.BigIntegerField(null=True)
    newest_3 = models.BigIntegerField(null=True)
    newest_4 = models.BigIntegerField(null=True)
    newest_5 = models.BigIntegerField(null=True)
    newest_6 = models.BigIntegerField(null=True)

    class Meta:
        verbose_name_plural = "series summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "indicator", "period"], name="one_series_summary_per_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority_id} {self.indicator_id} {self.period:%Y-%m}: {self.points} points"
