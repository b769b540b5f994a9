from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from louyu.servicedesk.models import Category, ServiceItem
from louyu.servicedesk.services.catalog import service_item_save
from louyu.testing import World


@dataclass
class Desk:
    world: World
    item: ServiceItem
    safety_item: ServiceItem

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


@pytest.fixture
def desk(world) -> Desk:
    """The test world plus a tax catalog item (promised 3 working days, one extra field) and
    an urgent safety item."""
    item = service_item_save(
        actor=None,
        code="tax-invoice",
        name="发票领用",
        category=Category.ECONOMY,
        lead_department=world.tax,
        statutory_days=10,
        promised_days=3,
        documents=[{"name": "营业执照副本", "original": True}],
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
        ],
    )
    safety = service_item_save(
        actor=None,
        code="fire-hazard",
        name="消防隐患报告",
        category=Category.GOVERNANCE,
        lead_department=world.tax,
        statutory_days=2,
        promised_days=1,
        urgent=True,
    )
    return Desk(world=world, item=item, safety_item=safety)


@pytest.fixture
def fixed_today(monkeypatch):
    """Pin 'today' (timezone.localdate) to a given date for deadline tests."""

    real = timezone.localdate

    def pin(day: date) -> None:
        def localdate(value=None, timezone=None):  # type: ignore[no-untyped-def]
            return day if value is None else real(value, timezone)

        monkeypatch.setattr(timezone, "localdate", localdate)

    return pin
