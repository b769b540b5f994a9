"""Admin of deliveries (the system admin sees what failed and was given up) and, read only, of
notifications. Notifications are personal data: only a superuser reads them here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from louyu.core.admin import ReadOnlyAdmin
from louyu.notifications.models import Delivery, Notification
from louyu.notifications.services import delivery_retry_now, is_delivery_admin


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "state", "attempts", "next_attempt_at", "error")
    list_filter = ("state", "channel")
    list_select_related = ("notification",)
    readonly_fields = ("notification", "channel", "state", "attempts", "last_error", "sent_at")
    exclude = ("payload",)  # a group bot's webhook URL carries its key
    actions = ["retry"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_delivery_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_delivery_admin(request.user)

    @admin.display(description=_("last error"))
    def error(self, obj: Delivery) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Send the selected deliveries again"))
    def retry(self, request: HttpRequest, queryset: Any) -> None:
        for delivery in queryset.filter(state__in=[Delivery.State.FAILED, Delivery.State.GAVE_UP]):
            delivery_retry_now(actor=request.user, delivery=delivery)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("pillar", "kind")
    search_fields = ("title",)
