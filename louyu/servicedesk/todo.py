"""The service center's to-do items (issue 14): what each role has to act on, as filters of the
request and visit lists. `requests_todo` is the one definition of each request to-do: the
to-do count, the work queue's and "My requests" `?todo=` and the API's filter all use it, so
a count always equals the list it links to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.servicedesk.models import (
    OPEN_STATUSES,
    RectificationCase,
    RequestEvent,
    ServiceRequest,
    Status,
    Visit,
)

S = Status
# Statuses in which a department holds the request.
WITH_DEPARTMENT = [S.DISPATCHED, S.SIGNED, S.IN_PROGRESS]
# Rectification cases still running against their deadline (an appeal waits on its decision).
CASE_RUNNING = [
    RectificationCase.Stage.VERIFY,
    RectificationCase.Stage.RECTIFY,
    RectificationCase.Stage.FEEDBACK,
    RectificationCase.Stage.REVISIT,
]


def _due(queryset: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    from louyu.servicedesk.views._queries import open_q, with_current_due

    return with_current_due(queryset).filter(open_q())


def _departments(user: Any) -> list[int]:
    from louyu.servicedesk.access import handler_department_ids

    return handler_department_ids(user) if user is not None else []


def _new(qs: QuerySet, user: Any) -> QuerySet:
    return qs.filter(status=S.SUBMITTED)


def _due_today(qs: QuerySet, user: Any) -> QuerySet:
    return _due(qs).filter(Q(current_due=timezone.localdate()))


def _overdue(qs: QuerySet, user: Any) -> QuerySet:
    return _due(qs).filter(Q(current_due__lt=timezone.localdate()))


def _to_sign(qs: QuerySet, user: Any) -> QuerySet:
    return qs.filter(status=S.DISPATCHED, department_id__in=_departments(user))


def _to_complete(qs: QuerySet, user: Any) -> QuerySet:
    return qs.filter(status__in=[S.SIGNED, S.IN_PROGRESS], department_id__in=_departments(user))


def _returned(qs: QuerySet, user: Any) -> QuerySet:
    """重办: sent back to the department after it was done, and not done again yet."""
    reopened = RequestEvent.objects.filter(request=OuterRef("pk"), action="reopen")
    return qs.filter(
        Exists(reopened), status__in=WITH_DEPARTMENT, department_id__in=_departments(user)
    )


def _escalated(qs: QuerySet, user: Any) -> QuerySet:
    """Open requests on the supervision ladder (催办, 督办, 通报)."""
    return qs.filter(status__in=OPEN_STATUSES, escalation__gt=0)


def _rectification_overdue(qs: QuerySet, user: Any) -> QuerySet:
    """Bad ratings whose rectification is past its deadline (`rectify_due` is that deadline)."""
    cases = RectificationCase.objects.filter(request=OuterRef("pk"), stage__in=CASE_RUNNING)
    return qs.annotate(rectify_due=Subquery(cases.order_by("due_on").values("due_on")[:1])).filter(
        rectify_due__lt=timezone.localdate()
    )


def _documents(qs: QuerySet, user: Any) -> QuerySet:
    return qs.filter(status=S.AWAITING_DOCUMENTS)


def _to_rate(qs: QuerySet, user: Any) -> QuerySet:
    return qs.filter(status=S.DONE)


REQUEST_TODOS: dict[str, tuple[Any, Callable[[QuerySet, Any], QuerySet]]] = {
    "new": (_("New requests to accept"), _new),
    "due_today": (_("Due today"), _due_today),
    "overdue": (_("Overdue"), _overdue),
    "to_sign": (_("To sign for"), _to_sign),
    "to_complete": (_("To complete"), _to_complete),
    "returned": (_("Returned for redoing"), _returned),
    "escalated": (_("Escalations open"), _escalated),
    "rectification_overdue": (_("Rectifications overdue"), _rectification_overdue),
    "documents": (_("Documents asked for"), _documents),
    "to_rate": (_("Ratings to give"), _to_rate),
}
TODO_CHOICES = [(key, label) for key, (label, _f) in REQUEST_TODOS.items()]
# The to-dos of the requester's side ("My requests"); the others are the work queue's.
REQUESTER_TODOS = frozenset({"documents", "to_rate"})


def requests_todo(queryset: QuerySet[ServiceRequest], key: str, user: Any) -> QuerySet:
    """The rows of `queryset` that are to-do `key` for `user` (unknown key: none)."""
    entry = REQUEST_TODOS.get(key)
    return entry[1](queryset, user) if entry else queryset.none()


def visits_todo(queryset: QuerySet[Visit]) -> QuerySet[Visit]:
    """Open visits due today or before (走访 not recorded yet)."""
    return queryset.filter(
        status__in=[Visit.Status.SCHEDULED, Visit.Status.CHECKED_IN],
        due_on__lte=timezone.localdate(),
    )


# --- Registration ------------------------------------------------------------------------------


def _staff_requests(key: str) -> Callable[[Any], QuerySet]:
    def rows(user: Any) -> QuerySet:
        from louyu.servicedesk.selectors import request_queue

        return requests_todo(request_queue(user), key, user)

    return rows


def _requester_requests(key: str) -> Callable[[Any], QuerySet]:
    def rows(user: Any) -> QuerySet:
        from louyu.servicedesk.views._queries import my_requests

        return requests_todo(my_requests(user), key, user)

    return rows


def _url(name: str, key: str) -> Callable[[Any], str]:
    return lambda user: f"{reverse(name)}?todo={key}"


def _request_url(row: ServiceRequest) -> str:
    return reverse("servicedesk:request_detail", args=[row.pk])


def _request_label(row: ServiceRequest) -> str:
    return f"{row.number} {row.title}"


def _visit_rows(user: Any) -> QuerySet[Visit]:
    from louyu.servicedesk.selectors import visit_list

    return visits_todo(visit_list(user, status=None))


def _visit_label(row: Visit) -> str:
    return f"{row.enterprise.name} · {row.reason}"


def _unplaced_rows(user: Any) -> QuerySet:
    """Open311 submissions whose location matched no building, in the user's intake queue."""
    from louyu.api.open311.selectors import intake_list

    return intake_list(user)


def _unplaced_label(row: Any) -> str:
    where = row.address_string or row.jurisdiction.name
    return f"{row.service_item.name} · {where}" if row.service_item else where


def todo_items_register() -> None:
    """Register the service center's to-dos (called from ServicedeskConfig.ready())."""
    from louyu.accounts.models import SERVICE_CENTER_ROLES, Role
    from louyu.notifications.todo import todo_register

    desk = SERVICE_CENTER_ROLES
    oversight = {Role.STREET_CADRE, Role.DISTRICT_OFFICER}
    handler = {Role.DEPARTMENT_HANDLER}
    requester = {Role.ENTERPRISE_CONTACT, Role.EMPLOYEE}
    # (key, roles, age field, order)
    entries = [
        ("new", desk, "submitted_at", 10),
        ("due_today", desk, "submitted_at", 20),
        ("overdue", desk, "current_due", 30),
        ("to_sign", handler, "dispatched_at", 10),
        ("to_complete", handler, "signed_at", 20),
        ("returned", handler, "dispatched_at", 30),
        ("escalated", oversight, "escalated_at", 10),
        ("rectification_overdue", oversight, "rectify_due", 30),
        ("documents", requester, "updated_at", 10),
        ("to_rate", requester, "completed_at", 20),
    ]
    for key, roles, age_field, order in entries:
        page = "servicedesk:mine" if key in REQUESTER_TODOS else "servicedesk:queue"
        rows = _requester_requests(key) if key in REQUESTER_TODOS else _staff_requests(key)
        todo_register(
            f"servicedesk.{key}",
            label=REQUEST_TODOS[key][0],
            roles=roles,
            queryset=rows,
            url=_url(page, key),
            age_field=age_field,
            order=order,
            pillar="servicedesk",
            item_url=_request_url,
            item_label=_request_label,
        )
    todo_register(
        "servicedesk.visits_due",
        label=_("Visits due"),
        roles=desk,
        queryset=_visit_rows,
        url=lambda user: f"{reverse('servicedesk:visits')}?show=todo",
        age_field="due_on",
        order=40,
        pillar="servicedesk",
        item_label=_visit_label,
    )
    todo_register(
        "servicedesk.unplaced_open311",
        label=_("Open311 requests to place"),
        roles=desk,
        queryset=_unplaced_rows,
        url="servicedesk:intake",
        age_field="created_at",
        order=50,
        pillar="servicedesk",
        item_label=_unplaced_label,
    )
