import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from louyu.accounts.services import user_set_active
from louyu.core.models import AuditLog
from louyu.testing import PASSWORD

TOKEN_URL = reverse("api:token")
ME_URL = reverse("api:me")


def obtain(client, username, password=PASSWORD, **fields):
    data = {"username": username, "password": password, **fields}
    return client.post(TOKEN_URL, data, headers={"Accept-Language": "en"})


def totp_code(device):
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return str(code).zfill(device.digits)


@pytest.mark.django_db
class TokenApiTests:
    def test_it_issues_a_token_usable_as_authorization_header(self, world):
        client = APIClient()
        response = obtain(client, "clerk")
        assert response.status_code == 200
        key = response.json()["token"]
        assert Token.objects.get(user=world.users["clerk"]).key == key

        token_client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        me = token_client.get(ME_URL)
        assert me.status_code == 200
        assert me.json()["username"] == "clerk"

    def test_it_returns_the_same_token_on_a_second_request(self, world):
        first = obtain(APIClient(), "clerk").json()["token"]
        second = obtain(APIClient(), "clerk").json()["token"]
        assert first == second
        assert Token.objects.filter(user=world.users["clerk"]).count() == 1

    def test_it_audits_the_token_issue_without_the_secret(self, world):
        key = obtain(APIClient(), "clerk").json()["token"]
        row = AuditLog.objects.get(action="token.issue")
        assert row.actor == world.users["clerk"]
        assert row.target_type == "accounts.user"
        assert row.target_id == str(world.users["clerk"].pk)
        assert row.after == {"created": True}
        assert key not in f"{row.target_id} {row.target_repr} {row.after}"

    def test_it_refuses_wrong_credentials_in_the_error_shape(self, world):
        response = obtain(APIClient(), "clerk", "wrong-password")
        assert response.status_code == 400
        assert response.json() == {
            "error": {
                "code": "invalid_credentials",
                "message": "The username or password is not correct.",
            }
        }
        assert not Token.objects.exists()
        failure = AuditLog.objects.get(action="auth.login", result=AuditLog.Result.FAILURE)
        assert failure.after == {"username": "clerk"}

    def test_it_reports_missing_fields(self, world):
        response = APIClient().post(TOKEN_URL, {})
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert set(error["fields"]) == {"username", "password"}

    def test_it_locks_out_after_five_failures_with_a_json_429(self, world, settings):
        settings.AXES_FAILURE_LIMIT = 5
        client = APIClient()
        statuses = [obtain(client, "clerk", f"wrong-{i}").status_code for i in range(5)]
        assert statuses == [400, 400, 400, 400, 429]
        assert AccessAttempt.objects.filter(username="clerk").exists()

        # Locked out: even the right password is refused, in the one error shape.
        response = obtain(client, "clerk")
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"] == {
            "code": "locked_out",
            "message": "Too many failed sign-ins. Try again later.",
        }
        assert not Token.objects.exists()

    def test_it_clears_the_failure_count_after_a_success(self, world):
        client = APIClient()
        for i in range(4):
            obtain(client, "clerk", f"wrong-{i}")
        assert obtain(client, "clerk").status_code == 200
        assert not AccessAttempt.objects.filter(username="clerk").exists()
        assert obtain(client, "clerk", "wrong-again").status_code == 400

    def test_it_revokes_the_token_on_delete(self, world):
        key = obtain(APIClient(), "clerk").json()["token"]
        client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.delete(TOKEN_URL).status_code == 204
        assert not Token.objects.exists()
        assert AuditLog.objects.filter(action="token.revoke", actor=world.users["clerk"]).exists()

        response = client.get(ME_URL)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"

    def test_it_refuses_the_token_of_a_disabled_user(self, world):
        key = obtain(APIClient(), "clerk").json()["token"]
        user_set_active(actor=world.users["sysadmin"], user=world.users["clerk"], active=False)
        response = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(ME_URL)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"

    def test_it_refuses_an_anonymous_revoke(self, world):
        response = APIClient().delete(TOKEN_URL)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"

    def test_it_issues_without_csrf_for_anonymous_clients(self, world):
        client = APIClient(enforce_csrf_checks=True)
        assert obtain(client, "enterprise").status_code == 200

    def test_it_requires_a_second_factor_for_staff_when_enforced(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        client = APIClient()
        assert obtain(client, "clerk").json()["error"]["code"] == "otp_required"
        device = TOTPDevice.objects.create(user=world.users["clerk"], name="phone", confirmed=True)
        assert obtain(client, "clerk", otp="000000").json()["error"]["code"] == "otp_invalid"
        assert not Token.objects.exists()

        # A wrong code throttles the device (django-otp back-off); wait it out.
        device.refresh_from_db()
        device.throttle_reset()
        response = obtain(client, "clerk", otp=totp_code(device))
        assert response.status_code == 200
        # Enterprise people are not staff: the password is enough.
        assert obtain(client, "enterprise").status_code == 200
