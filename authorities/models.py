"""Local authorities, their statistical neighbours, and who may see which authority."""

from django.conf import settings
from django.db import models


class Authority(models.Model):
    """An English local authority with children's social care responsibilities."""

    code = models.CharField(
        "DfE code", max_length=3, unique=True, help_text="DfE 3-digit LA number, e.g. 838."
    )
    gss_code = models.CharField("GSS code", max_length=9, blank=True, help_text="ONS code, e.g. E06000059.")
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=60, blank=True)
    is_current = models.BooleanField(
        default=True, help_text="False for authorities that no longer exist, such as Cumbria after 2023."
    )
    #: Changed (to a new random number) by database triggers, in the writing transaction, whenever this
    #: authority's figures, benchmarks, targets, sign-offs or audit records, or the shared indicator catalogue,
    #: change: by the ORM, ``QuerySet.update``, ``bulk_create``, COPY or raw SQL alike (migrations authorities
    #: 0002 and scorecards 0005). Cached scorecard fragments are keyed by it.
    data_version = models.BigIntegerField(
        default=0,
        editable=False,
        help_text="Changed by database triggers on every write to the data a scorecard shows.",
    )
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
        help_text="Authorities that took over this one's area.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class FormerCode(models.Model):
    """A DfE code an authority had before a reorganisation changed it; its old addresses redirect here."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="former_codes")
    code = models.CharField(max_length=3, unique=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} (now {self.authority.code})"


class StatisticalNeighbour(models.Model):
    """One place in an authority's ordered list of statistical neighbours.

    The neighbour is kept by its DfE code so that a list can name authorities that have not been imported
    yet; ``neighbour`` is linked once they arrive.
    """

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="statistical_neighbours")
    rank = models.PositiveSmallIntegerField(help_text="1 is the nearest neighbour.")
    neighbour_code = models.CharField(max_length=3)
    neighbour = models.ForeignKey(
        Authority, on_delete=models.SET_NULL, null=True, blank=True, related_name="neighbour_of"
    )
    closeness = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["authority", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "rank"], name="one_neighbour_per_rank"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="neighbour_rank_from_one"),
        ]
        indexes = [models.Index(fields=["neighbour_code"])]

    def __str__(self) -> str:
        return f"{self.authority.code} neighbour {self.rank}: {self.neighbour_code}"


class Role(models.TextChoices):
    BOARD_MEMBER = "board_member", "Board member"
    OFFICER = "officer", "Officer"
    APPROVER = "approver", "Approver"
    ADMINISTRATOR = "administrator", "Administrator"


class Membership(models.Model):
    """A user's role in one authority. A user sees only the authorities they hold a membership of."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["authority", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "authority"], name="one_membership_per_authority")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display().lower()} of {self.authority.name}"
