"""一楼六员八人: appointing people to the six roles of a building community. The appointment
grants the matching role (accounts.Membership) at the community, which is what permissions use."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from louyu.accounts.models import Membership, Role
from louyu.accounts.services import membership_grant, membership_revoke
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record, audited_update, validate
from louyu.servicedesk.models import Department, StaffAssignment

ASSIGNMENT_FIELDS = frozenset(
    {"personnel_kind", "agency", "contact_phone", "on_site_hours", "is_public"}
)


def staff_assign(
    *,
    actor: Any,
    user: Any,
    community: Node,
    role: str,
    personnel_kind: str,
    agency: str = "",
    contact_phone: str = "",
    on_site_hours: str = "",
    is_public: bool = True,
) -> StaffAssignment:
    """Appoint `user` to one of the six roles at a building community (a person may hold
    several roles in several communities: 交叉兼职)."""
    if community.kind != Node.Kind.COMMUNITY:
        raise ApplicationError(_("Choose a building community."), code="invalid")
    assignment = StaffAssignment(
        user=user,
        community=community,
        role=role,
        personnel_kind=personnel_kind,
        agency=agency,
        contact_phone=contact_phone,
        on_site_hours=on_site_hours,
        is_public=is_public,
    )
    if StaffAssignment.objects.filter(user=user, community=community, role=role).exists():
        raise ApplicationError(_("This person already holds this role here."), code="duplicate")
    validate(assignment, exclude=["user", "community"])
    with transaction.atomic():
        assignment.save()
        membership_grant(
            actor=actor,
            user=user,
            role=role,
            scope=community,
            title=agency or assignment.get_personnel_kind_display(),
        )
        audit_record(
            actor=actor,
            action="staff.assign",
            target=assignment,
            after={
                "user": user.pk,
                "community": community.pk,
                "role": role,
                "personnel_kind": personnel_kind,
            },
        )
    return assignment


def staff_update(*, actor: Any, assignment: StaffAssignment, **changes: Any) -> StaffAssignment:
    unknown = set(changes) - ASSIGNMENT_FIELDS
    if unknown:
        raise ValueError(f"staff_update cannot change {sorted(unknown)}")
    audited_update(actor=actor, instance=assignment, changes=changes, action="staff.update")
    return assignment


def staff_unassign(*, actor: Any, assignment: StaffAssignment) -> None:
    """End an appointment and the role it granted at the community."""
    with transaction.atomic():
        membership = Membership.objects.filter(
            user=assignment.user,
            role=assignment.role,
            scope_id=assignment.community_id,
            scope_type__model="node",
        ).first()
        audit_record(
            actor=actor,
            action="staff.unassign",
            target=assignment,
            before={"user": assignment.user_id, "role": assignment.role},
        )
        assignment.delete()
        if membership is not None:
            membership_revoke(actor=actor, membership=membership)


def department_handler_add(
    *, actor: Any, department: Department, user: Any, title: str = ""
) -> Membership:
    """Make `user` a handler of `department` (the DEPARTMENT_HANDLER role on it)."""
    return membership_grant(
        actor=actor, user=user, role=Role.DEPARTMENT_HANDLER, scope=department, title=title
    )
