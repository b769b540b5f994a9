"""Periodic jobs that run once per period however many workers there are, and the reaping of
tasks whose worker died.

A job is a plain function registered with `@periodic("name", every=timedelta(...))`, usually in an
app's `tasks.py`. Every worker calls `scheduler_tick` in its loop; the tick claims the current
period of each job by inserting a `JobRun` row — the unique (name, period_start) constraint lets
exactly one worker win — and enqueues a django-tasks task that runs it, so the run goes to
whichever worker is free and leaves a record visible to the system admin.

A worker killed mid-task (kill -9, a lost host) leaves its task RUNNING for ever (issue 13).
Every worker calls `stale_reap` now and then: each running task whose worker stopped beating is
run again or marked failed, as its app registered with `stale_policy_register` (failed unless
it said the task is safe to repeat), and a `JobRun` left running without a live task is failed.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from louyu.core.models import JobRun
from louyu.core.selectors import WORKER_LOST, stale_before, stale_task_results

if TYPE_CHECKING:
    from django_tasks.base import Task
    from django_tasks_db.models import DBTaskResult

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


# --- Tasks of stopped workers (issue 13) -----------------------------------------------------

# A task that is safe to repeat is run again at most this many times in all, then failed: a
# task that kills its worker each time must not take the workers down one by one for ever.
STALE_MAX_ATTEMPTS = 3


class WorkerLost(Exception):
    """The worker running a task stopped (killed, host lost) before the task finished."""


@dataclass(frozen=True)
class StalePolicy:
    """What to do with a task whose worker stopped: run it again (`requeue`, for a task that
    is safe to repeat) or mark it failed and call `on_fail` with its DBTaskResult."""

    requeue: bool = False
    on_fail: Callable[[DBTaskResult], Any] | None = None


# task path → policy; apps fill it in their AppConfig.ready(). Unlisted tasks are failed.
stale_policies: dict[str, StalePolicy] = {}


def stale_policy_register(
    task: Task[Any, Any] | str,
    *,
    requeue: bool = False,
    on_fail: Callable[[DBTaskResult], Any] | None = None,
) -> StalePolicy:
    """Say what becomes of `task` (a django-tasks Task or its path) when its worker stops."""
    path = task if isinstance(task, str) else task.module_path
    policy = StalePolicy(requeue=requeue, on_fail=on_fail)
    stale_policies[path] = policy
    return policy


def stale_reap(
    *, now: datetime | None = None, worker_id: str = "", worker_started: datetime | None = None
) -> dict[str, int]:
    """Requeue or fail every task of a stopped worker, then fail the job runs left running
    without a live task. Each one is logged and audited; rows another worker reaped first are
    skipped. `worker_id` and `worker_started` name the calling worker (see
    `selectors.stale_task_results`). Returns the counts of requeued, failed and job runs."""
    now = now or timezone.now()
    outcome = {"requeued": 0, "failed": 0, "job_runs": 0}
    for result in stale_task_results(now=now, worker_id=worker_id, worker_started=worker_started):
        reaped = _task_reap(result, now=now)
        if reaped:
            outcome[reaped] += 1
    outcome["job_runs"] = _job_runs_reap(now=now)
    return outcome


def _task_reap(result: DBTaskResult, *, now: datetime) -> str:
    """Requeue or fail one stale task; "requeued", "failed", or "" when another worker did."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from louyu.core.services import audit_record

    policy = stale_policies.get(result.task_path, StalePolicy())
    attempts = len(result.worker_ids)
    requeue = policy.requeue and attempts < STALE_MAX_ATTEMPTS
    worker = result.worker_ids[-1] if result.worker_ids else ""
    # Only the claim that was seen stale, not a later one: started_at changes with every claim.
    claim = DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
    )
    with transaction.atomic():
        if requeue:
            won = claim.update(status=TaskResultStatus.READY, started_at=None)
        else:
            won = claim.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=f"{WORKER_LOST}: worker {worker or '?'} stopped while running "
                f"this task (attempt {attempts})",
            )
        if not won:
            return ""
        outcome = "requeued" if requeue else "failed"
        audit_record(
            actor=None,
            action="task.reap",
            target=result,
            after={
                "task": result.task_path,
                "worker": worker,
                "attempts": attempts,
                "outcome": outcome,
            },
        )
    logger.warning(
        "task %s (%s) of stopped worker %s %s", result.pk, result.task_path, worker, outcome
    )
    if not requeue and policy.on_fail is not None:
        try:
            policy.on_fail(result)
        except Exception:
            logger.exception("stale task %s: on_fail hook failed", result.pk)
    return outcome


def _job_runs_reap(*, now: datetime) -> int:
    """Fail the job runs still running whose task is neither waiting nor running any more (it
    was failed as stale, or vanished); a run claimed just now is left alone."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from louyu.core.services import audit_record
    from louyu.core.tasks import job_run_execute

    # The runs first, their tasks second: a run finishing in between is already final, and the
    # conditional update below leaves it be.
    runs = list(
        JobRun.objects.filter(status=JobRun.Status.RUNNING, started_at__lt=stale_before(now))
    )
    if not runs:
        return 0
    active = {
        (args or {}).get("kwargs", {}).get("job_run_id")
        for args in DBTaskResult.objects.filter(
            task_path=job_run_execute.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        ).values_list("args_kwargs", flat=True)
    }
    failed = 0
    for run in runs:
        if run.pk in active:
            continue
        with transaction.atomic():
            if not JobRun.objects.filter(pk=run.pk, status=JobRun.Status.RUNNING).update(
                status=JobRun.Status.FAILED,
                finished_at=now,
                detail="worker lost: the run's task ended without finishing it",
            ):
                continue
            audit_record(
                actor=None,
                action="jobrun.reap",
                target=run,
                after={"job": run.name, "period_start": run.period_start.isoformat()},
            )
        logger.warning("job run %s (%s) left running by a stopped worker: failed", run.pk, run)
        failed += 1
    return failed
