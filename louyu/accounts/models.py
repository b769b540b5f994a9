"""Users, roles and memberships: every permission is "role R at scope S"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import phonenumbers
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from louyu.core.models import Node


def validate_phone(value: str) -> None:
    """A phone number that libphonenumber accepts, mainland China by default."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Enter a valid phone number.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."))


class Role(models.TextChoices):
    """Every persona of DESIGN.md §2. The scope kind each role is granted at is in SCOPE_KIND."""

    DISTRICT_OFFICER = "district_officer", _("District building-economy office")
    STREET_CADRE = "street_cadre", _("Street-office cadre")
    # The six service-center roles (一楼六员).
    GUIDE = "guide", _("Building guide")
    INVESTMENT = "investment", _("Investment officer")
    MANAGER = "manager", _("Building manager")
    SAFETY = "safety", _("Safety officer")
    CLERK = "clerk", _("Service clerk")
    LIAISON = "liaison", _("Liaison officer")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    PARTY_OFFICER = "party_officer", _("Party committee officer")
    BRANCH_SECRETARY = "branch_secretary", _("Party branch secretary")
    PARTY_MEMBER = "party_member", _("Party member")
    ASSOCIATION_REP = "association_rep", _("Association member representative")
    CLUB_LEADER = "club_leader", _("Club leader")
    ENTERPRISE_CONTACT = "enterprise_contact", _("Enterprise contact")
    EMPLOYEE = "employee", _("Employee")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


SERVICE_CENTER_ROLES = frozenset(
    {Role.GUIDE, Role.INVESTMENT, Role.MANAGER, Role.SAFETY, Role.CLERK, Role.LIAISON}
)
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles held by government staff: they must use a second factor in production.
STAFF_ROLES = frozenset(
    {Role.DISTRICT_OFFICER, Role.STREET_CADRE, Role.DEPARTMENT_HANDLER, Role.PARTY_OFFICER}
    | SERVICE_CENTER_ROLES
    | ADMIN_ROLES
)

# What a membership of each role points at: "node" (jurisdiction), or another app's model.
SCOPE_KIND: dict[str, str] = {
    Role.DISTRICT_OFFICER: "core.node",
    Role.STREET_CADRE: "core.node",
    **{role: "core.node" for role in SERVICE_CENTER_ROLES},
    Role.DEPARTMENT_HANDLER: "servicedesk.department",
    Role.PARTY_OFFICER: "party.partyorganization",
    Role.BRANCH_SECRETARY: "party.partyorganization",
    Role.PARTY_MEMBER: "party.partyorganization",
    Role.ASSOCIATION_REP: "core.node",
    Role.CLUB_LEADER: "core.node",
    Role.ENTERPRISE_CONTACT: "economy.enterprise",
    Role.EMPLOYEE: "economy.enterprise",
    Role.SYSTEM_ADMIN: "core.node",
    Role.SECURITY_ADMIN: "core.node",
    Role.AUDIT_ADMIN: "core.node",
}


class User(AbstractUser):
    """A person who signs in. Government staff, enterprise people and admins alike."""

    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def masked_phone(self) -> str:
        """138****1234: phones are personal data, shown masked."""
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) >= 7 else ""

    def roles(self) -> set[str]:
        """The roles this user holds anywhere (cached on the instance)."""
        if not hasattr(self, "_roles_cache"):
            self._roles_cache = set(self.memberships.values_list("role", flat=True))
        return self._roles_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    @property
    def is_staff_role(self) -> bool:
        return bool(self.roles() & STAFF_ROLES)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def of_role(self, *roles: str) -> MembershipQuerySet:
        return self.filter(role__in=roles)

    def scope_ids(self, model: type[models.Model]) -> list[int]:
        """Ids of the scopes of one model these memberships point at."""
        content_type = ContentType.objects.get_for_model(model)
        return list(self.filter(scope_type=content_type).values_list("scope_id", flat=True))

    def nodes(self) -> list[Node]:
        from louyu.core.models import Node

        return list(Node.objects.filter(pk__in=self.scope_ids(Node)))


class Membership(models.Model):
    """Role R held at scope S (a jurisdiction node, a department, a party organization or an
    enterprise). Jurisdiction roles are inherited by everything below the node."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("account")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    scope_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("scope kind")
    )
    scope_id = models.PositiveBigIntegerField(_("scope id"))
    scope = GenericForeignKey("scope_type", "scope_id")
    title = models.CharField(
        _("title"),
        max_length=100,
        blank=True,
        help_text=_("What the person is called in this role, e.g. the agency they come from."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope_type", "scope_id"], name="membership_unique"
            ),
        ]
        indexes = [models.Index(fields=["scope_type", "scope_id", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.scope}"

    def clean(self) -> None:
        expected = SCOPE_KIND[self.role]
        actual = f"{self.scope_type.app_label}.{self.scope_type.model}"
        if actual != expected:
            raise ValidationError({"role": _("This role is granted on a different kind of scope.")})
