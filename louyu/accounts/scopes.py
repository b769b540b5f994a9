"""What a membership's scope means on the jurisdiction tree, filled in by the apps that own the
scope models (issue 14): accounts imports no feature app, so a party organization or an
enterprise says itself which building community or building its people may see.

Each app registers, in its AppConfig.ready(), the roles granted at one of its models and a
function from scope ids to jurisdiction node ids. Roles granted at a node need no entry.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ScopeKind:
    """Roles granted at `model` ("app_label.model") and how those rows map onto nodes."""

    model: str
    roles: frozenset[str]
    nodes: Callable[[list[int]], Iterable[int]]


_KINDS: dict[str, ScopeKind] = {}


def scope_kind_register(
    *, model: str, roles: Collection[str], nodes: Callable[[list[int]], Iterable[int]]
) -> None:
    """Register (or, when an app's ready() runs again in a test, replace) one scope kind."""
    _KINDS[model] = ScopeKind(model=model, roles=frozenset(roles), nodes=nodes)


def scope_kinds() -> list[ScopeKind]:
    return list(_KINDS.values())
