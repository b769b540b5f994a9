"""好差评 (GB/T 39734/39735-2020): one rating per completed request, five levels, and the closed
loop for bad ratings (verify → rectify → feedback → revisit, with appeal) and their callbacks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.servicedesk.models.requests import ServiceRequest


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASIC = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})

# The national indicator sets, per channel kind (online / offline).
INDICATORS: dict[str, tuple[str, ...]] = {
    "online": ("efficiency", "guide_accuracy", "convenience", "usability"),
    "offline": ("efficiency", "service_level", "attitude"),
}


class Rating(models.Model):
    """The requester's one rating of a completed request."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="rating")
    level = models.PositiveSmallIntegerField(_("rating"), choices=Level.choices)
    indicators = models.JSONField(_("indicators"), default=dict, blank=True)
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rated by"),
    )
    real_name = models.BooleanField(_("real name"), default=True)
    channel = models.CharField(_("channel kind"), max_length=8, default="online")
    # Denormalised from the request so satisfaction figures are one indexed GROUP BY.
    department = models.ForeignKey(
        "servicedesk.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service_item = models.ForeignKey(
        "servicedesk.ServiceItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    community = models.ForeignKey(
        "core.Node", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    excluded = models.BooleanField(_("excluded after appeal"), default=False)
    created_at = models.DateTimeField(_("rated at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level"),
        ]

    def __str__(self) -> str:
        return f"{self.request.number} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class RectificationCase(models.Model):
    """The closed loop a bad rating opens: verify → rectify → feedback → revisit → closed, with
    an appeal that may exclude a mistaken or malicious rating."""

    class Stage(models.TextChoices):
        VERIFY = "verify", _("Verify")
        RECTIFY = "rectify", _("Rectify")
        FEEDBACK = "feedback", _("Feedback")
        REVISIT = "revisit", _("Revisit")
        CLOSED = "closed", _("Closed")
        APPEALED = "appealed", _("Under appeal")

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="case")
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="cases")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.VERIFY)
    due_on = models.DateField(_("due on"))
    verification = models.TextField(_("verification"), blank=True)
    rectification = models.TextField(_("rectification"), blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    revisit = models.TextField(_("revisit"), blank=True)
    appeal_reason = models.TextField(_("appeal"), blank=True)
    appeal_upheld = models.BooleanField(_("appeal upheld"), null=True, blank=True)
    appeal_decision = models.TextField(_("appeal decision"), blank=True)
    version = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification case")
        verbose_name_plural = _("rectification cases")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.request.number} {self.get_stage_display()}"


class CallbackTask(models.Model):
    """A callback (回访) to the person behind a real-name bad rating: every one gets one."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="callback")
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.rating} 回访"
