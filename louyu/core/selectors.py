"""Reads of the jurisdiction tree (and its access helper), of the holiday calendar and of the
workers' health."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from louyu.core.models import CalendarDay, Node, WorkerHeartbeat
from louyu.lib.workdays import PACKAGE_YEARS, Arrangement, arrangement, is_fallback_year

if TYPE_CHECKING:
    from django_tasks_db.models import DBTaskResult


def get_node_for_user(user: Any, pk: int, *, write: bool = False) -> Node:
    """The node if the user may see it (or, with write=True, change it); 404 otherwise —
    also when it exists but is not the user's."""
    queryset = Node.objects.visible_to(user)
    if write and not user.has_perm("core.change_node"):
        raise Http404
    try:
        return queryset.get(pk=pk)
    except Node.DoesNotExist as exc:
        raise Http404 from exc


# --- The holiday calendar (issue #12) --------------------------------------------------------

CALENDAR_STAMP_KEY = "core:calendar:stamp"


def calendar_arrangement() -> Arrangement:
    """The platform's holiday calendar as `lib.workdays` uses it (one query)."""
    days = dict(
        (day, kind == CalendarDay.Kind.WORKDAY)
        for day, kind in CalendarDay.objects.values_list("day", "kind")
    )
    return Arrangement(days=days, years=frozenset(day.year for day in days))


def calendar_stamp() -> Any:
    """The shared mark that changes whenever any process edits the calendar."""
    return cache.get(CALENDAR_STAMP_KEY)


def calendar_year(year: int) -> list[CalendarDay]:
    """A year's holidays and make-up workdays, in date order."""
    return list(CalendarDay.objects.filter(day__year=year).select_related("updated_by"))


def calendar_year_status(year: int) -> str:
    """Where a year's working days come from: "platform", "package" or "fallback"."""
    if year in arrangement().years:
        return "platform"
    if year in PACKAGE_YEARS:
        return "package"
    return "fallback"


def calendar_missing_year(today: date | None = None) -> int | None:
    """The year whose arrangement the system admin should import now: this year when it is a
    fallback year, or next year from 1 November on (when the State Council has usually
    published it); None when nothing is missing."""
    today = today or timezone.localdate()
    if is_fallback_year(today.year):
        return today.year
    if today.month >= 11 and is_fallback_year(today.year + 1):
        return today.year + 1
    return None


# --- Workers and their tasks (issue 13) ------------------------------------------------------

# django_tasks_db keeps at most 64 characters of a worker's id (JobWorker passes its name cut).
TASK_WORKER_ID_LENGTH = 64
# The exception class path of a task failed because its worker stopped (see jobs.WorkerLost).
WORKER_LOST = "louyu.core.jobs.WorkerLost"


def stale_before(now: datetime | None = None) -> datetime:
    """Workers whose last heartbeat is older than this are taken for dead."""
    return (now or timezone.now()) - timedelta(seconds=settings.LOUYU_WORKER_STALE_SECONDS)


def stale_task_results(
    *, now: datetime | None = None, worker_id: str = "", worker_started: datetime | None = None
) -> list[DBTaskResult]:
    """Background tasks marked running whose worker (the last one that claimed them) has not
    beaten for LOUYU_WORKER_STALE_SECONDS, or never did: killed mid-task, they would stay
    running forever. `worker_id` names the asking worker, started at `worker_started`: a task
    it claimed before then was claimed by an earlier process of the same name (a restarted
    container), whose heartbeat the new one has taken over."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    cutoff = stale_before(now)
    live = {
        name[:TASK_WORKER_ID_LENGTH]
        for name in WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list(
            "worker", flat=True
        )
    }
    restarted = worker_started if worker_id and worker_started else cutoff
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=max(cutoff, restarted)
    ).order_by("started_at")
    stale = []
    for result in running:
        last = result.worker_ids[-1] if result.worker_ids else ""
        started = result.started_at or cutoff  # set by every claim; never None when running
        if (started < cutoff and last not in live) or (last == worker_id and started < restarted):
            stale.append(result)
    return stale


def task_health(now: datetime | None = None) -> dict[str, int]:
    """What the system admin sees of the task queue: tasks running now, running on a worker
    that stopped (not yet reaped), failed in the last day and, of those, interrupted by a
    stopped worker. One query while nothing runs."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    failed = Q(status=TaskResultStatus.FAILED, finished_at__gte=now - timedelta(days=1))
    counts = DBTaskResult.objects.aggregate(
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count("pk", filter=failed),
        interrupted=Count("pk", filter=failed & Q(exception_class_path=WORKER_LOST)),
    )
    counts["stale"] = len(stale_task_results(now=now)) if counts["running"] else 0
    return counts
