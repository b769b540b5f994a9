"""Reads about who holds which role where. Row scope for every app starts here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType

from louyu.accounts.models import SCOPE_KIND, Membership

# Roles whose holders see the jurisdiction subtree under the node they are granted at.
JURISDICTION_ROLES = frozenset({role for role, kind in SCOPE_KIND.items() if kind == "core.node"})


def scope_node_paths(user: Any) -> list[str]:
    """Materialised paths of the jurisdiction nodes whose subtrees the user may see.

    Jurisdiction roles give their node; roles granted at another app's rows give what that app
    registered in accounts/scopes.py (a party organization's building community, the building
    an enterprise operates in).
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_louyu_node_paths", None)
    if cached is not None:
        return cached
    from django.apps import apps

    from louyu.accounts.scopes import scope_kinds
    from louyu.core.models import Node

    # One query for every membership, then one per kind of scope the user actually holds.
    held = Membership.objects.filter(user=user).values_list("role", "scope_type_id", "scope_id")
    by_scope: dict[tuple[int, str], list[int]] = {}
    for role, type_id, scope_id in held:
        by_scope.setdefault((type_id, role), []).append(scope_id)

    def ids_of(model: type, roles: Iterable[str]) -> list[int]:
        type_id = ContentType.objects.get_for_model(model).pk
        return [pk for role in roles for pk in by_scope.get((type_id, role), [])]

    node_ids = set(ids_of(Node, JURISDICTION_ROLES))
    for kind in scope_kinds():
        ids = ids_of(apps.get_model(kind.model), kind.roles)
        if ids:
            node_ids.update(kind.nodes(ids))
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
