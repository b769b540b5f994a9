"""Proxy handling (代办): the enterprise's signed delegation, custody of its originals and the
money paid on its behalf."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.servicedesk.models.requests import ServiceRequest


class ProxyDelegation(models.Model):
    """The power of attorney (授权委托书) the enterprise contact signed for one request."""

    request = models.OneToOneField(
        ServiceRequest, on_delete=models.CASCADE, related_name="delegation"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agent"),
    )
    scope = models.TextField(_("matters delegated"))
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    file = models.FileField(_("signed delegation"), upload_to="servicedesk/delegations/%Y/%m/")
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("proxy delegation")
        verbose_name_plural = _("proxy delegations")

    def __str__(self) -> str:
        return f"{self.request.number} 委托"


class ProxyDocument(models.Model):
    """One item of the checklist handed over for proxy handling, with the custody of originals:
    when it was received and by whom, when it went back and who signed for it."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="proxy_documents"
    )
    name = models.CharField(_("document"), max_length=100)
    is_original = models.BooleanField(_("original"), default=False)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("received by"),
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned by"),
    )
    returned_to = models.CharField(_("signed for by"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("proxy document")
        verbose_name_plural = _("proxy documents")
        ordering = ["request", "received_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=models.F("received_at")),
                name="proxydocument_returned_after_received",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_custody(self) -> bool:
        return self.returned_at is None


class ProxyPayment(models.Model):
    """Money paid on the enterprise's behalf (a traffic fine, a fee), with its receipt."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="proxy_payments"
    )
    purpose = models.CharField(_("purpose"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    paid_at = models.DateTimeField(_("paid at"), default=timezone.now)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("paid by"),
    )
    payee = models.CharField(_("payee"), max_length=100)
    receipt_number = models.CharField(_("receipt number"), max_length=50)
    receipt = models.FileField(_("receipt"), upload_to="servicedesk/receipts/%Y/%m/", blank=True)
    settled = models.BooleanField(_("settled with the enterprise"), default=False)

    class Meta:
        verbose_name = _("proxy payment")
        verbose_name_plural = _("proxy payments")
        ordering = ["request", "paid_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="proxypayment_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount}"
