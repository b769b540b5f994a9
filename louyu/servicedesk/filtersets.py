"""Filters of the request list, shared by the staff queue and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.core.filtersets import BoolFilter, IdFilter
from louyu.lib.workdays import add_workdays
from louyu.servicedesk.models import OPEN_STATUSES, Category, Channel, ServiceRequest, Status
from louyu.servicedesk.todo import TODO_CHOICES, requests_todo

LIGHTS = [("red", _("Overdue")), ("yellow", _("Due soon")), ("open", _("Open"))]


class ServiceRequestFilterSet(django_filters.FilterSet):
    # Every filter and the row scope join to-one relations only: no row repeats, and DISTINCT
    # would make PostgreSQL sort and compare every column of the page query and its count.
    status = django_filters.MultipleChoiceFilter(
        label=_("status"), choices=Status.choices, distinct=False
    )
    category = django_filters.ChoiceFilter(label=_("category"), choices=Category.choices)
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    # Ids, not model choices: validating against all rows would reveal which ids exist.
    department = IdFilter(label=_("department"), field_name="department_id")
    community = IdFilter(label=_("building community"), field_name="community_id")
    enterprise = IdFilter(label=_("enterprise"), field_name="enterprise_id")
    service_item = IdFilter(label=_("service item"), field_name="service_item_id")
    urgent = BoolFilter(label=_("urgent"))
    escalated = BoolFilter(label=_("escalated"), method="filter_escalated")
    light = django_filters.ChoiceFilter(label=_("SLA light"), choices=LIGHTS, method="filter_light")
    submitted_after = django_filters.DateFilter(
        label=_("submitted on or after"), field_name="submitted_at__date", lookup_expr="gte"
    )
    submitted_before = django_filters.DateFilter(
        label=_("submitted on or before"), field_name="submitted_at__date", lookup_expr="lte"
    )
    q = django_filters.CharFilter(label=_("number or title"), method="filter_q")
    # A workbench to-do (issue 14), for the requesting user: the rows its count counted.
    todo = django_filters.ChoiceFilter(label=_("to-do"), choices=TODO_CHOICES, method="filter_todo")

    class Meta:
        model = ServiceRequest
        fields = [
            "status",
            "category",
            "channel",
            "department",
            "community",
            "enterprise",
            "service_item",
            "urgent",
            "escalated",
            "light",
            "submitted_after",
            "submitted_before",
            "q",
            "todo",
        ]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None else getattr(self.request, "user", None)

    def filter_todo(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return requests_todo(queryset, value, self.user) if value else queryset

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(title__icontains=value))

    def filter_escalated(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(escalation__gt=0) if value else queryset.filter(escalation=0)

    def filter_light(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Red: past the deadline it works against; yellow: due within the yellow margin.
        Evaluated on the completion / first-response / sign-for dates in SQL."""
        from django.conf import settings

        today = timezone.localdate()
        running = [s for s in OPEN_STATUSES if s != Status.AWAITING_DOCUMENTS]
        queryset = queryset.filter(status__in=running)
        if value == "open":
            return queryset
        if value == "red":
            return queryset.filter(
                Q(status=Status.SUBMITTED, response_due_on__lt=today)
                | Q(status=Status.DISPATCHED, sign_due_on__lt=today)
                | Q(
                    status__in=[
                        Status.ACCEPTED,
                        Status.SIGNED,
                        Status.IN_PROGRESS,
                        Status.DISPATCHED,
                    ],
                    due_on__lt=today,
                )
            )
        # Yellow while at most N working days are left: due before the (N+1)-th working day.
        limit = add_workdays(today, settings.LOUYU_SERVICEDESK_YELLOW_DAYS + 1)

        def between(field: str) -> Q:
            return Q(**{f"{field}__gte": today, f"{field}__lt": limit})

        return queryset.filter(
            (Q(status=Status.SUBMITTED) & between("response_due_on"))
            | (Q(status=Status.DISPATCHED) & (between("sign_due_on") | between("due_on")))
            | (
                Q(status__in=[Status.ACCEPTED, Status.SIGNED, Status.IN_PROGRESS])
                & between("due_on")
            )
        ).exclude(Q(status=Status.DISPATCHED, sign_due_on__lt=today) | Q(due_on__lt=today))
