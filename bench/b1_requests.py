"""B1: list 50 service requests with filters through the API (GET /api/v1/servicedesk/requests/
?community=…&status=…&page_size=50: the request FilterSet, row scope, one page query and a
count, DRF serialisation) ÷ a bare ASGI app serving the identical bytes, same uvicorn options.

The bare app reads the body the Louyu endpoint answered (the file named by BENCH_B1_BODY), so
both sides send the same bytes; wrk loads each in turn, A, B × reps, median reported.
"""

from __future__ import annotations

import os
import statistics
from typing import TYPE_CHECKING, Any

from bench.load import PY, Server, free_port, http_get, wrk

if TYPE_CHECKING:
    from bench.run import Bench, Row

_BODY = b""


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The baseline: the recorded answer of the Louyu endpoint, for every path."""
    global _BODY
    if scope["type"] != "http":
        return
    if not _BODY:
        with open(os.environ["BENCH_B1_BODY"], "rb") as handle:
            _BODY = handle.read()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_BODY)).encode()),
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": _BODY})


def busiest_filter(dsn: str) -> tuple[int, str, int]:
    """The (community, status) pair with the most requests: a full page of 50 rows."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT community_id, status, count(*) FROM servicedesk_servicerequest "
            "GROUP BY community_id, status ORDER BY count(*) DESC, community_id, status LIMIT 1"
        ).fetchone()
    if row is None:
        raise RuntimeError("no service requests in the data set")
    return int(row[0]), str(row[1]), int(row[2])


def b1(bench: Bench) -> Row:
    import json

    from bench.run import Row, check_runs, fmt_runs, met

    row = Row("B1", "API list of 50 service requests with filters ÷ bare ASGI, same bytes")
    louyu, _bare = bench.http_servers()
    token = bench.token(louyu.port)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    community, status_, matching = busiest_filter(bench.dsn)
    path = f"/api/v1/servicedesk/requests/?community={community}&status={status_}&page_size=50"
    code, body = http_get(louyu.port, path, headers)
    if code != 200:
        raise RuntimeError(f"GET {path} answered {code}: {body[:300]!r}")
    answer = json.loads(body)
    shown = len(answer["results"])
    if shown != min(50, matching) or answer["count"] != matching:
        raise RuntimeError(f"expected {min(50, matching)} of {matching} rows, got {shown}")
    body_file = bench.workdir / "b1-body.json"
    body_file.write_bytes(body)
    port = free_port()
    argv = [
        PY, "-m", "uvicorn", "bench.b1_requests:bare_app", "--host", "127.0.0.1",
        "--port", str(port), "--lifespan", "off", "--log-level", "warning", "--no-server-header",
    ]  # fmt: skip
    env = {**bench.env, "BENCH_B1_BODY": str(body_file)}
    bare = Server("bare ASGI (B1 bytes)", argv, env, port, bench.workdir / "bare-b1.log").start("/")
    try:
        _status, bare_body = http_get(bare.port, "/")
        if bare_body != body:
            raise RuntimeError("the bare app does not send the endpoint's bytes")
        # At least 3 s a run: at smoke's 1 s a loaded machine may finish no request at all.
        c, s = bench.size.connections, max(3.0, bench.size.seconds)
        url_a = f"http://127.0.0.1:{louyu.port}{path}"
        url_b = f"http://127.0.0.1:{bare.port}/"
        wrk(url_a, seconds=bench.size.warmup, connections=c, headers=headers)
        wrk(url_b, seconds=bench.size.warmup, connections=c)
        runs_a, runs_b = bench.alternate(
            lambda: wrk(url_a, seconds=s, connections=c, headers=headers),
            lambda: wrk(url_b, seconds=s, connections=c),
        )
    finally:
        bare.stop()
    check_runs(runs_a + runs_b)
    a = statistics.median(r.rps for r in runs_a)
    b = statistics.median(r.rps for r in runs_b)
    p99 = statistics.median(r.p99_ms for r in runs_a)
    ratio = a / b
    row.figure = f"{a:,.0f} req/s (p99 {p99:.0f} ms)"
    row.baseline = f"{b:,.0f} req/s"
    row.ratio = f"{ratio:.3f}"
    row.target = "floor ≥ 0.015; target ≥ 0.05 and p99 ≤ 100 ms"
    row.met = met(ratio >= 0.05 and p99 <= 100, ratio >= 0.015)
    row.notes.append(
        f"GET {path} as the district officer (token auth): {shown} of {matching} matching rows, "
        f"{len(body):,} bytes of JSON; the bare app (bench/b1_requests.py, same uvicorn options) "
        f"sends those exact bytes; wrk -c{c}, one path, {s:g} s a run"
    )
    row.notes.append(f"runs A {fmt_runs(runs_a)}; B {fmt_runs(runs_b)}")
    return row
