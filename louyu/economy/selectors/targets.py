"""Reads of the yearly target set (目标楼宇): who may change it, the year's buildings grouped by
street and building community, the buildings that could be added, its change history, and
the years that have tax but no target set."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from louyu.accounts.models import Membership, Role
from louyu.core.models import AuditLog, Node
from louyu.economy.models import BuildingYearTax, TargetBuilding
from louyu.lib.pinyin import search_terms


def target_paths(user: Any) -> list[str]:
    """Paths under which the user sets target buildings: the district office's districts."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    node_ids = Membership.objects.filter(user=user).of_role(Role.DISTRICT_OFFICER).scope_ids(Node)
    return sorted(Node.objects.filter(pk__in=node_ids).values_list("path", flat=True))


def target_paths_for_user(user: Any) -> list[str]:
    """`target_paths`, or 404 for everyone who is not the district office."""
    paths = target_paths(user)
    if not paths:
        raise Http404
    return paths


def _under(paths: list[str], field: str) -> Q:
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


def get_target_building_for_user(user: Any, pk: int) -> Node:
    """A building whose target membership the user may change; 404 when missing, not a
    building, or outside their district (or they are not the district office)."""
    paths = target_paths_for_user(user)
    try:
        return Node.objects.filter(_under(paths, "path")).get(pk=pk, kind=Node.Kind.BUILDING)
    except (Node.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def target_buildings(*, year: int, paths: list[str]) -> QuerySet[TargetBuilding]:
    """The year's target buildings under the paths, by street, community and name."""
    return (
        TargetBuilding.objects.filter(_under(paths, "building__path"), year=year)
        .select_related("building__parent__parent")
        .order_by("building__path")
    )


def target_groups(*, year: int, paths: list[str]) -> list[dict[str, Any]]:
    """[{street, community, buildings: [Node]}] of the year's targets, in tree order."""
    groups: dict[tuple[int | None, int | None], dict[str, Any]] = {}
    for target in target_buildings(year=year, paths=paths):
        building = target.building
        community = building.parent
        street = community.parent if community else None
        key = (street.pk if street else None, community.pk if community else None)
        group = groups.setdefault(key, {"street": street, "community": community, "buildings": []})
        group["buildings"].append(building)
    return sorted(groups.values(), key=lambda g: g["community"].path if g["community"] else "")


def target_candidates(*, year: int, paths: list[str], query: str, limit: int = 20) -> list[Node]:
    """Buildings under the paths, matching `query` by name, alias or pinyin, not yet targets."""
    terms = search_terms(query)
    if not terms:
        return []
    search = Q()
    for term in terms:
        search &= Q(search_names__icontains=term)
    taken = TargetBuilding.objects.filter(year=year).values("building_id")
    return list(
        Node.objects.filter(_under(paths, "path"), search, kind=Node.Kind.BUILDING)
        .exclude(pk__in=taken)
        .select_related("parent")
        .order_by("path")[:limit]
    )


def target_history(*, year: int, limit: int = 100) -> QuerySet[AuditLog]:
    """The audit rows of changes to the year's set, newest first."""
    return AuditLog.objects.filter(action__startswith="targetbuilding.", after__year=year).order_by(
        "-at", "-pk"
    )[:limit]


def target_years() -> list[int]:
    return list(TargetBuilding.objects.order_by("year").values_list("year", flat=True).distinct())


def tax_years_without_targets() -> list[int]:
    """Years with tax figures (the rollup) but no target set: their summaries would be zero."""
    years = (
        BuildingYearTax.objects.exclude(year__in=TargetBuilding.objects.values("year"))
        .order_by("year")
        .values_list("year", flat=True)
        .distinct()
    )
    return list(years)
