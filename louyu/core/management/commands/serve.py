"""`manage.py serve`: the ASGI server (HTTP and WebSocket) with, by default, a job worker in the
same process — the one-machine setup of `make run`. In a cluster, app servers run with
--no-worker and the workers run `manage.py worker` (see deploy/)."""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType
from typing import Any

import uvicorn
from django.core.management.base import BaseCommand, CommandParser

from louyu.core.management.commands.worker import JobWorker, quiet_task_logs


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve Louyu over HTTP and WebSocket (uvicorn), with an in-process job worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="Do not run a job worker in this process (run `manage.py worker` instead).",
        )
        parser.add_argument(
            "--proxy-headers",
            action="store_true",
            help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind nginx).",
        )
        parser.add_argument("--forwarded-allow-ips", default="127.0.0.1")

    def handle(self, *args: Any, host: str, port: int, worker: bool, **options: Any) -> None:
        quiet_task_logs(options["verbosity"])
        config = uvicorn.Config(
            "louyu.asgi:application",
            host=host,
            port=port,
            ws="websockets-sansio",
            lifespan="off",  # Django has no lifespan handlers
            proxy_headers=options["proxy_headers"],
            forwarded_allow_ips=options["forwarded_allow_ips"],
            log_level="warning",
            server_header=False,
        )
        server = uvicorn.Server(config)
        job_worker = JobWorker() if worker else None
        thread = None
        if job_worker is not None:
            # Signals belong to uvicorn in the main thread; the worker only watches its event.
            thread = threading.Thread(target=job_worker.loop, name="louyu-worker", daemon=True)
            thread.start()
        shown = "[::1]" if host == "::1" else host
        mode = "with an in-process job worker" if worker else "without a job worker"
        self.stdout.write(f"Louyu serving on http://{shown}:{port}/ ({mode}); Ctrl+C stops it.")
        # uvicorn shuts down on SIGINT/SIGTERM, then re-raises the signal: make both end up here
        # as KeyboardInterrupt so the worker finishes its task instead of dying with the process.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            if job_worker is not None and thread is not None:
                job_worker.stop.set()
                job_worker.running = False
                thread.join(timeout=10)
