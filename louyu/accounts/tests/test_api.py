import pytest
from django.contrib.contenttypes.models import ContentType
from rest_framework.test import APIClient

from louyu.accounts.models import Role, User
from louyu.accounts.services import membership_grant

ME_URL = "/api/v1/me/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
class MeApiTests:
    def test_it_refuses_anonymous_callers_with_401(self, world):
        response = APIClient().get(ME_URL)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"

    def test_it_shows_the_phone_only_masked(self, world):
        User.objects.filter(username="clerk").update(phone="13812345678")
        response = client_for(User.objects.get(username="clerk")).get(ME_URL)
        body = response.json()
        assert body["username"] == "clerk"
        assert body["real_name"] == world.users["clerk"].real_name
        assert body["phone"] == "138****5678"
        assert b"13812345678" not in response.content

    def test_it_lists_roles_with_their_scopes(self, world):
        body = client_for(world.users["enterprise"]).get(ME_URL, HTTP_ACCEPT_LANGUAGE="en").json()
        assert body["roles"] == [
            {
                "role": Role.ENTERPRISE_CONTACT,
                "role_display": "Enterprise contact",
                "title": "",
                "scope": {
                    "type": "economy.enterprise",
                    "id": world.scopes["enterprise"].pk,
                    "name": "杭州坤和科技有限公司",
                },
            }
        ]

    def test_it_shows_a_user_without_roles_an_empty_list(self, world):
        assert client_for(world.users["nobody"]).get(ME_URL).json()["roles"] == []

    def test_it_reads_scopes_in_a_fixed_number_of_queries(self, world, django_assert_num_queries):
        clerk = world.users["clerk"]
        client = client_for(clerk)
        ContentType.objects.clear_cache()
        client.get(ME_URL)  # warm the content-type cache
        # user, memberships, then one query per scope model (node).
        with django_assert_num_queries(3):
            client.get(ME_URL)
        membership_grant(
            actor=None, user=clerk, role=Role.STREET_CADRE, scope=world.nodes["street"]
        )
        membership_grant(
            actor=None, user=clerk, role=Role.EMPLOYEE, scope=world.scopes["enterprise"]
        )
        # user, memberships, nodes, enterprises.
        with django_assert_num_queries(4):
            body = client.get(ME_URL).json()
        assert len(body["roles"]) == 3
