"""Admin of Open311 api_keys: the security administrator only; a new key is shown once."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from louyu.api.models import Open311Key
from louyu.api.open311.services import open311_key_authenticate, open311_key_create
from louyu.testing import PERSONAS

CHANGELIST = "/admin/api/open311key/"


@pytest.mark.django_db
class Open311KeyAdminTests:
    def test_it_is_for_the_security_administrator_only(self, world):
        for username in ["nobody", *PERSONAS]:
            response = world.client_for(username).get(CHANGELIST)
            # Non-staff accounts are sent to the admin login; other admins are refused.
            expected = {200} if username == "secadmin" else {302, 403}
            assert response.status_code in expected, (username, response.status_code)

    def test_it_issues_a_key_and_shows_it_once(self, world):
        client = world.client_for("secadmin")
        response = client.post(
            f"{CHANGELIST}add/",
            {"user": world.enterprise.pk, "name": "企业App", "jurisdiction": world.community.pk},
            follow=True,
        )
        assert response.status_code == 200
        key = Open311Key.objects.get()
        shown = [str(m) for m in get_messages(response.wsgi_request)]
        shown += [m.message for m in response.context["messages"]] if response.context else []
        raw = next(word for text in shown for word in text.split() if word.startswith("ly311_"))
        assert open311_key_authenticate(raw) == key
        assert key.created_by == world.secadmin
        assert raw not in client.get(f"{CHANGELIST}{key.pk}/change/").content.decode()

    def test_it_revokes_keys_in_bulk(self, world):
        key, raw = open311_key_create(actor=None, user=world.enterprise)
        client = world.client_for("secadmin")
        client.post(CHANGELIST, {"action": "revoke", "_selected_action": [key.pk]})
        assert open311_key_authenticate(raw) is None
