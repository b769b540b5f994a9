"""Fixtures for the Open311 tests: a small catalog over the shared test world, building
archives with GCJ-02 coordinates, and api_keys for an enterprise contact, a clerk and the
outsider (whose key is bound to the other building community)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache

from louyu.api.models import Open311Key
from louyu.api.open311.services import open311_key_create
from louyu.core.models import DivisionCode
from louyu.economy.models import BuildingProfile
from louyu.servicedesk.models import Category, Department, ServiceItem
from louyu.servicedesk.services.catalog import service_item_save
from louyu.testing import World

# 坤和中心 in GCJ-02 (as Chinese web maps give it) and the same point in WGS84.
KUNHE_GCJ = (Decimal("30.276500"), Decimal("120.163800"))
KUNHE_WGS = (30.278836, 120.159117)


@dataclass
class Catalog:
    world: World
    invoice: ServiceItem  # batch (代办), four extra fields, two documents
    hazard: ServiceItem  # realtime, urgent, no fields
    light: ServiceItem  # realtime, one required text field
    keys: dict[str, tuple[Open311Key, str]]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)

    def key(self, username: str) -> str:
        return self.keys[username][1]


def build_catalog(world: World) -> Catalog:
    urban = Department.objects.create(code="urban", name="城市管理局")
    DivisionCode.objects.create(
        node=world.community, code="330103002001", valid_from=date(2010, 1, 1)
    )
    BuildingProfile.objects.create(
        building=world.building,
        address="杭州市下城区环城西路坤和中心",
        latitude=KUNHE_GCJ[0],
        longitude=KUNHE_GCJ[1],
        datum=BuildingProfile.Datum.GCJ02,
    )
    BuildingProfile.objects.create(
        building=world.other_building,
        address="杭州市下城区天目山路外经贸广场",
        latitude=Decimal("30.290000"),
        longitude=Decimal("120.140000"),
    )
    invoice = service_item_save(
        actor=None,
        code="tax-invoice",
        name="发票领用",
        category=Category.ECONOMY,
        description="增值税发票的领用与代办。",
        lead_department=world.tax,
        statutory_days=10,
        promised_days=3,
        documents=[{"name": "营业执照副本", "original": True}, {"name": "经办人身份证"}],
        proxy_offered=True,
        form_fields=[
            {
                "code": "invoice_kind",
                "label": "发票种类",
                "datatype": "singlevaluelist",
                "required": True,
                "values": [
                    {"key": "vat", "name": "增值税专用发票"},
                    {"key": "plain", "name": "普通发票"},
                ],
            },
            {"code": "count", "label": "份数", "datatype": "number"},
            {"code": "pickup", "label": "领取日期", "datatype": "date"},
            {
                "code": "needs",
                "label": "其他需要",
                "datatype": "multivaluelist",
                "values": [{"key": "mail", "name": "邮寄"}, {"key": "stamp", "name": "盖章"}],
            },
        ],
    )
    hazard = service_item_save(
        actor=None,
        code="fire-hazard",
        name="消防隐患报告",
        category=Category.GOVERNANCE,
        lead_department=world.tax,
        statutory_days=2,
        promised_days=1,
        urgent=True,
    )
    light = service_item_save(
        actor=None,
        code="street-light",
        name="路灯报修",
        category=Category.URBAN,
        lead_department=urban,
        statutory_days=5,
        promised_days=3,
        form_fields=[{"code": "pole", "label": "灯杆编号", "datatype": "string", "required": True}],
    )
    keys = {
        "enterprise": open311_key_create(actor=None, user=world.enterprise, name="企业App"),
        "clerk": open311_key_create(actor=None, user=world.clerk, name="服务中心前台"),
        "outsider": open311_key_create(
            actor=None, user=world.outsider, jurisdiction=world.other_community
        ),
    }
    return Catalog(world=world, invoice=invoice, hazard=hazard, light=light, keys=keys)


@pytest.fixture
def catalog(world) -> Catalog:
    return build_catalog(world)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counts live in the cache; each test starts from none."""
    cache.clear()
    yield
    cache.clear()
