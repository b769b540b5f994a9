"""Shared venues of a building community (有场地议事), their bookings and recurring series, and
the secret links of the users' calendar feeds.

Overlapping bookings of one venue are refused by the database on PostgreSQL: the exclusion
constraint `BOOKING_NO_OVERLAP` below is added by migration 0002 only there (see its docstring
for why it is not in `Meta.constraints`); on SQLite `booking_request` checks inside its
transaction, and SQLite serialises writers.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node

COMMUNITY = {"kind": Node.Kind.COMMUNITY}
BUILDING = {"kind": Node.Kind.BUILDING}
WEEKDAYS = range(7)


class BookerKind(models.TextChoices):
    """Who may book a venue (beyond its managers, the community's service-center staff)."""

    SERVICE_CENTER = "service_center", _("Service-center staff")
    PARTY = "party", _("Party organizations")
    ASSOCIATION = "association", _("Association members")
    ENTERPRISE = "enterprise", _("Enterprises of the community")


def venue_photo_path(instance: Any, filename: str) -> str:
    """A random name: the uploader's file name never reaches the disk."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"venues/photos/{uuid.uuid4().hex}.{extension}"


class VenueQuerySet(models.QuerySet["Venue"]):
    def active(self) -> VenueQuerySet:
        return self.filter(is_active=True)


class Venue(models.Model):
    """A room or space a building community shares: a meeting room, the 党群服务中心, an
    activity room, a roof garden. `opening_hours` maps a weekday ("0" Monday … "6" Sunday) to
    ["HH:MM", "HH:MM"]; a weekday that is missing is closed."""

    class Kind(models.TextChoices):
        MEETING_ROOM = "meeting_room", _("Meeting room")
        PARTY_CENTER = "party_center", _("Party and community service center")
        ACTIVITY_ROOM = "activity_room", _("Activity room")
        ROOF_GARDEN = "roof_garden", _("Roof garden")
        OTHER = "other", _("Other")

    community = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        related_name="venues",
        limit_choices_to=COMMUNITY,
        verbose_name=_("building community"),
    )
    building = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="building_venues",
        limit_choices_to=BUILDING,
        verbose_name=_("building"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    owner = models.CharField(
        _("owner"),
        max_length=100,
        blank=True,
        help_text=_("Who provides the space, e.g. the property company or an enterprise."),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=10)
    equipment = models.CharField(_("equipment"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    bookers = models.JSONField(
        _("who may book"),
        default=list,
        blank=True,
        help_text=_("Kinds of people who may book, besides the venue's managers."),
    )
    approval_required = models.BooleanField(_("approval required"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = VenueQuerySet.as_manager()

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="venue_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def hours_on(self, weekday: int) -> tuple[time, time] | None:
        """(opens, closes) on a weekday (0 = Monday), or None when closed."""
        hours = (self.opening_hours or {}).get(str(weekday))
        if not hours:
            return None
        return time.fromisoformat(hours[0]), time.fromisoformat(hours[1])

    @property
    def booker_labels(self) -> list[str]:
        return [str(BookerKind(kind).label) for kind in self.bookers if kind in BookerKind.values]


class VenuePhoto(models.Model):
    """A photo of a venue, checked and re-encoded on upload (core.uploads.image_clean) and
    served only to users who may see the venue."""

    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="photos", verbose_name=_("venue")
    )
    image = models.ImageField(_("photo"), upload_to=venue_photo_path)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("venue photo")
        verbose_name_plural = _("venue photos")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class BookingSeries(models.Model):
    """A recurring booking: the same time every week or every month from `starts_on`, until a
    date or for a number of times; `exceptions` are dates left out, `skipped` records the dates
    the series could not book ([{"date", "reason"}]) and `cancelled_from` ends it early."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    venue = models.ForeignKey(
        Venue, on_delete=models.CASCADE, related_name="series", verbose_name=_("venue")
    )
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="booking_series",
        verbose_name=_("booked by"),
    )
    title = models.CharField(_("title"), max_length=200)
    frequency = models.CharField(_("repeats"), max_length=8, choices=Frequency.choices)
    starts_on = models.DateField(_("first date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of times"), null=True, blank=True)
    workdays_only = models.BooleanField(_("working days only"), default=False)
    exceptions = models.JSONField(_("dates left out"), default=list, blank=True)
    skipped = models.JSONField(_("dates skipped"), default=list, blank=True)
    cancelled_from = models.DateField(_("cancelled from"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("booking series")
        verbose_name_plural = _("booking series")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=False) | models.Q(count__isnull=False),
                name="bookingseries_has_an_end",
            ),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="bookingseries_time_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_frequency_display()})"


class BookingQuerySet(models.QuerySet["Booking"]):
    def active(self) -> BookingQuerySet:
        """Bookings that hold their slot."""
        return self.filter(state__in=ACTIVE_STATES)

    def overlapping(self, starts_at: datetime, ends_at: datetime) -> BookingQuerySet:
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Booking(models.Model):
    """One booking of a venue for a time span. Written only through the `booking_*` services;
    `target` is what it is for (a party activity, an association meeting, a club activity)."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")
        CHECKED_IN = "checked_in", _("Checked in")

    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("venue")
    )
    booker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("booked by"),
    )
    organizer = models.CharField(
        _("organizer"),
        max_length=100,
        blank=True,
        help_text=_("Who holds the meeting or activity, e.g. an enterprise or a party branch."),
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True, max_length=2000)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    attendees = models.PositiveIntegerField(_("attendees"), default=1)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    series = models.ForeignKey(
        BookingSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("series"),
    )
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.CharField(_("note"), max_length=300, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["venue", "starts_at"]),
            models.Index(fields=["booker", "starts_at"]),
            models.Index(fields=["target_type", "target_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_time_order"
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.title} {local:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def span_label(self) -> str:
        """ "2026-12-08 14:00–16:00" in Beijing time."""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        if start.date() == end.date():
            return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
        return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


ACTIVE_STATES = (
    Booking.State.REQUESTED,
    Booking.State.APPROVED,
    Booking.State.CHECKED_IN,
)


class TsTzRange(models.Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


# Added on PostgreSQL only, by migration 0002 (btree_gist gives the `=` on venue_id).
BOOKING_NO_OVERLAP = ExclusionConstraint(
    name="booking_no_overlap",
    expressions=[
        ("venue", RangeOperators.EQUAL),
        (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
    ],
    condition=models.Q(state__in=ACTIVE_STATES),
)


class FeedToken(models.Model):
    """The secret of a user's calendar feed URL. Only its SHA-256 digest is stored: the URL is
    shown once, when issued. Issuing a new one revokes the old; a revoked one answers 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feed_tokens",
        verbose_name=_("user"),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed link")
        verbose_name_plural = _("calendar feed links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"
