"""Reads of the service center: recipients by role, the public staff roster, work queues with
SLA lights, visit lists and satisfaction rates (综合满意率, DESIGN.md §9)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from louyu.accounts.models import Membership, Role
from louyu.core.models import Node
from louyu.servicedesk.models import (
    OPEN_STATUSES,
    Department,
    Level,
    Rating,
    RectificationCase,
    ServiceRequest,
    StaffAssignment,
    Visit,
)


def community_staff_ids(node: Node | None, roles: Iterable[str]) -> list[int]:
    """Users holding one of `roles` at exactly this node."""
    if node is None:
        return []
    return list(
        Membership.objects.filter(
            role__in=list(roles),
            scope_type=ContentType.objects.get_for_model(Node),
            scope_id=node.pk,
        ).values_list("user_id", flat=True)
    )


def department_handler_ids(department_id: int | None) -> list[int]:
    if department_id is None:
        return []
    return list(
        Membership.objects.filter(
            role=Role.DEPARTMENT_HANDLER,
            scope_type=ContentType.objects.get_for_model(Department),
            scope_id=department_id,
        ).values_list("user_id", flat=True)
    )


def staff_roster(community: Node) -> QuerySet[StaffAssignment]:
    """The published roster of a building community: names, roles, agencies, contacts, hours."""
    return (
        StaffAssignment.objects.filter(community=community, is_public=True)
        .select_related("user")
        .order_by("role", "user__real_name")
    )


def roles_coverage(community: Node) -> dict[str, int]:
    """How many people fill each of the six roles (0 = a gap to fill)."""
    from louyu.servicedesk.models import SIX_ROLES

    counts = dict(
        StaffAssignment.objects.filter(community=community)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return {role: counts.get(role, 0) for role, _ in SIX_ROLES}


def request_queue(user: Any) -> QuerySet[ServiceRequest]:
    """The requests the user may see, with what a list shows, newest first."""
    from louyu.servicedesk.access import requests_visible_to

    return requests_visible_to(user).select_related(
        "community", "department", "service_item", "enterprise"
    )


def request_lights(requests: Iterable[ServiceRequest], today: date | None = None) -> dict[str, int]:
    """Counts of the open requests by SLA light."""
    today = today or timezone.localdate()
    counts: dict[str, int] = {}
    for request in requests:
        if request.is_open:
            light = request.light(today)
            counts[light] = counts.get(light, 0) + 1
    return counts


def visit_list(user: Any, *, status: str | None = Visit.Status.SCHEDULED) -> QuerySet[Visit]:
    """A staff member's visit list: visits assigned to them or in their communities, by due date."""
    from louyu.servicedesk.access import visits_visible_to

    queryset = visits_visible_to(user).select_related("enterprise", "community", "assignee")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("due_on", "id")


# --- Satisfaction ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """Ratings of one group: counts per level and the 综合满意率 under the current setting."""

    key: Any
    label: str
    counts: dict[int, int]
    includes_basic: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def satisfied(self) -> int:
        levels = {Level.VERY_SATISFIED, Level.SATISFIED}
        if self.includes_basic:
            levels.add(Level.BASIC)
        return sum(n for level, n in self.counts.items() if level in levels)

    @property
    def bad(self) -> int:
        return self.counts.get(Level.DISSATISFIED, 0) + self.counts.get(Level.VERY_DISSATISFIED, 0)

    @property
    def rate(self) -> Decimal | None:
        """Satisfied ÷ responses, as a percentage with two places (93.80)."""
        if not self.total:
            return None
        return (Decimal(self.satisfied) * 100 / self.total).quantize(Decimal("0.01"))


GROUPS = {
    "department": ("department_id", "department__name"),
    "service_item": ("service_item_id", "service_item__name"),
    "community": ("community_id", "community__name"),
    "handler": ("handler_id", "handler__real_name"),
    "category": ("request__category", "request__category"),
}


def ratings_counted(ratings: QuerySet[Rating] | None = None) -> QuerySet[Rating]:
    """Ratings that count: not excluded by an upheld appeal."""
    return (Rating.objects.all() if ratings is None else ratings).filter(excluded=False)


def satisfaction(
    ratings: QuerySet[Rating] | None = None, *, includes_basic: bool | None = None
) -> Satisfaction:
    """综合满意率 over the ratings (all by default)."""
    basic = settings.LOUYU_SATISFACTION_INCLUDES_BASIC if includes_basic is None else includes_basic
    counts = dict(
        ratings_counted(ratings)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return Satisfaction(key=None, label="", counts=counts, includes_basic=basic)


def satisfaction_by(
    group: str,
    ratings: QuerySet[Rating] | None = None,
    *,
    includes_basic: bool | None = None,
) -> list[Satisfaction]:
    """综合满意率 per department, service item, building community, handler or category,
    best first; one GROUP BY query."""
    basic = settings.LOUYU_SATISFACTION_INCLUDES_BASIC if includes_basic is None else includes_basic
    key, label = GROUPS[group]
    rows = (
        ratings_counted(ratings)
        .exclude(**{f"{key}__isnull": True})
        .values(key, label, "level")
        .annotate(n=Count("id"))
        .order_by()
    )
    groups: dict[Any, dict[str, Any]] = {}
    for row in rows:
        entry = groups.setdefault(row[key], {"label": row[label] or "", "counts": {}})
        entry["counts"][row["level"]] = row["n"]
    result = [
        Satisfaction(key=k, label=str(v["label"]), counts=v["counts"], includes_basic=basic)
        for k, v in groups.items()
    ]
    result.sort(key=lambda s: (-(s.rate or 0), str(s.label)))
    return result


def on_time_rate(requests: QuerySet[ServiceRequest], today: date | None = None) -> Decimal | None:
    """Closed on time ÷ (completed + open overdue): open overdue requests count against it."""
    today = today or timezone.localdate()
    completed = requests.filter(completed_at__isnull=False, due_on__isnull=False)
    on_time = sum(1 for r in completed.only("completed_at", "due_on") if r.completed_on_time)
    overdue = requests.filter(status__in=OPEN_STATUSES, due_on__lt=today).count()
    total = completed.count() + overdue
    if not total:
        return None
    return (Decimal(on_time) * 100 / total).quantize(Decimal("0.01"))


# Groups of requests for promise-keeping figures: (key, label) fields.
REQUEST_GROUPS = {
    "department": ("department_id", "department__name"),
    "service_item": ("service_item_id", "service_item__name"),
    "community": ("community_id", "community__name"),
    "handler": ("handler_id", "handler__real_name"),
}


def on_time_by(
    group: str, requests: QuerySet[ServiceRequest], today: date | None = None
) -> dict[Any, dict[str, Any]]:
    """`on_time_rate` per department, service item, community or handler in one GROUP BY:
    {key: {"label", "completed", "on_time", "overdue", "rate"}}."""
    today = today or timezone.localdate()
    key, label = REQUEST_GROUPS[group]
    done = Q(completed_at__isnull=False, due_on__isnull=False)
    rows = (
        requests.exclude(**{f"{key}__isnull": True})
        .annotate(done_on=TruncDate("completed_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values(key, label)
        .annotate(
            completed=Count("id", filter=done),
            on_time=Count("id", filter=done & Q(done_on__lte=F("due_on"))),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due_on__lt=today)),
        )
        .order_by()
    )
    result: dict[Any, dict[str, Any]] = {}
    for row in rows:
        total = row["completed"] + row["overdue"]
        rate = (Decimal(row["on_time"]) * 100 / total).quantize(Decimal("0.01")) if total else None
        result[row[key]] = {
            "label": row[label] or "",
            "completed": row["completed"],
            "on_time": row["on_time"],
            "overdue": row["overdue"],
            "rate": rate,
        }
    return result


def requests_by_status(requests: QuerySet[ServiceRequest]) -> dict[str, int]:
    return dict(
        requests.values_list("status").annotate(n=Count("id")).order_by().values_list("status", "n")
    )


def overdue_q(today: date) -> Q:
    return Q(due_on__lt=today)


def open_complaints_count(enterprise_ids: Iterable[int]) -> dict[int, int]:
    """Open complaints per enterprise: bad ratings (不满意, 非常不满意) whose rectification case is
    not closed yet. Only enterprises with at least one are in the answer."""
    rows = (
        RectificationCase.objects.exclude(stage=RectificationCase.Stage.CLOSED)
        .filter(request__enterprise_id__in=list(enterprise_ids))
        .values_list("request__enterprise_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {enterprise_id: n for enterprise_id, n in rows}
