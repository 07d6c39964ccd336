"""Plans and actions the board holds the service to account for, its questions, and its meetings.

An action's status and progress are never overwritten: each import or form save that changes them adds an
``ActionUpdate`` (one per as-of day), so the plan can be shown as it stood at any earlier meeting.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse

from authorities.models import Authority
from scorecards.models.catalogue import Indicator


class PlanSource(models.TextChoices):
    OFSTED_INSPECTION = "ofsted_inspection", "Ofsted inspection"
    OFSTED_VISIT = "ofsted_visit", "Ofsted focused visit"
    PEER_REVIEW = "peer_review", "Peer review"
    STRATEGY = "strategy", "Corporate parenting strategy"
    IMPROVEMENT_PLAN = "improvement_plan", "Improvement plan"
    OTHER = "other", "Other"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"
    DROPPED = "dropped", "Dropped"


class Plan(models.Model):
    """A plan an authority answers for: an inspection's areas for improvement, a review's recommendations."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="plans")
    code = models.CharField(max_length=60, help_text="Letters, digits, - and _, e.g. peer-2018.")
    title = models.CharField(max_length=250)
    source = models.CharField(max_length=20, choices=PlanSource.choices)
    source_date = models.DateField(null=True, blank=True)
    owner = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["authority", "code"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="one_plan_per_code")]

    def __str__(self) -> str:
        return f"{self.authority.code} {self.code}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plans:detail", args=[self.authority.code, self.code])


class Action(models.Model):
    """One action of a plan, answering one finding, line of enquiry or priority."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    code = models.CharField(max_length=40, help_text="Letters, digits, ., - and _, e.g. K4.3.")
    priority = models.CharField(
        max_length=250, help_text="The finding, line of enquiry or priority it answers."
    )
    title = models.TextField()
    owner = models.CharField(max_length=200)
    due = models.DateField()
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="actions")

    class Meta:
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="one_action_per_code")]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.code}"


class ActionUpdate(models.Model):
    """An action's status and progress as recorded on one day; earlier updates are never overwritten."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    as_of = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    progress = models.TextField(blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["action", "as_of"]
        constraints = [models.UniqueConstraint(fields=["action", "as_of"], name="one_update_per_day")]

    def __str__(self) -> str:
        return f"{self.action} {self.as_of}: {self.status}"


class QuestionState(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


class Question(models.Model):
    """A board member's challenge on an indicator, an action or a month's scorecard, and the answer to it."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="questions")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    period = models.DateField(
        null=True, blank=True, help_text="The scorecard month the question was asked on."
    )
    text = models.TextField()
    state = models.CharField(max_length=10, choices=QuestionState.choices, default=QuestionState.OPEN)
    asked_at = models.DateTimeField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asked_by_name = models.CharField(max_length=150, blank=True)
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by_name = models.CharField(max_length=150, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["authority", "-asked_at", "-pk"]
        indexes = [models.Index(fields=["authority", "state"], name="question_authority_state")]

    def __str__(self) -> str:
        return f"{self.authority.code} question {self.pk} ({self.state})"


class Meeting(models.Model):
    """A board meeting: its date, the scorecard month it reads and the plans it reviews."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    title = models.CharField(max_length=250)
    period = models.DateField(help_text="The scorecard month the meeting reads (first of the month).")
    plans = models.ManyToManyField(Plan, blank=True, related_name="meetings")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["authority", "-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.authority.code} {self.date}: {self.title}"
