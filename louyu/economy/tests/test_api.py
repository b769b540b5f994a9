from louyu.economy.services import target_set_replace
from louyu.testing import assert_access_matrix

SUMMARY = "/api/v1/economy/summary/"
RANKING = "/api/v1/economy/ranking/"
BREAKDOWN = "/api/v1/economy/breakdown/"
TAX_VIEWERS = {"district", "street", "clerk"}


class SummaryApiTests:
    def test_it_answers_the_contract(self, economy):
        response = economy.world.client_for("district").get(SUMMARY, {"year": 2013})
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"year", "building_count", "tax_total", "tiers", "definition"}
        assert body["year"] == 2013 and body["building_count"] == 2
        assert body["tax_total"] == "13200000.00"
        assert body["tiers"] == {"10m": 1, "100m": 0, "1b": 0, "10b": 0}
        assert body["definition"]["key"] == "total" and body["definition"]["name"]

    def test_it_takes_a_definition_and_a_street(self, economy):
        client = economy.world.client_for("district")
        street = economy.world.nodes["other_street"].pk
        body = client.get(SUMMARY, {"year": 2013, "definition": "district", "street": street})
        assert body.json()["tax_total"] == "480000.00"
        assert body.json()["definition"]["key"] == "district"

    def test_only_tax_viewers_see_it(self, economy):
        assert_access_matrix(economy.world, "get", f"{SUMMARY}?year=2013", allowed=TAX_VIEWERS)

    def test_a_street_cadre_sees_only_their_street(self, economy):
        world = economy.world
        client = world.client_for("street")
        assert client.get(SUMMARY, {"year": 2013}).json()["tax_total"] == "12000000.00"
        other = world.nodes["other_street"].pk
        assert client.get(SUMMARY, {"year": 2013, "street": other}).status_code == 404

    def test_bad_parameters_answer_400_in_the_error_shape(self, economy):
        client = economy.world.client_for("district")
        response = client.get(SUMMARY, {"year": "x"})
        assert response.status_code == 400 and "error" in response.json()
        response = client.get(SUMMARY, {"year": 2013, "definition": "gross"})
        assert response.status_code == 400 and "error" in response.json()
        assert client.get(SUMMARY).status_code == 400

    def test_it_answers_in_a_fixed_number_of_queries(self, economy, django_assert_num_queries):
        client = economy.world.client_for("district")
        # Session, user, roles, 2FA device, idle-timeout save (5); scope (1); figures (1).
        with django_assert_num_queries(9):
            assert client.get(SUMMARY, {"year": 2013}).status_code == 200


class RankingApiTests:
    def test_it_ranks_the_target_buildings(self, economy):
        response = economy.world.client_for("district").get(RANKING, {"year": 2013})
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [(r["rank"], r["building"]["name"], r["tax"]) for r in rows] == [
            (1, "坤和中心", "12000000.00"),
            (2, "浙江省外经贸广场", "1200000.00"),
        ]
        assert rows[0]["growth"] == "1.0000" and rows[0]["tier"] == "10m"

    def test_only_tax_viewers_see_it(self, economy):
        assert_access_matrix(economy.world, "get", f"{RANKING}?year=2013", allowed=TAX_VIEWERS)

    def test_it_answers_in_a_fixed_number_of_queries(self, economy, django_assert_num_queries):
        client = economy.world.client_for("district")
        client.get(RANKING, {"year": 2013})  # the session's first request also saves it
        # Session, user (2); scope (1); the page and its count in one query: however many rows.
        with django_assert_num_queries(4):
            assert client.get(RANKING, {"year": 2013}).status_code == 200
        target_set_replace(
            actor=None, year=2013, buildings=[economy.kunhe, economy.waijingmao, economy.spare]
        )
        with django_assert_num_queries(4):
            assert len(client.get(RANKING, {"year": 2013}).json()["results"]) == 3


class BreakdownApiTests:
    def test_it_drills_down_from_the_callers_scope(self, economy):
        world = economy.world
        rows = world.client_for("district").get(BREAKDOWN, {"year": 2013}).json()
        assert [row["node"]["name"] for row in rows] == ["武林街道", "天水街道"]
        rows = world.client_for("clerk").get(BREAKDOWN, {"year": 2013}).json()
        assert [(row["node"]["name"], row["tax_total"]) for row in rows] == [
            ("坤和中心", "12000000.00")
        ]

    def test_only_tax_viewers_see_it(self, economy):
        assert_access_matrix(economy.world, "get", f"{BREAKDOWN}?year=2013", allowed=TAX_VIEWERS)


WATCH = "/api/v1/economy/watch-list/"
DRILLDOWN = "/api/v1/economy/drilldown/"
TREND = "/api/v1/economy/trend/"


def building_url(economy, what: str, building=None) -> str:
    return f"/api/v1/economy/buildings/{(building or economy.kunhe).pk}/{what}/"


class RankingPageTests:
    def test_it_pages_with_the_count_from_the_same_query(self, economy):
        client = economy.world.client_for("district")
        body = client.get(RANKING, {"year": 2013, "page_size": 1}).json()
        assert body["count"] == 2 and len(body["results"]) == 1
        assert body["previous"] is None and "page=2" in body["next"]
        assert body["definition"]["key"] == "total"
        second = client.get(RANKING, {"year": 2013, "page_size": 1, "page": 2}).json()
        assert second["next"] is None and second["previous"] is not None
        assert second["results"][0]["building"]["name"] == "浙江省外经贸广场"
        assert client.get(RANKING, {"year": 2013, "page": 3}).status_code == 404
        assert client.get(RANKING, {"year": 2013, "page": "x"}).status_code == 404

    def test_an_empty_year_has_no_rows(self, economy):
        body = economy.world.client_for("district").get(RANKING, {"year": 2011}).json()
        assert body["count"] == 0 and body["results"] == []


class WatchListApiTests:
    def test_it_lists_buildings_near_100_million(self, economy):
        client = economy.world.client_for("district")
        assert client.get(WATCH, {"year": 2013}).json()["results"] == []
        body = client.get(WATCH, {"year": 2013, "margin": "0.1"}).json()
        assert [r["building"]["name"] for r in body["results"]] == ["坤和中心"]
        assert body["results"][0]["near_tier"] == "100m" and body["definition"]["key"] == "total"
        assert client.get(WATCH, {"year": 2013, "margin": "2"}).status_code == 400

    def test_only_tax_viewers_see_it(self, economy):
        assert_access_matrix(economy.world, "get", f"{WATCH}?year=2013", allowed=TAX_VIEWERS)


class DrilldownApiTests:
    def test_it_goes_from_the_district_down_to_the_enterprises(self, economy):
        world = economy.world
        client = world.client_for("district")
        body = client.get(DRILLDOWN, {"year": 2013}).json()
        assert body["level"] == "street" and body["node"]["kind"] == "district"
        assert [r["node"]["name"] for r in body["rows"]] == ["武林街道", "天水街道"]
        assert body["tax_total"] == "13200000.00" and body["definition"]["key"] == "total"
        street = client.get(DRILLDOWN, {"year": 2013, "node": world.nodes["street"].pk}).json()
        assert street["level"] == "community"
        community = world.nodes["community"].pk
        body = client.get(DRILLDOWN, {"year": 2013, "node": community}).json()
        assert body["level"] == "building"
        assert [r["node"]["name"] for r in body["rows"]] == ["坤和中心"]
        body = client.get(
            DRILLDOWN, {"year": 2013, "node": economy.kunhe.pk, "definition": "district"}
        ).json()
        assert body["level"] == "enterprise" and body["top_share"] == "1.0000"
        assert body["rows"] == [
            {
                "enterprise": {"id": world.scopes["enterprise"].pk, "name": "杭州坤和科技有限公司"},
                "tax": "4800000.00",
                "share": "1.0000",
                "definition": "district",
            }
        ]

    def test_a_node_outside_ones_scope_is_not_found(self, economy):
        world = economy.world
        client = world.client_for("street")
        other = world.nodes["other_street"].pk
        assert client.get(DRILLDOWN, {"year": 2013, "node": other}).status_code == 404
        building = economy.waijingmao.pk
        assert client.get(DRILLDOWN, {"year": 2013, "node": building}).status_code == 404
        assert client.get(DRILLDOWN, {"year": 2013, "node": 999999}).status_code == 404
        body = world.client_for("clerk").get(DRILLDOWN, {"year": 2013}).json()
        assert body["node"]["name"] == "环西楼宇社区"

    def test_only_tax_viewers_see_it(self, economy):
        url = f"{DRILLDOWN}?year=2013&node={economy.kunhe.pk}"
        assert_access_matrix(economy.world, "get", url, allowed=TAX_VIEWERS)


class TrendApiTests:
    def test_it_gives_tax_by_year_for_a_node(self, economy):
        client = economy.world.client_for("district")
        body = client.get(TREND).json()
        assert body["node"]["kind"] == "district" and body["definition"]["key"] == "total"
        assert [
            (r["year"], r["building_count"], r["tax_total"], r["growth"]) for r in body["years"]
        ] == [
            (2012, 1, "6000000.00", None),
            (2013, 2, "13200000.00", "1.2000"),
        ]
        body = client.get(TREND, {"node": economy.kunhe.pk, "since": 2013}).json()
        assert [(r["year"], r["tax_total"]) for r in body["years"]] == [(2013, "12000000.00")]

    def test_only_tax_viewers_see_it(self, economy):
        url = f"{TREND}?node={economy.kunhe.pk}"
        assert_access_matrix(economy.world, "get", url, allowed=TAX_VIEWERS)


class BuildingApiTests:
    def test_it_gives_a_buildings_figures(self, economy):
        client = economy.world.client_for("district")
        body = client.get(building_url(economy, "figures"), {"year": 2013}).json()
        assert body["rank"] == 1 and body["tax"] == "12000000.00" and body["is_target"]
        assert body["tax_per_m2"] == "240.00" and body["tax_per_mu"] == "1199999.40"
        assert body["growth"] == "1.0000" and body["definition"] == "total"
        body = client.get(building_url(economy, "figures", economy.spare), {"year": 2013}).json()
        assert body["rank"] is None and not body["is_target"] and body["tax"] == "0.00"

    def test_it_gives_rates_areas_and_the_industry_mix(self, economy):
        client = economy.world.client_for("clerk")
        body = client.get(building_url(economy, "indicators"), {"on": "2013-06-01"}).json()
        assert body["enterprises"] == 1 and body["registration_rate"] == "1.0000"
        assert body["lettable_area"] == "500.00" and body["occupancy_rate"] == "1.0000"
        assert body["industry_mix"] == [] and body["basis"]["tax_per_mu"]
        assert client.get(building_url(economy, "indicators"), {"on": "x"}).status_code == 400

    def test_it_counts_moves_by_month(self, economy):
        client = economy.world.client_for("street")
        body = client.get(building_url(economy, "moves"), {"year": 2010}).json()
        assert body["months"][0] == {
            "month": 1,
            "moved_in": 1,
            "moved_in_area": "500.00",
            "moved_out": 0,
            "moved_out_area": "0.00",
        }
        assert body["basis"]

    def test_only_tax_viewers_of_the_building_see_it(self, economy):
        for what, query in (
            ("figures", "year=2013"),
            ("indicators", "on=2013-06-01"),
            ("moves", "year=2013"),
        ):
            url = f"{building_url(economy, what)}?{query}"
            assert_access_matrix(economy.world, "get", url, allowed=TAX_VIEWERS)
        other = f"{building_url(economy, 'figures', economy.waijingmao)}?year=2013"
        assert economy.world.client_for("street").get(other).status_code == 404
        street = economy.world.nodes["street"].pk
        url = f"/api/v1/economy/buildings/{street}/figures/?year=2013"
        assert economy.world.client_for("district").get(url).status_code == 404


class EnterpriseTaxApiTests:
    def test_the_contact_sees_its_own_enterprises_tax(self, economy):
        mine = economy.world.scopes["enterprise"]
        url = f"/api/v1/economy/enterprises/{mine.pk}/tax/"
        body = economy.world.client_for("enterprise").get(url, {"year": 2013}).json()
        assert body["amount"] == "12000000.00" and body["district_share"] == "4800000.00"
        assert body["months"][0]["amount"] == "1000000.00" and body["basis"]

    def test_tax_paid_elsewhere_is_told_apart(self, economy):
        other = economy.world.scopes["other_enterprise"]
        url = f"/api/v1/economy/enterprises/{other.pk}/tax/"
        body = economy.world.client_for("district").get(url, {"year": 2013}).json()
        assert body["amount"] == "2199999.00" and body["in_district"] == "1200000.00"

    def test_only_tax_viewers_and_the_contact_see_it(self, economy):
        mine = economy.world.scopes["enterprise"]
        url = f"/api/v1/economy/enterprises/{mine.pk}/tax/?year=2013"
        assert_access_matrix(economy.world, "get", url, allowed=TAX_VIEWERS | {"enterprise"})


class QueryCountTests:
    def test_the_drilldown_and_trend_answer_in_fixed_numbers_of_queries(
        self, economy, django_assert_num_queries
    ):
        client = economy.world.client_for("district")
        client.get(TREND)  # the session's first request also saves it
        # Session, user (2); scope, node (2); counts and totals (2): however many years.
        with django_assert_num_queries(6):
            assert client.get(TREND).status_code == 200
        # Session, user (2); scope, node (2); rows and child names (2).
        with django_assert_num_queries(6):
            assert client.get(DRILLDOWN, {"year": 2013}).status_code == 200
        # … and under a building: occupants, their spans, tax records, names (4).
        with django_assert_num_queries(8):
            query = {"year": 2013, "node": economy.kunhe.pk}
            assert client.get(DRILLDOWN, query).status_code == 200
