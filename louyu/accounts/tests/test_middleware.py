from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from louyu.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from louyu.core.models import AuditLog
from louyu.testing import PASSWORD

WORKBENCH = "/"


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def backdate(client: Client, **seconds_ago: int) -> None:
    """Move the session's clocks into the past instead of waiting."""
    session = client.session
    now = int(timezone.now().timestamp())
    if "login" in seconds_ago:
        session[SESSION_LOGIN_AT] = now - seconds_ago["login"]
    if "seen" in seconds_ago:
        session[SESSION_LAST_SEEN] = now - seconds_ago["seen"]
    session.save()


@pytest.mark.django_db
class IdleTimeoutTests:
    def test_it_starts_both_clocks_at_login(self, world):
        client = signed_in("clerk")
        session = client.session
        now = int(timezone.now().timestamp())
        assert abs(session[SESSION_LOGIN_AT] - now) <= 2
        assert session[SESSION_LAST_SEEN] == session[SESSION_LOGIN_AT]

    def test_it_keeps_a_session_active_within_the_idle_timeout(self, world, settings):
        client = signed_in("clerk")
        backdate(client, seen=settings.LOUYU_IDLE_TIMEOUT - 60)
        assert client.get(WORKBENCH).status_code == 200
        # The request counted as activity.
        assert int(timezone.now().timestamp()) - client.session[SESSION_LAST_SEEN] <= 2

    def test_it_signs_out_after_the_idle_timeout(self, world, settings):
        client = signed_in("clerk")
        backdate(client, seen=settings.LOUYU_IDLE_TIMEOUT + 1)
        response = client.get("/accounts/password/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=%2Faccounts%2Fpassword%2F"
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
        # zh-hans (from the .po file): 会话已超时，请重新登录。
        assert "Your session timed out. Please sign in again." in page.content.decode()
        logout = AuditLog.objects.get(action="auth.logout", actor=world.clerk)
        assert logout.after == {"reason": "idle_timeout"}

    def test_it_follows_the_clock_not_the_session_data(self, world, settings):
        client = signed_in("clerk")
        later = timezone.now() + timedelta(seconds=settings.LOUYU_IDLE_TIMEOUT + 5)
        with mock.patch("django.utils.timezone.now", return_value=later):
            response = client.get(WORKBENCH)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_it_ends_a_session_older_than_the_absolute_lifetime(self, world, settings):
        client = signed_in("clerk")
        backdate(client, login=settings.LOUYU_SESSION_MAX_AGE + 1, seen=10)
        response = client.get(WORKBENCH)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert AuditLog.objects.get(action="auth.logout").after == {"reason": "max_age"}

    def test_it_honours_a_shorter_configured_timeout(self, world, settings):
        settings.LOUYU_IDLE_TIMEOUT = 300
        client = signed_in("clerk")
        backdate(client, seen=301)
        assert client.get(WORKBENCH).status_code == 302

    def test_it_tells_htmx_to_load_the_login_page(self, world, settings):
        client = signed_in("clerk")
        backdate(client, seen=settings.LOUYU_IDLE_TIMEOUT + 1)
        response = client.get(WORKBENCH, HTTP_HX_REQUEST="true")
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith("/accounts/login/")

    def test_it_lets_the_api_answer_as_anonymous(self, world, settings):
        client = signed_in("clerk")
        backdate(client, seen=settings.LOUYU_IDLE_TIMEOUT + 1)
        response = client.get("/api/v1/no-such-endpoint/")
        assert response.status_code != 302
        assert "_auth_user_id" not in client.session

    def test_it_starts_the_clocks_for_a_session_without_them(self, world):
        client = world.client_for("clerk")
        session = client.session
        session.pop(SESSION_LOGIN_AT, None)
        session.pop(SESSION_LAST_SEEN, None)
        session.save()
        assert client.get(WORKBENCH).status_code == 200
        assert SESSION_LOGIN_AT in client.session


@pytest.mark.django_db
class SecondFactorRequirementTests:
    def test_it_sends_staff_without_a_device_to_enrolment(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        client = signed_in("clerk")
        response = client.get(WORKBENCH)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/setup/?next=%2F"

    def test_it_covers_the_admin_personas(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        response = world.client_for("auditor").get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/setup/")

    def test_it_sends_staff_with_a_device_to_verification(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        TOTPDevice.objects.create(user=world.clerk, name="phone", confirmed=True)
        response = signed_in("clerk").get("/accounts/password/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/verify/?next=%2Faccounts%2Fpassword%2F"

    def test_it_lets_unverified_staff_reach_only_the_exempt_pages(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        client = signed_in("clerk")
        assert client.get("/accounts/2fa/setup/").status_code == 200
        # /healthz answers for itself (200 or 503 depending on the worker), never a redirect.
        assert client.get("/healthz").status_code in {200, 503}
        assert client.get("/accounts/2fa/disable/").status_code == 302
        assert client.post(reverse("accounts:logout")).status_code == 302

    def test_it_refuses_the_api_with_json(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        response = signed_in("clerk").get("/api/v1/")
        assert response.status_code == 403
        assert "error" in response.json()

    def test_it_does_not_require_it_from_non_staff(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        assert signed_in("employee").get(WORKBENCH).status_code == 200

    def test_it_is_optional_for_staff_in_the_demo_profile(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = False
        assert signed_in("clerk").get(WORKBENCH).status_code == 200

    def test_it_asks_anyone_who_enrolled_for_their_code(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = False
        TOTPDevice.objects.create(user=world.employee, name="phone", confirmed=True)
        response = signed_in("employee").get(WORKBENCH)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/verify/")

    def test_it_leaves_anonymous_requests_alone(self, client, settings):
        settings.LOUYU_REQUIRE_2FA = True
        response = client.get(WORKBENCH)
        assert response["Location"].startswith("/accounts/login/")
