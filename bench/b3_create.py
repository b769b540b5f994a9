"""B3: create one service request through the API (POST /api/v1/servicedesk/requests/ as the
enterprise's contact: input validation, the requester's membership check, the catalog item's
form check, number allocation, INSERT of the request, its history row and its audit row, one
transaction, notifications on commit) ÷ pgbench running the same two INSERTs (request + history
row) in one transaction, same client count.

The requests B3 creates are deleted afterwards, so the data set stays as generated.
"""

from __future__ import annotations

import json
import statistics
from typing import TYPE_CHECKING

from bench.load import http_request, pgbench, wrk

if TYPE_CHECKING:
    from bench.run import Bench, Row

# pgbench's side: the same two rows in one transaction (number unique, as in the product).
SETUP_SQL = """
DROP TABLE IF EXISTS b3_event, b3_request;
DROP SEQUENCE IF EXISTS b3_number;
CREATE SEQUENCE b3_number;
CREATE TABLE b3_request (
    id bigserial PRIMARY KEY, number varchar(20) NOT NULL UNIQUE, title varchar(200) NOT NULL,
    description text NOT NULL, enterprise_id bigint, community_id bigint NOT NULL,
    service_item_id bigint, category varchar(12) NOT NULL, channel varchar(10) NOT NULL,
    status varchar(20) NOT NULL, form_data jsonb NOT NULL, version integer NOT NULL,
    submitted_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, response_due_on date
);
CREATE INDEX ON b3_request (community_id, status);
CREATE INDEX ON b3_request (enterprise_id, submitted_at);
CREATE TABLE b3_event (
    id bigserial PRIMARY KEY, request_id bigint NOT NULL REFERENCES b3_request (id),
    at timestamptz NOT NULL, action varchar(32) NOT NULL, to_status varchar(20) NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX ON b3_event (request_id);
"""
_REQUEST_COLUMNS = (
    "number, title, description, enterprise_id, community_id, service_item_id, category, "
    "channel, status, form_data, version, submitted_at, updated_at, response_due_on"
)
_REQUEST_VALUES = (
    "'P' || nextval('b3_number'), '基准事项申请', '', 1, 1, 1, 'economy', 'web', 'submitted', "
    "'{}', 1, now(), now(), current_date + 1"
)
# pgbench takes one SQL command per line here; \gset keeps the new id for the history row.
SCRIPT = (
    "BEGIN;\n"
    f"INSERT INTO b3_request ({_REQUEST_COLUMNS}) VALUES ({_REQUEST_VALUES}) RETURNING id \\gset\n"
    "INSERT INTO b3_event (request_id, at, action, to_status, data) "
    "VALUES (:id, now(), 'create', 'submitted', '{\"channel\": \"web\"}');\n"
    "END;\n"
)


def contact_token(bench: Bench, port: int) -> tuple[str, int, int]:
    """A token for the contact of enterprise 1 (user 2 of the generated users), and the
    enterprise and a catalog item of it."""
    from bench import generate

    body = json.dumps({"username": "u0000002", "password": generate.BENCH_PASSWORD}).encode()
    status, answer = http_request(
        port, "POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"}
    )
    if status != 200:
        raise RuntimeError(f"POST /api/v1/auth/token/ answered {status}: {answer[:200]!r}")
    return str(json.loads(answer)["token"]), 1, 1


def b3(bench: Bench) -> Row:
    import psycopg

    from bench.run import Row, fmt_runs, met

    row = Row("B3", "API create of a service request ÷ pgbench, the same two INSERTs")
    louyu, _bare = bench.http_servers()
    token, enterprise, item = contact_token(bench, louyu.port)
    payload = json.dumps(
        {
            "title": "基准事项申请",
            "description": "基准测试创建的事项",
            "enterprise": enterprise,
            "service_item": item,
            "channel": "web",
        },
        ensure_ascii=False,
    )
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    with psycopg.connect(bench.dsn) as conn:
        first_new = int(
            conn.execute(
                "SELECT coalesce(max(id), 0) + 1 FROM servicedesk_servicerequest"
            ).fetchone()[0]  # type: ignore[index]
        )
    path = "/api/v1/servicedesk/requests/"
    status, answer = http_request(louyu.port, "POST", path, payload.encode(), headers)
    if status != 201:
        raise RuntimeError(f"POST {path} answered {status}: {answer[:300]!r}")
    script = bench.workdir / "b3.lua"
    lua_body = payload.replace("\\", "\\\\").replace('"', '\\"')
    script.write_text(
        'wrk.method = "POST"\n'
        f'wrk.body = "{lua_body}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    pg_db = bench.pgbench_db()
    pg = bench.pg_params()
    with psycopg.connect(bench.dsn.rsplit("/", 1)[0] + "/" + pg_db, autocommit=True) as conn:
        conn.execute(SETUP_SQL)
    pg_script = bench.workdir / "b3.sql"
    pg_script.write_text(SCRIPT)
    # At least 3 s a run: at smoke's 1 s a loaded machine may finish no request at all.
    c, s = bench.size.connections, max(3.0, bench.size.seconds)
    url = f"http://127.0.0.1:{louyu.port}{path}"
    auth = {"Authorization": headers["Authorization"], "Accept": "application/json"}
    pg_args = ["-n", "-M", "prepared", "-c", str(c), "-j", "2", "-f", str(pg_script)]
    try:
        wrk(url, seconds=bench.size.warmup, connections=c, headers=auth, script=script)
        pgbench(pg_db, args=[*pg_args, "-T", str(max(1, round(bench.size.warmup)))], pg=pg)
        runs_a, runs_b = bench.alternate(
            lambda: wrk(url, seconds=s, connections=c, headers=auth, script=script),
            lambda: pgbench(pg_db, args=[*pg_args, "-T", str(max(1, round(s)))], pg=pg),
        )
        with psycopg.connect(bench.dsn) as conn:
            created = int(
                conn.execute(
                    "SELECT count(*) FROM servicedesk_servicerequest WHERE id >= %s", (first_new,)
                ).fetchone()[0]  # type: ignore[index]
            )
            events = int(
                conn.execute(
                    "SELECT count(*) FROM servicedesk_requestevent WHERE request_id >= %s",
                    (first_new,),
                ).fetchone()[0]  # type: ignore[index]
            )
    finally:
        with psycopg.connect(bench.dsn, autocommit=True) as conn:
            conn.execute(
                "DELETE FROM servicedesk_requestevent WHERE request_id >= %s", (first_new,)
            )
            conn.execute("DELETE FROM servicedesk_servicerequest WHERE id >= %s", (first_new,))
    errors = sum(r.errors for r in runs_a)
    a = statistics.median(r.rps for r in runs_a)
    b = statistics.median(runs_b)
    p99 = statistics.median(r.p99_ms for r in runs_a)
    ratio = a / b
    row.figure = f"{a:,.0f} req/s (p99 {p99:.0f} ms, {errors} errors)"
    row.baseline = f"{b:,.0f} tps"
    row.ratio = f"{ratio:.3f}"
    row.target = "floor ≥ 0.12; target ≥ 0.30 with 0 errors and p99 ≤ 150 ms"
    row.met = met(ratio >= 0.30 and errors == 0 and p99 <= 150, ratio >= 0.12)
    row.notes.append(
        f"POST {path} (JSON, token of enterprise 1's contact, catalog item 1), wrk -c{c}, "
        f"{s:g} s a run; "
        f"{created:,} requests and {events:,} history rows created over all runs (one each per "
        f"2xx), then deleted; pgbench -c{c} -j2 -M prepared, a script of BEGIN; INSERT request; "
        "INSERT history row; END (tables shaped like the product's, unique number)"
    )
    non_2xx = sum(r.non_2xx for r in runs_a)
    timeouts = sum(r.timeouts for r in runs_a)
    row.notes.append(
        f"runs A {fmt_runs(runs_a)} ({', '.join(str(r.errors) for r in runs_a)} errors: "
        f"{non_2xx} non-2xx answers, {timeouts} timeouts, {errors - non_2xx - timeouts} other "
        "socket errors); "
        f"B {', '.join(f'{t:,.0f}' for t in runs_b)} tps"
    )
    if errors:
        row.notes.append(
            "errors are non-2xx answers or socket errors (request numbers come from a per-day "
            "counter row, so contention alone should cause none: see services/requests.py "
            "_number)"
        )
    if any(r.requests == 0 for r in runs_a):
        raise RuntimeError(f"a load run sent no requests: {runs_a}")
    return row
