"""Figures of one building: indicators, its enterprises' tax, moves, tax figures and history,
industry mix, the drill-down from a node to its enterprises, and the building directory."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from louyu.core.models import Node
from louyu.economy.models import (
    BuildingProfile,
    BuildingYearTax,
    Enterprise,
    Occupancy,
    TaxRecord,
    Unit,
)
from louyu.economy.selectors.definitions import (
    MONEY,
    ZERO,
    Definition,
    Span,
    TaxLine,
    indicator_basis,
    tax_attribution,
    tier_near,
    tier_of,
)
from louyu.economy.selectors.ranking import (
    _per,
    _rollup_tax,
    _targets_with_tax,
    building_tax_ranking,
    economy_breakdown,
    ranking_row,
)
from louyu.economy.selectors.scope import _under, tax_scope_paths
from louyu.lib.money import SQUARE_METRES_PER_MU, ratio, yuan

# --- Per-building indicators ------------------------------------------------------------------


def building_indicators(building: Node, *, on: date) -> dict[str, Any]:
    """Counts and shares of one building on a day: registration and tax-in-district rates (by
    number of enterprises operating there), occupancy and vacancy by area (base: the units'
    lettable area), and the industry mix (HHI and dominant share, by enterprises per division)."""
    operating = list(
        Enterprise.objects.filter(
            pk__in=Occupancy.objects.active_on(on).filter(building=building).values("enterprise")
        ).values_list("registered_in_district", "tax_in_district", "industry__code")
    )
    count = len(operating)
    areas = dict(
        Unit.objects.filter(floor__building=building)
        .values("state")
        .annotate(area=Sum("area"))
        .values_list("state", "area")
    )
    base = sum(areas.values(), ZERO)
    occupied = sum(
        (areas.get(s, ZERO) for s in (Unit.State.SELF_USED, Unit.State.OCCUPIED, Unit.State.SOLD)),
        ZERO,
    )
    leaving = (
        Occupancy.objects.active_on(on)
        .filter(building=building, intends_to_leave=True)
        .aggregate(area=Coalesce(Sum("area"), Value(ZERO), output_field=MONEY))["area"]
    )
    industries = Counter(code for _, _, code in operating if code)
    classified = sum(industries.values())
    shares = [Decimal(n) / classified for n in industries.values()] if classified else []
    occupancy_rate = ratio(occupied, base)
    return {
        "enterprises": count,
        "registration_rate": ratio(sum(1 for r, _, _ in operating if r), count),
        "tax_in_district_rate": ratio(sum(1 for _, t, _ in operating if t), count),
        "lettable_area": base,
        "occupied_area": occupied,
        "let_not_moved_in_area": areas.get(Unit.State.LET_NOT_MOVED_IN, ZERO),
        "vacant_area": areas.get(Unit.State.VACANT, ZERO),
        "intends_to_leave_area": leaving,
        "occupancy_rate": occupancy_rate,
        "vacancy_rate": None if occupancy_rate is None else 1 - occupancy_rate,
        "industry_hhi": ratio(sum((s * s for s in shares), Decimal(0)), 1) if shares else None,
        # Most enterprises; a tie goes to the lowest code, so the answer does not depend on order.
        "dominant_industry": min(industries.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if industries
        else "",
        "dominant_industry_share": ratio(max(industries.values()), classified)
        if classified
        else None,
        "basis": indicator_basis(),
    }


# --- Building → enterprise drill-down, concentration, moves ----------------------------------


def building_enterprise_tax(
    building: Node, *, year: int, definition: Definition
) -> list[dict[str, Any]]:
    """The last step of the drill-down: each enterprise's share of the building's tax in the year
    under the 口径 (same attribution as the rollup), largest first."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    ids = set(
        Occupancy.objects.filter(building=building, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .values_list("enterprise_id", flat=True)
    )
    spans: dict[int, list[Span]] = defaultdict(list)
    for pk, enterprise_id, building_id, start, end, area in Occupancy.objects.filter(
        enterprise_id__in=ids
    ).values_list("pk", "enterprise_id", "building_id", "start", "end", "area"):
        spans[enterprise_id].append(Span(pk, building_id, start, end, area))
    lines: dict[int, list[TaxLine]] = defaultdict(list)
    records = TaxRecord.objects.filter(enterprise_id__in=ids, year=year, paid_in_district=True)
    for enterprise_id, month, amount, share in records.values_list(
        "enterprise_id", "month", "amount", "district_share"
    ):
        lines[enterprise_id].append(TaxLine(year, month, amount, share, True))
    enterprises = Enterprise.objects.filter(pk__in=ids).values_list(
        "pk", "name", "industry__section"
    )
    rows = []
    for pk, name, section in enterprises:
        part = tax_attribution(spans[pk], lines[pk], real_estate=section == "K")
        tax = part.get((building.pk, year, definition.key), ZERO)
        rows.append({"enterprise": {"id": pk, "name": name}, "tax": yuan(tax)})
    return sorted(rows, key=lambda r: (-r["tax"], r["enterprise"]["name"]))


def tax_concentration(rows: list[dict[str, Any]], top: int = 5) -> Decimal | None:
    """Share of the building's tax paid by its `top` largest enterprises (rows as returned by
    `building_enterprise_tax`); None when the building paid nothing."""
    taxes = sorted((row["tax"] for row in rows), reverse=True)
    return ratio(sum(taxes[:top], ZERO), sum(taxes, ZERO))


def building_moves(building: Node, *, year: int) -> list[dict[str, Any]]:
    """Moves in and out of a building by month, counted and measured from occupancy starts and
    ends (records are never overwritten, so history is exact)."""
    months: list[dict[str, Any]] = [
        {"month": m, "moved_in": 0, "moved_in_area": ZERO, "moved_out": 0, "moved_out_area": ZERO}
        for m in range(1, 13)
    ]
    occupancies = Occupancy.objects.filter(building=building).filter(
        Q(start__year=year) | Q(end__year=year)
    )
    for start, end, area in occupancies.values_list("start", "end", "area"):
        if start.year == year:
            months[start.month - 1]["moved_in"] += 1
            months[start.month - 1]["moved_in_area"] += area
        if end is not None and end.year == year:
            months[end.month - 1]["moved_out"] += 1
            months[end.month - 1]["moved_out_area"] += area
    return months


# --- Per-building figures, industry mix, drill-down to enterprises ----------------------------


def building_tax_figures(
    building: Node,
    *,
    year: int,
    definition: Definition,
    paths: list[str],
    margin: Decimal | None = None,
) -> dict[str, Any]:
    """One building's row of `building_tax_ranking` over the paths (rank among the target
    buildings of the year there); a building outside the target set gets its rollup tax, growth,
    tier and per-area figures with rank None."""
    # A filter on the building would apply before RANK(): rank = 1 + targets paying more.
    row: Any = (
        building_tax_ranking(year=year, definition=definition, paths=paths)
        .filter(building_id=building.pk)
        .first()
    )
    if row is not None:
        targets = _targets_with_tax(year, definition, paths)
        row.rank = 1 + targets.filter(now__tax__gt=row.tax).count()  # type: ignore[misc]
        return {**ranking_row(row, definition, margin), "is_target": True}
    taxes = dict(
        BuildingYearTax.objects.filter(
            building=building, definition=definition.key, year__in=(year, year - 1)
        ).values_list("year", "tax")
    )
    profile = BuildingProfile.objects.filter(building=building).first()
    standin = SimpleNamespace(
        rank=None,
        building_id=building.pk,
        building_name=building.name,
        tax=taxes.get(year, ZERO),
        previous_tax=taxes.get(year - 1),
        gross_floor_area=profile.gross_floor_area if profile else None,
        land_area=profile.land_area if profile else None,
    )
    return {**ranking_row(standin, definition, margin), "is_target": False}


def building_industry_mix(building: Node, *, on: date) -> list[dict[str, Any]]:
    """The industries of the enterprises operating in the building on a day: per industry code
    the number of enterprises and its share of those with an industry (the shares behind
    `building_indicators`' HHI), largest first; enterprises without an industry are left out."""
    operating = Occupancy.objects.active_on(on).filter(building=building).values("enterprise")
    counts = (
        Enterprise.objects.filter(pk__in=operating, industry__isnull=False)
        .values("industry__code", "industry__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = list(counts)
    classified = sum(row["n"] for row in rows)
    return sorted(
        (
            {
                "industry": {"code": row["industry__code"], "name": row["industry__name"]},
                "enterprises": row["n"],
                "share": ratio(row["n"], classified),
            }
            for row in rows
        ),
        key=lambda r: (-r["enterprises"], r["industry"]["code"]),
    )


def economy_drilldown(
    *, year: int, definition: Definition, node: Node, paths: list[str], top: int = 5
) -> dict[str, Any]:
    """One level down from `node`: for a district, street or building community its children's
    target buildings, tax and tier counts (`economy_breakdown`); for a building its enterprises'
    tax (`building_enterprise_tax`), each with its share of the building's tax, and the share of
    the `top` largest (concentration)."""
    head: dict[str, Any] = {
        "year": year,
        "node": {"id": node.pk, "name": node.name, "kind": node.kind},
        "definition": definition.as_dict(),
    }
    if node.kind != Node.Kind.BUILDING:
        rows = economy_breakdown(year=year, definition=definition, node=node, paths=paths)
        return {
            **head,
            "level": Node.CHILD_KIND[Node.Kind(node.kind)],
            "tax_total": yuan(sum((row["tax_total"] for row in rows), ZERO)),
            "rows": rows,
            "top_share": None,
        }
    rows = building_enterprise_tax(node, year=year, definition=definition)
    total = sum((row["tax"] for row in rows), ZERO)
    for row in rows:
        row["share"] = ratio(row["tax"], total)
        row["definition"] = definition.key
    return {
        **head,
        "level": "enterprise",
        "tax_total": yuan(total),
        "rows": rows,
        "top_share": tax_concentration(rows, top),
    }


# --- Directory and archive --------------------------------------------------------------------

OCCUPIED_STATES = (Unit.State.SELF_USED, Unit.State.OCCUPIED, Unit.State.SOLD)


def building_directory(
    user: Any, *, year: int, definition: Definition, tax_paths: list[str] | None = None
) -> QuerySet[Node]:
    """Every building, for the directory the public sees too, annotated with `occupied_area`,
    `unit_area` and `occupancy` (by area) and `tax`: the year's tax under the 口径 only where
    the user may see tax amounts (None elsewhere, so sorting by tax leaks nothing)."""
    paths = tax_scope_paths(user) if tax_paths is None else tax_paths
    units = Unit.objects.filter(floor__building=OuterRef("pk")).order_by().values("floor__building")
    occupied = units.annotate(a=Sum("area", filter=Q(state__in=OCCUPIED_STATES))).values("a")
    total = units.annotate(a=Sum("area")).values("a")
    if paths:
        tax: Any = Case(
            When(_under(paths, "path"), then=_rollup_tax(year, definition, "pk")),
            default=Value(None),
            output_field=MONEY,
        )
    else:
        tax = Value(None, output_field=MONEY)
    return (
        Node.objects.filter(kind=Node.Kind.BUILDING)
        .select_related("profile", "parent", "parent__parent")
        .annotate(
            occupied_area=Subquery(occupied, output_field=MONEY),
            unit_area=Subquery(total, output_field=MONEY),
        )
        .annotate(
            occupancy=Cast(F("occupied_area"), FloatField())
            / NullIf(Cast(F("unit_area"), FloatField()), Value(0.0)),
            tax=tax,
        )
    )


def building_tax_history(building: Node, *, definition: Definition) -> list[dict[str, Any]]:
    """The building's tax in every year the rollup holds, under the 口径: tax, growth on the
    year before, tier and watch flag, tax per m² and per mu."""
    profile = getattr(building, "profile", None)
    area = profile.gross_floor_area if profile else None
    land = profile.land_area if profile else None
    rows = BuildingYearTax.objects.filter(building=building, definition=definition.key)
    taxes = dict(rows.order_by("year").values_list("year", "tax"))
    result = []
    for year, tax in taxes.items():
        previous = taxes.get(year - 1)
        result.append(
            {
                "year": year,
                "tax": yuan(tax),
                "growth": ratio(tax - previous, previous) if previous else None,
                "tier": tier_of(tax),
                "near_tier": tier_near(tax),
                "tax_per_m2": _per(tax, area),
                "tax_per_mu": _per(tax, land / SQUARE_METRES_PER_MU if land else None),
                "definition": definition.key,
            }
        )
    return result
