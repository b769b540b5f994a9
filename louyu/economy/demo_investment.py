"""Demo data for early warning and investment attraction, written by `demo_seed` after the
economy half: signs of leaving on a fixed sample of enterprises (so every colour of the five-colour
grade shows up, 环西 included), ~30 vacancy listings on vacant floors (most published) and ~40
investment leads across the funnel. Deterministic from the seed; dates count from the seeding
day, because lease windows are relative to today. Only the newest year's tax of six enterprises
is halved (through `tax_record_save`, so the rollup follows); occupancy periods, target sets and
2013 are not touched: the 2013 figures stay exactly as the article has them."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Max, Sum
from django.utils import timezone

from louyu.core.models import Node
from louyu.economy.industry_data import VERSION
from louyu.economy.models import (
    FUNNEL,
    Enterprise,
    EnterpriseAddressChange,
    Industry,
    InvestmentLead,
    LeadStage,
    Occupancy,
    PriceUnit,
    TaxRecord,
    Unit,
    VacancyListing,
)

SEED = 2013 * 11 + 5
HUANXI = "环西楼宇社区"
ARTICLE_YEAR = 2013
LISTINGS = 30
# The funnel of the 40 demo leads.
LEAD_STAGES = (
    ["lead"] * 11
    + ["talks"] * 8
    + ["viewing"] * 7
    + ["intent"] * 5
    + ["signed"] * 3
    + ["settled"] * 2
    + ["lost"] * 4
)
LOST_REASONS = ("选择了外区园区", "租金预算不足", "面积需求变化", "总部决定暂缓扩张")
TRADES = (
    "科技",
    "网络科技",
    "信息技术",
    "投资管理",
    "文化传媒",
    "供应链管理",
    "医药科技",
    "数据服务",
)


def _leave_signs(rng: random.Random, today: date) -> dict[str, int]:
    """Leases ending soon, intent to leave and registered-address changes on a fixed sample."""
    rows = list(
        Occupancy.objects.filter(
            end__isnull=True,
            enterprise__status=Enterprise.Status.OPERATING,
            building__is_target=True,
        )
        .order_by("enterprise__credit_code", "pk")
        .values_list("pk", "enterprise_id", "building__parent__name")
    )
    seen: set[int] = set()
    huanxi: list[tuple[int, int]] = []
    others: list[tuple[int, int]] = []
    for pk, enterprise_id, community in rows:
        if enterprise_id in seen:
            continue
        seen.add(enterprise_id)
        (huanxi if community == HUANXI else others).append((pk, enterprise_id))
    sample = huanxi[:6] + rng.sample(others, min(len(others), 42))
    # (days to lease expiry or None, intends to leave): blue, yellow, orange, orange, red.
    scenarios = [
        (rng.randint(61, 90), False),
        (rng.randint(31, 60), False),
        (rng.randint(5, 30), False),
        (None, True),
        (rng.randint(3, 25), True),
    ]
    changed = 0
    for index, (occupancy_id, _enterprise_id) in enumerate(sample[:36]):
        days, leaving = scenarios[index % len(scenarios)]
        values: dict[str, Any] = {"intends_to_leave": leaving}
        if days is not None:
            values["lease_expires"] = today + timedelta(days=days)
        changed += Occupancy.objects.filter(pk=occupancy_id).update(**values)
    # Registered-address changes: three within the district (blue), three moved out (orange).
    movers = sample[36:42]
    for index, (_occupancy_id, enterprise_id) in enumerate(movers):
        enterprise = Enterprise.objects.get(pk=enterprise_id)
        out = index % 2 == 1
        new_address = (
            f"杭州市余杭区文一西路{rng.randint(100, 999)}号"
            if out
            else f"杭州市下城区延安路{rng.randint(1, 499)}号"
        )
        EnterpriseAddressChange.objects.create(
            enterprise=enterprise,
            changed_on=today - timedelta(days=rng.randint(5, 120)),
            old_address=enterprise.registered_address,
            new_address=new_address,
            was_in_district=enterprise.registered_in_district,
            is_in_district=not out and enterprise.registered_in_district,
        )
        Enterprise.objects.filter(pk=enterprise_id).update(
            registered_address=new_address,
            registered_in_district=not out and enterprise.registered_in_district,
        )
    # Tax down year on year: six enterprises pay half in the newest year (never 2013).
    from louyu.economy.services import tax_record_save

    newest = TaxRecord.objects.aggregate(year=Max("year"))["year"]
    taken = {enterprise_id for _pk, enterprise_id in sample}
    big = sorted(
        pk
        for pk, total in TaxRecord.objects.filter(year=(newest or 0) - 1, paid_in_district=True)
        .values_list("enterprise_id")
        .annotate(total=Sum("amount"))
        .order_by()
        if 300_000 <= total <= 5_000_000 and pk in seen and pk not in taken
    )
    shrinking = 0
    for enterprise_id in rng.sample(big, min(len(big), 6)) if newest != ARTICLE_YEAR else []:
        records = TaxRecord.objects.filter(enterprise_id=enterprise_id, year=newest)
        enterprise = Enterprise.objects.get(pk=enterprise_id)
        for record in records.order_by("month", "tax_type"):
            tax_record_save(
                actor=None,
                enterprise=enterprise,
                year=record.year,
                month=record.month,
                tax_type=record.tax_type,
                amount=(record.amount / 2).quantize(Decimal("0.01")),
                district_share=(record.district_share / 2).quantize(Decimal("0.01")),
                paid_in_district=record.paid_in_district,
            )
        shrinking += 1
    return {"warning_signs": changed + len(movers) + shrinking}


def _community(building: Node) -> str:
    return building.parent.name if building.parent else ""


def _listings(rng: random.Random, today: date) -> list[VacancyListing]:
    floors: dict[int, list[Unit]] = defaultdict(list)
    for unit in (
        Unit.objects.filter(state=Unit.State.VACANT, floor__building__is_target=True)
        .select_related("floor__building__parent")
        .order_by("floor__building__path", "floor__number", "number")
    ):
        floors[unit.floor_id].append(unit)
    keys = sorted(floors)
    huanxi = [k for k in keys if _community(floors[k][0].floor.building) == HUANXI][:4]
    rest = [k for k in keys if k not in huanxi]
    chosen = huanxi + rng.sample(rest, min(len(rest), LISTINGS - len(huanxi)))
    listings, through = [], []
    for index, key in enumerate(chosen):
        units = floors[key][: rng.randint(1, 3)]
        floor = units[0].floor
        building = floor.building
        area = sum((u.area for u in units), Decimal(0))
        daily = Decimal(rng.randint(28, 65)) / 10
        monthly = index % 4 == 3
        status = (
            VacancyListing.Status.LET
            if index in (7, 19)
            else VacancyListing.Status.RESERVED
            if index in (11, 23)
            else VacancyListing.Status.AVAILABLE
        )
        published = status == VacancyListing.Status.AVAILABLE and index % 5 != 4
        listings.append(
            VacancyListing(
                building=building,
                title=f"{building.name} {floor.number} 层 {'、'.join(u.number for u in units)}",
                area=area,
                price=(daily * 365 / 12).quantize(Decimal(1)) if monthly else daily,
                price_unit=PriceUnit.MONTH if monthly else PriceUnit.DAY,
                available_from=today + timedelta(days=rng.choice((0, 0, 15, 30, 60, 90))),
                description=rng.choice(
                    (
                        "精装修，可拎包入驻，近地铁站。",
                        "标准层，南北通透，采光好。",
                        "可分割出租，配套会议室。",
                        "高区景观层，适合企业总部。",
                    )
                ),
                contact_name=f"{_community(building)}服务中心招商员",
                contact_phone=f"05718{rng.randint(7000000, 7999999)}",
                published=published,
                published_at=timezone.now() if published else None,
                status=status,
            )
        )
        through.append([u.pk for u in units])
    listings = VacancyListing.objects.bulk_create(listings)
    link = VacancyListing.units.through
    link.objects.bulk_create(
        [
            link(vacancylisting_id=listing.pk, unit_id=unit_id)
            for listing, unit_ids in zip(listings, through, strict=True)
            for unit_id in unit_ids
        ]
    )
    return listings


def _leads(rng: random.Random, today: date) -> list[InvestmentLead]:
    from louyu.core.demo import DEMO_INDUSTRIES, FIRM_FIRST, FIRM_SECOND, SURNAMES

    communities = list(Node.objects.filter(kind=Node.Kind.COMMUNITY).order_by("path"))
    huanxi = next(c for c in communities if c.name == HUANXI)
    industries = dict(
        Industry.objects.filter(version=VERSION, code__in=set(DEMO_INDUSTRIES)).values_list(
            "code", "pk"
        )
    )
    now = timezone.now()
    leads = []
    for index, stage in enumerate(LEAD_STAGES):
        low = Decimal(rng.randrange(100, 1600, 50))
        lost = stage == LeadStage.LOST
        leads.append(
            InvestmentLead(
                node=huanxi if index % 5 == 0 else rng.choice(communities),
                company=f"杭州{rng.choice(FIRM_FIRST)}{rng.choice(FIRM_SECOND)}"
                f"{rng.choice(TRADES)}有限公司",
                contact_name=rng.choice(SURNAMES) + rng.choice(("先生", "女士")),
                contact_phone=f"139{rng.randint(10_000_000, 99_999_999)}",
                area_min=low,
                area_max=(low * Decimal("1.5")).quantize(Decimal(1)),
                industry_id=industries.get(rng.choice(DEMO_INDUSTRIES)),
                budget=Decimal(rng.randrange(90, 210, 5)),
                move_in_by=today + timedelta(days=rng.randint(30, 240)),
                source=rng.choice(InvestmentLead.Source.values),
                stage=stage,
                lost_reason=rng.choice(LOST_REASONS) if lost else "",
                lost_from_stage=rng.choice(FUNNEL[:4]).value if lost else "",
                stage_changed_at=now,
            )
        )
    return InvestmentLead.objects.bulk_create(leads)


def demo_investment_seed(today: date | None = None) -> dict[str, int]:
    """Write the demo's warnings, vacancy listings and leads; returns row counts."""
    from louyu.economy.services_investment import warnings_refresh

    today = today or timezone.localdate()
    rng = random.Random(SEED)
    counts = _leave_signs(rng, today)
    listings = _listings(rng, today)
    leads = _leads(rng, today)
    cache.delete("economy:warnings:tax-period")
    graded = warnings_refresh(today=today)
    return {
        **counts,
        "warnings": sum(graded[c] for c in ("blue", "yellow", "orange", "red")),
        "vacancy_listings": len(listings),
        "investment_leads": len(leads),
    }
