"""三权分立: the system, security and audit administrators hold disjoint permissions, and none
can do another's job through the admin."""

from itertools import combinations

import pytest
from django.contrib import admin
from django.urls import reverse

from louyu.accounts.models import ADMIN_ROLES, Role, User
from louyu.accounts.permissions import ROLE_PERMISSIONS
from louyu.testing import PERSONAS

AUDIT_LOG = reverse("admin:core_auditlog_changelist")
USER_ADD = reverse("admin:accounts_user_add")
USER_LIST = reverse("admin:accounts_user_changelist")
MEMBERSHIP_ADD = reverse("admin:accounts_membership_add")
MEMBERSHIP_LIST = reverse("admin:accounts_membership_changelist")


def admin_urls() -> list[str]:
    """The changelist and add page of every registered model."""
    urls = ["/admin/"]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
    return urls


class RolePermissionSetTests:
    def test_it_gives_every_admin_role_a_non_empty_set(self):
        for role in ADMIN_ROLES:
            assert ROLE_PERMISSIONS[role], role

    def test_it_keeps_the_three_admin_sets_pairwise_disjoint(self):
        for one, other in combinations(sorted(ADMIN_ROLES), 2):
            overlap = ROLE_PERMISSIONS[one] & ROLE_PERMISSIONS[other]
            assert not overlap, f"{one} and {other} share {sorted(overlap)}"

    def test_it_lets_nobody_change_or_delete_the_audit_log(self):
        for perms in ROLE_PERMISSIONS.values():
            assert not {"core.add_auditlog", "core.change_auditlog", "core.delete_auditlog"} & perms

    def test_it_keeps_user_admin_and_role_admin_apart(self):
        assert "accounts.add_user" in ROLE_PERMISSIONS[Role.SYSTEM_ADMIN]
        assert not any(p.endswith("_membership") for p in ROLE_PERMISSIONS[Role.SYSTEM_ADMIN])
        assert "accounts.add_membership" in ROLE_PERMISSIONS[Role.SECURITY_ADMIN]
        assert not any(p.endswith("_user") for p in ROLE_PERMISSIONS[Role.SECURITY_ADMIN])


@pytest.mark.django_db
class AdminRoleSeparationTests:
    def test_it_has_no_superuser(self, world):
        assert not User.objects.filter(is_superuser=True).exists()

    def test_it_grants_each_admin_persona_exactly_its_role_set(self, world):
        for username, role in [
            ("sysadmin", Role.SYSTEM_ADMIN),
            ("secadmin", Role.SECURITY_ADMIN),
            ("auditor", Role.AUDIT_ADMIN),
        ]:
            user = User.objects.get(username=username)
            assert user.get_all_permissions() == set(ROLE_PERMISSIONS[role])

    def test_it_keeps_the_system_admin_out_of_the_audit_log_and_memberships(self, world):
        client = world.client_for("sysadmin")
        assert client.get(USER_ADD).status_code == 200
        assert client.get(AUDIT_LOG).status_code == 403
        assert client.get(MEMBERSHIP_ADD).status_code == 403
        assert client.get(MEMBERSHIP_LIST).status_code == 403

    def test_it_keeps_the_security_admin_out_of_users_and_the_audit_log(self, world):
        client = world.client_for("secadmin")
        assert client.get(MEMBERSHIP_ADD).status_code == 200
        assert client.get(USER_ADD).status_code == 403
        assert client.get(USER_LIST).status_code == 403
        assert client.get(AUDIT_LOG).status_code == 403

    def test_it_lets_the_auditor_only_read_the_audit_log(self, world):
        client = world.client_for("auditor")
        assert client.get(AUDIT_LOG).status_code == 200
        assert client.get(USER_ADD).status_code == 403
        assert client.get(MEMBERSHIP_ADD).status_code == 403
        assert client.get(reverse("admin:core_auditlog_add")).status_code == 403

    def test_it_makes_the_audit_log_read_only_for_everyone(self, world, rf):
        from louyu.core.models import AuditLog

        model_admin = admin.site._registry[AuditLog]
        row = AuditLog.objects.first()
        for username in ["sysadmin", "secadmin", "auditor"]:
            request = rf.get("/admin/")
            request.user = world.users[username]
            assert not model_admin.has_add_permission(request)
            assert not model_admin.has_change_permission(request, row)
            assert not model_admin.has_delete_permission(request, row)
            assert not model_admin.has_delete_permission(request)

    def test_it_refuses_the_admin_to_every_non_admin_persona(self, world):
        urls = admin_urls()
        admins = {"sysadmin", "secadmin", "auditor"}
        for username in ["nobody", *[p for p in PERSONAS if p not in admins]]:
            client = world.client_for(username)
            for url in urls:
                response = client.get(url)
                assert response.status_code == 302, (username, url, response.status_code)
                assert response["Location"].startswith("/admin/login/"), (username, url)

    def test_it_refuses_anonymous_everywhere_in_the_admin(self, client):
        for url in admin_urls():
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/admin/login/")
