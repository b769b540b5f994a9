"""Matching reported locations to buildings, jurisdictions, and the public request set."""

from __future__ import annotations

import pytest

from louyu.api.open311 import selectors
from louyu.servicedesk.models import Channel
from louyu.servicedesk.services.requests import request_create

from .conftest import KUNHE_GCJ, KUNHE_WGS


@pytest.mark.django_db
class BuildingLocateTests:
    def test_it_finds_the_nearest_building_within_reach(self, catalog):
        assert selectors.building_near(*KUNHE_WGS) == catalog.building
        # Reported in GCJ-02 by mistake: ~520 m off, beyond the 500 m reach.
        assert selectors.building_near(float(KUNHE_GCJ[0]), float(KUNHE_GCJ[1])) is None

    def test_it_honours_the_reach_setting(self, catalog, settings):
        settings.LOUYU_OPEN311_MATCH_METRES = 600
        assert selectors.building_near(float(KUNHE_GCJ[0]), float(KUNHE_GCJ[1])) == catalog.building

    def test_it_stays_within_the_jurisdiction(self, catalog):
        assert selectors.building_near(*KUNHE_WGS, within=catalog.other_community) is None
        assert (
            selectors.building_by_id(str(catalog.building.pk), within=catalog.other_community)
            is None
        )
        assert selectors.building_by_id(str(catalog.building.pk)) == catalog.building
        assert selectors.building_by_id("x1") is None

    def test_it_matches_names_and_addresses(self, catalog):
        assert selectors.building_by_address("坤和中心 5楼") == catalog.building
        assert (
            selectors.building_by_address("杭州市下城区天目山路外经贸广场")
            == catalog.other_building
        )
        assert selectors.building_by_address("天目山路外经贸") == catalog.other_building
        assert selectors.building_by_address("西湖") is None
        assert selectors.building_by_address("  ") is None

    def test_it_gives_buildings_without_an_archive_their_name(self, world):
        place = selectors.building_place(world.building)
        assert (place.address, place.lat, place.long) == ("坤和中心", None, None)


@pytest.mark.django_db
class JurisdictionTests:
    def test_it_resolves_current_division_codes_only(self, catalog):
        assert selectors.open311_jurisdiction("330105") == catalog.nodes["district"]
        assert selectors.open311_jurisdiction("330103") is None  # merged away in 2021
        assert selectors.open311_jurisdiction("330103002001") == catalog.community


@pytest.mark.django_db
class PublicRequestsTests:
    def test_it_lists_catalog_requests_only(self, catalog):
        request_create(
            actor=catalog.enterprise,
            requester=catalog.enterprise,
            enterprise=catalog.scopes["enterprise"],
            title="随便问问",
            description="",
            channel=Channel.WEB,
        )
        assert not selectors.open311_requests().exists()

    def test_it_reads_a_page_in_a_fixed_number_of_queries(self, catalog, django_assert_num_queries):
        from louyu.api.open311.serializers import request_repr

        for _ in range(3):
            request_create(
                actor=catalog.clerk,
                requester=None,
                enterprise=None,
                title="路灯",
                description="",
                channel=Channel.COUNTER,
                service_item=catalog.light,
                building=catalog.building,
                form_data={"pole": "1"},
            )
        with django_assert_num_queries(1):
            rows = [request_repr(r) for r in selectors.open311_requests()]
        assert len(rows) == 3
