"""Reads the pages need beyond F's selectors: the queue's current-deadline annotation (so the
SLA light and "due today" filter in SQL, agreeing with `ServiceRequest.light`), the buildings a
queue can be filtered by, and who has a queue at all. Pure reads."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Case, DateField, F, Q, QuerySet, When

from louyu.core.models import Node
from louyu.lib.workdays import add_workdays
from louyu.servicedesk.access import (
    _under,
    contact_enterprise_ids,
    desk_paths,
    handler_department_ids,
    member_enterprise_ids,
)
from louyu.servicedesk.models import OPEN_STATUSES, Light, ServiceRequest, Status


def has_queue(user: Any) -> bool:
    """Staff with a work queue: desk roles over a node, or handlers of a department."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(desk_paths(user) or handler_department_ids(user))


def is_requester(user: Any) -> bool:
    """People who file requests for an enterprise (contact or employee)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(member_enterprise_ids(user))


def with_current_due(queryset: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    """Annotate `current_due`: the deadline the request works against now, as
    `ServiceRequest.current_due_on` computes it in Python."""
    return queryset.annotate(
        current_due=Case(
            When(status=Status.SUBMITTED, then=F("response_due_on")),
            When(
                Q(status=Status.DISPATCHED, sign_due_on__isnull=False)
                & (Q(due_on__isnull=True) | Q(sign_due_on__lt=F("due_on"))),
                then=F("sign_due_on"),
            ),
            When(
                status__in=[Status.ACCEPTED, Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS],
                then=F("due_on"),
            ),
            default=None,
            output_field=DateField(),
        )
    )


def light_q(light: str, today: date) -> Q:
    """Rows whose SLA light is `light` today (needs `with_current_due`). Yellow is "at most
    LOUYU_SERVICEDESK_YELLOW_DAYS working days left": due before the (N+1)th working day."""
    if light == Light.PAUSED:
        return Q(status=Status.AWAITING_DOCUMENTS)
    green_from = add_workdays(today, settings.LOUYU_SERVICEDESK_YELLOW_DAYS + 1)
    if light == Light.RED:
        return Q(current_due__lt=today)
    if light == Light.YELLOW:
        return Q(current_due__gte=today, current_due__lt=green_from)
    if light == Light.GREEN:
        return Q(current_due__gte=green_from)
    return Q(current_due__isnull=True)


def open_q() -> Q:
    return Q(status__in=OPEN_STATUSES)


def queue_buildings(user: Any) -> list[tuple[int, str]]:
    """Buildings the user's queue can be filtered by: those under their desk nodes (handlers
    and others: none, the filter still works on what they see)."""
    paths = desk_paths(user)
    if not paths:
        return []
    return list(
        Node.objects.filter(_under(paths, "path"), kind=Node.Kind.BUILDING)
        .order_by("name")
        .values_list("pk", "name")[:500]
    )


def my_requests(user: Any) -> QuerySet[ServiceRequest]:
    """An enterprise person's requests: those they filed, and their enterprise's if contact."""
    query = Q(requester=user)
    enterprises = contact_enterprise_ids(user)
    if enterprises:
        query |= Q(enterprise_id__in=enterprises)
    return (
        ServiceRequest.objects.filter(query)
        .select_related("service_item", "department", "handler", "enterprise")
        .order_by("-submitted_at", "-id")
    )
