"""An economy on top of the shared test world: 坤和中心 (环西, 武林街道) and 浙江省外经贸广场
(天水), target buildings of 2012 and 2013, occupancies and tax written through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from louyu.core.models import Node
from louyu.core.services import node_create
from louyu.economy.industry_data import VERSION
from louyu.economy.models import Enterprise, Floor, Industry, Unit
from louyu.economy.services import (
    building_profile_save,
    industry_load,
    occupancy_create,
    target_set_replace,
    tax_record_save,
    tax_records_upsert,
)
from louyu.testing import World


@dataclass
class Economy:
    world: World
    kunhe: Node
    waijingmao: Node
    spare: Node


def industry(code: str) -> Industry:
    return Industry.objects.get(version=VERSION, code=code)


def pay(enterprise: Enterprise, year: int, months: range, amount: str, **kw) -> None:
    """Monthly VAT of `amount` yuan (district share 40%) for each month, in one batch through
    the import's write path (one rollup update for the lot, an audit row per record)."""
    rows = [
        {
            "enterprise_id": enterprise.pk,
            "year": year,
            "month": month,
            "tax_type": "vat",
            "amount": Decimal(amount),
            "district_share": Decimal(amount) * Decimal("0.4"),
            "paid_in_district": True,
            **kw,
        }
        for month in months
    ]
    tax_records_upsert(actor=None, rows=rows, audit_batch=False)


@pytest.fixture
def economy(world) -> Economy:
    industry_load()
    kunhe, waijingmao = world.nodes["building"], world.nodes["other_building"]
    spare = node_create(
        actor=None, kind=Node.Kind.BUILDING, name="备用大厦", parent=world.nodes["community"]
    )
    for building, gross, land in ((kunhe, "50000", "6666.67"), (waijingmao, "20000", "")):
        building_profile_save(
            actor=None,
            building=building,
            gross_floor_area=Decimal(gross),
            land_area=Decimal(land) if land else None,
        )
    target_set_replace(actor=None, year=2012, buildings=[kunhe])
    target_set_replace(actor=None, year=2013, buildings=[kunhe, waijingmao])
    mine, other = world.scopes["enterprise"], world.scopes["other_enterprise"]
    floor = Floor.objects.create(building=kunhe, number=8)
    unit = Unit.objects.create(floor=floor, number="801", area=Decimal(500), state="occupied")
    occupancy_create(
        actor=None,
        enterprise=mine,
        building=kunhe,
        start=date(2010, 1, 1),
        area=Decimal(500),
        units=[unit],
    )
    occupancy_create(
        actor=None, enterprise=other, building=waijingmao, start=date(2010, 1, 1), area=Decimal(300)
    )
    # 坤和中心: 1,000,000 a month in 2013 (12 million: a 千万元楼), 500,000 in 2012.
    pay(mine, 2013, range(1, 13), "1000000")
    pay(mine, 2012, range(1, 13), "500000")
    # 外经贸广场: 100,000 a month in 2013, and some tax paid elsewhere that does not count.
    pay(other, 2013, range(1, 13), "100000")
    tax_record_save(
        actor=None,
        enterprise=other,
        year=2013,
        month=1,
        tax_type="cit",
        amount=Decimal("999999"),
        district_share=Decimal(0),
        paid_in_district=False,
    )
    return Economy(world=world, kunhe=kunhe, waijingmao=waijingmao, spare=spare)
