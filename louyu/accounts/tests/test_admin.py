"""Admin writes go through services, so every one leaves an audit row."""

import pytest
from axes.models import AccessAttempt
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from louyu.accounts.models import Membership, Role, User
from louyu.api.models import ApiToken
from louyu.api.services import token_issue
from louyu.core.models import AuditLog, Node
from louyu.testing import PASSWORD


@pytest.mark.django_db
class UserAdminTests:
    def test_it_creates_a_user_through_the_service(self, world):
        client = world.client_for("sysadmin")
        response = client.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "newclerk",
                "real_name": "新办事员",
                "phone": "",
                "usable_password": "true",
                "password1": "Fresh@2013pw",
                "password2": "Fresh@2013pw",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        user = User.objects.get(username="newclerk")
        assert user.real_name == "新办事员"
        assert user.check_password("Fresh@2013pw")
        row = AuditLog.objects.get(action="user.create", target_id=str(user.pk))
        assert row.actor == world.sysadmin

    def test_it_refuses_a_password_against_the_policy(self, world):
        client = world.client_for("sysadmin")
        response = client.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "weak",
                "usable_password": "true",
                "password1": "abcdefgh1",
                "password2": "abcdefgh1",
            },
        )
        assert response.status_code == 200
        assert not User.objects.filter(username="weak").exists()

    def test_it_disables_a_user_through_the_service_and_ends_the_sessions(self, world):
        victim = world.client_for("employee")
        assert victim.get("/").status_code == 200
        client = world.client_for("sysadmin")
        url = reverse("admin:accounts_user_change", args=[world.employee.pk])
        form = client.get(url).context["adminform"].form
        data = {name: form[name].value() or "" for name in form.fields if name != "password"}
        data.update(is_active="", real_name="改名员工")
        response = client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        world.employee.refresh_from_db()
        assert not world.employee.is_active
        assert world.employee.real_name == "改名员工"
        assert AuditLog.objects.filter(action="user.disable", actor=world.sysadmin).exists()
        update = AuditLog.objects.get(action="user.update", actor=world.sysadmin)
        assert update.after == {"real_name": "改名员工"}
        assert victim.get("/").status_code == 302

    def test_it_sets_a_password_through_the_service(self, world):
        client = world.client_for("sysadmin")
        url = reverse("admin:auth_user_password_change", args=[world.clerk.pk])
        response = client.post(
            url,
            {"usable_password": "true", "password1": "Reset@2013pw", "password2": "Reset@2013pw"},
        )
        assert response.status_code == 302
        world.clerk.refresh_from_db()
        assert world.clerk.check_password("Reset@2013pw")
        row = AuditLog.objects.get(action="user.password_set")
        assert row.actor == world.sysadmin
        assert row.target_id == str(world.clerk.pk)

    def test_it_never_deletes_users(self, world):
        client = world.client_for("sysadmin")
        url = reverse("admin:accounts_user_delete", args=[world.clerk.pk])
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert User.objects.filter(pk=world.clerk.pk).exists()

    def test_it_disables_in_bulk_with_an_action(self, world):
        client = world.client_for("sysadmin")
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "disable_users", "_selected_action": [world.clerk.pk, world.street.pk]},
        )
        assert response.status_code == 302
        assert not User.objects.filter(pk__in=[world.clerk.pk, world.street.pk], is_active=True)
        assert AuditLog.objects.filter(action="user.disable").count() == 2


@pytest.mark.django_db
class MembershipAdminTests:
    def _add(self, client: Client, **overrides):
        data = {
            "user": "nobody",
            "role": Role.CLERK,
            "scope_type": ContentType.objects.get_for_model(Node).pk,
            "scope_id": Node.objects.get(name="环西楼宇社区").pk,
            "title": "办事员",
        }
        data.update(overrides)
        return client.post(reverse("admin:accounts_membership_add"), data)

    def test_it_grants_through_the_service(self, world):
        response = self._add(world.client_for("secadmin"))
        assert response.status_code == 302
        membership = Membership.objects.get(user=world.nobody)
        assert membership.role == Role.CLERK
        assert membership.title == "办事员"
        row = AuditLog.objects.get(action="membership.grant", target_id=str(membership.pk))
        assert row.actor == world.secadmin

    def test_it_refuses_a_scope_of_the_wrong_kind_or_missing(self, world):
        client = world.client_for("secadmin")
        assert self._add(client, role=Role.ENTERPRISE_CONTACT).status_code == 200
        assert self._add(client, scope_id=999999).status_code == 200
        assert not Membership.objects.filter(user=world.nobody).exists()

    def test_it_changes_only_the_title_in_place(self, world):
        client = world.client_for("secadmin")
        membership = world.clerk.memberships.get()
        url = reverse("admin:accounts_membership_change", args=[membership.pk])
        response = client.post(url, {"title": "首席办事员", "role": Role.DISTRICT_OFFICER})
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.title == "首席办事员"
        assert membership.role == Role.CLERK
        assert AuditLog.objects.filter(action="membership.update").exists()

    def test_it_revokes_through_the_service(self, world):
        client = world.client_for("secadmin")
        membership = world.clerk.memberships.get()
        url = reverse("admin:accounts_membership_delete", args=[membership.pk])
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()
        assert AuditLog.objects.filter(action="membership.revoke", actor=world.secadmin).exists()


@pytest.mark.django_db
class SecurityAdminTests:
    def test_it_removes_a_lost_device_without_showing_its_key(self, world):
        device = TOTPDevice.objects.create(user=world.clerk, name="phone", confirmed=True)
        client = world.client_for("secadmin")
        page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
        assert page.status_code == 200
        assert device.key not in page.content.decode()
        url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert not TOTPDevice.objects.filter(pk=device.pk).exists()
        assert AuditLog.objects.filter(action="otp.disable", actor=world.secadmin).exists()

    def test_it_lifts_a_lockout_with_an_audit_row(self, world):
        for i in range(5):
            Client().post(
                "/accounts/login/",
                {"username": "clerk", "password": "wrong"},
                REMOTE_ADDR=f"10.9.0.{i}",
            )
        attempt = AccessAttempt.objects.filter(username="clerk").first()
        assert attempt is not None
        client = world.client_for("secadmin")
        url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
        assert client.post(url, {"post": "yes"}).status_code == 302
        assert AuditLog.objects.filter(action="auth.lockout_clear", actor=world.secadmin).exists()

    def test_it_keeps_device_admin_from_the_system_admin(self, world):
        client = world.client_for("sysadmin")
        assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403


@pytest.mark.django_db
class CoreAdminTests:
    def test_it_creates_nodes_through_the_service(self, world):
        client = world.client_for("sysadmin")
        response = client.post(
            reverse("admin:core_node_add"),
            {"kind": "building", "name": "新楼", "parent": world.community.pk, "is_target": "on"},
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        node = Node.objects.get(name="新楼")
        assert node.path == f"{world.community.path}{node.pk}/"
        assert AuditLog.objects.filter(
            action="node.create", actor=world.sysadmin, target_id=str(node.pk)
        ).exists()

    def test_it_audits_a_node_rename(self, world):
        client = world.client_for("sysadmin")
        url = reverse("admin:core_node_change", args=[world.building.pk])
        response = client.post(
            url,
            {
                "name": "坤和中心A座",
                "is_target": "on",
                "division_codes-TOTAL_FORMS": "0",
                "division_codes-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        row = AuditLog.objects.get(action="node.update")
        assert row.before == {"name": "坤和中心"}
        assert row.after == {"name": "坤和中心A座"}

    def test_it_shows_job_records_read_only_to_the_system_admin(self, world):
        client = world.client_for("sysadmin")
        assert client.get(reverse("admin:core_jobrun_changelist")).status_code == 200
        assert client.get(reverse("admin:core_jobrun_add")).status_code == 403
        assert client.get(reverse("admin:core_workerheartbeat_changelist")).status_code == 200
        assert (
            world.client_for("auditor").get(reverse("admin:core_jobrun_changelist")).status_code
            == 403
        )

    def test_it_lists_the_audit_log_for_the_auditor(self, world):
        Client().post("/accounts/login/", {"username": "clerk", "password": PASSWORD})
        client = world.client_for("auditor")
        response = client.get(reverse("admin:core_auditlog_changelist"))
        assert response.status_code == 200
        assert "auth.login" in response.content.decode()
        row = AuditLog.objects.first()
        detail = client.get(reverse("admin:core_auditlog_change", args=[row.pk]))
        assert detail.status_code == 200
        assert (
            client.post(
                reverse("admin:core_auditlog_delete", args=[row.pk]), {"post": "yes"}
            ).status_code
            == 403
        )


@pytest.mark.django_db
class UserAdminTokenTests:
    def test_it_revokes_the_api_tokens_on_a_password_reset(self, world):
        token, _ = token_issue(actor=world.clerk)
        client = world.client_for("sysadmin")
        url = reverse("admin:auth_user_password_change", args=[world.clerk.pk])
        response = client.post(
            url,
            {"usable_password": "true", "password1": "Reset@2013pw", "password2": "Reset@2013pw"},
        )
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.revoked_reason == ApiToken.RevokedReason.PASSWORD
        assert AuditLog.objects.get(action="token.revoke").actor == world.sysadmin

    def test_it_revokes_the_api_tokens_of_accounts_disabled_in_bulk(self, world):
        clerks, _ = token_issue(actor=world.clerk)
        outsiders, _ = token_issue(actor=world.outsider)
        client = world.client_for("sysadmin")
        client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "disable_users", "_selected_action": [world.clerk.pk]},
        )
        clerks.refresh_from_db()
        outsiders.refresh_from_db()
        assert clerks.revoked_reason == ApiToken.RevokedReason.DISABLED
        assert outsiders.revoked_at is None


# Words an admin page may show in Latin letters: names and abbreviations, not English labels.
LATIN_OK = {"Louyu", "TOTP", "GET", "POST", "HTTP", "Accept", "SHA", "API", "Open311"}


def english_labels(html: str) -> set[str]:
    """Latin words in what labels a page: headings, column heads, captions, filter titles,
    app and model names in the sidebar and index (not data cells, which hold usernames)."""
    import re

    # Rows of a change list start with a <th> holding data (a username): drop the rows.
    html = re.sub(r"<(script|style|tbody)\b.*?</\1>", "", html, flags=re.S)
    labels = re.findall(
        r"<(?:h1|h2|h3|th|caption|label)\b[^>]*>(.*?)</(?:h1|h2|h3|th|caption|label)>",
        html,
        flags=re.S,
    )
    words = set()
    for label in labels:
        text = re.sub(r"<[^>]+>", " ", label)
        words |= {w for w in re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", text) if w not in LATIN_OK}
    return words


@pytest.mark.django_db
class ChineseAdminTests:
    """Issue 12: the admin was half English (AXES, OTP_TOTP, Access attempts, field names)."""

    @pytest.mark.parametrize("username", ["sysadmin", "secadmin", "auditor"])
    def test_every_page_an_admin_sees_is_labelled_in_chinese(self, world, username):
        from django.contrib import admin

        user = world.users[username]
        client = world.client_for(username)
        TOTPDevice.objects.create(user=world.clerk, name="手机", confirmed=True)
        AccessAttempt.objects.create(
            username="clerk", ip_address="127.0.0.1", failures_since_start=2, user_agent="x"
        )
        pages = [reverse("admin:index")]
        request = type("Request", (), {"user": user})()
        for model, model_admin in admin.site._registry.items():
            if model_admin.has_view_permission(request):
                meta = model._meta
                pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert len(pages) >= 2
        found = {}
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            words = english_labels(response.content.decode())
            if words:
                found[page] = sorted(words)
        assert found == {}, found
