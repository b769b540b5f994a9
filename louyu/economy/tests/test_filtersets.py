"""The FilterSets behind the building directory and the enterprise list: pinyin search
("khzx", "kunhe", "坤和"), pinyin order, filters, and tier/tax order only where tax is shown."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from louyu.economy.filtersets import BuildingFilterSet, EnterpriseFilterSet
from louyu.economy.selectors import building_directory, definition_get, enterprises_visible_to
from louyu.economy.services import building_profile_save, enterprise_update


def buildings(user, **params) -> list[str]:
    request = RequestFactory().get("/", params)
    request.user = user
    queryset = building_directory(user, year=2013, definition=definition_get("total"))
    return [b.name for b in BuildingFilterSet(params, queryset=queryset, request=request).qs]


def enterprises(user, **params) -> list[str]:
    queryset = enterprises_visible_to(user)
    return [e.name for e in EnterpriseFilterSet(params, queryset=queryset).qs]


class BuildingFilterSetTests:
    def test_it_finds_a_building_by_name_full_pinyin_or_initials(self, economy):
        anonymous = AnonymousUser()
        for query in ("khzx", "kunhe", "坤和", "KHZX", "kunhezhongxin", "kun zhongxin", " 坤和 "):
            assert buildings(anonymous, q=query) == ["坤和中心"], query
        assert buildings(anonymous, q="zjswjmgc") == ["浙江省外经贸广场"]
        assert buildings(anonymous, q="kunhe waijingmao") == []
        assert buildings(anonymous, q="xyz") == []

    def test_it_finds_a_building_by_its_alias(self, economy):
        building_profile_save(actor=None, building=economy.spare, aliases=["金华大厦"])
        assert buildings(AnonymousUser(), q="jhds") == ["备用大厦"]

    def test_it_orders_by_pinyin_by_default(self, economy):
        # bei-yong, kun-he, zhe-jiang: pinyin order, not code-point order.
        assert buildings(AnonymousUser()) == ["备用大厦", "坤和中心", "浙江省外经贸广场"]
        assert buildings(AnonymousUser(), sort="-name") == [
            "浙江省外经贸广场",
            "坤和中心",
            "备用大厦",
        ]

    def test_it_filters_by_street_community_and_target_year(self, economy):
        world = economy.world
        user = AnonymousUser()
        assert buildings(user, street=world.nodes["other_street"].pk) == ["浙江省外经贸广场"]
        assert buildings(user, community=world.nodes["community"].pk) == ["备用大厦", "坤和中心"]
        assert buildings(user, target_year=2013) == ["坤和中心", "浙江省外经贸广场"]

    def test_tiers_and_tax_order_use_only_the_tax_the_user_may_see(self, economy):
        world = economy.world
        assert buildings(world.district, tier="10m") == ["坤和中心"]
        assert buildings(world.district, sort="-tax") == [
            "坤和中心",
            "浙江省外经贸广场",
            "备用大厦",
        ]
        # The street cadre sees no tax for 外经贸广场 (another street): it sorts with the blanks.
        assert buildings(world.street, sort="-tax") == ["坤和中心", "备用大厦", "浙江省外经贸广场"]
        assert buildings(AnonymousUser(), tier="10m") == []

    def test_it_lists_buildings_near_the_next_tier(self, economy, settings):
        settings.LOUYU_ECONOMY_WATCH_MARGIN = "0.1"
        assert buildings(economy.world.district, tier="near_100m") == ["坤和中心"]
        # 外经贸广场 (1.2 million) is within 1% of 100 million too, but it is not a 千万元楼:
        # it is near the 10-million tier, not 准亿元楼 (as selectors.tier_near says).
        settings.LOUYU_ECONOMY_WATCH_MARGIN = "0.01"
        assert buildings(economy.world.district, tier="near_100m") == ["坤和中心"]
        settings.LOUYU_ECONOMY_WATCH_MARGIN = "0.8"
        assert buildings(economy.world.district, tier="near_100m") == []


class EnterpriseFilterSetTests:
    def test_it_finds_an_enterprise_by_pinyin_former_name_or_credit_code(self, economy):
        district = economy.world.district
        enterprise_update(
            actor=None, enterprise=economy.world.scopes["enterprise"], name="坤和数字科技有限公司"
        )
        for query in ("khsz", "kunhe", "杭州坤和", "hzkhkj", "91330103ma2cfk1a3r"):
            assert enterprises(district, q=query) == ["坤和数字科技有限公司"], query

    def test_it_filters_by_flags_section_and_place(self, economy):
        world = economy.world
        other = world.scopes["other_enterprise"]
        enterprise_update(actor=None, enterprise=other, tax_in_district=False)
        district = world.district
        assert enterprises(district, tax_in_district="false") == ["杭州外经贸咨询有限公司"]
        assert enterprises(district, tax_in_district="true") == ["杭州坤和科技有限公司"]
        assert enterprises(district, building=economy.kunhe.pk) == ["杭州坤和科技有限公司"]
        assert enterprises(district, street=world.nodes["other_street"].pk) == [other.name]
        assert enterprises(district, status="deregistered") == []

    def test_it_never_widens_the_users_scope(self, economy):
        world = economy.world
        assert enterprises(world.clerk) == ["杭州坤和科技有限公司"]
        assert enterprises(world.clerk, street=world.nodes["other_street"].pk) == []
        assert enterprises(world.outsider, q="kunhe") == []
