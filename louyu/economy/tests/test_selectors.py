from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from louyu.core.exceptions import ApplicationError
from louyu.economy.models import Floor, Unit
from louyu.economy.selectors import (
    DEFINITIONS,
    building_enterprise_tax,
    building_indicators,
    building_moves,
    building_tax_ranking,
    building_watch_list,
    definition_get,
    economy_breakdown,
    economy_summary,
    enterprise_tax_visible,
    enterprises_visible_to,
    get_enterprise_for_user,
    ranking_row,
    tax_concentration,
    tax_scope_for_user,
    tax_scope_paths,
    tier_near,
    tier_of,
)
from louyu.economy.services import enterprise_update, occupancy_create, occupancy_update
from louyu.economy.tests.conftest import industry

TOTAL = DEFINITIONS["total"]


class DefinitionTests:
    def test_the_default_is_a_setting(self, settings):
        assert definition_get().key == "total"
        settings.LOUYU_ECONOMY_DEFINITION = "district"
        assert definition_get().key == "district"

    def test_an_unknown_definition_is_refused(self):
        with pytest.raises(ApplicationError):
            definition_get("gross")

    def test_every_definition_names_and_describes_itself(self):
        for definition in DEFINITIONS.values():
            data = definition.as_dict()
            assert data["name"] and data["description"] and data["key"] == definition.key


class TierTests:
    @pytest.mark.parametrize(
        ("tax", "tier"),
        [
            (Decimal("9999999.99"), ""),
            (Decimal(10_000_000), "10m"),
            (Decimal(100_000_000), "100m"),
            (Decimal(999_999_999), "100m"),
            (Decimal(1_000_000_000), "1b"),
            (Decimal(10_000_000_000), "10b"),
        ],
    )
    def test_a_tier_is_the_highest_threshold_reached(self, tax, tier):
        assert tier_of(tax) == tier

    def test_near_tier_is_within_the_margin_of_the_next(self):
        assert tier_near(Decimal(80_000_000)) == "100m"
        assert tier_near(Decimal(79_999_999)) == ""
        assert tier_near(Decimal(50_000_000), Decimal("0.5")) == "100m"
        assert tier_near(Decimal(9_000_000)) == "10m"
        assert tier_near(Decimal(20_000_000_000)) == ""


class SummaryTests:
    def test_it_sums_the_target_buildings_of_the_year(self, economy):
        summary = economy_summary(
            year=2013, definition=TOTAL, paths=[economy.world.nodes["district"].path]
        )
        assert summary["building_count"] == 2
        assert summary["tax_total"] == Decimal("13200000.00")
        assert summary["tiers"] == {"10m": 1, "100m": 0, "1b": 0, "10b": 0}
        assert summary["definition"]["key"] == "total"

    def test_last_years_set_was_smaller(self, economy):
        summary = economy_summary(
            year=2012, definition=TOTAL, paths=[economy.world.nodes["district"].path]
        )
        assert summary["building_count"] == 1 and summary["tax_total"] == Decimal(6_000_000)

    def test_it_narrows_to_a_street(self, economy):
        summary = economy_summary(
            year=2013, definition=TOTAL, paths=[economy.world.nodes["other_street"].path]
        )
        assert summary["building_count"] == 1 and summary["tax_total"] == Decimal(1_200_000)


class RankingTests:
    def test_it_ranks_with_growth_and_per_area_figures(self, economy):
        rows = [
            ranking_row(row, TOTAL)
            for row in building_tax_ranking(
                year=2013, definition=TOTAL, paths=[economy.world.nodes["district"].path]
            )
        ]
        first, second = rows
        assert first["rank"] == 1 and first["building"]["name"] == "坤和中心"
        assert first["growth"] == Decimal("1.0000")  # 6 million → 12 million
        assert first["tier"] == "10m"
        assert first["tax_per_m2"] == Decimal("240.00")  # 12,000,000 / 50,000 m²
        # 6666.67 m² of land is 10.000005 mu.
        assert first["tax_per_mu"] == Decimal("1199999.40")
        assert second["rank"] == 2 and second["previous_tax"] is None
        assert second["growth"] is None and second["tax_per_mu"] is None
        assert second["near_tier"] == ""

    def test_the_watch_list_holds_buildings_near_100_million(self, economy):
        paths = [economy.world.nodes["district"].path]
        assert building_watch_list(year=2013, definition=TOTAL, paths=paths) == []
        watched = building_watch_list(
            year=2013, definition=TOTAL, paths=paths, margin=Decimal("0.1")
        )
        assert [row["building"]["name"] for row in watched] == ["坤和中心"]


class BreakdownTests:
    def test_it_drills_from_the_district_to_streets(self, economy):
        district = economy.world.nodes["district"]
        rows = economy_breakdown(year=2013, definition=TOTAL, node=district, paths=[district.path])
        assert [(r["node"]["name"], r["tax_total"]) for r in rows] == [
            ("武林街道", Decimal("12000000.00")),
            ("天水街道", Decimal("1200000.00")),
        ]
        assert rows[0]["tiers"]["10m"] == 1

    def test_a_building_is_its_own_only_row(self, economy):
        rows = economy_breakdown(
            year=2013, definition=TOTAL, node=economy.kunhe, paths=[economy.kunhe.path]
        )
        assert [r["node"]["name"] for r in rows] == ["坤和中心"]


class IndicatorTests:
    def test_it_computes_rates_areas_and_industry_mix(self, economy):
        world = economy.world
        mine = world.scopes["enterprise"]
        enterprise_update(actor=None, enterprise=mine, industry=industry("65"))
        other = world.scopes["other_enterprise"]
        enterprise_update(
            actor=None,
            enterprise=other,
            industry=industry("72"),
            registered_in_district=False,
            tax_in_district=False,
        )
        occupancy_create(
            actor=None,
            enterprise=other,
            building=economy.kunhe,
            start=date(2013, 1, 1),
            area=Decimal(100),
            intends_to_leave=True,
        )
        floor = Floor.objects.get(building=economy.kunhe)
        Unit.objects.create(floor=floor, number="802", area=Decimal(300), state="vacant")
        Unit.objects.create(floor=floor, number="803", area=Decimal(200), state="let_not_moved_in")
        figures = building_indicators(economy.kunhe, on=date(2013, 6, 1))
        assert figures["enterprises"] == 2
        assert figures["registration_rate"] == Decimal("0.5000")
        assert figures["tax_in_district_rate"] == Decimal("0.5000")
        assert figures["lettable_area"] == Decimal(1000)
        assert figures["occupancy_rate"] == Decimal("0.5000")
        assert figures["vacancy_rate"] == Decimal("0.5000")
        assert figures["vacant_area"] == Decimal(300)
        assert figures["let_not_moved_in_area"] == Decimal(200)
        assert figures["intends_to_leave_area"] == Decimal(100)
        assert figures["industry_hhi"] == Decimal("0.5000")
        assert figures["dominant_industry_share"] == Decimal("0.5000")

    def test_an_enterprise_that_moved_out_no_longer_counts(self, economy):
        (occupancy,) = economy.world.scopes["enterprise"].occupancies.all()
        occupancy_update(actor=None, occupancy=occupancy, end=date(2013, 3, 31))
        figures = building_indicators(economy.kunhe, on=date(2013, 6, 1))
        assert figures["enterprises"] == 0 and figures["registration_rate"] is None


class ScopeTests:
    def test_tax_roles_see_their_node(self, economy):
        world = economy.world
        assert tax_scope_paths(world.district) == [world.nodes["district"].path]
        assert tax_scope_paths(world.street) == [world.nodes["street"].path]
        assert tax_scope_paths(world.clerk) == [world.nodes["community"].path]
        for username in ("enterprise", "outsider", "association", "sysadmin", "handler_tax"):
            assert tax_scope_paths(world.users[username]) == []

    def test_asking_outside_ones_scope_is_not_found(self, economy):
        world = economy.world
        other = world.nodes["other_street"]
        assert tax_scope_for_user(world.district, street=other.pk) == [other.path]
        with pytest.raises(Http404):
            tax_scope_for_user(world.street, street=other.pk)
        with pytest.raises(Http404):
            tax_scope_for_user(world.outsider)
        # A community id passed as a street is no street.
        with pytest.raises(Http404):
            tax_scope_for_user(world.district, street=world.nodes["community"].pk)
        with pytest.raises(Http404):
            tax_scope_for_user(
                world.district,
                street=world.nodes["street"].pk,
                community=world.nodes["other_community"].pk,
            )


class EnterpriseDrillDownTests:
    def test_it_splits_a_buildings_tax_by_enterprise(self, economy):
        world = economy.world
        other = world.scopes["other_enterprise"]
        # The other enterprise moves its largest office into 坤和中心 from July.
        occupancy_create(
            actor=None,
            enterprise=other,
            building=economy.kunhe,
            start=date(2013, 7, 1),
            area=Decimal(1000),
        )
        rows = building_enterprise_tax(economy.kunhe, year=2013, definition=TOTAL)
        assert [(r["enterprise"]["name"], r["tax"]) for r in rows] == [
            ("杭州坤和科技有限公司", Decimal("12000000.00")),
            ("杭州外经贸咨询有限公司", Decimal("600000.00")),
        ]
        assert tax_concentration(rows, top=1) == Decimal("0.9524")
        assert tax_concentration([], top=1) is None

    def test_it_counts_moves_by_month(self, economy):
        (occupancy,) = economy.world.scopes["enterprise"].occupancies.all()
        occupancy_update(actor=None, occupancy=occupancy, end=date(2013, 5, 31))
        occupancy_create(
            actor=None,
            enterprise=economy.world.scopes["other_enterprise"],
            building=economy.kunhe,
            start=date(2013, 5, 2),
            area=Decimal(80),
        )
        may = building_moves(economy.kunhe, year=2013)[4]
        assert may == {
            "month": 5,
            "moved_in": 1,
            "moved_in_area": Decimal(80),
            "moved_out": 1,
            "moved_out_area": Decimal(500),
        }
        assert sum(m["moved_in"] for m in building_moves(economy.kunhe, year=2010)) == 1


class EnterpriseAccessTests:
    def test_staff_see_their_subtree_and_contacts_their_own(self, economy):
        world = economy.world
        mine, other = world.scopes["enterprise"], world.scopes["other_enterprise"]
        seen = {
            username: set(enterprises_visible_to(world.users[username]))
            for username in ("district", "street", "clerk", "enterprise", "employee", "outsider")
        }
        assert seen["district"] == {mine, other}
        assert seen["street"] == seen["clerk"] == seen["enterprise"] == seen["employee"] == {mine}
        assert seen["outsider"] == {other}
        for username in ("association", "sysadmin", "auditor", "handler_tax", "nobody"):
            assert not enterprises_visible_to(world.users[username]).exists(), username

    def test_the_access_helper_answers_404_for_others(self, economy):
        world = economy.world
        mine = world.scopes["enterprise"]
        assert get_enterprise_for_user(world.enterprise, mine.pk) == mine
        assert get_enterprise_for_user(world.clerk, mine.pk, write=True) == mine
        with pytest.raises(Http404):
            get_enterprise_for_user(world.outsider, mine.pk)
        with pytest.raises(Http404):
            get_enterprise_for_user(world.enterprise, mine.pk, write=True)

    def test_tax_is_for_tax_viewers_and_the_own_contact(self, economy):
        world = economy.world
        mine = world.scopes["enterprise"]
        allowed = {"district", "street", "clerk", "enterprise"}
        for username, user in world.users.items():
            assert enterprise_tax_visible(user, mine) == (username in allowed), username
