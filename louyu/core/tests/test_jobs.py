import logging
import signal
import threading
from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from louyu.core import jobs
from louyu.core.management.commands import worker as worker_command
from louyu.core.management.commands.worker import JobWorker
from louyu.core.models import AuditLog, JobRun, WorkerHeartbeat
from louyu.core.selectors import WORKER_LOST
from louyu.core.tasks import job_run_execute

NOON_UTC = datetime(2026, 11, 27, 12, 34, 56, 789000, tzinfo=UTC)


@pytest.fixture
def registry(monkeypatch):
    """An empty job registry for the test, so only the jobs it registers are scheduled."""
    jobs.discover()  # register the real jobs first, into the real registry
    monkeypatch.setattr(jobs, "registry", {})
    monkeypatch.setattr(jobs, "_discovered", True)
    return jobs.registry


def counted_job(calls: list, name: str = "test.count", every=timedelta(hours=1)):
    @jobs.periodic(name, every=every)
    def job():
        calls.append(name)
        return f"call {len(calls)}"

    return job


class PeriodStartTests:
    def test_it_floors_sub_day_periods_on_utc(self):
        assert jobs.period_start(timedelta(hours=1), NOON_UTC) == datetime(
            2026, 11, 27, 12, tzinfo=UTC
        )
        assert jobs.period_start(timedelta(minutes=15), NOON_UTC) == datetime(
            2026, 11, 27, 12, 30, tzinfo=UTC
        )
        assert jobs.period_start(timedelta(seconds=1), NOON_UTC) == datetime(
            2026, 11, 27, 12, 34, 56, tzinfo=UTC
        )

    def test_it_floors_daily_periods_to_shanghai_midnight(self):
        shanghai_midnight = datetime(2026, 11, 27, 16, tzinfo=UTC)  # 28 Nov 00:00 +08:00
        assert jobs.period_start(timedelta(days=1), NOON_UTC) == datetime(
            2026, 11, 26, 16, tzinfo=UTC
        )
        assert jobs.period_start(timedelta(days=1), shanghai_midnight) == shanghai_midnight
        just_before = shanghai_midnight - timedelta(microseconds=1)
        assert jobs.period_start(timedelta(days=1), just_before) == datetime(
            2026, 11, 26, 16, tzinfo=UTC
        )

    def test_it_keeps_every_day_of_a_multi_day_period_in_one_period(self):
        starts = {
            jobs.period_start(timedelta(days=7), NOON_UTC + timedelta(days=n)) for n in range(14)
        }
        assert len(starts) in {2, 3}
        zone = timezone.get_default_timezone()
        assert {start.astimezone(zone).time() for start in starts} == {time(0)}

    def test_it_ignores_an_activated_time_zone(self):
        with timezone.override("America/New_York"):
            assert jobs.period_start(timedelta(days=1), NOON_UTC) == datetime(
                2026, 11, 26, 16, tzinfo=UTC
            )


class PeriodicRegistryTests:
    def test_it_registers_a_job_by_name(self, registry):
        job = counted_job([])
        assert registry["test.count"].func is job
        assert registry["test.count"].every == timedelta(hours=1)

    def test_it_refuses_two_jobs_with_one_name(self, registry):
        counted_job([])

        with pytest.raises(ValueError, match="already registered"):

            @jobs.periodic("test.count", every=timedelta(hours=1))
            def other():
                return None

    @pytest.mark.parametrize("every", [timedelta(0), timedelta(hours=-1), timedelta(hours=36)])
    def test_it_refuses_periods_it_cannot_floor(self, registry, every):
        with pytest.raises(ValueError):
            jobs.periodic("test.bad", every=every)

    def test_it_discovers_the_core_housekeeping_jobs(self):
        jobs.discover()
        assert jobs.registry["audit.purge"].every == timedelta(days=1)
        assert jobs.registry["workers.prune"].every == timedelta(hours=1)
        assert jobs.registry["tasks.prune"].every == timedelta(days=1)


@pytest.mark.django_db
class SchedulerTickTests:
    def test_it_claims_each_period_once_across_workers(self, registry):
        counted_job([])

        first = jobs.scheduler_tick("host-a:1", now=NOON_UTC)
        second = jobs.scheduler_tick("host-b:2", now=NOON_UTC + timedelta(minutes=20))

        assert [(run.name, run.worker) for run in first] == [("test.count", "host-a:1")]
        assert second == []
        assert JobRun.objects.get().period_start == datetime(2026, 11, 27, 12, tzinfo=UTC)
        assert DBTaskResult.objects.count() == 1

    def test_it_claims_the_next_period_again(self, registry):
        counted_job([])
        jobs.scheduler_tick("host-a:1", now=NOON_UTC)
        jobs.scheduler_tick("host-b:2", now=NOON_UTC + timedelta(hours=1))
        assert list(JobRun.objects.order_by("period_start").values_list("worker", flat=True)) == [
            "host-a:1",
            "host-b:2",
        ]

    def test_it_loses_a_race_without_breaking_the_callers_transaction(self, registry):
        job = jobs.PeriodicJob("test.race", timedelta(hours=1), lambda: None)
        JobRun.objects.create(name="test.race", period_start=jobs.period_start(job.every, NOON_UTC))

        # Both workers passed the existence check; the unique constraint decides.
        with transaction.atomic(), mock.patch.object(QuerySet, "exists", return_value=False):
            assert jobs.job_claim(job, worker="host-b:2", now=NOON_UTC) is None
            assert JobRun.objects.count() == 1  # the transaction is still usable

    def test_it_enqueues_the_run_in_the_same_transaction_as_the_claim(self, registry):
        counted_job([])
        with pytest.raises(RuntimeError), transaction.atomic():
            jobs.scheduler_tick("host-a:1", now=NOON_UTC)
            raise RuntimeError("rolled back")
        assert not JobRun.objects.exists()
        assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
class JobRunTests:
    def test_it_records_a_successful_run(self, registry):
        calls: list[str] = []
        counted_job(calls)
        run = JobRun.objects.create(name="test.count", period_start=NOON_UTC)

        jobs.job_run(run)

        run.refresh_from_db()
        assert calls == ["test.count"]
        assert (run.status, run.detail) == (JobRun.Status.SUCCEEDED, "call 1")
        assert run.finished_at is not None

    def test_it_records_a_failed_run_with_its_traceback(self, registry, caplog):
        @jobs.periodic("test.fail", every=timedelta(hours=1))
        def failing():
            raise ZeroDivisionError("boom")

        run = JobRun.objects.create(name="test.fail", period_start=NOON_UTC)
        with caplog.at_level(logging.ERROR, logger="louyu.core.jobs"):
            jobs.job_run(run)

        run.refresh_from_db()
        assert run.status == JobRun.Status.FAILED
        assert "ZeroDivisionError: boom" in run.detail
        assert run.finished_at is not None

    def test_it_fails_a_run_of_a_job_this_worker_does_not_know(self, registry):
        run = jobs.job_run(JobRun.objects.create(name="test.gone", period_start=NOON_UTC))
        assert run.status == JobRun.Status.FAILED
        assert "no periodic job named 'test.gone'" in run.detail


@pytest.fixture
def policies(monkeypatch):
    """An empty stale-task registry: every task is failed unless the test registers it."""
    monkeypatch.setattr(jobs, "stale_policies", {})
    return jobs.stale_policies


def running_task(worker: str, *, minutes_ago: float = 5, job_run_id: int = 1) -> DBTaskResult:
    """A task claimed by `worker` `minutes_ago` and still marked running."""
    task = job_run_execute.enqueue(job_run_id=job_run_id)
    DBTaskResult.objects.filter(id=task.id).update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(minutes=minutes_ago),
        worker_ids=[worker],
    )
    return DBTaskResult.objects.get(id=task.id)


def beat(worker: str, *, seconds_ago: float = 0) -> None:
    WorkerHeartbeat.objects.create(
        worker=worker, last_seen=timezone.now() - timedelta(seconds=seconds_ago)
    )


@pytest.mark.django_db
class StaleReapTests:
    """Issue 13: a task whose worker was killed is failed or run again, not left running."""

    def test_it_fails_a_running_task_of_a_worker_that_stopped_beating(self, policies, caplog):
        beat("dead:1", seconds_ago=3600)
        task = running_task("dead:1")

        with caplog.at_level(logging.WARNING, logger="louyu.core.jobs"):
            assert jobs.stale_reap() == {"requeued": 0, "failed": 1, "job_runs": 0}

        task.refresh_from_db()
        assert (task.status, task.exception_class_path) == ("FAILED", WORKER_LOST)
        assert task.finished_at is not None and "dead:1" in task.traceback
        audit = AuditLog.objects.get(action="task.reap")
        assert audit.target_id == str(task.pk)
        assert audit.after == {
            "task": "louyu.core.tasks.job_run_execute",
            "worker": "dead:1",
            "attempts": 1,
            "outcome": "failed",
        }
        assert "dead:1" in caplog.text

    def test_it_fails_a_running_task_of_a_worker_that_never_beat(self, policies):
        task = running_task("ghost:7")
        jobs.stale_reap()
        task.refresh_from_db()
        assert task.status == "FAILED"

    def test_it_leaves_a_task_of_a_live_worker_alone(self, policies):
        beat("alive:2", seconds_ago=5)
        task = running_task("alive:2", minutes_ago=30)

        assert jobs.stale_reap() == {"requeued": 0, "failed": 0, "job_runs": 0}

        task.refresh_from_db()
        assert task.status == "RUNNING"
        assert not AuditLog.objects.filter(action="task.reap").exists()

    def test_it_gives_a_just_claimed_task_the_stale_period_first(self, policies):
        task = running_task("new:3", minutes_ago=0.1)
        jobs.stale_reap()
        task.refresh_from_db()
        assert task.status == "RUNNING"

    def test_it_reaps_what_an_earlier_process_of_the_same_name_left(self, policies):
        beat("host:1")  # the new process, alive, has the old one's name
        old = running_task("host:1", minutes_ago=0.5)
        started = timezone.now()

        jobs.stale_reap(worker_id="host:1", worker_started=started)

        old.refresh_from_db()
        assert old.status == "FAILED"

    def test_it_requeues_a_task_registered_as_safe_to_repeat(self, policies):
        jobs.stale_policy_register(job_run_execute, requeue=True)
        task = running_task("dead:1")

        assert jobs.stale_reap()["requeued"] == 1

        task.refresh_from_db()
        assert (task.status, task.started_at, task.worker_ids) == ("READY", None, ["dead:1"])
        assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()
        assert AuditLog.objects.get(action="task.reap").after["outcome"] == "requeued"

    def test_it_fails_a_repeatable_task_after_its_last_attempt(self, policies):
        jobs.stale_policy_register(job_run_execute, requeue=True)
        task = running_task("dead:1")
        attempts = [f"dead:{n}" for n in range(1, jobs.STALE_MAX_ATTEMPTS + 1)]
        DBTaskResult.objects.filter(pk=task.pk).update(worker_ids=attempts)

        assert jobs.stale_reap()["failed"] == 1

        task.refresh_from_db()
        assert task.status == "FAILED"

    def test_it_calls_the_apps_hook_of_a_failed_task_and_survives_it_failing(
        self, policies, caplog
    ):
        seen = []

        def hook(result):
            seen.append(result.args_kwargs["kwargs"]["job_run_id"])
            raise RuntimeError("cache down")

        jobs.stale_policy_register(job_run_execute, on_fail=hook)
        running_task("dead:1", job_run_id=41)
        running_task("dead:1", job_run_id=42)

        with caplog.at_level(logging.ERROR, logger="louyu.core.jobs"):
            assert jobs.stale_reap()["failed"] == 2

        assert sorted(seen) == [41, 42]
        assert "on_fail hook failed" in caplog.text

    def test_it_reaps_a_task_once_when_two_workers_race(self, policies):
        running_task("dead:1")
        (stale,) = jobs.stale_task_results()

        assert jobs._task_reap(stale, now=timezone.now()) == "failed"
        assert jobs._task_reap(stale, now=timezone.now()) == ""

        assert AuditLog.objects.filter(action="task.reap").count() == 1

    def test_it_leaves_a_task_reclaimed_since_it_was_seen_stale(self, policies):
        running_task("dead:1")
        (stale,) = jobs.stale_task_results()
        DBTaskResult.objects.filter(pk=stale.pk).update(
            started_at=timezone.now(), worker_ids=["dead:1", "alive:2"]
        )

        assert jobs._task_reap(stale, now=timezone.now()) == ""

        assert DBTaskResult.objects.get(pk=stale.pk).status == "RUNNING"

    def test_the_apps_register_their_tasks(self):
        paths = {
            "louyu.core.tasks.job_run_execute": True,
            "louyu.economy.tasks.warnings_refresh_task": True,
            "louyu.economy.tasks.import_run": False,
        }
        for path, requeue in paths.items():
            assert jobs.stale_policies[path].requeue is requeue, path


@pytest.mark.django_db
class StuckJobRunTests:
    def old_run(self, name: str = "test.job") -> JobRun:
        run = JobRun.objects.create(name=name, period_start=NOON_UTC, worker="dead:1")
        JobRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(hours=1))
        return run

    def test_it_fails_a_run_whose_task_was_failed_as_stale(self, policies):
        run = self.old_run()
        running_task("dead:1", job_run_id=run.pk)

        assert jobs.stale_reap() == {"requeued": 0, "failed": 1, "job_runs": 1}

        run.refresh_from_db()
        assert run.status == JobRun.Status.FAILED
        assert run.finished_at is not None and "worker lost" in run.detail
        audit = AuditLog.objects.get(action="jobrun.reap")
        assert (audit.target_id, audit.after["job"]) == (str(run.pk), "test.job")

    def test_it_keeps_running_a_run_whose_task_was_requeued(self):
        run = self.old_run()
        task = running_task("dead:1", job_run_id=run.pk)

        assert jobs.stale_reap() == {"requeued": 1, "failed": 0, "job_runs": 0}

        run.refresh_from_db()
        task.refresh_from_db()
        assert (run.status, task.status) == (JobRun.Status.RUNNING, "READY")

    def test_it_leaves_runs_with_a_live_or_waiting_task_and_fresh_runs(self):
        beat("alive:2")
        waiting = self.old_run("test.waiting")
        job_run_execute.enqueue(job_run_id=waiting.pk)
        running = self.old_run("test.running")
        running_task("alive:2", job_run_id=running.pk)
        fresh = JobRun.objects.create(name="test.fresh", period_start=NOON_UTC)

        assert jobs.stale_reap()["job_runs"] == 0

        statuses = set(JobRun.objects.values_list("status", flat=True))
        assert statuses == {JobRun.Status.RUNNING}
        assert {waiting.pk, running.pk, fresh.pk} == set(
            JobRun.objects.values_list("pk", flat=True)
        )

    def test_it_fails_a_run_whose_task_is_gone(self):
        run = self.old_run()
        jobs.stale_reap()
        run.refresh_from_db()
        assert run.status == JobRun.Status.FAILED


@pytest.mark.django_db(transaction=True)
class WorkerTests:
    def test_it_beats_claims_and_runs_in_one_tick(self, registry):
        calls: list[str] = []
        counted_job(calls)

        call_command("worker", "--once")

        run = JobRun.objects.get(name="test.count")
        assert run.status == JobRun.Status.SUCCEEDED
        assert calls == ["test.count"]
        assert run.worker == WorkerHeartbeat.objects.get().worker
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"

    def test_a_second_worker_does_not_rerun_the_period(self, registry):
        calls: list[str] = []
        counted_job(calls)

        JobWorker().loop(once=True)
        JobWorker().loop(once=True)

        assert calls == ["test.count"]
        assert JobRun.objects.count() == 1

    def test_it_keeps_running_after_a_failing_tick(self, registry, monkeypatch, caplog):
        worker = JobWorker(interval=0)
        ticks: list[int] = []

        def tick():
            ticks.append(1)
            if len(ticks) == 1:
                raise ConnectionError("database restarting")
            worker.stop.set()

        monkeypatch.setattr(worker, "tick", tick)
        with caplog.at_level(logging.ERROR, logger="louyu.worker"):
            worker.loop()

        assert len(ticks) == 2
        assert "tick failed" in caplog.text

    def test_it_stops_gracefully_on_the_first_signal_and_at_once_on_the_second(self, monkeypatch):
        worker = JobWorker()
        monkeypatch.setattr(worker, "reset_signals", lambda: None)

        worker.shutdown(signal.SIGTERM, None)
        assert worker.stop.is_set()
        assert worker.running is False

        with pytest.raises(SystemExit) as exit_info:
            worker.shutdown(signal.SIGTERM, None)
        assert exit_info.value.code == 1

    def test_a_tick_reaps_the_tasks_of_a_dead_worker(self, registry, policies):
        task = running_task("dead:1")

        JobWorker().loop(once=True)

        task.refresh_from_db()
        assert task.status == "FAILED"

    def test_it_reaps_at_most_once_per_stale_period(self, registry, monkeypatch):
        calls = []
        monkeypatch.setattr(worker_command, "stale_reap", lambda **kw: calls.append(kw))
        worker = JobWorker()

        worker.tick()
        worker.tick()

        assert calls == [{"worker_id": worker.worker_id, "worker_started": worker.started}]

    def test_a_failing_reap_does_not_stop_the_queue(self, registry, monkeypatch, caplog):
        calls: list[str] = []
        counted_job(calls)

        def broken(**kwargs):
            raise RuntimeError("reaper bug")

        monkeypatch.setattr(worker_command, "stale_reap", broken)
        with caplog.at_level(logging.ERROR, logger="louyu.worker"):
            JobWorker().loop(once=True)

        assert calls == ["test.count"]
        assert "reaping stale tasks failed" in caplog.text


class WorkerHeartbeatThreadTests:
    def test_it_keeps_beating_while_tasks_run(self, settings, monkeypatch):
        settings.LOUYU_WORKER_HEARTBEAT_SECONDS = 0.01
        beats = threading.Event()
        seen = []

        def heartbeat(*, worker):
            seen.append(worker)
            beats.set()

        monkeypatch.setattr(worker_command, "worker_heartbeat", heartbeat)
        worker = JobWorker()

        with worker.beating():
            assert beats.wait(timeout=10)  # a long task: the side thread beats meanwhile

        assert set(seen) == {worker.name}
        names = {thread.name for thread in threading.enumerate()}
        assert f"{worker.name} heartbeat" not in names  # it stops with the tasks
