"""Processes the harness drives: app servers, wrk, pgbench; and what it reads from /proc."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port(start: int = 18000, end: int = 18999) -> int:
    """A port in our range nobody listens on, tried from a random point so that two runs side
    by side (or a server still starting) rarely pick the same one."""
    offset = random.randrange(end - start)
    for port in [start + (offset + i) % (end - start) for i in range(end - start)]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18000–18999")


class Server:
    """One server process (Louyu's `manage.py serve`, or uvicorn running the bare app)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, log: Path):
        self.name, self.argv, self.env, self.port, self.log = name, argv, env, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready_path: str = "/", timeout: float = 60) -> Server:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early; see {self.log}:\n{self.tail()}")
            try:
                status, _body = http_get(self.port, ready_path)
                if status < 500:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s:\n{self.tail()}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def status_kb(self, field: str) -> int:
        """VmRSS (resident now) or VmHWM (peak resident) of the server, in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise RuntimeError(f"{field} not in /proc/{self.pid}/status")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def http_request(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a fresh connection (setup only; load comes from wrk)."""
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        head.append(f"Content-Length: {len(body)}")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    status = int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0
    return status, raw.split(b"\r\n\r\n", 1)[-1]


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    return http_request(port, "GET", path, headers=headers)


@dataclass
class WrkResult:
    rps: float
    requests: int
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx responses and socket errors
    non_2xx: int = 0  # of which answers outside 2xx/3xx (a 409, a 500)
    timeouts: int = 0  # of which requests wrk gave up on (no answer within its 2 s)

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.errors == 0


# wrk's time units (format_time_us): microseconds up to hours.
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> WrkResult:
    """Run wrk (2 threads, keep-alive) against `url` for `seconds`; parse its report."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    for key, value in (headers or {}).items():
        argv += ["-H", f"{key}: {value}"]
    if script is not None:
        argv += ["-s", str(script)]
    out = subprocess.run(argv + [url], capture_output=True, text=True, timeout=seconds + 60)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stderr or out.stdout}")
    return parse_wrk(out.stdout)


def parse_wrk(text: str) -> WrkResult:
    """Requests/s, request count, p50/p99 and errors from a `wrk --latency` report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    if rps is None or total is None:
        raise RuntimeError(f"unexpected wrk report: {text}")
    # wrk pads a value to a fixed width, so a one-letter unit ("1.46s ", "1.00m ") is followed
    # by a space: allow trailing blanks.
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)[ \t]*$", text, re.MULTILINE))
    errors = non_2xx = timeouts = 0
    if found := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        non_2xx = int(found.group(1))
        errors += non_2xx
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
        timeouts = int(sockets.group(4))
    return WrkResult(
        rps=float(rps.group(1)),
        requests=int(total.group(1)),
        p50_ms=_ms(latency["50"]) if "50" in latency else 0.0,
        p99_ms=_ms(latency["99"]) if "99" in latency else 0.0,
        errors=errors,
        non_2xx=non_2xx,
        timeouts=timeouts,
    )


def pgbench(dbname: str, *, args: list[str], pg: dict[str, str]) -> float:
    """Run pgbench against `dbname` and return its tps (without initial connection time)."""
    argv = ["pgbench", "-h", pg["host"], "-p", pg["port"], "-U", pg["user"], *args, dbname]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if "-i" in args:  # initialisation reports no tps
        if out.returncode != 0:
            raise RuntimeError(f"pgbench -i failed: {out.stderr}")
        return 0.0
    match = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout)
    if out.returncode != 0 or match is None:
        raise RuntimeError(f"pgbench {' '.join(args)} failed: {out.stderr or out.stdout}")
    return float(match.group(1))
