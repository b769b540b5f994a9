from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from louyu.core import jobs
from louyu.core.models import WorkerHeartbeat
from louyu.core.selectors import stale_task_results, task_health
from louyu.core.tasks import job_run_execute


def task(status: str, *, worker: str = "", minutes_ago: float = 10) -> DBTaskResult:
    result = job_run_execute.enqueue(job_run_id=1)
    moment = timezone.now() - timedelta(minutes=minutes_ago)
    DBTaskResult.objects.filter(id=result.id).update(
        status=status,
        started_at=moment,
        finished_at=moment if status in {"FAILED", "SUCCESSFUL"} else None,
        worker_ids=[worker] if worker else [],
    )
    return DBTaskResult.objects.get(id=result.id)


@pytest.mark.django_db
class TaskHealthTests:
    def test_it_counts_running_stale_and_recently_failed_tasks(self, settings, monkeypatch):
        settings.LOUYU_WORKER_STALE_SECONDS = 60
        monkeypatch.setattr(jobs, "stale_policies", {})  # fail it rather than run it again
        WorkerHeartbeat.objects.create(worker="alive:1")
        task("RUNNING", worker="alive:1")
        stuck = task("RUNNING", worker="dead:2")
        task("FAILED", minutes_ago=60 * 23)
        task("FAILED", minutes_ago=60 * 25)  # more than a day ago
        task("SUCCESSFUL")
        task("READY")

        assert [r.pk for r in stale_task_results()] == [stuck.pk]
        assert task_health() == {"running": 2, "stale": 1, "failed": 1, "interrupted": 0}

        jobs.stale_reap()
        assert task_health() == {"running": 1, "stale": 0, "failed": 2, "interrupted": 1}

    def test_it_takes_one_query_while_nothing_runs(self, django_assert_num_queries):
        task("READY")
        with django_assert_num_queries(1):
            assert task_health() == {"running": 0, "stale": 0, "failed": 0, "interrupted": 0}
