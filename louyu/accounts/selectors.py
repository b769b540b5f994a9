"""Reads about who holds which role where. Row scope for every app starts here."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from louyu.accounts.models import SCOPE_KIND, Membership, Role

# Roles whose holders see the jurisdiction subtree under the node they are granted at.
JURISDICTION_ROLES = frozenset({role for role, kind in SCOPE_KIND.items() if kind == "core.node"})


def scope_node_paths(user: Any) -> list[str]:
    """Materialised paths of the jurisdiction nodes whose subtrees the user may see.

    Jurisdiction roles give their node; party roles give their organization's building
    community; enterprise roles give the building the enterprise operates in.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_louyu_node_paths", None)
    if cached is not None:
        return cached
    from louyu.core.models import Node
    from louyu.economy.models import Enterprise
    from louyu.party.models import PartyOrganization

    memberships = Membership.objects.filter(user=user)
    node_ids = set(memberships.of_role(*JURISDICTION_ROLES).scope_ids(Node))
    party_ids = memberships.of_role(
        Role.PARTY_OFFICER, Role.BRANCH_SECRETARY, Role.PARTY_MEMBER
    ).scope_ids(PartyOrganization)
    node_ids |= set(
        PartyOrganization.objects.filter(pk__in=party_ids).values_list("community_id", flat=True)
    )
    enterprise_ids = memberships.of_role(Role.ENTERPRISE_CONTACT, Role.EMPLOYEE).scope_ids(
        Enterprise
    )
    node_ids |= set(
        Enterprise.objects.filter(pk__in=enterprise_ids, building__isnull=False).values_list(
            "building_id", flat=True
        )
    )
    paths = sorted(Node.objects.filter(pk__in=node_ids).values_list("path", flat=True))
    # Drop paths already covered by a shorter one.
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    user._louyu_node_paths = roots
    return roots


def scope_ids(user: Any, model: type, *roles: str) -> list[int]:
    """Ids of the `model` rows where the user holds one of `roles`."""
    content_type = ContentType.objects.get_for_model(model)
    return list(
        Membership.objects.filter(user=user, role__in=roles, scope_type=content_type).values_list(
            "scope_id", flat=True
        )
    )
