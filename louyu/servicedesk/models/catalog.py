"""The service catalog: the five services into the building (五进楼宇) and their items."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from louyu.servicedesk.models.staffing import SIX_ROLES, Department


class Category(models.TextChoices):
    """The five services into the building."""

    ECONOMY = "economy", _("Economic services")
    LIVELIHOOD = "livelihood", _("Livelihood security")
    URBAN = "urban", _("Urban management")
    GOVERNANCE = "governance", _("Comprehensive governance")
    PARTY = "party", _("Party and mass work")


class ServiceItem(models.Model):
    """One item of the catalog (办事指南): who handles it, how fast, what to bring (一次性告知),
    whether the center handles it on the enterprise's behalf (代办), what it costs, and the
    extra fields its request form asks for."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("Done on the spot")
        PROMISED = "promised", _("Promised within a limit")
        JOINT = "joint", _("Handled jointly")

    # Datatypes of extra form fields (the Open311 attribute datatypes).
    FIELD_TYPES = ("string", "text", "number", "date", "singlevaluelist", "multivaluelist")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.PROMISED)
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="lead_items",
        verbose_name=_("lead department"),
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_items", verbose_name=_("co-handling departments")
    )
    default_role = models.CharField(
        _("service-center role"), max_length=32, choices=SIX_ROLES, blank=True
    )
    statutory_days = models.PositiveSmallIntegerField(_("statutory limit (working days)"))
    promised_days = models.PositiveSmallIntegerField(_("promised limit (working days)"))
    response_days = models.PositiveSmallIntegerField(_("first response (working days)"), default=1)
    documents = models.JSONField(_("document checklist"), default=list, blank=True)
    proxy_offered = models.BooleanField(_("proxy handling offered"), default=False)
    fee = models.DecimalField(
        _("fee (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    fee_note = models.CharField(_("fee note"), max_length=200, blank=True)
    form_fields = models.JSONField(_("extra form fields"), default=list, blank=True)
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Requests notify the responsible role at once.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_days__lte=F("statutory_days")),
                name="serviceitem_promised_within_statutory",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="serviceitem_fee"),
        ]

    def __str__(self) -> str:
        return self.name
