"""Figures over time and across a scope: the years on record, tax trends of a node and of the
district, and the industry mix of the enterprises under some paths."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum

from louyu.core.models import Node
from louyu.economy.models import BuildingYearTax, Enterprise, Industry, Occupancy, TargetBuilding
from louyu.economy.selectors.definitions import ZERO, Definition
from louyu.economy.selectors.ranking import economy_summary
from louyu.economy.selectors.scope import _under
from louyu.lib.money import ratio, yuan


def economy_years() -> list[int]:
    """The years that have a target-building set, oldest first (the dashboard's year choices)."""
    years = TargetBuilding.objects.order_by("year").values_list("year", flat=True).distinct()
    return list(years)


def node_tax_trend(
    *,
    node: Node,
    definition: Definition,
    paths: list[str],
    years: Iterable[int] | None = None,
) -> list[dict[str, Any]]:
    """Tax by year under a node, for the dashboard's trend line. For a district, street or
    community: per year, Σ BuildingYearTax.tax over the target buildings of that year under the
    node (as `economy_summary` counts them) and their number; for a building: its own rollup
    tax in each year it was a target or paid tax, building_count 1. Growth = (tax − previous
    year's) ÷ previous year's, None without a previous year or when it was 0."""
    is_building = node.kind == Node.Kind.BUILDING
    taxes = BuildingYearTax.objects.filter(
        _under(paths), building__path__startswith=node.path, definition=definition.key
    ).exclude(tax=0)
    targets = TargetBuilding.objects.filter(_under(paths), building__path__startswith=node.path)
    if years is not None:
        years = list(years)
        taxes, targets = taxes.filter(year__in=years), targets.filter(year__in=years)
    if not is_building:
        in_target_set = TargetBuilding.objects.filter(
            year=OuterRef("year"), building_id=OuterRef("building_id")
        )
        taxes = taxes.filter(Exists(in_target_set))
    counts = dict(
        targets.values("year").annotate(n=Count("pk")).values_list("year", "n").order_by()
    )
    totals = dict(
        taxes.values("year").annotate(total=Sum("tax")).values_list("year", "total").order_by()
    )
    result: list[dict[str, Any]] = []
    previous: Decimal | None = None
    for year in sorted(set(totals) | set(counts)):
        tax = yuan(totals.get(year, ZERO))
        before = previous if result and result[-1]["year"] == year - 1 else None
        result.append(
            {
                "year": year,
                "building_count": 1 if is_building else counts.get(year, 0),
                "tax_total": tax,
                "growth": ratio(tax - before, before) if before else None,
                "definition": definition.key,
            }
        )
        previous = tax
    return result


def economy_trend(
    *, years: list[int], definition: Definition, paths: list[str]
) -> list[dict[str, Any]]:
    """The summary (buildings, tax, tiers) of each year: the trend lines of the dashboard."""
    return [economy_summary(year=year, definition=definition, paths=paths) for year in years]


def industry_mix(*, paths: list[str], on: date) -> list[dict[str, Any]]:
    """Enterprises operating on a day in the buildings under the paths, counted by GB/T 4754
    section (门类), largest first; unclassified ones under section ""."""
    active = Occupancy.objects.active_on(on).filter(_under(paths))
    counts = (
        Enterprise.objects.filter(pk__in=active.values("enterprise"))
        .order_by()
        .values("industry__section")
        .annotate(n=Count("pk"))
    )
    names = dict(
        Industry.objects.filter(level=Industry.Level.SECTION).values_list("section", "name")
    )
    rows = [
        {
            "section": row["industry__section"] or "",
            "name": names.get(row["industry__section"] or "", ""),
            "enterprises": row["n"],
        }
        for row in counts
    ]
    return sorted(rows, key=lambda r: (-r["enterprises"], r["section"]))
