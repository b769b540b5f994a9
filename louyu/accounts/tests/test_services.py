import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from louyu.accounts import services
from louyu.api.models import ApiToken
from louyu.api.services import token_issue
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.testing import PASSWORD


def code_for(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


@pytest.mark.django_db(transaction=True)
class UserSetActiveTests:
    """transaction=True: the sessions end on commit."""

    def test_it_ends_the_sessions_of_a_disabled_account_at_once(self, world):
        first, second = world.client_for("employee"), world.client_for("employee")
        bystander = world.client_for("enterprise")
        for client in (first, second, bystander):
            assert client.get("/").status_code == 200
        services.user_set_active(actor=world.sysadmin, user=world.employee, active=False)
        assert first.get("/").status_code == 302
        assert second.get("/").status_code == 302
        assert bystander.get("/").status_code == 200
        # Re-enabling does not revive the old sessions: they are gone.
        services.user_set_active(actor=world.sysadmin, user=world.employee, active=True)
        assert first.get("/").status_code == 302
        assert not any(
            s.get_decoded().get("_auth_user_id") == str(world.employee.pk)
            for s in Session.objects.all()
        )

    def test_it_audits_before_and_after(self, world):
        services.user_set_active(actor=world.sysadmin, user=world.employee, active=False)
        row = AuditLog.objects.get(action="user.disable")
        assert (row.before, row.after) == ({"is_active": True}, {"is_active": False})
        assert row.actor == world.sysadmin

    def test_it_refuses_a_disabled_account_at_sign_in(self, world):
        services.user_set_active(actor=world.sysadmin, user=world.employee, active=False)
        response = Client().post("/accounts/login/", {"username": "employee", "password": PASSWORD})
        assert response.status_code == 200


@pytest.mark.django_db
class UserSessionsEndTests:
    def test_it_deletes_only_that_users_sessions(self, world):
        world.client_for("employee")
        world.client_for("employee")
        world.client_for("clerk")
        assert services.user_sessions_end(user=world.employee) == 2
        assert Session.objects.count() == 1


@pytest.mark.django_db
class UserUpdateTests:
    def test_it_records_only_changed_fields(self, world):
        old_name = world.clerk.real_name
        services.user_update(
            actor=world.sysadmin, user=world.clerk, real_name="新名字", phone=world.clerk.phone
        )
        row = AuditLog.objects.get(action="user.update")
        assert row.before == {"real_name": old_name}
        assert row.after == {"real_name": "新名字"}

    def test_it_writes_nothing_without_a_change(self, world):
        services.user_update(
            actor=world.sysadmin, user=world.clerk, real_name=world.clerk.real_name
        )
        assert not AuditLog.objects.filter(action="user.update").exists()

    def test_it_refuses_fields_outside_the_profile(self, world):
        with pytest.raises(ValueError):
            services.user_update(actor=world.sysadmin, user=world.clerk, is_superuser=True)

    def test_it_validates_the_phone(self, world):
        with pytest.raises(ApplicationError):
            services.user_update(actor=world.sysadmin, user=world.clerk, phone="12345")


@pytest.mark.django_db
class UserPasswordSetTests:
    def test_it_applies_the_password_policy(self, world):
        with pytest.raises(ValidationError):
            services.user_password_set(actor=world.clerk, user=world.clerk, password="abcdefgh1")
        world.clerk.refresh_from_db()
        assert world.clerk.check_password(PASSWORD)

    def test_it_ends_sessions_signed_in_with_the_old_password(self, world):
        client = world.client_for("clerk")
        services.user_password_set(actor=world.sysadmin, user=world.clerk, password="Abcdefg1!x")
        assert client.get("/").status_code == 302
        assert AuditLog.objects.get(action="user.password_set").actor == world.sysadmin

    def test_it_can_turn_password_sign_in_off(self, world):
        services.user_password_set(actor=world.sysadmin, user=world.clerk, password=None)
        world.clerk.refresh_from_db()
        assert not world.clerk.has_usable_password()


@pytest.mark.django_db
class MembershipServiceTests:
    def test_it_updates_the_title_with_an_audit_row(self, world):
        membership = world.clerk.memberships.get()
        services.membership_update(actor=world.secadmin, membership=membership, title="窗口")
        row = AuditLog.objects.get(action="membership.update")
        assert (row.before, row.after) == ({"title": ""}, {"title": "窗口"})

    def test_it_revokes_with_an_audit_row(self, world):
        membership = world.clerk.memberships.get()
        services.membership_revoke(actor=world.secadmin, membership=membership)
        assert not world.clerk.memberships.exists()
        assert AuditLog.objects.get(action="membership.revoke").before["role"] == "clerk"


@pytest.mark.django_db
class TotpServiceTests:
    def test_it_confirms_with_a_valid_code_and_drops_other_devices(self, world):
        old = TOTPDevice.objects.create(user=world.clerk, name="old", confirmed=True)
        key = random_hex(20)
        device = services.totp_device_confirm(
            actor=world.clerk,
            user=world.clerk,
            key=key,
            token=code_for(TOTPDevice(user=world.clerk, key=key)),
        )
        assert device is not None and device.confirmed and device.key == key
        assert list(TOTPDevice.objects.filter(user=world.clerk)) == [device]
        assert not TOTPDevice.objects.filter(pk=old.pk).exists()

    @pytest.mark.parametrize("token", ["000000", "abc", ""])
    def test_it_stores_nothing_for_a_wrong_code(self, world, token):
        key = random_hex(20)
        assert (
            services.totp_device_confirm(actor=world.clerk, user=world.clerk, key=key, token=token)
            is None
        )
        assert not TOTPDevice.objects.filter(user=world.clerk).exists()
        assert AuditLog.objects.get(action="otp.enrol").result == AuditLog.Result.FAILURE

    def test_it_refuses_a_reused_code(self, world):
        device = TOTPDevice.objects.create(user=world.clerk, name="phone", confirmed=True)
        code = code_for(device)
        assert services.totp_verify(actor=world.clerk, user=world.clerk, token=code) == device
        assert services.totp_verify(actor=world.clerk, user=world.clerk, token=code) is None
        results = list(
            AuditLog.objects.filter(action="otp.verify")
            .order_by("id")
            .values_list("result", flat=True)
        )
        assert results == [AuditLog.Result.SUCCESS, AuditLog.Result.FAILURE]

    def test_it_ignores_unconfirmed_devices_at_verification(self, world):
        device = TOTPDevice.objects.create(user=world.clerk, name="phone", confirmed=False)
        assert (
            services.totp_verify(actor=world.clerk, user=world.clerk, token=code_for(device))
            is None
        )

    def test_it_disables_every_device(self, world):
        TOTPDevice.objects.create(user=world.clerk, name="a", confirmed=True)
        TOTPDevice.objects.create(user=world.clerk, name="b", confirmed=False)
        assert services.totp_disable(actor=world.clerk, user=world.clerk) == 2
        assert AuditLog.objects.get(action="otp.disable").after == {"devices": 2}


@pytest.mark.django_db
class SignInAuditTests:
    def test_it_records_login_logout_and_failure_with_the_ip(self, world):
        client = Client()
        client.post(
            "/accounts/login/", {"username": "nosuch", "password": "x"}, REMOTE_ADDR="10.7.7.7"
        )
        client.post(
            "/accounts/login/", {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="10.7.7.7"
        )
        client.post("/accounts/logout/", REMOTE_ADDR="10.7.7.7")
        rows = list(AuditLog.objects.filter(action__startswith="auth.").order_by("id"))
        assert [(r.action, r.result, r.actor_name) for r in rows] == [
            ("auth.login", AuditLog.Result.FAILURE, "-"),
            ("auth.login", AuditLog.Result.SUCCESS, "clerk"),
            ("auth.logout", AuditLog.Result.SUCCESS, "clerk"),
        ]
        assert {r.ip for r in rows} == {"10.7.7.7"}


@pytest.mark.django_db
class ApiTokenRevocationTests:
    def test_it_revokes_the_api_tokens_when_the_password_changes(self, world):
        token, _ = token_issue(actor=world.clerk)
        services.user_password_set(actor=world.clerk, user=world.clerk, password="New@2013pass")
        token.refresh_from_db()
        assert token.revoked_reason == ApiToken.RevokedReason.PASSWORD
        row = AuditLog.objects.get(action="token.revoke")
        assert row.actor == world.clerk
        assert row.after == {"tokens": 1, "reason": "password"}

    def test_it_revokes_the_api_tokens_when_password_sign_in_is_turned_off(self, world):
        token, _ = token_issue(actor=world.clerk)
        services.user_password_set(actor=world.sysadmin, user=world.clerk, password=None)
        token.refresh_from_db()
        assert token.revoked_reason == ApiToken.RevokedReason.PASSWORD

    def test_it_keeps_the_tokens_when_the_new_password_is_refused(self, world):
        token, _ = token_issue(actor=world.clerk)
        with pytest.raises(ValidationError):
            services.user_password_set(actor=world.clerk, user=world.clerk, password="short")
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_it_revokes_the_api_tokens_of_a_disabled_account_for_good(self, world):
        token, _ = token_issue(actor=world.clerk)
        others, _ = token_issue(actor=world.outsider)
        services.user_set_active(actor=world.sysadmin, user=world.clerk, active=False)
        services.user_set_active(actor=world.sysadmin, user=world.clerk, active=True)
        token.refresh_from_db()
        others.refresh_from_db()
        assert token.revoked_reason == ApiToken.RevokedReason.DISABLED
        assert others.revoked_at is None
        row = AuditLog.objects.get(action="token.revoke")
        assert row.actor == world.sysadmin
        assert row.after == {"tokens": 1, "reason": "disabled"}
