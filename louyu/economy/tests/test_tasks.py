from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from louyu.core.jobs import stale_reap
from louyu.core.models import WorkerHeartbeat
from louyu.economy.imports.jobs import job_start, job_state

INTERRUPTED = (
    "The import was interrupted: the worker running it stopped. Nothing was written; please "
    "upload the file again."
)


def import_running_on(world, worker: str) -> str:
    """An import job whose task `worker` claimed ten minutes ago and still runs."""
    job_id = job_start(
        actor=world.users["district"],
        kind="enterprises",
        filename="企业.xlsx",
        data=b"not read by this test",
        paths=None,
    )
    DBTaskResult.objects.filter(task_path="louyu.economy.tasks.import_run").update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=10), worker_ids=[worker]
    )
    return job_id


@pytest.mark.django_db
class ImportRunInterruptedTests:
    """Issue 13: an import whose worker was killed ends as failed, and its page says so."""

    def test_it_fails_the_task_and_the_progress_of_a_dead_workers_import(self, world):
        job_id = import_running_on(world, "dead:1")
        stored = job_state(job_id)["stored"]

        assert stale_reap()["failed"] == 1

        assert DBTaskResult.objects.get().status == "FAILED"
        state = job_state(job_id)
        assert (state["status"], state["phase"]) == ("failed", "done")
        assert state["result"]["errors"] == [[0, "", _(INTERRUPTED)]]
        assert not state["result"]["ok"]
        assert not default_storage.exists(stored)

    def test_it_leaves_the_import_of_a_live_worker_running(self, world):
        WorkerHeartbeat.objects.create(worker="alive:2")
        job_id = import_running_on(world, "alive:2")

        assert stale_reap()["failed"] == 0

        assert DBTaskResult.objects.get().status == "RUNNING"
        assert job_state(job_id)["status"] == "queued"
        assert default_storage.exists(job_state(job_id)["stored"])
