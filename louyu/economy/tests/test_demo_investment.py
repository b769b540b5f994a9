"""The demo's warnings, vacancies and leads (economy/demo_investment.py), on the test world
grown with a few more enterprises and vacant units; the full seed is covered by core's
test_seed_demo (which runs it)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from stdnum.cn import uscc

from louyu.economy.demo_investment import LEAD_STAGES, demo_investment_seed
from louyu.economy.models import (
    EnterpriseAddressChange,
    EnterpriseWarning,
    Floor,
    InvestmentLead,
    Unit,
    VacancyListing,
)
from louyu.economy.selectors import definition_get, economy_summary
from louyu.economy.services import enterprise_create, occupancy_create

TODAY = date(2014, 3, 1)


@pytest.fixture
def grown(economy):
    cache.clear()
    for index in range(60):
        body = f"91330103MA2D{index:04d}X"
        firm = enterprise_create(
            actor=None, credit_code=body + uscc.calc_check_digit(body), name=f"演示企业{index}"
        )
        building = economy.kunhe if index % 2 else economy.waijingmao
        occupancy_create(
            actor=None, enterprise=firm, building=building, start=date(2011, 1, 1), area=Decimal(80)
        )
    for building in (economy.kunhe, economy.waijingmao):
        for number in range(10, 16):
            floor = Floor.objects.create(building=building, number=number)
            for unit in ("01", "02"):
                Unit.objects.create(
                    floor=floor, number=f"{number}{unit}", area=Decimal(150), state="vacant"
                )
    return economy


def snapshot() -> tuple:
    return (
        sorted(VacancyListing.objects.values_list("title", "price", "published", "status")),
        sorted(InvestmentLead.objects.values_list("company", "stage", "area_min")),
        sorted(EnterpriseWarning.objects.values_list("enterprise__name", "grade")),
    )


@pytest.mark.django_db
class DemoInvestmentTests:
    def test_it_writes_warnings_listings_and_leads_without_touching_2013(self, grown):
        before = economy_summary(year=2013, definition=definition_get("total"), paths=["/"])
        counts = demo_investment_seed(today=TODAY)
        assert counts["vacancy_listings"] == VacancyListing.objects.count() > 0
        assert counts["investment_leads"] == 40
        assert Counter(InvestmentLead.objects.values_list("stage", flat=True)) == Counter(
            LEAD_STAGES
        )
        assert VacancyListing.objects.filter(published=True).exists()
        assert all(listing.units.exists() for listing in VacancyListing.objects.all())
        grades = set(EnterpriseWarning.objects.values_list("grade", flat=True))
        assert {1, 2, 3, 4} <= grades
        assert EnterpriseAddressChange.objects.exists()
        after = economy_summary(year=2013, definition=definition_get("total"), paths=["/"])
        assert after == before

    def test_it_is_deterministic(self, grown):
        demo_investment_seed(today=TODAY)
        first = snapshot()
        VacancyListing.objects.all().delete()
        InvestmentLead.objects.all().delete()
        assert [r[:2] for r in first[0]] and first[1]
        demo_investment_seed(today=TODAY)
        second = snapshot()
        assert second[0] == first[0] and second[1] == first[1]
