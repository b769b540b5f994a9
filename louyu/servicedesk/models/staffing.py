"""Departments and the service center's staff: the six roles (一楼六员) filled by the eight kinds
of personnel (八人), per building community, with cross-appointments (交叉兼职)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from louyu.accounts.models import SERVICE_CENTER_ROLES, Role
from louyu.core.models import Node

COMMUNITY = {"kind": Node.Kind.COMMUNITY}
SIX_ROLES = [(role.value, role.label) for role in Role if role in SERVICE_CENTER_ROLES]


class Department(models.Model):
    """A government department that requests are routed to. Its handlers hold the
    DEPARTMENT_HANDLER role on it (accounts.Membership)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    duty_phone = models.CharField(_("duty phone"), max_length=20, blank=True)
    duty_contact = models.CharField(_("duty contact"), max_length=50, blank=True)
    address = models.CharField(_("service window"), max_length=200, blank=True)
    description = models.TextField(_("responsibilities"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class PersonnelKind(models.TextChoices):
    """The eight kinds of personnel (八人) the six roles are drawn from."""

    STREET_CADRE = "street_cadre", _("Street cadre")
    STREET_INVESTMENT = "street_investment", _("Street investment staff")
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    LOCAL_POLICE = "local_police", _("Local police")
    NATIONAL_TAX = "national_tax", _("National tax")
    LOCAL_TAX = "local_tax", _("Local tax")
    INDUSTRY_COMMERCE = "industry_commerce", _("Industry and commerce")
    COMMUNITY_CADRE = "community_cadre", _("Community cadre")


class StaffAssignment(models.Model):
    """One person in one of the six roles at one building community, drawn from one kind of
    personnel, with the contact and on-site hours published on the community's page. A person
    may hold several roles and serve several communities (one row each)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_assignments",
        verbose_name=_("person"),
    )
    community = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        related_name="staff_assignments",
        limit_choices_to=COMMUNITY,
        verbose_name=_("building community"),
    )
    role = models.CharField(_("role"), max_length=32, choices=SIX_ROLES)
    personnel_kind = models.CharField(
        _("personnel kind"), max_length=20, choices=PersonnelKind.choices
    )
    agency = models.CharField(_("agency"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    on_site_hours = models.CharField(_("on-site hours"), max_length=100, blank=True)
    is_public = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        ordering = ["community", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community", "role"], name="staffassignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.community}"
