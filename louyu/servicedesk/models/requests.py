"""Service requests (事项), their history, and the SLA lights derived from their deadlines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from louyu.core.models import Node
from louyu.economy.models import Enterprise
from louyu.lib.workdays import is_provisional, workdays_left
from louyu.servicedesk.models.catalog import ServiceItem
from louyu.servicedesk.models.staffing import COMMUNITY, Department


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    MOBILE = "mobile", _("Phone web")
    CHAT = "chat", _("Chat message")
    COUNTER = "counter", _("Counter")
    VISIT = "visit", _("Proactive visit")
    PHONE = "phone", _("Phone call")
    OPEN311 = "open311", _("Open311")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    AWAITING_DOCUMENTS = "awaiting_documents", _("Awaiting documents")
    DISPATCHED = "dispatched", _("Dispatched")
    SIGNED = "signed", _("Signed for")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    RATED = "rated", _("Rated")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.AWAITING_DOCUMENTS,
        Status.DISPATCHED,
        Status.SIGNED,
        Status.IN_PROGRESS,
    }
)


class Escalation(models.IntegerChoices):
    """The supervision ladder for overdue requests."""

    NONE = 0, _("None")
    URGE = 1, _("Urged")
    SUPERVISE = 2, _("Supervised")
    CIRCULATE = 3, _("Circulated")


class Light(models.TextChoices):
    # The "sla" context: the same words are translated differently elsewhere.
    GREEN = "green", pgettext_lazy("sla", "On time")
    YELLOW = "yellow", pgettext_lazy("sla", "Due soon")
    RED = "red", pgettext_lazy("sla", "Overdue")
    PAUSED = "paused", _("Clock stopped")
    NONE = "none", pgettext_lazy("sla", "No deadline")


class ServiceRequestQuerySet(models.QuerySet["ServiceRequest"]):
    def open(self) -> ServiceRequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class ServiceRequest(models.Model):
    """A request from an enterprise, tracked by its number, routed to a department and timed in
    working days. Written only through the `request_*` services: each transition is one
    conditional UPDATE on `version` (optimistic concurrency)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("requester"),
    )
    requester_name = models.CharField(_("requester name"), max_length=50, blank=True)
    requester_phone = models.CharField(_("requester phone"), max_length=20, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("enterprise"),
    )
    community = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        related_name="service_requests",
        limit_choices_to=COMMUNITY,
        verbose_name=_("building community"),
    )
    building = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="building_service_requests",
        verbose_name=_("building"),
    )
    service_item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("service item"),
    )
    category = models.CharField(_("category"), max_length=12, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("department"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_requests",
        verbose_name=_("handler"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    source_message_id = models.PositiveBigIntegerField(_("source message"), null=True, blank=True)
    source_visit = models.ForeignKey(
        "servicedesk.Visit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("source visit"),
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    paused_from = models.CharField(_("paused from"), max_length=20, blank=True)
    missing_documents = models.JSONField(_("missing documents"), default=list, blank=True)
    refuse_reason = models.TextField(_("reason for refusal"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    clock_started_on = models.DateField(_("clock started on"), null=True, blank=True)
    response_due_on = models.DateField(_("first response due"), null=True, blank=True)
    sign_due_on = models.DateField(_("sign-for due"), null=True, blank=True)
    due_on = models.DateField(_("completion due"), null=True, blank=True, db_index=True)
    escalation = models.PositiveSmallIntegerField(
        _("escalation"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["community", "status"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["enterprise", "submitted_at"]),
            models.Index(fields=["status", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def current_due_on(self):  # type: ignore[no-untyped-def]
        """The deadline the request is working against now (None when none applies)."""
        if self.status == Status.SUBMITTED:
            return self.response_due_on
        if self.status == Status.DISPATCHED:
            dates = [d for d in (self.sign_due_on, self.due_on) if d]
            return min(dates) if dates else None
        if self.status in {Status.ACCEPTED, Status.SIGNED, Status.IN_PROGRESS}:
            return self.due_on
        return None

    @property
    def current_clock(self) -> str:
        """Which clock `current_due_on` belongs to: "response" (首次响应), "sign" (签收) or
        "completion" (办结); "" when none runs."""
        due = self.current_due_on
        if due is None:
            return ""
        if self.status == Status.SUBMITTED:
            return "response"
        if self.status == Status.DISPATCHED and due == self.sign_due_on and due != self.due_on:
            return "sign"
        return "completion"

    @property
    def due_provisional(self) -> bool:
        """True when the deadline runs into a year whose holidays are not known yet (a fallback
        year, counted Monday–Friday): the date may still move (issue #12)."""
        due = self.current_due_on
        return due is not None and is_provisional(timezone.localdate(self.submitted_at), due)

    def workdays_left(self, today=None) -> int | None:  # type: ignore[no-untyped-def]
        due = self.current_due_on
        if due is None:
            return None
        return workdays_left(today or timezone.localdate(), due)

    def light(self, today=None) -> str:  # type: ignore[no-untyped-def]
        """The SLA light: red when overdue, yellow within LOUYU_SERVICEDESK_YELLOW_DAYS working
        days, grey while the clock is stopped for 补正."""
        if self.status == Status.AWAITING_DOCUMENTS:
            return Light.PAUSED
        left = self.workdays_left(today)
        if left is None:
            return Light.NONE
        if left < 0:
            return Light.RED
        if left <= settings.LOUYU_SERVICEDESK_YELLOW_DAYS:
            return Light.YELLOW
        return Light.GREEN

    @property
    def sla_light(self) -> str:
        return self.light()

    @property
    def completed_on_time(self) -> bool | None:
        if self.completed_at is None or self.due_on is None:
            return None
        return timezone.localdate(self.completed_at) <= self.due_on


class RequestEvent(models.Model):
    """One step in a request's history: a transition, a note, an escalation, a rating."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    public = models.BooleanField(_("shown to the requester"), default=True)

    class Meta:
        verbose_name = _("request event")
        verbose_name_plural = _("request events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


class RequestNumberCounter(models.Model):
    """The last sequence number given out on one day (Asia/Shanghai): request numbers are
    LY + yyyymmdd + this counter, taken with one UPDATE … RETURNING inside the creating
    transaction, so concurrent creates queue on the day's row instead of colliding, and a
    rolled-back create gives its number back."""

    day = models.DateField(_("day"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("request number counter")
        verbose_name_plural = _("request number counters")

    def __str__(self) -> str:
        return f"{self.day:%Y%m%d} {self.last}"
