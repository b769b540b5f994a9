"""Core background work: running claimed periodic jobs, and the platform's own housekeeping."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from louyu.core import services
from louyu.core.jobs import DAY, job_run, periodic
from louyu.core.models import JobRun


@task()
def job_run_execute(*, job_run_id: int) -> str:
    """Run one claimed period of a periodic job (enqueued by jobs.scheduler_tick)."""
    run = job_run(JobRun.objects.get(pk=job_run_id))
    return run.status


@periodic("audit.purge", every=DAY)
def audit_purge() -> str:
    """Drop audit rows past the retention period (LOUYU_AUDIT_RETENTION_DAYS, ≥ 183)."""
    return f"deleted {services.audit_purge(actor=None)}"


@periodic("workers.prune", every=timedelta(hours=1))
def workers_prune() -> str:
    """Forget heartbeats of workers not seen for a day."""
    return f"deleted {services.worker_heartbeat_prune()}"


@periodic("tasks.prune", every=DAY)
def tasks_prune() -> str:
    """Drop finished background-task results older than a fortnight."""
    return f"deleted {services.task_result_prune()}"
