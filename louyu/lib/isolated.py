"""Run a risky function (a parser of an uploaded file) in a child process with a memory and a
time limit, so that whatever the input does — allocate without bound, loop, crash the native
library — only the child dies, never the server or worker that asked.

The child is a fresh interpreter (`python -m louyu.lib.isolated`), so none of the caller's
threads, connections or memory are copied. Before it reads its task it asks the kernel to kill it
when its parent dies (PR_SET_PDEATHSIG on Linux) and limits its address space (RLIMIT_AS).
The task goes in on stdin and the answer comes back on stdout, both pickled; the answer is read
with an unpickler that builds only plain values (a child that a hostile file took over cannot
make the parent run anything).

The function runs without Django: it gets plain arguments and returns plain values (lists,
dicts, str, numbers, dates), or raises `Failure(kind)` for a failure it recognises. Every other
end the caller sees as a `Failure` with kind "memory", "timeout" or "crashed".
"""

from __future__ import annotations

import ctypes
import datetime
import importlib
import io
import os
import pickle
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
_PR_SET_PDEATHSIG = 1
# The only classes an answer may contain besides the built-in containers and scalars.
_PLAIN = {
    ("datetime", "datetime"): datetime.datetime,
    ("datetime", "date"): datetime.date,
    ("datetime", "time"): datetime.time,
    ("datetime", "timedelta"): datetime.timedelta,
    ("datetime", "timezone"): datetime.timezone,
}


class Failure(Exception):
    """The isolated call did not return: `kind` says why, `detail` may say more."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind, detail)
        self.kind = kind
        self.detail = detail


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return _PLAIN[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not a plain value") from None


def run_isolated(func: Callable[..., Any], *args: Any, memory_bytes: int, seconds: float) -> Any:
    """func(*args) in a child process whose address space may grow `memory_bytes` beyond its
    start, for at most `seconds` of wall time; its return value, or `Failure`."""
    task = pickle.dumps((func.__module__, func.__qualname__, args, memory_bytes))
    child = subprocess.Popen(
        [sys.executable, "-m", "louyu.lib.isolated", str(os.getpid())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        out, err = child.communicate(task, timeout=seconds)
    except subprocess.TimeoutExpired as error:
        child.kill()
        child.communicate()
        raise Failure("timeout") from error
    if child.returncode != 0 or not out:
        code = child.returncode
        # A failed allocation in native code aborts; the kernel's OOM killer sends SIGKILL.
        kind = "memory" if code in (-signal.SIGABRT, -signal.SIGKILL) else "crashed"
        raise Failure(kind, f"exit code {code}: {err.decode(errors='replace')[-500:]}")
    try:
        status, value = _PlainUnpickler(io.BytesIO(out)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
        raise Failure("crashed", f"unreadable answer: {error}") from error
    if status == "failure":
        raise Failure(*value)
    return value


def _limit_self(parent: int, memory_bytes: int) -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)
        with open("/proc/self/statm") as statm:
            size = int(statm.read().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (size + memory_bytes, size + memory_bytes))


def _main() -> None:
    task = sys.stdin.buffer.read()
    module, name, args, memory_bytes = pickle.loads(task)  # from our own parent: trusted
    _limit_self(int(sys.argv[1]), memory_bytes)
    func: Any = importlib.import_module(module)
    for part in name.split("."):
        func = getattr(func, part)
    answer: tuple[str, Any]
    try:
        answer = ("ok", func(*args))
    except Failure as failure:
        answer = ("failure", (failure.kind, failure.detail))
    except MemoryError:
        answer = ("failure", ("memory", ""))
    except Exception as error:  # an unrecognised fault of the function: the caller decides
        answer = ("failure", ("crashed", f"{type(error).__name__}: {error}"))
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:  # the answer itself did not fit in the limit
        data = pickle.dumps(("failure", ("memory", "")))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    # Run as louyu.lib.isolated, not as __main__: the functions raise that module's Failure.
    importlib.import_module("louyu.lib.isolated")._main()
