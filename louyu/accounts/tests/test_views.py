import re

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from louyu.accounts.views import PENDING_TOTP_KEY, lockout_response
from louyu.api.models import ApiToken
from louyu.api.services import token_issue, token_revoke
from louyu.core.models import AuditLog
from louyu.testing import PASSWORD

LOGIN = "/accounts/login/"
NEW_PASSWORD = "New@2013pass"


def code_for(device: TOTPDevice) -> str:
    """The code the authenticator app would show now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def sign_in(client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def assert_no_inline_code(html: str) -> None:
    """CSP forbids inline script and style: no <script> bodies, no style= or on*= attributes."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.django_db
class LoginPageTests:
    def test_it_renders_an_accessible_form(self, client):
        response = client.get(LOGIN)
        assert response.status_code == 200
        html = response.content.decode()
        assert '<label class="form-label" for="id_username">' in html
        assert '<label class="form-label" for="id_password">' in html
        assert 'autocomplete="username"' in html
        assert 'autocomplete="current-password"' in html
        assert '<html lang="zh-hans">' in html
        assert_no_inline_code(html)

    def test_it_signs_in_and_goes_to_the_workbench(self, world):
        client = Client()
        response = sign_in(client, "clerk")
        assert response.status_code == 302
        assert response["Location"] == reverse("workbench")
        assert client.get(reverse("workbench")).status_code == 200

    def test_it_follows_a_safe_next_and_ignores_a_foreign_one(self, world):
        client = Client()
        ok = client.post(
            f"{LOGIN}?next=/accounts/password/", {"username": "clerk", "password": PASSWORD}
        )
        assert ok["Location"] == "/accounts/password/"
        other = Client()
        evil = other.post(
            f"{LOGIN}?next=https://evil.example/", {"username": "clerk", "password": PASSWORD}
        )
        assert evil["Location"] == reverse("workbench")

    def test_it_rejects_a_wrong_password_with_a_message(self, world):
        client = Client()
        response = client.post(
            LOGIN, {"username": "clerk", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_it_rotates_the_session_key_at_login(self, world):
        client = Client()
        session = client.session
        session["before_login"] = True
        session.save()
        old_key = session.session_key
        sign_in(client, "clerk")
        new_key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        assert new_key != old_key
        assert not Session.objects.filter(session_key=old_key).exists()
        assert client.session["_auth_user_id"] == str(world.clerk.pk)

    def test_it_audits_success_and_failure(self, world):
        client = Client()
        sign_in(client, "clerk", "wrong", ip="10.1.1.1")
        sign_in(client, "clerk", ip="10.1.1.1")
        failure = AuditLog.objects.get(action="auth.login", result=AuditLog.Result.FAILURE)
        assert failure.after == {"username": "clerk"}
        assert failure.ip == "10.1.1.1"
        success = AuditLog.objects.get(action="auth.login", result=AuditLog.Result.SUCCESS)
        assert success.actor == world.clerk
        assert "wrong" not in str(failure.after)


@pytest.mark.django_db
class LogoutTests:
    def test_it_signs_out_on_post_and_audits(self, world):
        client = world.client_for("clerk")
        response = client.post(reverse("accounts:logout"))
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:login")
        assert client.get(reverse("workbench")).status_code == 302
        assert AuditLog.objects.filter(action="auth.logout", actor=world.clerk).exists()

    def test_it_refuses_get(self, world):
        client = world.client_for("clerk")
        assert client.get(reverse("accounts:logout")).status_code == 405
        assert client.get(reverse("workbench")).status_code == 200


@pytest.mark.django_db
class PasswordChangeTests:
    url = "/accounts/password/"

    def test_it_sends_anonymous_to_sign_in(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)

    def test_it_renders_the_form_without_inline_code(self, world):
        response = world.client_for("clerk").get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'autocomplete="new-password"' in html
        assert_no_inline_code(html)

    def test_it_keeps_this_session_and_ends_the_others(self, world):
        here, elsewhere = Client(), Client()
        sign_in(here, "clerk")
        sign_in(elsewhere, "clerk", ip="10.0.0.2")
        assert elsewhere.get(reverse("workbench")).status_code == 200
        response = here.post(
            self.url,
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        assert here.get(reverse("workbench")).status_code == 200
        gone = elsewhere.get(reverse("workbench"))
        assert gone.status_code == 302
        assert gone["Location"].startswith(LOGIN)
        world.clerk.refresh_from_db()
        assert world.clerk.check_password(NEW_PASSWORD)
        assert AuditLog.objects.filter(action="user.password_change", actor=world.clerk).exists()

    def test_it_enforces_the_password_policy(self, world):
        client = world.client_for("clerk")
        response = client.post(
            self.url,
            {"old_password": PASSWORD, "new_password1": "abcdefgh1", "new_password2": "abcdefgh1"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "kinds of characters" in response.content.decode()
        world.clerk.refresh_from_db()
        assert world.clerk.check_password(PASSWORD)

    def test_it_needs_the_old_password(self, world):
        client = world.client_for("clerk")
        response = client.post(
            self.url,
            {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert response.status_code == 200
        world.clerk.refresh_from_db()
        assert world.clerk.check_password(PASSWORD)


@pytest.mark.django_db
class LockoutTests:
    # zh-hans (from the .po file): 登录失败次数过多，请 %(minutes)d 分钟后再试。
    message = "Too many failed sign-ins. Try again in 30 minutes."

    def test_it_locks_an_account_after_five_failures_from_different_ips(self, world):
        for i in range(4):
            assert sign_in(Client(), "clerk", "wrong", ip=f"10.0.1.{i}").status_code == 200
        fifth = sign_in(Client(), "clerk", "wrong", ip="10.0.1.9")
        assert fifth.status_code == 429
        # Even the right password from a fresh address is refused now.
        client = Client()
        response = client.post(
            LOGIN,
            {"username": "clerk", "password": PASSWORD},
            REMOTE_ADDR="10.0.2.1",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 429
        assert self.message in response.content.decode()
        assert "_auth_user_id" not in client.session
        # Other accounts are unaffected.
        assert sign_in(Client(), "street", ip="10.0.2.1").status_code == 302
        assert AuditLog.objects.filter(
            action="auth.lockout", result=AuditLog.Result.DENIED
        ).exists()

    def test_it_locks_an_ip_after_five_failures_with_different_usernames(self, world):
        for name in ["clerk", "street", "district", "ghost1"]:
            assert sign_in(Client(), name, "wrong", ip="10.0.3.3").status_code == 200
        assert sign_in(Client(), "ghost2", "wrong", ip="10.0.3.3").status_code == 429
        assert sign_in(Client(), "employee", ip="10.0.3.3").status_code == 429
        # The same account from another address still signs in.
        assert sign_in(Client(), "employee", ip="10.0.3.4").status_code == 302

    def test_it_renders_the_lockout_as_a_page_in_chinese_by_default(self, world):
        for i in range(5):
            sign_in(Client(), "clerk", "wrong", ip=f"10.0.4.{i}")
        response = sign_in(Client(), "clerk", ip="10.0.4.9")
        assert response.status_code == 429
        assert response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html
        assert_no_inline_code(html)

    def test_it_answers_json_clients_with_an_error_object(self, world):
        for i in range(5):
            sign_in(Client(), "clerk", "wrong", ip=f"10.0.5.{i}")
        response = Client().post(
            LOGIN,
            {"username": "clerk", "password": PASSWORD},
            REMOTE_ADDR="10.0.5.9",
            HTTP_ACCEPT="application/json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 429
        assert response.json() == {"error": self.message}

    def test_it_answers_api_paths_with_json(self, rf):
        from django.utils import translation

        request = rf.post("/api/v1/auth/token/", {"username": "clerk"})
        with translation.override("en"):
            response = lockout_response(request, None, {"username": "clerk"})
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert b"Too many failed sign-ins" in response.content


@pytest.mark.django_db
class TwoFactorSetupTests:
    url = "/accounts/2fa/setup/"

    @staticmethod
    def pending(client, user) -> TOTPDevice:
        """The device the enrolling session holds the secret of (unsaved, as in the view)."""
        return TOTPDevice(user=user, key=client.session[PENDING_TOTP_KEY])

    def test_it_shows_a_qr_code_and_the_secret(self, world):
        client = world.client_for("clerk")
        response = client.get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'src="data:image/svg+xml' in html
        import base64

        secret = base64.b32encode(self.pending(client, world.clerk).bin_key).decode()
        secret = secret.rstrip("=")
        assert secret[:4] in html and secret[-4:] in html
        assert 'autocomplete="one-time-code"' in html
        assert_no_inline_code(html)

    def test_it_stores_nothing_until_a_code_confirms_it(self, world):
        """Issue 13: every visit wrote an unconfirmed device and an otp.enrol_start row."""
        client = world.client_for("clerk")
        client.get(self.url)
        key = client.session[PENDING_TOTP_KEY]
        client.get(self.url)
        assert client.session[PENDING_TOTP_KEY] == key  # a reload keeps the same secret
        assert not TOTPDevice.objects.filter(user=world.clerk).exists()
        assert not AuditLog.objects.filter(action__startswith="otp.").exists()

    def test_it_confirms_with_a_code_and_verifies_the_session(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        client = world.client_for("clerk")
        client.get(self.url)
        pending = self.pending(client, world.clerk)
        response = client.post(self.url, {"token": code_for(pending)})
        assert response.status_code == 302
        assert response["Location"] == reverse("workbench")
        device = TOTPDevice.objects.get(user=world.clerk)
        assert device.confirmed and device.key == pending.key
        assert PENDING_TOTP_KEY not in client.session
        assert client.get(reverse("workbench")).status_code == 200
        assert AuditLog.objects.filter(
            action="otp.enrol", actor=world.clerk, result=AuditLog.Result.SUCCESS
        ).exists()

    def test_it_refuses_a_wrong_code(self, world):
        client = world.client_for("clerk")
        client.get(self.url)
        response = client.post(self.url, {"token": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "That code is not valid" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=world.clerk, confirmed=True).exists()
        assert AuditLog.objects.filter(action="otp.enrol", result=AuditLog.Result.FAILURE).exists()

    def test_it_never_replaces_an_enrolled_device_before_verification(self, world):
        TOTPDevice.objects.create(user=world.clerk, name="phone", confirmed=True)
        client = world.client_for("clerk")
        response = client.get(self.url)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:2fa_verify")
        assert TOTPDevice.objects.filter(user=world.clerk).count() == 1


@pytest.mark.django_db
class TwoFactorVerifyTests:
    url = "/accounts/2fa/verify/"

    def test_it_is_required_after_the_password_for_staff(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        device = TOTPDevice.objects.create(user=world.clerk, name="phone", confirmed=True)
        client = Client()
        assert sign_in(client, "clerk")["Location"] == reverse("workbench")
        response = client.get(reverse("workbench"))
        assert response.status_code == 302
        assert response["Location"] == f"{self.url}?next=%2F"
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert_no_inline_code(page.content.decode())
        done = client.post(f"{self.url}?next=/", {"token": code_for(device), "next": "/"})
        assert done.status_code == 302
        assert done["Location"] == "/"
        assert client.get(reverse("workbench")).status_code == 200
        assert AuditLog.objects.filter(
            action="otp.verify", actor=world.clerk, result=AuditLog.Result.SUCCESS
        ).exists()

    def test_it_refuses_a_wrong_code(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        TOTPDevice.objects.create(user=world.clerk, name="phone", confirmed=True)
        client = world.client_for("clerk")
        response = client.post(self.url, {"token": "123456"}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "That code is not valid" in response.content.decode()
        assert client.get(reverse("workbench")).status_code == 302
        assert AuditLog.objects.filter(action="otp.verify", result=AuditLog.Result.FAILURE).exists()

    def test_it_sends_a_user_without_a_device_to_enrolment(self, world):
        response = world.client_for("clerk").get(self.url)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:2fa_setup")


@pytest.mark.django_db
class TwoFactorDisableTests:
    url = "/accounts/2fa/disable/"

    def _verified_client(self, world, username: str = "employee") -> tuple[Client, TOTPDevice]:
        user = world.users[username]
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        client = world.client_for(username)
        client.post("/accounts/2fa/verify/", {"token": code_for(device)})
        return client, device

    def test_it_removes_the_device_after_the_password(self, world):
        client, _ = self._verified_client(world)
        assert client.get(self.url).status_code == 200
        response = client.post(self.url, {"password": PASSWORD})
        assert response.status_code == 302
        assert not TOTPDevice.objects.filter(user=world.employee).exists()
        assert AuditLog.objects.filter(action="otp.disable", actor=world.employee).exists()
        # Without a device, a non-staff user in the demo profile carries on without one.
        assert client.get(reverse("workbench")).status_code == 200

    def test_it_refuses_a_wrong_password(self, world):
        client, _ = self._verified_client(world)
        response = client.post(self.url, {"password": "wrong"})
        assert response.status_code == 200
        assert TOTPDevice.objects.filter(user=world.employee).exists()

    def test_it_needs_the_second_factor_first(self, world):
        TOTPDevice.objects.create(user=world.employee, name="phone", confirmed=True)
        client = world.client_for("employee")
        response = client.post(self.url, {"password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/verify/")
        assert TOTPDevice.objects.filter(user=world.employee).exists()

    def test_it_sends_staff_back_to_enrolment_when_required(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        client, _ = self._verified_client(world, "clerk")
        client.post(self.url, {"password": PASSWORD})
        response = client.get(reverse("workbench"))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/setup/")


@pytest.mark.django_db
class TwoFactorStatusTests:
    def test_it_shows_the_status_to_a_verified_user(self, world):
        device = TOTPDevice.objects.create(user=world.employee, name="phone", confirmed=True)
        client = world.client_for("employee")
        client.post("/accounts/2fa/verify/", {"token": code_for(device)})
        response = client.get("/accounts/2fa/setup/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        html = response.content.decode()
        assert "Two-step verification is on." in html
        assert 'href="/accounts/2fa/disable/"' in html
        assert TOTPDevice.objects.filter(user=world.employee).count() == 1


@pytest.mark.django_db
class TokenPageTests:
    url = "/accounts/tokens/"

    def test_it_sends_anonymous_to_sign_in(self, client):
        response = client.get(self.url)
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)

    def test_it_lists_the_users_own_tokens_in_chinese(self, world):
        mine, key = token_issue(actor=world.clerk, name="手机App")
        theirs, _ = token_issue(actor=world.outsider, name="外人的电脑")
        response = world.client_for("clerk").get(self.url)
        assert response.status_code == 200
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html
        assert '<h1 class="h3 mb-3">API 令牌</h1>' in html
        assert "手机App" in html
        assert f"<code>{mine.prefix}…</code>" in html
        assert "外人的电脑" not in html
        assert theirs.prefix not in html
        assert key not in html
        assert "撤销" in html
        assert_no_inline_code(html)

    def test_it_renders_in_english(self, world):
        token, _ = token_issue(actor=world.clerk)
        token_revoke(actor=world.clerk, token=token)
        client = world.client_for("clerk")
        html = client.get(self.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="en">' in html
        assert "API tokens" in html
        assert "Unnamed client" in html
        assert "revoked by its owner" in html
        assert "A token works for 30 days after it is issued." in html

    def test_it_revokes_an_own_token(self, world):
        token, key = token_issue(actor=world.clerk)
        client = world.client_for("clerk")
        response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
        assert response.status_code == 302
        assert response["Location"] == self.url
        token.refresh_from_db()
        assert token.revoked_reason == ApiToken.RevokedReason.OWNER
        assert AuditLog.objects.filter(action="token.revoke", actor=world.clerk).exists()
        page = client.get(self.url).content.decode()
        assert f"令牌 {token.prefix}… 已撤销。" in page

    def test_it_answers_the_outsider_404_for_someone_elses_token(self, world):
        token, _ = token_issue(actor=world.clerk)
        client = world.client_for("outsider")
        foreign = client.post(f"/accounts/tokens/{token.pk}/revoke/")
        missing = client.post(f"/accounts/tokens/{token.pk + 1000}/revoke/")
        assert foreign.status_code == missing.status_code == 404
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_it_revokes_only_by_post_with_csrf(self, world):
        token, _ = token_issue(actor=world.clerk)
        client = world.client_for("clerk")
        assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(world.clerk)
        assert strict.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 403
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_it_is_linked_from_the_account_menu(self, world):
        html = world.client_for("enterprise").get(reverse("workbench")).content.decode()
        assert f'href="{self.url}"' in html

    def test_it_revokes_the_tokens_when_the_password_changes(self, world):
        token, _ = token_issue(actor=world.clerk)
        client = world.client_for("clerk")
        response = client.post(
            "/accounts/password/",
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_reason == ApiToken.RevokedReason.PASSWORD
