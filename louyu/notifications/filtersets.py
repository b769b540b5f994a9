"""Filters of the inbox, shared by the notifications page and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from louyu.notifications.models import Delivery, Notification, Pillar
from louyu.notifications.registry import notification_kinds


def kind_choices() -> list[tuple[str, Any]]:
    return [(k.key, k.label) for k in notification_kinds()]


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(label=_("unread only"), method="filter_unread")
    # A plain string: the kinds are registered in ready(), after this class is built (a kind
    # nobody registered simply matches nothing).
    kind = django_filters.CharFilter(label=_("kind"))
    pillar = django_filters.ChoiceFilter(label=_("pillar"), choices=Pillar.choices)

    class Meta:
        model = Notification
        fields = ["unread", "kind", "pillar"]

    def filter_unread(
        self, queryset: QuerySet[Notification], name: str, value: bool | None
    ) -> QuerySet[Notification]:
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)


class DeliveryFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label=_("state"), choices=Delivery.State.choices)
    channel = django_filters.ChoiceFilter(
        label=_("channel"), choices=Delivery._meta.get_field("channel").choices
    )

    class Meta:
        model = Delivery
        fields = ["state", "channel"]
