"""Open311 API keys and what each key filed, API tokens and idempotency records: the only rows
the API app keeps itself."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node


class Open311Key(models.Model):
    """A GeoReport v2 `api_key`, bound to the account it files requests as (an enterprise user:
    the requester; service-center staff: recording for someone else) and optionally to a
    jurisdiction node it may file for. Only the SHA-256 of the key is stored; the key itself is
    shown once, when it is issued (`manage.py open311_key USERNAME` or the admin)."""

    name = models.CharField(_("client system"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="open311_keys",
        verbose_name=_("files as (account)"),
    )
    jurisdiction = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="open311_keys",
        verbose_name=_("may file within"),
        help_text=_("Leave empty to allow every building the account may file for."),
    )
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key issued by"),
    )
    last_used_at = models.DateTimeField(_("key last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("key revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311SubmissionQuerySet(models.QuerySet["Open311Submission"]):
    def unplaced(self) -> Open311SubmissionQuerySet:
        return self.filter(request__isnull=True)

    def placeable_by(self, user: Any) -> Open311SubmissionQuerySet:
        """Unplaced submissions of a jurisdiction the user's service-center, street or district
        role overlaps: the jurisdiction contains their node or lies inside it."""
        from louyu.accounts.models import SERVICE_CENTER_ROLES, Role
        from louyu.accounts.selectors import scope_ids

        roles = {*SERVICE_CENTER_ROLES, Role.STREET_CADRE, Role.DISTRICT_OFFICER}
        paths = list(
            Node.objects.filter(pk__in=scope_ids(user, Node, *roles)).values_list("path", flat=True)
        )
        if not paths:
            return self.none()
        overlap = models.Q()
        for path in paths:
            overlap |= models.Q(jurisdiction__path__startswith=path)
            # The jurisdiction is an ancestor of the user's node: its path is a prefix of it.
            ancestors = [path[:end] for end in range(1, len(path) + 1) if path[end - 1] == "/"]
            overlap |= models.Q(jurisdiction__path__in=ancestors)
        return self.unplaced().filter(overlap)


class Open311Submission(models.Model):
    """A request filed through Open311: which key filed it, the batch token it was answered
    with (if any) and the GeoReport fields the service desk has no column for.

    A location that matches no building is not refused (issue 12: a GeoReport v2 server
    accepts every client's address): the submission is kept unplaced, with what is needed to
    file it later, in its jurisdiction's intake queue, and answered with a token; a clerk
    places it in a building, which files the request."""

    request = models.OneToOneField(
        "servicedesk.ServiceRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="open311",
        verbose_name=_("request filed"),
    )
    key = models.ForeignKey(
        Open311Key,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("Open311 API key"),
    )
    token = models.CharField(_("batch token"), max_length=40, unique=True, null=True, blank=True)
    # WGS84, as the client reported them.
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True)
    long = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True)
    address_string = models.CharField(_("address as given"), max_length=255, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    device_id = models.CharField(_("client device"), max_length=100, blank=True)
    account_id = models.CharField(_("client account"), max_length=100, blank=True)
    email = models.EmailField(_("reporter email"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # What an unplaced submission needs to be filed when a clerk places it.
    jurisdiction = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="open311_intake",
        verbose_name=_("intake jurisdiction"),
    )
    service_item = models.ForeignKey(
        "servicedesk.ServiceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service item"),
    )
    description = models.TextField(_("description"), blank=True)
    form_data = models.JSONField(_("form data"), default=dict, blank=True)
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    placed_at = models.DateTimeField(_("placed at"), null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placed by"),
    )

    objects = Open311SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(request__isnull=False)
                | models.Q(jurisdiction__isnull=False, service_item__isnull=False),
                name="api_open311submission_unplaced_has_intake",
            ),
        ]

    def __str__(self) -> str:
        return str(self.request_id or self.token)

    @property
    def is_placed(self) -> bool:
        return self.request_id is not None


class IdempotencyRecord(models.Model):
    """The first answer to an API create sent with an `Idempotency-Key` (api/idempotency.py),
    kept LOUYU_IDEMPOTENCY_HOURS so that the same key sent again replays it. `fingerprint` is the
    SHA-256 of the request, so the key cannot be reused for a different one."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.BinaryField(blank=True, default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def owned_by(self, user: Any) -> ApiTokenQuerySet:
        return self.filter(user=user)

    def usable(self) -> ApiTokenQuerySet:
        """Neither revoked nor expired (the account's state is checked on use)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """An API token (`Authorization: Token <key>`), one per client a person signs in with.

    Only the SHA-256 of the key is stored; the key itself is shown once, when it is issued.
    It is refused after `expires_at` (LOUYU_API_TOKEN_DAYS), once revoked (by its owner, or for
    all of the account's tokens when the password changes or the account is disabled) and while
    the account is disabled (issue 13: DRF's tokens never expired and outlived both)."""

    class RevokedReason(models.TextChoices):
        OWNER = "owner", _("revoked by its owner")
        PASSWORD = "password", _("password changed")
        DISABLED = "disabled", _("account disabled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("account"),
    )
    name = models.CharField(_("client"), max_length=100, blank=True)
    prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("revoked because"), max_length=16, choices=RevokedReason.choices, blank=True
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(revoked_at__isnull=True, revoked_reason="")
                    | (models.Q(revoked_at__isnull=False) & ~models.Q(revoked_reason=""))
                ),
                name="api_apitoken_revoked_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired
