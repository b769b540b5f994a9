"""Model permissions that roles carry. The three admin roles (三权分立) get disjoint sets:
none can do another's job (tests/test_permissions.py proves it)."""

from louyu.accounts.models import Role

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Accounts and configuration: create and disable users, run the platform's jobs.
    Role.SYSTEM_ADMIN: frozenset(
        {
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "core.view_node",
            "core.add_node",
            "core.change_node",
            "core.view_divisioncode",
            "core.add_divisioncode",
            "core.change_divisioncode",
            "core.view_jobrun",
            "core.view_calendarday",
            "core.add_calendarday",
            "core.change_calendarday",
            "core.delete_calendarday",
            "core.view_workerheartbeat",
            "django_tasks_db.view_dbtaskresult",
            "servicedesk.view_department",
            "servicedesk.add_department",
            "servicedesk.change_department",
            "economy.view_warningpolicy",
            "economy.change_warningpolicy",
        }
    ),
    # Roles and security policy: who holds which role where, lockouts, second factors.
    Role.SECURITY_ADMIN: frozenset(
        {
            "accounts.view_membership",
            "accounts.add_membership",
            "accounts.change_membership",
            "accounts.delete_membership",
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
            "axes.view_accessfailurelog",
            "axes.view_accesslog",
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",
        }
    ),
    # The audit log, read only.
    Role.AUDIT_ADMIN: frozenset({"core.view_auditlog"}),
}
