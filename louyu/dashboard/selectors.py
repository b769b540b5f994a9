"""Reads behind the workbench (工作台): one section per kind of role the user holds.

Each section lists what is there for the user now; the service-center, party and association
issues add their queues (requests, visits, transfers, votes) to the same sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from louyu.accounts.models import SERVICE_CENTER_ROLES, STAFF_ROLES, Membership, Role, User
from louyu.accounts.selectors import scope_ids
from louyu.core.selectors import calendar_missing_year, task_health

# Roles that look after a part of the jurisdiction tree.
JURISDICTION_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.STREET_CADRE} | SERVICE_CENTER_ROLES)
PARTY_ROLES = frozenset({Role.PARTY_OFFICER, Role.BRANCH_SECRETARY, Role.PARTY_MEMBER})
ASSOCIATION_ROLES = frozenset({Role.ASSOCIATION_REP, Role.CLUB_LEADER})
ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_CONTACT, Role.EMPLOYEE})
# How many rows a list on the workbench shows before it says "and N more".
LIST_LIMIT = 10


@dataclass
class Section:
    """One block of the workbench. `template` renders it; `items` empty means nothing waits."""

    key: str
    title: str | Promise
    items: list[Any] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"dashboard/sections/{self.key}.html"

    @property
    def is_empty(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class WorkerStatus:
    """A worker as the system admin sees it: stale when its heartbeat stopped."""

    worker: str
    last_seen: datetime
    is_stale: bool


def workbench_for(user: User) -> list[Section]:
    """The workbench sections for `user`, in a fixed order, one per kind of role held."""
    roles = user.roles()
    builders = [
        (JURISDICTION_ROLES, _jurisdiction_section),
        ({Role.DEPARTMENT_HANDLER}, _department_section),
        (PARTY_ROLES, _party_section),
        (ASSOCIATION_ROLES, _association_section),
        (ENTERPRISE_ROLES, _enterprise_section),
        ({Role.SYSTEM_ADMIN}, _system_section),
        ({Role.SECURITY_ADMIN}, _security_section),
        ({Role.AUDIT_ADMIN}, _audit_section),
    ]
    return [build(user, roles & held) for held, build in builders if roles & held]


def _subtree_filter(user: User, roles: set[str]) -> Q | None:
    """Q for the nodes under the jurisdiction nodes where the user holds one of `roles`.

    Only these roles count: an enterprise contact's building is not their jurisdiction.
    """
    from louyu.core.models import Node

    ids = scope_ids(user, Node, *roles)
    paths = Node.objects.filter(pk__in=ids).values_list("path", flat=True)
    query = [Q(path__startswith=path) for path in paths]
    return reduce(or_, query) if query else None


def _jurisdiction_section(user: User, roles: set[str]) -> Section:
    from louyu.core.models import Node

    kind = Node.Kind
    section = Section(key="jurisdiction", title=_("Your jurisdiction"))
    scope = _subtree_filter(user, roles)
    if scope is None:
        return section
    nodes = Node.objects.filter(scope)
    section.extra["counts"] = nodes.aggregate(
        streets=Count("pk", filter=Q(kind=kind.STREET)),
        communities=Count("pk", filter=Q(kind=kind.COMMUNITY)),
        buildings=Count("pk", filter=Q(kind=kind.BUILDING)),
        target_buildings=Count("pk", filter=Q(kind=kind.BUILDING, is_target=True)),
    )
    section.items = list(
        nodes.filter(kind=kind.COMMUNITY)
        .select_related("parent")
        .annotate(
            building_count=Count("children", filter=Q(children__kind=kind.BUILDING)),
            target_count=Count(
                "children", filter=Q(children__kind=kind.BUILDING, children__is_target=True)
            ),
        )
        # By street, then as created: a path orders as text ("/1/10/" before "/1/9/").
        .order_by("parent_id", "pk")
    )
    return section


def _department_section(user: User, roles: set[str]) -> Section:
    from louyu.servicedesk.models import Department

    ids = scope_ids(user, Department, *roles)
    return Section(
        key="department",
        title=_("Your department"),
        items=list(Department.objects.filter(pk__in=ids).order_by("name")),
    )


def _party_section(user: User, roles: set[str]) -> Section:
    from louyu.party.models import PartyOrganization

    ids = scope_ids(user, PartyOrganization, *roles)
    organizations = (
        PartyOrganization.objects.filter(pk__in=ids)
        .select_related("community")
        .annotate(branch_count=Count("children"))
        .order_by("name")
    )
    return Section(key="party", title=_("Your party organizations"), items=list(organizations))


def _association_section(user: User, roles: set[str]) -> Section:
    from louyu.core.models import Node

    ids = scope_ids(user, Node, *roles)
    communities = Node.objects.filter(pk__in=ids).select_related("parent").order_by("path")
    return Section(key="association", title=_("Your association"), items=list(communities))


def _enterprise_section(user: User, roles: set[str]) -> Section:
    from louyu.economy.models import Enterprise

    ids = scope_ids(user, Enterprise, *roles)
    enterprises = (
        Enterprise.objects.filter(pk__in=ids)
        .select_related("building", "building__parent")
        .order_by("name")
    )
    return Section(key="enterprise", title=_("Your enterprise"), items=list(enterprises))


def _system_section(user: User, roles: set[str]) -> Section:
    from louyu.core.models import JobRun, WorkerHeartbeat

    stale_before = timezone.now() - timedelta(seconds=settings.LOUYU_WORKER_STALE_SECONDS)
    heartbeats = [
        WorkerStatus(
            worker=beat.worker, last_seen=beat.last_seen, is_stale=beat.last_seen < stale_before
        )
        for beat in WorkerHeartbeat.objects.order_by("-last_seen")[:LIST_LIMIT]
    ]
    jobs = list(JobRun.objects.order_by("-started_at", "-id")[:LIST_LIMIT])
    tasks = task_health()
    missing_year = calendar_missing_year()
    return Section(
        key="system",
        title=_("Jobs and workers"),
        items=jobs
        + heartbeats
        + ([tasks] if any(tasks.values()) else [])
        + ([missing_year] if missing_year else []),
        extra={
            "jobs": jobs,
            "heartbeats": heartbeats,
            "tasks": tasks,
            "calendar_missing": missing_year,
        },
    )


def _security_section(user: User, roles: set[str]) -> Section:
    from axes.models import AccessAttempt
    from django_otp.plugins.otp_totp.models import TOTPDevice

    lockouts = list(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-attempt_time")
        .only("username", "ip_address", "attempt_time", "failures_since_start")[:LIST_LIMIT]
    )
    # Staff must confirm a second factor in production (DESIGN: MLPS level 3).
    without_factor = (
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.filter(role__in=STAFF_ROLES).values("user_id"),
        )
        .exclude(pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id"))
        .order_by("username")
    )
    users = list(without_factor.only("username", "real_name")[: LIST_LIMIT + 1])
    return Section(
        key="security",
        title=_("Sign-in security"),
        items=lockouts + users,
        extra={
            "lockouts": lockouts,
            "without_factor": users[:LIST_LIMIT],
            "more_without_factor": len(users) > LIST_LIMIT,
        },
    )


def _audit_section(user: User, roles: set[str]) -> Section:
    from louyu.core.models import AuditLog

    rows = list(
        AuditLog.objects.order_by("-at", "-id").only(
            "at", "actor_name", "action", "target_type", "target_repr", "ip", "result"
        )[:LIST_LIMIT]
    )
    return Section(key="audit", title=_("Latest audit records"), items=rows)
