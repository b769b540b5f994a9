"""Stored notifications (站内信), each person's choices of channel, and the deliveries that carry a
notification beyond the app (e-mail, SMS, 企业微信 / 钉钉 work messages, group bots)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Pillar(models.TextChoices):
    """Which part of the platform a notification comes from (the page's pillar filter)."""

    ECONOMY = "economy", _("Building economy")
    SERVICE = "service", _("Service center")
    PARTY = "party", _("Party committee")
    ASSOCIATION = "association", _("Promotion association")
    MESSAGING = "messaging", _("Messaging")
    SYSTEM = "system", _("System")


class Channel(models.TextChoices):
    """How a notification reaches a person. In-app is the stored row itself and always on."""

    INAPP = "inapp", _("In the app")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WORK = "work", _("WeCom / DingTalk work message")
    # A building community's or department's group bot, not a person (servicedesk's webhooks).
    GROUP_BOT = "groupbot", _("Group bot")


# The channels a person chooses per kind (the group bot is configured per community, not per user).
PERSONAL_CHANNELS = (Channel.INAPP, Channel.EMAIL, Channel.SMS, Channel.WORK)


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user) -> NotificationQuerySet:  # type: ignore[no-untyped-def]
        """The user's own notifications: nobody reads another's."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one person was told: what about (kind, the object), when, and whether read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=60)
    pillar = models.CharField(_("pillar"), max_length=20, choices=Pillar.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    # Where the notification leads: a same-site path such as /servicedesk/requests/12/.
    url = models.CharField(_("link"), max_length=500, blank=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=40, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    actor_name = models.CharField(_("from"), max_length=150, blank=True)
    # A default, not auto_now_add: the demo and imports write the time a thing happened.
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            ),
            models.Index(fields=["kind", "created_at"], name="notification_kind_age_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationProfile(models.Model):
    """A person's settings that hold across kinds: immediate e-mail or one daily digest, and the
    企业微信 / 钉钉 account work messages go to."""

    class Digest(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DAILY = "daily", _("Daily digest")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_profile"
    )
    digest = models.CharField(
        _("e-mail"), max_length=10, choices=Digest.choices, default=Digest.IMMEDIATE
    )
    work_account = models.CharField(
        _("WeCom / DingTalk account"),
        max_length=100,
        blank=True,
        help_text=_("The user id of the work account that work messages go to."),
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user)


class NotificationPreference(models.Model):
    """One person's choice for one kind on one channel; without a row the kind's default holds.
    In-app cannot be turned off (the constraint keeps the database honest too)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=60)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[(c.value, c.label) for c in PERSONAL_CHANNELS],
    )
    enabled = models.BooleanField(_("on"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notificationpreference_unique"
            ),
            models.CheckConstraint(
                condition=~Q(channel="inapp") | Q(enabled=True),
                name="notificationpreference_inapp_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.channel}={self.enabled}"


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def due(self, now) -> DeliveryQuerySet:  # type: ignore[no-untyped-def]
        """Deliveries waiting for an attempt whose time has come (digest ones wait for the
        digest, with no time set)."""
        return self.filter(
            state__in=[Delivery.State.PENDING, Delivery.State.FAILED], next_attempt_at__lte=now
        )


class Delivery(models.Model):
    """One attempt-tracked sending of a notification on one channel (or of a group-bot message).
    A failure is recorded and retried with backoff; after the last attempt it is given up and
    shown to the system admin."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Given up")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Group bots only (no notification): {"bot": "wecom"|"dingtalk", "url": ..., "title", "text"}.
    payload = models.JSONField(_("message"), default=dict, blank=True)
    digest = models.BooleanField(_("in the daily digest"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(notification__isnull=False) | Q(channel="groupbot"),
                name="delivery_has_notification",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} {self.state}"
