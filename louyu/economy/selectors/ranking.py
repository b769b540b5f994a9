"""The district summary, the building tax ranking and its rows, the watch list and the
drill-down one level below a node."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import Window
from django.db.models.functions import Coalesce, Rank

from louyu.core.models import Node
from louyu.economy.models import BuildingYearTax, TargetBuilding
from louyu.economy.selectors.definitions import (
    MONEY,
    MU_IN_SQUARE_METRES_DENOMINATOR,
    TIERS,
    ZERO,
    Definition,
    tier_near,
    tier_of,
)
from louyu.economy.selectors.scope import _under
from louyu.lib.money import ratio, yuan

# --- Summary, ranking, drill-down -------------------------------------------------------------


def _rollup_tax(year: int, definition: Definition, building: str = "building_id") -> Subquery:
    rows = BuildingYearTax.objects.filter(
        year=year, definition=definition.key, building_id=OuterRef(building)
    )
    return Subquery(rows.values("tax")[:1], output_field=MONEY)


def _targets_with_tax(
    year: int, definition: Definition, paths: list[str], *, previous: bool = False
) -> QuerySet[TargetBuilding]:
    """Target buildings of the year under the paths, each LEFT JOINed to its rollup row of the
    year (alias `now`) and, with `previous`, of the year before (alias `before`): one pass over
    the rollup's (year, definition, building) index, no correlated subquery per row."""
    relations = {"now": year}
    if previous:
        relations["before"] = year - 1
    joins = {
        alias: FilteredRelation(
            "building__year_taxes",
            condition=Q(
                building__year_taxes__year=when,
                building__year_taxes__definition=definition.key,
            ),
        )
        for alias, when in relations.items()
    }
    return TargetBuilding.objects.filter(_under(paths), year=year).annotate(**joins)


def economy_summary(*, year: int, definition: Definition, paths: list[str]) -> dict[str, Any]:
    """Target buildings of the year under the paths: how many, their tax in all
    (Σ BuildingYearTax.tax of the year under the 口径) and how many reach each tier (cumulative:
    a billion building is also a 100-million building). One query."""
    tax = Coalesce(F("now__tax"), Value(ZERO), output_field=MONEY)
    tiers = {
        tier.key: Count("pk", filter=Q(now__tax__gte=tier.threshold)) for tier in reversed(TIERS)
    }
    figures = _targets_with_tax(year, definition, paths).aggregate(
        building_count=Count("pk"),
        tax_total=Coalesce(Sum(tax), Value(ZERO), output_field=MONEY),
        **tiers,
    )
    return {
        "year": year,
        "building_count": figures["building_count"],
        "tax_total": yuan(figures["tax_total"]),
        "tiers": {tier.key: figures[tier.key] for tier in reversed(TIERS)},
        "definition": definition.as_dict(),
    }


def building_tax_ranking(
    *, year: int, definition: Definition, paths: list[str]
) -> QuerySet[TargetBuilding]:
    """Target buildings of the year under the paths, ranked by tax (rank 1 pays most; ties share a
    rank: SQL RANK() over the tax, a building without a rollup row paying 0), each with last
    year's tax, the areas that per-m² and per-mu figures need and `total`, the number of rows
    before any slicing (COUNT(*) OVER ()), so one sliced query gives a page and its count."""
    tax = Coalesce(F("now__tax"), Value(ZERO), output_field=MONEY)
    return (
        _targets_with_tax(year, definition, paths, previous=True)
        .annotate(
            tax=tax,
            previous_tax=F("before__tax"),
            rank=Window(Rank(), order_by=tax.desc()),
            total=Window(Count("*")),
            building_name=F("building__name"),
            gross_floor_area=F("building__profile__gross_floor_area"),
            land_area=F("building__profile__land_area"),
        )
        .order_by("rank", "building_name", "building_id")
    )


def building_tax_ranking_page(
    *, year: int, definition: Definition, paths: list[str], start: int, stop: int
) -> tuple[list[TargetBuilding], int]:
    """Rows `start`..`stop` of `building_tax_ranking` (same attributes, same order: tax
    descending, then name, then id) and the number of rows in all, in one query that neither
    sorts every target building nor ranks them in SQL: a top-`stop` sort with COUNT(*) OVER ()
    for the count; rank = 1 + the rows before paying strictly more, counted in Python over that
    prefix (they all lie in it). Last year's tax is a sub-select PostgreSQL evaluates after the
    LIMIT, for the returned rows only; the areas come from a plain join."""
    if stop <= start:
        return [], 0
    tax = Coalesce(F("now__tax"), Value(ZERO), output_field=MONEY)
    prefix: list[Any] = list(
        _targets_with_tax(year, definition, paths)
        .annotate(
            tax=tax,
            total=Window(Count("*")),
            building_name=F("building__name"),
            previous_tax=_rollup_tax(year - 1, definition),
            gross_floor_area=F("building__profile__gross_floor_area"),
            land_area=F("building__profile__land_area"),
        )
        .order_by("-tax", "building_name", "building_id")[:stop]
    )
    for index, row in enumerate(prefix):
        same = index and prefix[index - 1].tax == row.tax
        row.rank = prefix[index - 1].rank if same else index + 1
    return prefix[start:], prefix[0].total if prefix else 0


def ranking_row(row: Any, definition: Definition, margin: Decimal | None = None) -> dict[str, Any]:
    """The derived figures of one ranking row: growth, tier, watch list, per m² and per mu."""
    tax, previous = row.tax, row.previous_tax
    growth = ratio(tax - previous, previous) if previous else None
    return {
        "rank": row.rank,
        "building": {"id": row.building_id, "name": row.building_name},
        "tax": yuan(tax),
        "previous_tax": yuan(previous) if previous is not None else None,
        "growth": growth,
        "tier": tier_of(tax),
        "near_tier": tier_near(tax, margin),
        "tax_per_m2": _per(tax, row.gross_floor_area),
        # 1 亩 = 10000/15 m²: tax ÷ (land m² × 15 / 10000), as one exact division.
        "tax_per_mu": _per(tax * MU_IN_SQUARE_METRES_DENOMINATOR, row.land_area * 15)
        if row.land_area
        else None,
        "definition": definition.key,
    }


def _per(tax: Decimal, base: Decimal | None) -> Decimal | None:
    return yuan(tax / base) if base else None


def building_watch_list(
    *, year: int, definition: Definition, paths: list[str], margin: Decimal | None = None
) -> list[dict[str, Any]]:
    """准亿元楼: target buildings below 100 million yuan but within the margin of it."""
    rows = [
        ranking_row(row, definition, margin)
        for row in building_tax_ranking(year=year, definition=definition, paths=paths)
    ]
    return [row for row in rows if row["near_tier"] == "100m"]


def economy_breakdown(
    *, year: int, definition: Definition, node: Node, paths: list[str]
) -> list[dict[str, Any]]:
    """Drill-down one level: for each child of `node` (street, community or building) the target
    buildings of the year under it, their tax and tier counts. Children outside the paths are
    left out; a building has itself as its only row."""
    rows = (
        TargetBuilding.objects.filter(
            _under(paths), year=year, building__path__startswith=node.path
        )
        .annotate(tax=Coalesce(_rollup_tax(year, definition), Value(ZERO), output_field=MONEY))
        .values_list("building__path", "tax")
    )
    depth = len(node.ancestor_ids)
    groups: dict[int, list[Decimal]] = defaultdict(list)
    for path, tax in rows:
        ids = [int(part) for part in path.strip("/").split("/")]
        groups[ids[depth] if len(ids) > depth else ids[-1]].append(tax)
    names = dict(Node.objects.filter(pk__in=groups).values_list("pk", "name"))
    result = []
    for pk, taxes in groups.items():
        result.append(
            {
                "node": {"id": pk, "name": names[pk]},
                "building_count": len(taxes),
                "tax_total": yuan(sum(taxes, ZERO)),
                "tiers": {
                    t.key: sum(1 for tax in taxes if tax >= t.threshold) for t in reversed(TIERS)
                },
                "definition": definition.key,
            }
        )
    return sorted(result, key=lambda r: (-r["tax_total"], r["node"]["name"]))
