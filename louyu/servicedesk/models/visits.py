"""Proactive visits (不叫自到): plans per building community or building, scheduled visits (from a
plan, an economy early warning or by hand) and their on-site records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node
from louyu.economy.models import Enterprise
from louyu.servicedesk.models.staffing import COMMUNITY


class VisitPlan(models.Model):
    """Visit every enterprise of a building community (or of one building) at least once every
    `interval_days`; the daily job schedules the visits that fall due."""

    community = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        related_name="visit_plans",
        limit_choices_to=COMMUNITY,
        verbose_name=_("building community"),
    )
    building = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    interval_days = models.PositiveSmallIntegerField(_("visit every (days)"), default=91)
    lead_days = models.PositiveSmallIntegerField(_("schedule ahead (days)"), default=14)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visitor"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        constraints = [
            models.CheckConstraint(condition=Q(interval_days__gte=1), name="visitplan_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.building or self.community} / {self.interval_days}"


class Visit(models.Model):
    """A visit to one enterprise: scheduled, then checked in on site and recorded."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CHECKED_IN = "checked_in", _("On site")
        DONE = "done", _("Recorded")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        PLAN = "plan", _("Visit plan")
        WARNING = "warning", _("Early warning")
        MANUAL = "manual", _("Scheduled by hand")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="visits", verbose_name=_("enterprise")
    )
    community = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        related_name="visits",
        limit_choices_to=COMMUNITY,
        verbose_name=_("building community"),
    )
    plan = models.ForeignKey(
        VisitPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    due_on = models.DateField(_("due on"), db_index=True)
    reason = models.CharField(_("reason"), max_length=200)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("visitor"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["community", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.due_on}"

    @property
    def is_overdue(self) -> bool:
        """Still open (not recorded) after its due date."""
        return self.status != self.Status.DONE and self.due_on < timezone.localdate()


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="servicedesk/visits/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.caption or str(self.image.name)
