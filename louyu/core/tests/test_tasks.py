import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from louyu.core import jobs
from louyu.core.models import AuditLog, JobRun, WorkerHeartbeat
from louyu.core.services import audit_record
from louyu.core.tasks import audit_purge, job_run_execute, tasks_prune, workers_prune


@contextmanager
def backdating_audit_rows() -> Iterator[None]:
    """Let the test write audit rows dated in the past, as only the table's owner could: the
    database-time trigger (migration 0006) is off inside the test's transaction, then on again.
    The app and worker roles cannot do this (deploy/README.md)."""
    migration = importlib.import_module("louyu.core.migrations.0006_auditlog_db_time")
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("ALTER TABLE core_auditlog DISABLE TRIGGER core_auditlog_db_time")
        else:
            cursor.execute(migration.SQLITE_BACKWARD)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute("ALTER TABLE core_auditlog ENABLE TRIGGER core_auditlog_db_time")
            else:
                cursor.execute(migration.SQLITE_FORWARD)


def old_audit_row(action: str, *, days: int) -> None:
    with backdating_audit_rows():
        AuditLog.objects.create(at=timezone.now() - timedelta(days=days), action=action)


@pytest.mark.django_db
class AuditPurgeTests:
    def test_it_deletes_only_rows_past_the_retention_period(self, settings):
        settings.LOUYU_AUDIT_RETENTION_DAYS = 400
        old_audit_row("test.ancient", days=401)
        old_audit_row("test.old", days=200)
        audit_record(actor=None, action="test.new")

        assert audit_purge() == "deleted 1"

        remaining = set(AuditLog.objects.values_list("action", flat=True))
        assert remaining == {"test.old", "test.new", "audit.purge"}

    def test_it_records_the_purge_in_the_audit_log(self, settings):
        settings.LOUYU_AUDIT_RETENTION_DAYS = 190
        old_audit_row("test.old", days=200)

        audit_purge()

        purge = AuditLog.objects.get(action="audit.purge")
        assert purge.after["deleted"] == 1
        assert purge.actor is None

    def test_it_writes_nothing_when_nothing_is_due(self):
        audit_record(actor=None, action="test.new")
        assert audit_purge() == "deleted 0"
        assert not AuditLog.objects.filter(action="audit.purge").exists()


@pytest.mark.django_db
class HousekeepingTests:
    def test_it_forgets_workers_not_seen_for_a_day(self):
        WorkerHeartbeat.objects.create(
            worker="gone:1", last_seen=timezone.now() - timedelta(days=2)
        )
        WorkerHeartbeat.objects.create(worker="alive:2")

        assert workers_prune() == "deleted 1"

        assert list(WorkerHeartbeat.objects.values_list("worker", flat=True)) == ["alive:2"]

    def test_it_deletes_finished_task_results_after_a_fortnight(self):
        old = job_run_execute.enqueue(job_run_id=1)
        recent = job_run_execute.enqueue(job_run_id=2)
        queued = job_run_execute.enqueue(job_run_id=3)
        DBTaskResult.objects.filter(id=old.id).update(
            status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=15)
        )
        DBTaskResult.objects.filter(id=recent.id).update(
            status="FAILED", finished_at=timezone.now() - timedelta(days=1)
        )

        assert tasks_prune() == "deleted 1"

        remaining = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
        assert remaining == {recent.id, queued.id}


@pytest.mark.django_db
class JobRunExecuteTests:
    def test_it_runs_the_claimed_period_by_id(self, monkeypatch):
        jobs.discover()
        calls = []
        monkeypatch.setitem(
            jobs.registry,
            "test.task",
            jobs.PeriodicJob("test.task", timedelta(hours=1), lambda: calls.append(1)),
        )
        run = JobRun.objects.create(name="test.task", period_start=timezone.now())

        assert job_run_execute.call(job_run_id=run.pk) == JobRun.Status.SUCCEEDED

        run.refresh_from_db()
        assert calls == [1]
        assert run.status == JobRun.Status.SUCCEEDED
