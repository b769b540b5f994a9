import pytest
from rest_framework.test import APIClient

from louyu.core.models import Node
from louyu.core.services import node_create


@pytest.mark.django_db
class PaginationTests:
    @pytest.fixture
    def client(self, world):
        for i in range(205):
            node_create(
                actor=None,
                kind=Node.Kind.BUILDING,
                name=f"楼宇{i:03d}",
                parent=world.nodes["community"],
            )
        client = APIClient()
        client.force_authenticate(world.users["clerk"])
        return client

    def test_it_pages_by_number_with_count_and_links(self, client):
        body = client.get("/api/v1/nodes/").json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == 207
        assert len(body["results"]) == 50
        assert body["previous"] is None
        assert body["next"].endswith("/api/v1/nodes/?page=2")

    def test_it_takes_a_page_size(self, client):
        body = client.get("/api/v1/nodes/", {"page_size": 10, "page": 2}).json()
        assert len(body["results"]) == 10
        assert "page=1" in body["previous"] or body["previous"].endswith("page_size=10")

    def test_it_caps_the_page_size_at_200(self, client):
        body = client.get("/api/v1/nodes/", {"page_size": 500}).json()
        assert len(body["results"]) == 200

    def test_it_answers_a_page_out_of_range_with_not_found(self, client):
        response = client.get("/api/v1/nodes/", {"page": 99})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
