from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from louyu.api.services import token_issue
from louyu.core.models import DivisionCode, Node
from louyu.core.services import node_create
from louyu.testing import assert_access_matrix

# Everyone whose jurisdiction, party organization or enterprise lies over 坤和中心.
SEES_KUNHE = {
    "district",
    "street",
    "clerk",
    "party_officer",
    "association",
    "enterprise",
    "employee",
    "sysadmin",
    "secadmin",
    "auditor",
}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def detail_url(node):
    return f"/api/v1/nodes/{node.pk}/"


@pytest.mark.django_db
class NodeViewSetTests:
    def test_it_refuses_anonymous_callers_with_401(self, world):
        for url in ("/api/v1/nodes/", detail_url(world.nodes["building"])):
            response = APIClient().get(url)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "not_authenticated"

    def test_it_applies_the_access_matrix_to_a_building(self, world):
        assert_access_matrix(world, "get", detail_url(world.nodes["building"]), allowed=SEES_KUNHE)

    def test_it_answers_404_in_the_error_shape_for_a_node_that_is_not_yours(self, world):
        client = client_for(world.users["outsider"])
        hidden = client.get(detail_url(world.nodes["building"]), HTTP_ACCEPT_LANGUAGE="en")
        missing = client.get("/api/v1/nodes/999999/", HTTP_ACCEPT_LANGUAGE="en")
        assert hidden.status_code == missing.status_code == 404
        assert (
            hidden.json()
            == missing.json()
            == {"error": {"code": "not_found", "message": "Not found."}}
        )

    def test_it_shows_the_clerk_their_building(self, world):
        building = world.nodes["building"]
        body = client_for(world.users["clerk"]).get(detail_url(building)).json()
        assert body == {
            "id": building.pk,
            "kind": "building",
            "kind_display": body["kind_display"],
            "name": "坤和中心",
            "parent": world.nodes["community"].pk,
            "is_target": True,
            "division_code": building.current_code(),
        }

    def test_it_lists_only_the_callers_nodes(self, world):
        body = client_for(world.users["clerk"]).get("/api/v1/nodes/").json()
        assert [row["name"] for row in body["results"]] == ["环西楼宇社区", "坤和中心"]
        outsider = client_for(world.users["outsider"]).get("/api/v1/nodes/").json()
        assert [row["name"] for row in outsider["results"]] == ["浙江省外经贸广场"]

    def test_it_gives_a_user_without_roles_an_empty_list(self, world):
        body = client_for(world.users["nobody"]).get("/api/v1/nodes/").json()
        assert body == {"count": 0, "next": None, "previous": None, "results": []}

    def test_it_includes_the_division_code_valid_today(self, world):
        building = world.nodes["building"]
        DivisionCode.objects.create(
            node=building,
            code="330103001001",
            valid_from=date(2000, 1, 1),
            valid_to=date(2020, 12, 31),
        )
        DivisionCode.objects.create(node=building, code="330105001001", valid_from=date(2021, 1, 1))
        client = client_for(world.users["district"])
        body = client.get("/api/v1/nodes/", {"page_size": 200}).json()
        codes = {row["id"]: row["division_code"] for row in body["results"]}
        assert codes[building.pk] == "330105001001"
        assert codes == {pk: Node.objects.get(pk=pk).current_code() for pk in codes}
        assert client.get(detail_url(building)).json()["division_code"] == "330105001001"

    def test_it_filters_by_kind_parent_target_and_name(self, world):
        client = client_for(world.users["district"])

        def names(**params):
            results = client.get("/api/v1/nodes/", params).json()["results"]
            return {row["name"] for row in results}

        assert names(kind="street") == {"武林街道", "天水街道"}
        assert names(parent=world.nodes["street"].pk) == {"环西楼宇社区"}
        assert names(is_target="true") == {"坤和中心", "浙江省外经贸广场"}
        assert names(q="楼宇社区") == {"环西楼宇社区", "天水楼宇社区"}
        assert names(kind="building", q="坤和") == {"坤和中心"}

    def test_it_never_reveals_a_hidden_parent_through_the_filter(self, world):
        client = client_for(world.users["outsider"])
        response = client.get("/api/v1/nodes/", {"parent": world.nodes["community"].pk})
        assert response.status_code == 200
        assert response.json()["count"] == 0

    def test_it_rejects_an_unknown_kind_in_the_error_shape(self, world):
        response = client_for(world.users["clerk"]).get("/api/v1/nodes/", {"kind": "planet"})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert set(error["fields"]) == {"kind"}

    def test_it_lists_in_a_fixed_number_of_queries(self, world, django_assert_num_queries):
        _token, key = token_issue(actor=world.users["clerk"])
        client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        ContentType.objects.clear_cache()
        client.get("/api/v1/nodes/")  # warm the content-type cache
        # token and user (1); scope paths: every membership at once (1), node paths (1) — the
        # party and enterprise lookups are skipped for a clerk; count and page with the code (2).
        with django_assert_num_queries(5):
            first = client.get("/api/v1/nodes/").json()
        for i in range(10):
            node_create(
                actor=None, kind=Node.Kind.BUILDING, name=f"楼{i}", parent=world.nodes["community"]
            )
        with django_assert_num_queries(5):
            second = client.get("/api/v1/nodes/").json()
        assert second["count"] == first["count"] + 10
