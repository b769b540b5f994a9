"""Reads of the building economy: the 口径 (definitions), tax attribution, rankings, tiers, the
district summary, drill-down and per-building indicators, and who may see tax figures.

Every figure carries the `Definition` that made it. Building tax for a year is the sum of the
tax, paid in the district, of the enterprises located in the building in that period (DESIGN.md
§9); the per-year figures come from the `BuildingYearTax` rollup, never from a scan of tax rows.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Window
from django.db.models.functions import Cast, Coalesce, NullIf, Rank
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership, Role
from louyu.accounts.selectors import scope_ids
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.economy.models import (
    BuildingProfile,
    BuildingYearTax,
    Enterprise,
    Industry,
    Occupancy,
    TargetBuilding,
    TaxRecord,
    Unit,
)
from louyu.lib.money import SQUARE_METRES_PER_MU, ratio, yuan

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=18, decimal_places=2)
# 1 亩 = 10000/15 m² (louyu.lib.money.SQUARE_METRES_PER_MU): per mu = tax × 10000 ÷ (m² × 15).
MU_IN_SQUARE_METRES_DENOMINATOR = Decimal(10_000)


# --- 口径 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """A 口径: which amount counts (total tax or the district-retained share) and whether real
    estate (GB/T 4754 section K) is left out. Every figure says which one made it."""

    key: str
    name: str | Promise
    description: str | Promise
    district_share: bool
    exclude_real_estate: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": str(self.name),
            "description": str(self.description),
            "district_share": self.district_share,
            "exclude_real_estate": self.exclude_real_estate,
        }


DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition(
            "total",
            _("Total tax"),
            _("All tax paid in the district by the enterprises in the building (全口径)."),
            district_share=False,
            exclude_real_estate=False,
        ),
        Definition(
            "total_ex_real_estate",
            _("Total tax without real estate"),
            _("Total tax, leaving out real-estate enterprises (GB/T 4754 section K)."),
            district_share=False,
            exclude_real_estate=True,
        ),
        Definition(
            "district",
            _("District share"),
            _("The district-retained share of the tax paid in the district (区级留成)."),
            district_share=True,
            exclude_real_estate=False,
        ),
        Definition(
            "district_ex_real_estate",
            _("District share without real estate"),
            _("The district-retained share, leaving out real-estate enterprises."),
            district_share=True,
            exclude_real_estate=True,
        ),
    )
}


def definition_get(key: str | None = None) -> Definition:
    """The named 口径, or the configured default (LOUYU_ECONOMY_DEFINITION)."""
    key = key or settings.LOUYU_ECONOMY_DEFINITION
    try:
        return DEFINITIONS[key]
    except KeyError as exc:
        raise ApplicationError(
            _("Unknown definition. Use one of: %(keys)s.") % {"keys": ", ".join(DEFINITIONS)},
            code="unknown_definition",
        ) from exc


# --- Tiers -----------------------------------------------------------------------------------


class Tier(NamedTuple):
    key: str
    threshold: Decimal
    name: str | Promise


# Highest first; a building's tier is the highest threshold its yearly tax reaches.
TIERS: tuple[Tier, ...] = (
    Tier("10b", Decimal(10_000_000_000), _("10-billion building")),
    Tier("1b", Decimal(1_000_000_000), _("Billion building")),
    Tier("100m", Decimal(100_000_000), _("100-million building")),
    Tier("10m", Decimal(10_000_000), _("10-million building")),
)


def tier_of(tax: Decimal) -> str:
    """ "10b", "1b", "100m", "10m" or "" (below ten million yuan)."""
    return next((tier.key for tier in TIERS if tax >= tier.threshold), "")


def tier_near(tax: Decimal, margin: Decimal | None = None) -> str:
    """The tier just above the building's own when its tax is within `margin` of that tier's
    threshold (准亿元楼 for "100m"); "" otherwise. Margin defaults to LOUYU_ECONOMY_WATCH_MARGIN."""
    margin = Decimal(str(margin if margin is not None else settings.LOUYU_ECONOMY_WATCH_MARGIN))
    for tier in reversed(TIERS):
        if tax < tier.threshold:
            return tier.key if tax >= tier.threshold * margin else ""
    return ""


# --- Attribution (shared by the incremental rollup and its rebuild) ---------------------------


class Span(NamedTuple):
    """The part of an occupancy that attribution needs."""

    id: int
    building_id: int
    start: date
    end: date | None
    area: Decimal


class TaxLine(NamedTuple):
    year: int
    month: int
    amount: Decimal
    district_share: Decimal
    paid_in_district: bool


def building_of_month(spans: Iterable[Span], year: int, month: int) -> int | None:
    """The building an enterprise's tax of a month belongs to: among its occupancies overlapping
    the month, the largest by area (then the latest to start, then the newest record)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    overlapping = [s for s in spans if s.start <= last and (s.end is None or s.end >= first)]
    if not overlapping:
        return None
    return max(overlapping, key=lambda s: (s.area, s.start, s.id)).building_id


def tax_attribution(
    spans: list[Span], lines: Iterable[TaxLine], *, real_estate: bool
) -> dict[tuple[int, int, str], Decimal]:
    """One enterprise's contribution to (building id, year, definition key) under every 口径."""
    result: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    buildings: dict[tuple[int, int], int | None] = {}
    for line in lines:
        if not line.paid_in_district:
            continue
        period = (line.year, line.month)
        if period not in buildings:
            buildings[period] = building_of_month(spans, *period)
        building = buildings[period]
        if building is None:
            continue
        for definition in DEFINITIONS.values():
            if definition.exclude_real_estate and real_estate:
                continue
            value = line.district_share if definition.district_share else line.amount
            result[(building, line.year, definition.key)] += value
    return dict(result)


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


# --- Node scope, per-building figures, trend, drill-down to enterprises ----------------------

# How the non-tax figures are made (they depend on no 口径; this says so with every answer).
INDICATOR_BASIS: dict[str, str | Promise] = {
    "registration_rate": _(
        "Enterprises registered in the district ÷ enterprises operating in the building on the "
        "day (by count)."
    ),
    "tax_in_district_rate": _(
        "Enterprises paying tax in the district ÷ enterprises operating in the building on the "
        "day (by count)."
    ),
    "occupancy_rate": _(
        "Area of self-used, let-and-occupied and sold units ÷ area of all units (lettable area)."
    ),
    "vacancy_rate": _("1 − occupancy rate."),
    "let_not_moved_in_area": _("Area of units let but not moved in (its own bucket)."),
    "intends_to_leave_area": _(
        "Area of the occupancies active on the day whose enterprise intends to leave."
    ),
    "industry_hhi": _(
        "Sum of squared industry shares, by number of operating enterprises with an industry."
    ),
    "dominant_industry_share": _(
        "Enterprises of the largest industry ÷ operating enterprises with an industry."
    ),
    "tax_per_m2": _("Building tax ÷ gross floor area (m²)."),
    "tax_per_mu": _("Building tax ÷ land area in mu (1 mu = 10000/15 m² ≈ 666.67 m²)."),
    "moves": _("Occupancy records starting (moved in) or ending (moved out) in the month."),
    "enterprise_tax": _(
        "Tax records as filed: amount of all tax types; in district: the part paid in the "
        "district; district share: the district-retained share of that part."
    ),
}


def indicator_basis() -> dict[str, str]:
    """How each non-tax figure is made, in the active language."""
    return {key: str(text) for key, text in INDICATOR_BASIS.items()}


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


def enterprise_tax_by_month(enterprise: Enterprise, *, year: int) -> dict[str, Any]:
    """An enterprise's own tax records of a year, by month: the amount it paid (all tax types),
    the part paid in the district and that part's district-retained share, with the year's sums.
    Records as filed, before any building attribution or 口径."""
    months: dict[int, dict[str, Any]] = {
        m: {"month": m, "amount": ZERO, "in_district": ZERO, "district_share": ZERO}
        for m in range(1, 13)
    }
    records = TaxRecord.objects.filter(enterprise=enterprise, year=year).values_list(
        "month", "amount", "district_share", "paid_in_district"
    )
    for month, amount, share, paid in records:
        row = months[month]
        row["amount"] += amount
        if paid:
            row["in_district"] += amount
            row["district_share"] += share
    rows = list(months.values())
    return {
        "year": year,
        "enterprise": {"id": enterprise.pk, "name": enterprise.name},
        "months": rows,
        "amount": yuan(sum((r["amount"] for r in rows), ZERO)),
        "in_district": yuan(sum((r["in_district"] for r in rows), ZERO)),
        "district_share": yuan(sum((r["district_share"] for r in rows), ZERO)),
        "basis": str(INDICATOR_BASIS["enterprise_tax"]),
    }


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


# --- Screens: directory, archives, dashboard (helper C) ---------------------------------------

OCCUPIED_STATES = (Unit.State.SELF_USED, Unit.State.OCCUPIED, Unit.State.SOLD)


def economy_years() -> list[int]:
    """The years that have a target-building set, oldest first (the dashboard's year choices)."""
    years = TargetBuilding.objects.order_by("year").values_list("year", flat=True).distinct()
    return list(years)


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


def enterprise_tax_by_year(
    enterprise: Enterprise, *, definition: Definition
) -> list[dict[str, Any]]:
    """The enterprise's tax paid in the district by year under the 口径 (real estate counts
    zero where the 口径 leaves it out), and what it paid outside the district."""
    amount = "district_share" if definition.district_share else "amount"
    excluded = (
        definition.exclude_real_estate
        and enterprise.industry is not None
        and enterprise.industry.is_real_estate
    )
    rows = (
        TaxRecord.objects.filter(enterprise=enterprise)
        .order_by("year")
        .values("year")
        .annotate(
            inside=Coalesce(
                Sum(amount, filter=Q(paid_in_district=True)), Value(ZERO), output_field=MONEY
            ),
            outside=Coalesce(
                Sum("amount", filter=Q(paid_in_district=False)), Value(ZERO), output_field=MONEY
            ),
        )
    )
    return [
        {
            "year": row["year"],
            "tax": ZERO if excluded else yuan(row["inside"]),
            "paid_outside": yuan(row["outside"]),
            "excluded": excluded,
            "definition": definition.key,
        }
        for row in rows
    ]


def enterprise_personal_visible(user: Any, enterprise: Enterprise) -> bool:
    """Personal data of an enterprise (legal representative unmasked): staff whose node covers
    its building, and its own contact; employees and others see it masked."""
    if enterprise.pk in scope_ids(user, Enterprise, Role.ENTERPRISE_CONTACT):
        return True
    building = enterprise.building
    return building is not None and any(
        building.path.startswith(root) for root in _node_paths(user, ARCHIVE_ROLES)
    )


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


def economy_trend(
    *, years: list[int], definition: Definition, paths: list[str]
) -> list[dict[str, Any]]:
    """The summary (buildings, tax, tiers) of each year: the trend lines of the dashboard."""
    return [economy_summary(year=year, definition=definition, paths=paths) for year in years]


def archive_scope_paths(user: Any) -> list[str]:
    """Paths of the nodes under which the user keeps archives (staff roles only)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return _node_paths(user, ARCHIVE_ROLES)
