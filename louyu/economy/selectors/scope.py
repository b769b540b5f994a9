"""Who may see what: tax figures, enterprises (their archive, tax and personal data) and
building archives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership, Role
from louyu.accounts.selectors import scope_ids
from louyu.core.models import Node
from louyu.economy.models import Enterprise

# --- Who may see tax figures ------------------------------------------------------------------

# Tax amounts: the district office, street cadres for their street, and the service center's
# tax staff (办事员, drawn from the tax bureaus) for their building community.
TAX_ROLES = (Role.DISTRICT_OFFICER, Role.STREET_CADRE, Role.CLERK)


def tax_scope_paths(user: Any) -> list[str]:
    """Paths of the nodes under which the user may see tax amounts (shortest covering set)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    # One query: the memberships' node ids as a sub-select, not a list fetched first.
    memberships = (
        Membership.objects.filter(user=user, scope_type=ContentType.objects.get_for_model(Node))
        .of_role(*TAX_ROLES)
        .values("scope_id")
    )
    paths = sorted(Node.objects.filter(pk__in=memberships).values_list("path", flat=True))
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def tax_scope_for_user(
    user: Any, *, street: int | None = None, community: int | None = None
) -> list[str]:
    """The paths a tax figure for this user covers: their whole scope, or the street or
    building community asked for when it lies inside it. Not theirs (or no such node): 404."""
    roots = tax_scope_paths(user)
    if not roots:
        raise Http404
    wanted = [(Node.Kind.COMMUNITY, community), (Node.Kind.STREET, street)]
    nodes = {kind: pk for kind, pk in wanted if pk is not None}
    if not nodes:
        return roots
    found = {n.kind: n for n in Node.objects.filter(pk__in=nodes.values())}
    for kind, pk in nodes.items():
        node = found.get(kind)
        if node is None or node.pk != pk:
            raise Http404
    narrowest = found.get(Node.Kind.COMMUNITY) or found[Node.Kind.STREET]
    if street is not None and not narrowest.path.startswith(found[Node.Kind.STREET].path):
        raise Http404
    if not any(narrowest.path.startswith(root) for root in roots):
        raise Http404
    return [narrowest.path]


def _under(paths: list[str], field: str = "building__path") -> Q:
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


def tax_scope_node(
    user: Any, node_id: int, *, kind: str | None = None, roots: list[str] | None = None
) -> Node:
    """A node (of `kind`, when given) whose tax figures the user may see: it lies under one of
    their tax scope paths (`roots`, when already known). Missing, of another kind or outside
    their scope: 404."""
    roots = tax_scope_paths(user) if roots is None else roots
    node = Node.objects.filter(pk=node_id).first()
    if node is None or (kind is not None and node.kind != kind):
        raise Http404
    if not any(node.path.startswith(root) for root in roots):
        raise Http404
    return node


# --- Enterprises: who may see them and their tax ----------------------------------------------

# Government staff who keep the archives of the enterprises under their node.
ARCHIVE_ROLES = (Role.DISTRICT_OFFICER, Role.STREET_CADRE, *sorted(SERVICE_CENTER_ROLES))


def _node_paths(user: Any, roles: Iterable[str]) -> list[str]:
    node_ids = Membership.objects.filter(user=user).of_role(*roles).scope_ids(Node)
    return list(Node.objects.filter(pk__in=node_ids).values_list("path", flat=True))


def enterprises_visible_to(user: Any) -> QuerySet[Enterprise]:
    """Enterprises whose archive the user may see: staff for the buildings under their node, an
    enterprise's contact and employees for that enterprise alone."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Enterprise.objects.none()
    own = scope_ids(user, Enterprise, Role.ENTERPRISE_CONTACT, Role.EMPLOYEE)
    query = Q(pk__in=own) | _under(_node_paths(user, ARCHIVE_ROLES))
    return Enterprise.objects.filter(query)


def get_enterprise_for_user(user: Any, pk: int, *, write: bool = False) -> Enterprise:
    """The enterprise if the user may see it (write=True: change it, staff only); 404 otherwise,
    also when it exists but is not theirs."""
    queryset = enterprises_visible_to(user)
    if write:
        queryset = queryset.filter(_under(_node_paths(user, ARCHIVE_ROLES)))
    try:
        return queryset.get(pk=pk)
    except Enterprise.DoesNotExist as exc:
        raise Http404 from exc


def enterprise_tax_visible(user: Any, enterprise: Enterprise) -> bool:
    """Tax of one enterprise: tax viewers whose scope covers its building, and its own contact."""
    if enterprise.pk in scope_ids(user, Enterprise, Role.ENTERPRISE_CONTACT):
        return True
    building = enterprise.building
    path = building.path if building is not None else None
    return path is not None and any(path.startswith(root) for root in tax_scope_paths(user))


def enterprise_personal_visible(user: Any, enterprise: Enterprise) -> bool:
    """Personal data of an enterprise (legal representative unmasked): staff whose node covers
    its building, and its own contact; employees and others see it masked."""
    if enterprise.pk in scope_ids(user, Enterprise, Role.ENTERPRISE_CONTACT):
        return True
    building = enterprise.building
    return building is not None and any(
        building.path.startswith(root) for root in _node_paths(user, ARCHIVE_ROLES)
    )


# --- Building archives: who keeps them --------------------------------------------------------


def get_building_for_user(user: Any, pk: int) -> Node:
    """The building archive (一楼一档) for the government staff whose node holds the building;
    404 otherwise, also when it exists but is not theirs. (Tenants' leases and the vacancy map
    are not for other tenants; the public directory shows every building.)"""
    buildings = Node.objects.filter(_under(archive_scope_paths(user), "path"))
    try:
        return buildings.select_related("profile", "parent", "parent__parent").get(
            pk=pk, kind=Node.Kind.BUILDING
        )
    except Node.DoesNotExist as exc:
        raise Http404 from exc


def archive_scope_paths(user: Any) -> list[str]:
    """Paths of the nodes under which the user keeps archives (staff roles only)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return _node_paths(user, ARCHIVE_ROLES)
