import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from louyu.lib.isolated import Failure, run_isolated

MB = 2**20


def double(value):
    return value * 2


def allocate(megabytes):
    return bytearray(megabytes * MB)


def sleep(seconds):
    time.sleep(seconds)


def abort():
    os.abort()


def refuse():
    raise Failure("no_sheet", "why")


def fail():
    raise KeyError("surprise")


def pid_then_sleep(path):
    Path(path).write_text(str(os.getpid()))
    time.sleep(60)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child the fork server has not reaped yet is a zombie: dead all the same.
    status = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].split()[0]
    return status != "Z"


def answer_with_code():
    return [datetime.date(2027, 1, 1), {"a": (1, 2.5, None, True)}, os.system]


class RunIsolatedTests:
    def test_it_returns_the_function_value(self):
        assert run_isolated(double, [1, "二"], memory_bytes=64 * MB, seconds=30) == [1, "二"] * 2

    def test_an_allocation_beyond_the_limit_kills_only_the_child(self):
        with pytest.raises(Failure) as caught:
            run_isolated(allocate, 256, memory_bytes=64 * MB, seconds=30)
        assert caught.value.kind == "memory"
        assert len(run_isolated(allocate, 16, memory_bytes=64 * MB, seconds=30)) == 16 * MB

    def test_a_native_abort_is_reported_not_shared(self):
        with pytest.raises(Failure) as caught:
            run_isolated(abort, memory_bytes=64 * MB, seconds=30)
        assert caught.value.kind == "memory"  # SIGABRT: how Rust and C report a failed malloc
        assert caught.value.detail.startswith(f"exit code {-signal.SIGABRT}")

    def test_it_stops_waiting_after_the_time_limit(self):
        started = time.monotonic()
        with pytest.raises(Failure) as caught:
            run_isolated(sleep, 30, memory_bytes=64 * MB, seconds=0.5)
        assert caught.value.kind == "timeout" and time.monotonic() - started < 10

    def test_dates_come_back_and_nothing_that_can_run(self):
        with pytest.raises(Failure) as caught:
            run_isolated(answer_with_code, memory_bytes=64 * MB, seconds=30)
        assert caught.value.kind == "crashed" and "not a plain value" in caught.value.detail

    def test_failures_of_the_function_come_back_with_their_kind(self):
        with pytest.raises(Failure) as caught:
            run_isolated(refuse, memory_bytes=64 * MB, seconds=30)
        assert (caught.value.kind, caught.value.detail) == ("no_sheet", "why")
        with pytest.raises(Failure) as caught:
            run_isolated(fail, memory_bytes=64 * MB, seconds=30)
        assert caught.value.kind == "crashed" and "KeyError" in caught.value.detail

    @pytest.mark.skipif(
        not sys.platform.startswith("linux"), reason="issue 13: PR_SET_PDEATHSIG is Linux's"
    )
    def test_the_child_dies_with_a_killed_parent(self, tmp_path):
        marker = tmp_path / "child.pid"
        parent = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from louyu.lib.isolated import run_isolated;"
                "from louyu.lib.tests.test_isolated import pid_then_sleep;"
                "run_isolated(pid_then_sleep, sys.argv[1], memory_bytes=2**26, seconds=60)",
                str(marker),
            ],
            cwd=settings.BASE_DIR,
        )
        try:
            for _ in range(600):
                if marker.exists() and marker.read_text():
                    break
                time.sleep(0.05)  # polling interval; the marker file decides
            child = int(marker.read_text())
            assert _alive(child)
        finally:
            parent.kill()
            parent.wait(10)
        for _ in range(200):
            if not _alive(child):
                break
            time.sleep(0.05)
        assert not _alive(child)
