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
        # Session, user, roles, 2FA device, idle-timeout save (5); scope (2); figures (2).
        with django_assert_num_queries(11):
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
        # Session, user (2); scope (2); count and page (2): however many rows.
        with django_assert_num_queries(6):
            assert client.get(RANKING, {"year": 2013}).status_code == 200
        target_set_replace(
            actor=None, year=2013, buildings=[economy.kunhe, economy.waijingmao, economy.spare]
        )
        with django_assert_num_queries(6):
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
