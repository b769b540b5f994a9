"""`manage.py worker`: one job worker — heartbeat, periodic-job scheduler and the task queue.

N workers on N hosts are N of these processes against one database. `manage.py serve` runs the
same loop in a thread beside the web server.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from louyu.core.jobs import scheduler_tick, stale_reap
from louyu.core.selectors import TASK_WORKER_ID_LENGTH
from louyu.core.services import worker_heartbeat

logger = logging.getLogger("louyu.worker")


class JobWorker(Worker):
    """django_tasks_db's queue worker, drained in batches between heartbeats and scheduler ticks.

    Each tick: write the heartbeat when due, reap the tasks of stopped workers when due (at
    most once per LOUYU_WORKER_STALE_SECONDS), claim periodic jobs, then run every ready task
    (django_tasks_db's own claiming and bookkeeping; a side thread keeps the heartbeat going
    meanwhile) and wait `interval` seconds.
    """

    def __init__(self, *, interval: float = 1.0, queue_names: list[str] | None = None) -> None:
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        super().__init__(
            queue_names=queue_names or ["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.name[:TASK_WORKER_ID_LENGTH],
            excluded_queue_names=[],
        )
        self.tick_interval = interval
        self.stop = threading.Event()
        self.started = timezone.now()
        self._next_heartbeat = 0.0
        self._next_reap = 0.0

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """First signal: finish the running task, then leave. Second signal: leave now."""
        if self.stop.is_set():
            self.reset_signals()
            sys.exit(1)
        logger.warning("%s received %s, stopping", self.name, signal.strsignal(signum))
        self.stop.set()
        self.running = False

    def tick(self) -> None:
        close_old_connections()
        if time.monotonic() >= self._next_heartbeat:
            worker_heartbeat(worker=self.name)
            self._next_heartbeat = time.monotonic() + settings.LOUYU_WORKER_HEARTBEAT_SECONDS
        if time.monotonic() >= self._next_reap:
            self._next_reap = time.monotonic() + settings.LOUYU_WORKER_STALE_SECONDS
            try:
                stale_reap(worker_id=self.worker_id, worker_started=self.started)
            except Exception:  # the queue must keep running even if reaping fails
                logger.exception("worker %s: reaping stale tasks failed", self.name)
        scheduler_tick(self.name)
        if not self.stop.is_set():
            self.running = True
            with self.beating():
                self.run()  # batch mode: returns once the queue is empty
        close_old_connections()

    @contextmanager
    def beating(self) -> Iterator[None]:
        """Beat from a side thread while tasks run: a long import must not pass for a dead
        worker and be reaped while it still runs (issue 13)."""
        every = settings.LOUYU_WORKER_HEARTBEAT_SECONDS
        done = threading.Event()

        def beat() -> None:
            try:
                while not done.wait(every):
                    try:
                        worker_heartbeat(worker=self.name)
                    except Exception:
                        logger.exception("worker %s: heartbeat failed", self.name)
            finally:
                connections.close_all()  # this thread's own connections

        thread = threading.Thread(target=beat, name=f"{self.name} heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def loop(self, *, once: bool = False) -> None:
        """Tick until stopped (or once). A failing tick — the database restarting, say — is
        logged and retried on the next tick rather than ending the worker."""
        logger.info("worker %s started", self.name)
        while not self.stop.is_set():
            try:
                self.tick()
            except Exception:
                if once:
                    raise
                logger.exception("worker %s: tick failed", self.name)
            if once:
                break
            self.stop.wait(self.tick_interval)
        logger.info("worker %s stopped", self.name)


def quiet_task_logs(verbosity: int) -> None:
    """django_tasks_db logs every batch at INFO; keep it for -v 2."""
    if verbosity < 2:
        logging.getLogger("django_tasks_db").setLevel(logging.WARNING)


class Command(BaseCommand):
    help = "Run a job worker: heartbeat, periodic jobs and the background-task queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait between ticks when idle (default: 1).",
        )
        parser.add_argument(
            "--queue-name",
            default="*",
            help="Queues to process, comma-separated; '*' for all (default).",
        )
        parser.add_argument("--once", action="store_true", help="Run one tick, then exit.")

    def handle(self, *args: Any, interval: float, queue_name: str, once: bool, **options: Any):
        quiet_task_logs(options["verbosity"])
        worker = JobWorker(interval=interval, queue_names=queue_name.split(","))
        worker.configure_signals()
        try:
            worker.loop(once=once)
        finally:
            worker.reset_signals()
