"""Economy admin. The early-warning policy (one row): the system administrator edits its
triggers, thresholds, grades and weights; saving goes through `warning_policy_update`
(audited, and every grade is recomputed in the background). Other helpers: append below."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from louyu.economy.models import WarningPolicy
from louyu.economy.services_investment import POLICY_FIELDS, warning_policy_update


@admin.register(WarningPolicy)
class WarningPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "updated_at")
    fieldsets = (
        (
            _("Lease expiry"),
            {
                "fields": (
                    ("lease_days_far", "lease_far_grade", "lease_far_weight"),
                    ("lease_days_mid", "lease_mid_grade", "lease_mid_weight"),
                    ("lease_days_near", "lease_near_grade", "lease_near_weight"),
                )
            },
        ),
        (_("Intends to leave"), {"fields": (("leave_enabled", "leave_grade", "leave_weight"),)}),
        (
            _("Tax down year on year"),
            {
                "fields": (
                    ("tax_drop_enabled", "tax_drop_percent", "tax_drop_min_base"),
                    "tax_definition",
                    ("tax_drop_grade", "tax_drop_weight"),
                )
            },
        ),
        (
            _("Registered address"),
            {
                "fields": (
                    ("address_enabled", "address_days"),
                    ("address_changed_grade", "address_changed_weight"),
                    ("address_out_grade", "address_out_weight"),
                )
            },
        ),
        (
            _("Open complaints"),
            {
                "fields": (
                    ("complaints_enabled", "complaints_min"),
                    ("complaints_grade", "complaints_weight"),
                )
            },
        ),
        (_("Grade by score"), {"fields": (("score_yellow", "score_orange", "score_red"),)}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        current = WarningPolicy.objects.get(pk=obj.pk)
        values = {name: getattr(obj, name) for name in POLICY_FIELDS}
        warning_policy_update(actor=request.user, policy=current, **values)
