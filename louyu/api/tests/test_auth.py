from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from louyu.accounts.services import user_set_active
from louyu.api.models import ApiToken
from louyu.api.services import token_issue, token_revoke
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
        token = ApiToken.objects.get(user=world.users["clerk"])
        assert response.json()["id"] == token.pk
        assert key.startswith(token.prefix)

        token_client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        me = token_client.get(ME_URL)
        assert me.status_code == 200
        assert me.json()["username"] == "clerk"

    def test_it_issues_a_token_per_client(self, world):
        first = obtain(APIClient(), "clerk", name="手机").json()["token"]
        second = obtain(APIClient(), "clerk", name="笔记本").json()["token"]
        assert first != second
        tokens = ApiToken.objects.filter(user=world.users["clerk"])
        assert sorted(t.name for t in tokens) == sorted(["手机", "笔记本"])
        for key in (first, second):
            assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(ME_URL).status_code == 200

    def test_it_audits_the_token_issue_without_the_secret(self, world):
        key = obtain(APIClient(), "clerk").json()["token"]
        row = AuditLog.objects.get(action="token.issue")
        token = ApiToken.objects.get()
        assert row.actor == world.users["clerk"]
        assert row.target_type == "accounts.user"
        assert row.target_id == str(world.users["clerk"].pk)
        assert row.after == {
            "token": token.pk,
            "prefix": token.prefix,
            "name": "",
            "expires_at": token.expires_at.isoformat(),
        }
        assert key not in f"{row.target_id} {row.target_repr} {row.after} {row.before}"

    def test_it_refuses_wrong_credentials_in_the_error_shape(self, world):
        # 401, as the schema says: the request is well-formed, its credentials are refused.
        response = obtain(APIClient(), "clerk", "wrong-password")
        assert response.status_code == 401
        assert response.json() == {
            "error": {
                "code": "invalid_credentials",
                "message": "The username or password is not correct.",
            }
        }
        assert not ApiToken.objects.exists()
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
        assert statuses == [401, 401, 401, 401, 429]
        assert AccessAttempt.objects.filter(username="clerk").exists()

        # Locked out: even the right password is refused, in the one error shape.
        response = obtain(client, "clerk")
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"] == {
            "code": "locked_out",
            "message": "Too many failed sign-ins. Try again later.",
        }
        assert not ApiToken.objects.exists()

    def test_it_clears_the_failure_count_after_a_success(self, world):
        client = APIClient()
        for i in range(4):
            obtain(client, "clerk", f"wrong-{i}")
        assert obtain(client, "clerk").status_code == 200
        assert not AccessAttempt.objects.filter(username="clerk").exists()
        assert obtain(client, "clerk", "wrong-again").status_code == 401

    def test_it_revokes_the_token_on_delete(self, world):
        key = obtain(APIClient(), "clerk").json()["token"]
        client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.delete(TOKEN_URL).status_code == 204
        token = ApiToken.objects.get()
        assert token.revoked_at is not None
        assert token.revoked_reason == ApiToken.RevokedReason.OWNER
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
        response = obtain(client, "clerk")
        assert (response.status_code, response.json()["error"]["code"]) == (401, "otp_required")
        device = TOTPDevice.objects.create(user=world.users["clerk"], name="phone", confirmed=True)
        response = obtain(client, "clerk", otp="000000")
        assert (response.status_code, response.json()["error"]["code"]) == (401, "otp_invalid")
        assert not ApiToken.objects.exists()

        # A wrong code throttles the device (django-otp back-off); wait it out.
        device.refresh_from_db()
        device.throttle_reset()
        response = obtain(client, "clerk", otp=totp_code(device))
        assert response.status_code == 200
        # Enterprise people are not staff: the password is enough.
        assert obtain(client, "enterprise").status_code == 200


TOKENS_URL = reverse("api:token-list")


def revoke_url(pk):
    return reverse("api:token-revoke", args=[pk])


def token_client(user, **fields):
    """An API client holding a new token of `user`, and that token's row."""
    token, key = token_issue(actor=user, **fields)
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en"), token


@pytest.mark.django_db
class TokenListApiTests:
    def test_it_lists_only_the_callers_tokens_without_the_key(self, world):
        client, mine = token_client(world.clerk, name="手机")
        _, revoked = token_client(world.clerk, name="旧电脑")
        token_revoke(actor=world.clerk, token=revoked)
        token_client(world.outsider)
        response = client.get(TOKENS_URL)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [row["id"] for row in rows] == [revoked.pk, mine.pk]
        assert set(rows[0]) == {
            "id",
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "revoked_reason",
            "state",
        }
        assert [row["state"] for row in rows] == ["revoked", "active"]
        assert rows[0]["revoked_reason"] == "owner"
        assert rows[1]["prefix"] == mine.prefix
        assert rows[1]["last_used_at"] is not None  # this very call

    def test_it_shows_expired_tokens_as_expired(self, world):
        client, _ = token_client(world.clerk)
        _, old = token_client(world.clerk)
        ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
        rows = client.get(TOKENS_URL).json()["results"]
        assert {row["id"]: row["state"] for row in rows}[old.pk] == "expired"

    def test_it_lists_in_a_fixed_number_of_queries(self, world, django_assert_num_queries):
        client, _ = token_client(world.clerk)
        client.get(TOKENS_URL)  # marks the token used
        # token and user (1), count (1), page (1).
        with django_assert_num_queries(3):
            first = client.get(TOKENS_URL).json()
        for _ in range(5):
            token_issue(actor=world.clerk)
        with django_assert_num_queries(3):
            second = client.get(TOKENS_URL).json()
        assert second["count"] == first["count"] + 5

    def test_it_refuses_anonymous_callers(self, world):
        response = APIClient().get(TOKENS_URL)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
class TokenRevokeApiTests:
    def test_it_revokes_one_of_the_callers_tokens(self, world):
        client, current = token_client(world.clerk)
        other_client, phone = token_client(world.clerk, name="手机")
        assert client.delete(revoke_url(phone.pk)).status_code == 204
        phone.refresh_from_db()
        assert phone.revoked_reason == ApiToken.RevokedReason.OWNER
        assert other_client.get(ME_URL).status_code == 401
        assert client.get(ME_URL).status_code == 200
        row = AuditLog.objects.get(action="token.revoke")
        assert row.target_id == str(world.clerk.pk)
        assert row.after == {"token": phone.pk, "prefix": phone.prefix, "reason": "owner"}

    def test_it_answers_someone_elses_token_like_a_missing_one(self, world):
        client, _ = token_client(world.outsider)
        _, clerks = token_client(world.clerk)
        foreign = client.delete(revoke_url(clerks.pk))
        missing = client.delete(revoke_url(clerks.pk + 1000))
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == missing.json()
        clerks.refresh_from_db()
        assert clerks.revoked_at is None
        assert not AuditLog.objects.filter(action="token.revoke").exists()

    def test_it_revokes_a_token_once(self, world):
        client, _ = token_client(world.clerk)
        _, phone = token_client(world.clerk)
        assert client.delete(revoke_url(phone.pk)).status_code == 204
        assert client.delete(revoke_url(phone.pk)).status_code == 204
        assert AuditLog.objects.filter(action="token.revoke").count() == 1

    def test_it_refuses_anonymous_callers(self, world):
        _, token = token_client(world.clerk)
        assert APIClient().delete(revoke_url(token.pk)).status_code == 401

    def test_it_needs_a_token_call_to_revoke_the_current_token(self, world):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(world.clerk)
        response = client.delete(TOKEN_URL)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "not_token_auth"
