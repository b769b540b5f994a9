"""Periodic jobs that run once per period however many workers there are.

A job is a plain function registered with `@periodic("name", every=timedelta(...))`, usually in an
app's `tasks.py`. Every worker calls `scheduler_tick` in its loop; the tick claims the current
period of each job by inserting a `JobRun` row — the unique (name, period_start) constraint lets
exactly one worker win — and enqueues a django-tasks task that runs it, so the run goes to
whichever worker is free and leaves a record visible to the system admin.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from louyu.core.models import JobRun

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)


@dataclass(frozen=True)
class PeriodicJob:
    """A registered job: its name, its period and the function that does the work."""

    name: str
    every: timedelta
    func: Callable[[], Any]


# name → job; filled by @periodic when the apps' tasks modules are imported.
registry: dict[str, PeriodicJob] = {}
_discovered = False


def periodic(name: str, *, every: timedelta) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register a function (no arguments; its return value becomes the run's detail) to run once
    per `every`. Periods of whole days start at local (Asia/Shanghai) midnight."""
    if every <= timedelta(0):
        raise ValueError("a periodic job needs a positive period")
    if every >= DAY and every % DAY:
        raise ValueError("a period longer than a day must be a whole number of days")

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        existing = registry.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"periodic job {name!r} is already registered")
        registry[name] = PeriodicJob(name=name, every=every, func=func)
        return func

    return register


def discover() -> None:
    """Import every installed app's tasks module so that its @periodic jobs are registered."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True


def period_start(every: timedelta, now: datetime | None = None) -> datetime:
    """The start of the period containing `now`: whole days floor to local midnight, shorter
    periods floor on the UTC epoch (the same instant in any zone)."""
    now = now or timezone.now()
    if every >= DAY:
        days = every // DAY
        zone = timezone.get_default_timezone()  # TIME_ZONE, whatever a request activated
        local_day = timezone.localtime(now, zone).date()
        first_day = local_day.fromordinal(local_day.toordinal() - local_day.toordinal() % days)
        return timezone.make_aware(datetime.combine(first_day, datetime.min.time()), zone)
    step = every.total_seconds()
    epoch = now.timestamp()
    return datetime.fromtimestamp(epoch - epoch % step, tz=UTC)


def job_claim(job: PeriodicJob, *, worker: str, now: datetime | None = None) -> JobRun | None:
    """Claim the current period of `job` for `worker`, or None when another worker has it."""
    start = period_start(job.every, now)
    if JobRun.objects.filter(name=job.name, period_start=start).exists():
        return None  # the common case: no write, no error in the database log
    try:
        with transaction.atomic():
            return JobRun.objects.create(name=job.name, period_start=start, worker=worker)
    except IntegrityError:
        return None  # another worker inserted the same period first


def scheduler_tick(worker_id: str, *, now: datetime | None = None) -> list[JobRun]:
    """Claim every registered job whose current period has not run yet and enqueue its run.

    The claim and the queued task commit together, so a claimed period is never lost.
    """
    from louyu.core.tasks import job_run_execute

    discover()
    claimed = []
    for job in list(registry.values()):
        with transaction.atomic():
            run = job_claim(job, worker=worker_id, now=now)
            if run is not None:
                job_run_execute.enqueue(job_run_id=run.pk)
                claimed.append(run)
    return claimed


def job_run(run: JobRun) -> JobRun:
    """Run a claimed period and record how it ended. A job that raises is marked failed with its
    traceback; the exception is not re-raised, the next period simply runs again."""
    discover()
    job = registry.get(run.name)
    try:
        if job is None:
            raise LookupError(f"no periodic job named {run.name!r} in this worker")
        result = job.func()
    except Exception:
        logger.exception("periodic job %s failed", run.name)
        run.status = JobRun.Status.FAILED
        run.detail = traceback.format_exc()[-4000:]
    else:
        run.status = JobRun.Status.SUCCEEDED
        run.detail = "" if result is None else str(result)[:4000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "detail", "finished_at"])
    return run
