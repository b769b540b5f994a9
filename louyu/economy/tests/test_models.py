from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError

from louyu.economy.industry_data import DIVISIONS, SECTIONS, VERSION
from louyu.economy.models import Enterprise, Industry, Occupancy, TaxRecord
from louyu.economy.services import industry_load


class IndustryTests:
    def test_it_ships_every_section_and_division_with_its_version(self, db):
        industry_load()
        rows = Industry.objects.filter(version=VERSION)
        assert rows.filter(level="section").count() == len(SECTIONS) == 20
        assert rows.filter(level="division").count() == len(DIVISIONS) == 97
        estate = rows.get(code="70")
        assert estate.parent.code == "K" and estate.is_real_estate
        assert not rows.get(code="72").is_real_estate

    def test_loading_again_adds_nothing(self, db):
        industry_load()
        assert industry_load() == 0


class EnterpriseTests:
    def test_two_new_means_economic_or_social(self):
        assert Enterprise(organization_type="economic").is_two_new
        assert Enterprise(organization_type="social").is_two_new
        assert not Enterprise(organization_type="other").is_two_new


class ConstraintTests:
    def test_an_occupancy_cannot_end_before_it_starts(self, world):
        with pytest.raises(IntegrityError):
            Occupancy.objects.create(
                enterprise=world.scopes["enterprise"],
                building=world.nodes["building"],
                start=date(2013, 5, 1),
                end=date(2013, 4, 1),
                area=Decimal(1),
            )

    def test_a_tax_record_is_unique_on_its_natural_key(self, world):
        values = {
            "enterprise": world.scopes["enterprise"],
            "year": 2013,
            "month": 1,
            "tax_type": "vat",
            "amount": Decimal(1),
            "district_share": Decimal(0),
        }
        TaxRecord.objects.create(**values)
        with pytest.raises(IntegrityError):
            TaxRecord.objects.create(**values)
