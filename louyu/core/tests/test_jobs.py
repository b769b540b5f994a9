import logging
import signal
from datetime import UTC, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from louyu.core import jobs
from louyu.core.management.commands.worker import JobWorker
from louyu.core.models import JobRun, WorkerHeartbeat

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
