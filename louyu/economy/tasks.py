"""Economy background work (thin: call a service). Other helpers: append your tasks below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django_tasks import task

from louyu.core.jobs import DAY, periodic

if TYPE_CHECKING:
    from django_tasks_db.models import DBTaskResult


@task()
def warnings_refresh_task(*, enterprise_ids: list[int]) -> str:
    """Recompute the stability grades of enterprises a write touched (warnings_refresh_later)."""
    from louyu.economy.services_investment import warnings_refresh

    return str(warnings_refresh(enterprise_ids=enterprise_ids))


@periodic("economy.warnings", every=DAY)
def warnings_daily() -> str:
    """Recompute every operating enterprise's stability grade (lease windows move daily)."""
    from louyu.economy.services_investment import warnings_refresh

    return str(warnings_refresh())


@task()
def import_run(*, job_id: str) -> dict:
    """Run one spreadsheet import job (louyu/economy/imports/jobs.py): progress and result in the
    cache for the progress bar, the result returned too."""
    from louyu.economy.imports.jobs import job_run

    return job_run(job_id)


def import_run_interrupted(result: DBTaskResult) -> None:
    """`import_run` was failed because its worker stopped (issue 13): fail the job's state too,
    so that its progress page stops waiting (registered in EconomyConfig.ready)."""
    from louyu.economy.imports.jobs import job_interrupt

    job_interrupt(result.args_kwargs["kwargs"]["job_id"])


@task()
def warnings_refresh_all_task() -> str:
    """Recompute every grade after the early-warning policy changed."""
    from louyu.economy.services_investment import warnings_refresh

    return str(warnings_refresh())
