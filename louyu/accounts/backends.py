"""Authentication backend that grants model permissions from roles, not per-user grants."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from louyu.accounts.permissions import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    """ModelBackend whose permissions come from the roles a user holds (ROLE_PERMISSIONS)."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_louyu_perm_cache"):
            perms: set[str] = set()
            for role in user_obj.roles():
                perms |= ROLE_PERMISSIONS.get(role, frozenset())
            user_obj._louyu_perm_cache = perms
        return user_obj._louyu_perm_cache

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
