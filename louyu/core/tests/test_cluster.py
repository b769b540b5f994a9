"""The cluster of DESIGN.md §6 is not a claim: two ASGI servers and two job workers, separate
processes on one PostgreSQL and one Redis. An event sent from a third process reaches the user's
WebSocket clients on both servers, a periodic job runs exactly once per period, and /healthz sees
the workers.

On a PostgreSQL suite the processes share pytest-django's test database; on SQLite the test
creates, migrates and drops a database of its own. LOUYU_CLUSTER_POSTGRES_URL (a database to
connect to for CREATE DATABASE) and LOUYU_CLUSTER_REDIS_URL override the local defaults.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import psycopg
import pytest
import redis
from django.conf import settings
from websockets.sync.client import connect as ws_connect

pytestmark = pytest.mark.cluster

BASE_DIR = Path(settings.BASE_DIR)
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
POSTGRES_URL = os.environ.get(
    "LOUYU_CLUSTER_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get(
    "LOUYU_CLUSTER_REDIS_URL", os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
)
# Seconds for each test, an upper bound: one takes 10-25 s on a quiet two-core machine, and up
# to 60 s beside a second xdist worker under coverage (every subprocess is measured too), so the
# bound is twice that. Migrating the shared template database has its own bound.
BUDGET = float(os.environ.get("LOUYU_CLUSTER_BUDGET", "120"))
MIGRATE_BUDGET = 300

# Each worker is the real `manage.py worker`, with one extra job whose period is a second.
# The job writes an audit row per run, so runs can be counted apart from their JobRun claims.
WORKER = """
from datetime import timedelta

import django

django.setup()

from django.core.management import call_command
from louyu.core.jobs import periodic
from louyu.core.services import audit_record


@periodic("cluster.tick", every=timedelta(seconds=1))
def cluster_tick():
    audit_record(actor=None, action="cluster.tick")
    return "ticked"


call_command("worker", "--interval", "0.25")
"""

# A third process, neither server: it signs a user in, prints the session cookie, then pushes
# each JSON line it reads from stdin to that user with the only function code pushes with.
DRIVER = """
import json
import sys

from django.conf import settings
from django.test import Client

from louyu.accounts.services import user_create
from louyu.core.events import send_event_on_commit

user = user_create(actor=None, username="cluster_user", password=None, real_name="集群")
client = Client()
client.force_login(user)
print(json.dumps({"cookie": client.cookies[settings.SESSION_COOKIE_NAME].value}), flush=True)
for line in sys.stdin:
    send_event_on_commit(json.loads(line), [user])
    print("sent", flush=True)
"""


class Deadline:
    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def mark(self, stage: str) -> None:
        print(f"cluster: {stage} at {BUDGET - self.left():.1f}s")

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())

    def poll(self, what: str, probe: Callable[[], Any], every: float = 0.05) -> Any:
        """Call `probe` until it returns something truthy; fail when the budget runs out."""
        while True:
            result = probe()
            if result:
                return result
            if not self.left():
                pytest.fail(f"cluster: timed out waiting for {what}")
            time.sleep(every)  # polling interval, not synchronisation: the probe decides


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(params: dict) -> str:
    user = quote(params.get("USER") or "")
    password = f":{quote(params['PASSWORD'])}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


@pytest.fixture
def deadline() -> Deadline:
    """One time budget for the whole test, from its fresh database on."""
    return Deadline(BUDGET)


@pytest.fixture(scope="module")
def cluster_template() -> Iterator[str | None]:
    """On SQLite, a PostgreSQL database migrated once for this module's tests to copy: each
    test gets a fresh database from it in a second instead of migrating for half a minute."""
    if ON_POSTGRES:
        yield None
        return
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"cluster: PostgreSQL is unreachable at {POSTGRES_URL} ({error}). Start it, or set "
            "LOUYU_CLUSTER_POSTGRES_URL."
        )
    name = f"louyu_cluster_template_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=BASE_DIR,
            env={**os.environ, "DATABASE_URL": POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"},
            capture_output=True,
            text=True,
            timeout=MIGRATE_BUDGET,
        )
        assert migrate.returncode == 0, f"cluster: migrate failed:\n{migrate.stderr[-3000:]}"
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def cluster_database(cluster_template) -> Iterator[str]:
    """The URL of a migrated PostgreSQL database the cluster processes share: the test
    database on PostgreSQL, else a fresh copy of the module's template."""
    if cluster_template is None:
        from django.db import connection

        yield database_url(connection.settings_dict)
        return
    name = f"louyu_cluster_{os.getpid()}"
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{cluster_template}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cluster_redis() -> Iterator[tuple[str, str]]:
    """The Redis URL and a key prefix no other run uses; the prefix's keys go afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(
            f"cluster: Redis is unreachable at {REDIS_URL} ({error}). Start it, or set "
            "LOUYU_CLUSTER_REDIS_URL."
        )
    prefix = f"louyu-cluster-{uuid.uuid4().hex[:12]}"
    yield REDIS_URL, prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    client.close()


class Processes:
    """Started subprocesses, their logs, and a sure end for all of them."""

    def __init__(self, env: dict[str, str], logs: Path):
        self.env = env
        self.logs = logs
        self.started: list[tuple[str, subprocess.Popen]] = []
        self.files: list[IO] = []

    def start(self, label: str, args: list[str], *, piped: bool = False) -> subprocess.Popen:
        log = (self.logs / f"{label}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=BASE_DIR,
            env=self.env,
            stdin=subprocess.PIPE if piped else subprocess.DEVNULL,
            stdout=subprocess.PIPE if piped else log,
            stderr=log if piped else subprocess.STDOUT,
            text=piped or None,
        )
        self.started.append((label, process))
        self.files += [log, *(f for f in (process.stdin, process.stdout) if f is not None)]
        return process

    @staticmethod
    def read_line(process: subprocess.Popen, deadline: Deadline) -> str:
        """The next line the process prints, within the deadline."""
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], deadline.left())
        line = process.stdout.readline() if ready else ""
        if not line:
            pytest.fail(f"cluster: no answer from the driver (exit code {process.poll()})")
        return line

    def tails(self) -> str:
        parts = []
        for label, _ in self.started:
            text = (self.logs / f"{label}.log").read_text(errors="replace")[-1500:]
            parts.append(f"--- {label} ---\n{text}")
        return "\n".join(parts)

    def stop(self, process: subprocess.Popen, timeout: float) -> int | None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return None

    def stop_all(self) -> None:
        for _, process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in self.started:
            self.stop(process, timeout=5)
        for file in self.files:
            file.close()


def http_get(url: str) -> tuple[int, dict] | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except OSError:
        return None  # not listening yet


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


# transaction=True: on PostgreSQL the processes share the test database, so what they see must be
# committed, and it is flushed afterwards.
@pytest.mark.django_db(transaction=True)
def test_it_runs_as_a_cluster_of_two_servers_and_two_workers(
    deadline, cluster_database, cluster_redis
):
    redis_url, prefix = cluster_redis
    env = {
        **os.environ,
        "DATABASE_URL": cluster_database,
        "REDIS_URL": redis_url,
        "LOUYU_CACHE_PREFIX": prefix,
        "LOUYU_PROFILE": "demo",
        "LOUYU_WORKER_HEARTBEAT_SECONDS": "1",
        "DJANGO_SETTINGS_MODULE": "louyu.settings",
        "PYTHONUNBUFFERED": "1",
    }
    ports = {"a": free_port(), "b": free_port()}
    with tempfile.TemporaryDirectory(prefix="louyu-cluster-") as logs:
        processes = Processes(env, Path(logs))
        try:
            driver = processes.start(
                "driver", ["manage.py", "shell", "--no-imports", "-c", DRIVER], piped=True
            )
            for name, port in ports.items():
                processes.start(
                    f"server_{name}", ["manage.py", "serve", "--no-worker", "--port", str(port)]
                )
            workers = [processes.start(f"worker_{n}", ["-c", WORKER]) for n in (1, 2)]
            cookie = json.loads(processes.read_line(driver, deadline))["cookie"]
            deadline.mark("signed in")

            for name, port in ports.items():
                deadline.poll(
                    f"server {name}", lambda port=port: http_get(f"http://127.0.0.1:{port}/healthz")
                )

            deadline.mark("servers up")
            # The same user has a tab open on each server; the event comes from a third process.
            headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
            with contextlib.ExitStack() as stack:
                tabs = [
                    stack.enter_context(
                        ws_connect(
                            f"ws://127.0.0.1:{port}/ws/events/",
                            additional_headers={**headers, "Origin": f"http://127.0.0.1:{port}"},
                            open_timeout=deadline.left(),
                        )
                    )
                    for port in ports.values()
                ]
                assert driver.stdin is not None
                driver.stdin.write(json.dumps({"type": "cluster.hello", "text": "你好"}) + "\n")
                driver.stdin.flush()
                assert processes.read_line(driver, deadline) == "sent\n"
                received = [json.loads(tab.recv(timeout=deadline.left())) for tab in tabs]
            assert received == [{"type": "cluster.hello", "text": "你好"}] * 2
            deadline.mark("event received")

            def succeeded_runs() -> int:
                sql = "SELECT count(*) FROM core_jobrun WHERE name = %s AND status = %s"
                count = query(cluster_database, sql, ("cluster.tick", "succeeded"))[0][0]
                return count if count >= 3 else 0

            deadline.poll("three periods of cluster.tick", succeeded_runs, every=0.2)

            deadline.mark("three runs")
            beating = {
                row[0] for row in query(cluster_database, "SELECT worker FROM core_workerheartbeat")
            }
            assert {f"{socket.gethostname()}:{w.pid}" for w in workers} <= beating

            status, body = http_get(f"http://127.0.0.1:{ports['a']}/healthz") or (None, {})
            assert (status, body) == (
                200,
                {"status": "ok", "checks": {"database": "ok", "cache": "ok", "worker": "ok"}},
            )

            # Stop the workers (gracefully: a running job finishes), then count.
            assert [processes.stop(w, timeout=deadline.left()) for w in workers] == [0, 0]
            deadline.mark("workers stopped")
            runs = query(
                cluster_database,
                "SELECT period_start, status FROM core_jobrun WHERE name = 'cluster.tick'",
            )
            executions = query(
                cluster_database, "SELECT count(*) FROM core_auditlog WHERE action = 'cluster.tick'"
            )[0][0]
            periods = [period for period, _ in runs]
            succeeded = [period for period, state in runs if state == "succeeded"]
            assert len(periods) == len(set(periods)), "a period was claimed twice"
            # Every claimed period ran once; at most the last claim can be left unrun by the stop.
            assert executions == len(succeeded)
            assert len(runs) - len(succeeded) <= 1
            assert "failed" not in {state for _, state in runs}
            daily = query(
                cluster_database,
                "SELECT name, count(*) FROM core_jobrun WHERE name <> 'cluster.tick' GROUP BY name",
            )
            # The core's daily jobs ran once between the two workers (apps add jobs of their own).
            counts = dict(daily)
            assert {
                name: counts.get(name) for name in ("audit.purge", "workers.prune", "tasks.prune")
            } == {
                "audit.purge": 1,
                "workers.prune": 1,
                "tasks.prune": 1,
            }
        except BaseException:
            print(processes.tails())
            raise
        finally:
            processes.stop_all()


@pytest.mark.django_db(transaction=True)
def test_it_serves_with_an_in_process_worker_on_one_machine():
    """`make run`'s mode: one `manage.py serve` process, its job worker in a thread."""
    from django.db import connection

    deadline = Deadline(BUDGET)
    params = connection.settings_dict
    url = database_url(params) if ON_POSTGRES else f"sqlite:///{params['NAME']}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "LOUYU_PROFILE": "demo", "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryDirectory(prefix="louyu-serve-") as logs:
        processes = Processes(env, Path(logs))
        try:
            server = processes.start("serve", ["manage.py", "serve", "--port", str(port)])
            # 503 (no worker yet) until the in-process worker's first heartbeat, then 200.
            status, body = deadline.poll(
                "a healthy server",
                lambda: (r := http_get(f"http://127.0.0.1:{port}/healthz")) and r[0] == 200 and r,
            )
            assert body["checks"] == {"database": "ok", "cache": "ok", "worker": "ok"}
            banner = (Path(logs) / "serve.log").read_text()
            assert f"Louyu serving on http://127.0.0.1:{port}/" in banner
            assert processes.stop(server, timeout=deadline.left()) == 0
        except BaseException:
            print(processes.tails())
            raise
        finally:
            processes.stop_all()


# A worker with one task of its own that the test can kill it in the middle of. With
# LOUYU_TEST_BLOCK=1 the task waits for ever once started; LOUYU_TEST_ENQUEUE names the kinds of
# task to enqueue before the worker starts. "again" is registered as safe to repeat, "once" not.
KILLED_WORKER = """
import os
import pickle
import time

import django

django.setup()

from django.core.management import call_command
from django_tasks import task
from louyu.core.jobs import stale_policy_register
from louyu.core.services import audit_record


@task()
def kill_test(*, kind: str) -> str:
    audit_record(actor=None, action=f"killtest.started.{kind}")
    while os.environ.get("LOUYU_TEST_BLOCK") == "1":
        time.sleep(0.1)  # the task's own work: it blocks until the test kills the process
    audit_record(actor=None, action=f"killtest.finished.{kind}")
    return kind


@task()
def kill_test_once(*, kind: str) -> str:
    return kill_test.func(kind=kind)


stale_policy_register(kill_test, requeue=True)
for kind in filter(None, os.environ.get("LOUYU_TEST_ENQUEUE", "").split(",")):
    (kill_test if kind == "again" else kill_test_once).enqueue(kind=kind)
call_command("worker", "--interval", "0.25")
"""


@pytest.mark.django_db(transaction=True)
def test_a_task_killed_with_its_worker_is_run_again_or_failed_by_another(
    deadline, cluster_database, cluster_redis
):
    """Issue 13: kill -9 of a worker mid-task. Another worker finds the task (no heartbeat),
    runs a repeatable one again to success and fails the other, and audits both."""
    redis_url, prefix = cluster_redis
    env = {
        **os.environ,
        "DATABASE_URL": cluster_database,
        "REDIS_URL": redis_url,
        "LOUYU_CACHE_PREFIX": prefix,
        "LOUYU_PROFILE": "demo",
        "LOUYU_WORKER_HEARTBEAT_SECONDS": "1",
        "LOUYU_WORKER_STALE_SECONDS": "2",
        "DJANGO_SETTINGS_MODULE": "louyu.settings",
        "PYTHONUNBUFFERED": "1",
    }

    def started(kind: str) -> int:
        sql = "SELECT count(*) FROM core_auditlog WHERE action = %s"
        return query(cluster_database, sql, (f"killtest.started.{kind}",))[0][0]

    def statuses() -> dict[str, str]:
        rows = query(
            cluster_database,
            "SELECT args_kwargs->'kwargs'->>'kind', status, exception_class_path "
            "FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '__main__.kill_test%%'",
        )
        return {kind: f"{status} {exception or ''}".strip() for kind, status, exception in rows}

    with tempfile.TemporaryDirectory(prefix="louyu-kill-") as logs:
        processes = Processes(env, Path(logs))
        try:
            # One worker runs one task at a time: each doomed worker enqueues one task and
            # blocks in it, so both tasks are running when the two are killed.
            doomed = []
            for kind in ("again", "once"):
                processes.env = {**env, "LOUYU_TEST_BLOCK": "1", "LOUYU_TEST_ENQUEUE": kind}
                doomed.append(processes.start(f"worker_{kind}", ["-c", KILLED_WORKER]))
                deadline.poll(f"the {kind} task started", lambda kind=kind: started(kind))
            for worker in doomed:
                worker.kill()  # SIGKILL: no handler, no cleanup
                worker.wait()
            deadline.mark("workers killed mid-task")
            assert statuses() == {"again": "RUNNING", "once": "RUNNING"}
            processes.env = env
            processes.start("worker_2", ["-c", KILLED_WORKER])
            final = deadline.poll(
                "the tasks reaped",
                lambda: (
                    (s := statuses()).get("again") == "SUCCESSFUL"
                    and s.get("once", "").startswith("FAILED")
                    and s
                ),
                every=0.2,
            )
            assert final["once"] == "FAILED louyu.core.jobs.WorkerLost"
            reaps = query(
                cluster_database,
                "SELECT after->>'outcome' FROM core_auditlog WHERE action = 'task.reap'",
            )
            assert sorted(outcome for (outcome,) in reaps) == ["failed", "requeued"]
        except BaseException:
            print(processes.tails())
            raise
        finally:
            processes.stop_all()


# A worker that runs a real enterprise import and, once the import has written its first chunk
# (inside the import's one transaction), records what it sees in a marker file and blocks there
# until the test kills it. Chunks of 500 rows keep the file small.
KILLED_IMPORT = """
import csv
import io
import os
import pickle
import time
from pathlib import Path

import django

django.setup()

from django.core.management import call_command
from stdnum.cn import uscc

from louyu.core.models import Node
from louyu.core.services import node_create
from louyu.economy import imports
from louyu.economy.imports import jobs
from louyu.economy.models import Enterprise

imports.CHUNK_ROWS = 500
marker = Path(os.environ["LOUYU_TEST_MARKER"])
save = jobs._save


def blocking_save(state):
    save(state)
    if state["phase"] == "writing" and not state["dry_run"]:
        written = Enterprise.objects.filter(credit_code__startswith="91330103MB").count()
        marker.write_text(f"{state['id']} {written}")
        while True:
            time.sleep(0.1)  # mid-transaction: the test kills the process here


jobs._save = blocking_save
if os.environ.get("LOUYU_TEST_ENQUEUE"):
    parent = None
    for kind, name in [(Node.Kind.DISTRICT, "终止测试区"), (Node.Kind.STREET, "终止测试街道"),
                       (Node.Kind.COMMUNITY, "终止测试社区"), (Node.Kind.BUILDING, "终止测试大厦")]:
        parent = node_create(actor=None, kind=kind, name=name, parent=parent)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["统一社会信用代码", "企业名称", "行业代码", "所在楼宇", "从业人数",
                     "成立日期"])
    for i in range(1, 1501):
        stem = f"91330103MB{i:07d}"
        writer.writerow([stem + uscc.calc_check_digit(stem), f"终止测试{i}号公司", "65",
                         "终止测试大厦", 10, "2010-01-01"])
    job = jobs.job_start(actor=None, kind="enterprises", filename="kill.csv",
                         data=out.getvalue().encode(), paths=None)
    jobs.job_run(job)  # the dry run, here; the real import goes to the worker
    jobs.job_confirm(job_id=job, user=None)
call_command("worker", "--interval", "0.25")
"""


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_mid_write_leaves_no_row_and_its_job_failed(
    deadline, cluster_database, cluster_redis
):
    """Issue 13: kill -9 of the worker while an import is writing. The rows it had written
    (inside the import's transaction) are gone, and another worker fails the job so its
    progress page stops waiting."""
    redis_url, prefix = cluster_redis
    with tempfile.TemporaryDirectory(prefix="louyu-kill-import-") as logs:
        marker = Path(logs) / "writing"
        env = {
            **os.environ,
            "DATABASE_URL": cluster_database,
            "REDIS_URL": redis_url,
            "LOUYU_CACHE_PREFIX": prefix,
            "LOUYU_PROFILE": "demo",
            "LOUYU_VAR_DIR": logs,
            "LOUYU_WORKER_HEARTBEAT_SECONDS": "1",
            "LOUYU_WORKER_STALE_SECONDS": "2",
            "LOUYU_TEST_MARKER": str(marker),
            "DJANGO_SETTINGS_MODULE": "louyu.settings",
            "PYTHONUNBUFFERED": "1",
        }
        processes = Processes({**env, "LOUYU_TEST_ENQUEUE": "1"}, Path(logs))
        rows = "SELECT count(*) FROM economy_enterprise WHERE credit_code LIKE '91330103MB%%'"
        task = (
            "SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'louyu.economy.tasks.import_run' ORDER BY enqueued_at DESC LIMIT 1"
        )
        try:
            doomed = processes.start("worker_import", ["-c", KILLED_IMPORT])
            deadline.poll("the import writing", marker.exists)
            job_id, written = marker.read_text().split()
            assert int(written) == 500  # the first chunk is in, uncommitted
            doomed.kill()  # SIGKILL mid-transaction
            doomed.wait()
            deadline.mark("worker killed mid-import")
            assert query(cluster_database, rows) == [(0,)]
            processes.env = env
            processes.start("worker_2", ["-c", KILLED_IMPORT])
            client = redis.Redis.from_url(redis_url)

            def job() -> dict[str, Any]:
                (key,) = client.scan_iter(f"*{prefix}*economy:import:{job_id}")
                return pickle.loads(client.get(key))  # noqa: S301 - our own cache entry

            # The task is failed first, then its on_fail hook fails the job: wait for both.
            final = deadline.poll(
                "the import reaped",
                lambda: (
                    (row := query(cluster_database, task)[0])[0] == "FAILED"
                    and job()["status"] == "failed"
                    and row
                ),
                every=0.2,
            )
            assert final == ("FAILED", "louyu.core.jobs.WorkerLost")
            assert query(cluster_database, rows) == [(0,)]
            state = job()
            assert state["phase"] == "done"
            assert "中断" in str(state["result"]["errors"])
        except BaseException:
            print(processes.tails())
            raise
        finally:
            processes.stop_all()
