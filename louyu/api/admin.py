"""Admin for Open311 API keys: the security administrator issues and revokes them. A new key
is shown once, in the confirmation message; only its hash is stored."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from louyu.accounts.models import Role
from louyu.api.models import Open311Key
from louyu.api.open311.services import open311_key_create, open311_key_revoke


def _is_security_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.has_role(Role.SECURITY_ADMIN))  # type: ignore[union-attr]


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "user",
        "name",
        "jurisdiction",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username", "user__real_name")
    fields = (
        "user",
        "name",
        "jurisdiction",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    raw_id_fields = ("user",)
    actions = ["revoke"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_security_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_security_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_security_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Existing keys are only revoked (an action); nothing else about them changes.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Open311Key, form: Any, change: bool) -> None:
        key, raw = open311_key_create(
            actor=request.user,
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            jurisdiction=form.cleaned_data["jurisdiction"],
        )
        obj.pk = key.pk
        obj.__dict__.update({k: v for k, v in key.__dict__.items() if not k.startswith("_")})
        messages.warning(
            request,
            _("The new api_key is %(key)s — copy it now: it will not be shown again.")
            % {"key": raw},
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Open311Key]) -> None:
        for key in queryset:
            open311_key_revoke(actor=request.user, key=key)
        self.message_user(request, _("Keys revoked."))
