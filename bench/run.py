"""`make bench`: run every benchmark of performance.md §7 whose feature exists, each against its
baseline in the same run (A, B, A, B …, median), print the table and write it to bench/results/.

    python -m bench.run [--only B2] [--scale smoke|small|full]

Needs PostgreSQL and Redis running (DATABASE_URL, REDIS_URL; defaults louyu_bench and Redis db 12),
wrk and pgbench. Exits 1 when a built benchmark failed to run, 2 when PostgreSQL or Redis is down;
how fast things are never changes the exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import generate
from bench.load import PY, ROOT, Server, free_port, http_get, http_request, pgbench, wrk

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/louyu_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Size:
    seconds: float  # one wrk / pgbench run
    warmup: float
    reps: int  # A, B pairs
    connections: int  # wrk connections = pgbench clients
    ws_connections: int
    pgbench_scale: int


SIZES = {
    "smoke": Size(seconds=1, warmup=1, reps=3, connections=16, ws_connections=50, pgbench_scale=1),
    "small": Size(seconds=5, warmup=2, reps=3, connections=16, ws_connections=500, pgbench_scale=5),
    "full": Size(
        seconds=10, warmup=3, reps=3, connections=16, ws_connections=2000, pgbench_scale=10
    ),
}


@dataclass
class Row:
    """One line of the results table."""

    id: str
    name: str
    figure: str = "—"
    baseline: str = "—"
    ratio: str = "—"
    target: str = "—"
    met: str = "—"
    status: str = "ok"  # ok | failed | not built
    notes: list[str] = field(default_factory=list)


NOT_BUILT: dict[str, tuple[str, str]] = {}
BUILT = {
    "B0": "calibration",
    "B1": "API list of 50 service requests ÷ bare ASGI",
    "B3": "API create of a service request ÷ pgbench",
    "B2": "building detail",
    "B4": "economy summary + ranking ÷ DuckDB",
    "B5": "rollup freshness ÷ DuckDB recompute",
    "B6": "building broadcast ÷ bare fan-out",
    "B7": "idle WebSockets",
    "B8": "enterprise .xlsx import ÷ calamine + COPY",
}
ORDER = ["B0", "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "MEM"]


class Bench:
    """Everything one run shares: settings, the data set, the servers of B0/B2."""

    def __init__(self, scale: str, dsn: str, redis_url: str, workdir: Path):
        self.scale, self.size = scale, SIZES[scale]
        self.dsn, self.redis_url, self.workdir = dsn, redis_url, workdir
        self.env = {
            **os.environ,
            "DATABASE_URL": dsn,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
            "LOUYU_LOG_LEVEL": "WARNING",
            "LOUYU_CACHE_PREFIX": "louyu-bench",
            "PYTHONPATH": str(ROOT),
        }
        self.env.pop("DEBUG", None)
        self.env.pop("LOUYU_PROFILE", None)
        self.http: tuple[Server, Server] | None = None
        self.peak_kb: dict[str, int] = {}
        self.dataset: dict[str, Any] = {}

    # --- servers -------------------------------------------------------------------------
    def louyu_server(self, tag: str) -> Server:
        port = free_port()
        argv = [PY, "manage.py", "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)]
        return Server("Louyu", argv, self.env, port, self.workdir / f"louyu-{tag}.log")

    def bare_server(self, tag: str) -> Server:
        port = free_port()
        argv = [
            PY, "-m", "uvicorn", "bench.bare:app", "--host", "127.0.0.1", "--port", str(port),
            "--ws", "websockets-sansio", "--lifespan", "off", "--log-level", "warning",
            "--no-server-header",
        ]  # fmt: skip
        return Server("bare ASGI", argv, self.env, port, self.workdir / f"bare-{tag}.log")

    def http_servers(self) -> tuple[Server, Server]:
        """The Louyu server and the bare server that B0 and B2 load (started once)."""
        if self.http is None:
            louyu = self.louyu_server("http").start("/bench/json/")
            try:
                bare = self.bare_server("http").start("/")
            except Exception:
                louyu.stop()
                raise
            self.http = (louyu, bare)
        return self.http

    def stop(self) -> None:
        if self.http is not None:
            for server in self.http:
                self.peak_kb.setdefault(server.name, 0)
                if server.proc is not None and server.proc.poll() is None:
                    self.peak_kb[server.name] = server.status_kb("VmHWM")
                server.stop()
            self.http = None

    def alternate(self, a: Callable[[], Any], b: Callable[[], Any]) -> tuple[list[Any], list[Any]]:
        """A, B, A, B …: the benchmark and its baseline share whatever the machine is doing."""
        results_a, results_b = [], []
        for _ in range(self.size.reps):
            results_a.append(a())
            results_b.append(b())
        return results_a, results_b

    # --- B0 --------------------------------------------------------------------------------
    def b0(self) -> Row:
        row = Row("B0", "calibration: minimal Django JSON view ÷ bare ASGI app, same bytes")
        louyu, bare = self.http_servers()
        status, body = http_get(louyu.port, "/bench/json/")
        _, bare_body = http_get(bare.port, "/")
        if status != 200 or body != bare_body:
            raise RuntimeError(f"the Django view and the bare app differ (status {status})")
        c, s = self.size.connections, self.size.seconds
        django_url, bare_url = (
            f"http://127.0.0.1:{louyu.port}/bench/json/",
            f"http://127.0.0.1:{bare.port}/",
        )
        wrk(django_url, seconds=self.size.warmup, connections=c)
        wrk(bare_url, seconds=self.size.warmup, connections=c)
        runs_a, runs_b = self.alternate(
            lambda: wrk(django_url, seconds=s, connections=c),
            lambda: wrk(bare_url, seconds=s, connections=c),
        )
        check_runs(runs_a + runs_b)
        a = statistics.median(r.rps for r in runs_a)
        b = statistics.median(r.rps for r in runs_b)
        p99 = statistics.median(r.p99_ms for r in runs_a)
        row.figure = f"{a:,.0f} req/s (p99 {p99:.0f} ms)"
        row.baseline = f"{b:,.0f} req/s"
        ratio = a / b
        row.ratio = f"{ratio:.3f}"
        row.target = "0.07–0.11 expected (not a goal)"
        row.met = "in range" if ratio >= 0.07 else "below: fix the deployment first"
        row.notes.append(f"runs A {fmt_runs(runs_a)}; B {fmt_runs(runs_b)}")
        return row

    # --- B2 --------------------------------------------------------------------------------
    def b2(self) -> Row:
        row = Row("B2", "one building's detail ÷ pgbench select-only")
        row.notes.append(
            "the building detail that exists today is the API node detail GET /api/v1/nodes/{id}/ "
            "(DRF, token auth, district officer); it becomes the economy building page when that "
            "exists (issue #3)"
        )
        if shutil.which("pgbench") is None:
            raise RuntimeError("pgbench is not installed (apt-get install postgresql-contrib)")
        louyu, _bare = self.http_servers()
        token = self.token(louyu.port)
        ids = self.building_ids(1000)
        script = self.workdir / "b2.lua"
        paths = ",".join(f'"/api/v1/nodes/{i}/"' for i in ids)
        script.write_text(
            f"local paths = {{{paths}}}\nlocal i = 0\n"
            "request = function()\n  i = i % #paths + 1\n"
            "  return wrk.format('GET', paths[i])\nend\n"
        )
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        status, body = http_get(louyu.port, f"/api/v1/nodes/{ids[0]}/", headers)
        if status != 200:
            raise RuntimeError(f"GET /api/v1/nodes/{ids[0]}/ answered {status}: {body[:200]!r}")
        pg_db = self.pgbench_db()
        pg = self.pg_params()
        c, s = self.size.connections, self.size.seconds
        select_only = ["-n", "-S", "-M", "prepared", "-c", str(c), "-j", "2"]
        url = f"http://127.0.0.1:{louyu.port}/"
        wrk(url, seconds=self.size.warmup, connections=c, headers=headers, script=script)
        pgbench(pg_db, args=[*select_only, "-T", str(max(1, round(self.size.warmup)))], pg=pg)
        runs_a, runs_b = self.alternate(
            lambda: wrk(url, seconds=s, connections=c, headers=headers, script=script),
            lambda: pgbench(pg_db, args=[*select_only, "-T", str(max(1, round(s)))], pg=pg),
        )
        check_runs(runs_a)
        a = statistics.median(r.rps for r in runs_a)
        b = statistics.median(runs_b)
        p99 = statistics.median(r.p99_ms for r in runs_a)
        ratio = a / b
        row.figure = f"{a:,.0f} req/s (p99 {p99:.0f} ms)"
        row.baseline = f"{b:,.0f} tps"
        row.ratio = f"{ratio:.3f}"
        row.target = "floor ≥ 0.04; target ≥ 0.10 and p99 ≤ 50 ms"
        row.met = met(ratio >= 0.10 and p99 <= 50, ratio >= 0.04)
        row.notes.append(
            f"{len(ids)} buildings cycled; {c} wrk connections and {c} pgbench clients (-S -M "
            f"prepared, scale {self.size.pgbench_scale}); p99 at saturation, not at 80 % of it"
        )
        row.notes.append(
            f"runs A {fmt_runs(runs_a)}; B {', '.join(f'{t:,.0f}' for t in runs_b)} tps"
        )
        return row

    def token(self, port: int) -> str:
        """The district officer's API token, through the product's own endpoint."""
        body = json.dumps({"username": generate.OFFICER, "password": generate.BENCH_PASSWORD})
        status, answer = http_request(
            port, "POST", "/api/v1/auth/token/", body.encode(), {"Content-Type": "application/json"}
        )
        if status != 200:
            raise RuntimeError(f"POST /api/v1/auth/token/ answered {status}: {answer[:200]!r}")
        return str(json.loads(answer)["token"])

    def building_ids(self, count: int) -> list[int]:
        import psycopg

        with psycopg.connect(self.dsn) as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    "SELECT id FROM core_node WHERE kind = 'building' ORDER BY id"
                )
            ]
        step = max(1, len(ids) // count)
        return ids[::step][:count]

    def pg_params(self) -> dict[str, str]:
        url = urlsplit(self.dsn)
        return {
            "host": url.hostname or "127.0.0.1",
            "port": str(url.port or 5432),
            "user": url.username or "postgres",
        }

    def pgbench_db(self) -> str:
        """pgbench's own database (`<bench db>_pgbench`), initialised once per scale."""
        import psycopg

        name = urlsplit(self.dsn).path.lstrip("/") + "_pgbench"
        scale = self.size.pgbench_scale
        ensure_database(self.dsn, name)
        with psycopg.connect(self.dsn.rsplit("/", 1)[0] + "/" + name, autocommit=True) as conn:
            try:
                have = conn.execute("SELECT count(*) FROM pgbench_branches").fetchone()
            except psycopg.errors.UndefinedTable:
                have = None
        if have is None or have[0] != scale:
            pgbench(name, args=["-i", "-q", "-s", str(scale)], pg=self.pg_params())
        return name

    # --- B1, B3 (bench/b1_requests.py, bench/b3_create.py) ------------------------------------
    def b1(self) -> Row:
        from bench.b1_requests import b1

        return b1(self)

    def b3(self) -> Row:
        from bench.b3_create import b3

        return b3(self)

    # --- B4 --------------------------------------------------------------------------------
    def b4(self) -> Row:
        from louyu.economy.selectors import definition_get

        row = Row("B4", "economy summary + top-100 ranking for a year ÷ DuckDB on the same rows")
        definition = definition_get()  # the default 口径 (LOUYU_ECONOMY_DEFINITION)
        year = generate.YEAR
        louyu, _bare = self.http_servers()
        token = self.token(louyu.port)
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        paths = (
            f"/api/v1/economy/summary/?year={year}",
            f"/api/v1/economy/ranking/?year={year}&page_size=100",
        )
        answers = []
        for path in paths:
            status, body = http_get(louyu.port, path, headers)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}: {body[:200]!r}")
            answers.append(json.loads(body))
        summary, ranking = answers

        t0 = time.monotonic()
        duck, exported = self.duckdb_load()
        export_s = time.monotonic() - t0
        sql, params = duckdb_dashboard_sql(year, definition)
        rows = duck.execute(sql, params).fetchall()
        # The baseline computes the same figures: same total, same top-100 taxes, same tiers.
        if not rows or Decimal(summary["tax_total"]) != rows[0][5]:
            raise RuntimeError(f"DuckDB and the API disagree: {summary} vs {rows[:1]}")
        api_top = [Decimal(r["tax"]) for r in ranking["results"]]
        if api_top != [r[1] for r in rows]:
            raise RuntimeError("DuckDB's top-100 taxes differ from the API's ranking")
        if summary["building_count"] != rows[0][4] or summary["tiers"]["10m"] != rows[0][6]:
            raise RuntimeError(f"DuckDB and the API disagree on counts: {summary} vs {rows[0]}")

        n = {"smoke": 20, "small": 50, "full": 100}[self.scale]
        n_duck = 20  # a full-scale DuckDB run takes about a second
        c, s = self.size.connections, self.size.seconds
        script = self.workdir / "b4.lua"
        script.write_text(
            f'local paths = {{"{paths[0]}", "{paths[1]}"}}\nlocal i = 0\n'
            "request = function()\n  i = i % #paths + 1\n"
            "  return wrk.format('GET', paths[i])\nend\n"
        )
        url = f"http://127.0.0.1:{louyu.port}/"
        # Warm both sides: the server's code paths and caches, DuckDB's first execution.
        api_pairs(louyu.port, paths, headers, 3)
        wrk(url, seconds=self.size.warmup, connections=c, headers=headers, script=script)
        duck_times(duck, sql, params, 3)

        def side_a() -> dict[str, Any]:
            pairs = api_pairs(louyu.port, paths, headers, n)
            load = wrk(url, seconds=s, connections=c, headers=headers, script=script)
            return {"pairs": pairs, "wrk": load}

        runs_a, runs_b = self.alternate(side_a, lambda: duck_times(duck, sql, params, n_duck))
        check_runs([r["wrk"] for r in runs_a])
        a = statistics.median(p95([p[0] + p[1] for p in r["pairs"]]) for r in runs_a)
        a_summary = statistics.median(p95([p[0] for p in r["pairs"]]) for r in runs_a)
        a_ranking = statistics.median(p95([p[1] for p in r["pairs"]]) for r in runs_a)
        b = statistics.median(p95(r) for r in runs_b)
        rps = statistics.median(r["wrk"].rps for r in runs_a)
        p99 = statistics.median(r["wrk"].p99_ms for r in runs_a)
        ratio = a / b
        under_load = f"p99 {p99:.0f} ms" if p99 > 0 else "wrk reported no p99"
        row.figure = f"p95 {a:,.1f} ms per summary + ranking; {rps:,.0f} req/s ({under_load})"
        row.baseline = f"DuckDB p95 {b:,.1f} ms"
        row.ratio = f"{ratio:.2f}"
        row.target = "floor ≤ 3.0; target ≤ 1.0 and p95 ≤ 150 ms (lower is better)"
        row.met = met(ratio <= 1.0 and a <= 150, ratio <= 3.0)
        row.notes.append(
            f"year {year}, 口径 {definition.key}, district officer with token auth; A = GET "
            f"{paths[0]} then GET {paths[1]} on one keep-alive connection, {n} pairs per run, "
            f"p95 of the pair (summary alone p95 {a_summary:,.1f} ms, ranking "
            f"{a_ranking:,.1f} ms); "
            f"plus wrk -c{c} alternating the two for req/s"
        )
        row.notes.append(
            f"B = DuckDB {duckdb_version()} in-process (threads = 2), one SQL computing the same "
            f"figures from the raw rows (tax records attributed to buildings by occupancy month, "
            f"target set, per-building totals, YoY, tiers, top 100), {n_duck} runs per rep, p95; "
            f"its answer is checked equal to the API's (total, counts, top-100 taxes); "
            f"{exported:,} tax rows exported from PostgreSQL with COPY and loaded into DuckDB "
            f"in {export_s:.1f} s (not timed in B)"
        )
        row.notes.append(
            "runs A "
            + ", ".join(f"{p95([p[0] + p[1] for p in r['pairs']]):.1f}" for r in runs_a)
            + " ms, "
            + fmt_runs([r["wrk"] for r in runs_a])
            + "; B "
            + ", ".join(f"{p95(r):.1f}" for r in runs_b)
            + " ms"
        )
        duck.close()
        return row

    def duckdb_load(self) -> tuple[Any, int]:
        """The economy rows exported from PostgreSQL (COPY … TO STDOUT, CSV files in the work
        directory) and loaded into an in-memory DuckDB with 2 threads."""
        import duckdb
        import psycopg

        tables = {
            "tax": "SELECT enterprise_id, year, month, amount, district_share, paid_in_district "
            "FROM economy_taxrecord",
            "occ": 'SELECT id, enterprise_id, building_id, start, "end", area '
            "FROM economy_occupancy",
            "ent": "SELECT e.id, coalesce(i.section = 'K', false) AS real_estate "
            "FROM economy_enterprise e LEFT JOIN economy_industry i ON i.id = e.industry_id",
            "targets": "SELECT year, building_id FROM economy_targetbuilding",
        }
        types = {
            "tax": "{'enterprise_id': 'BIGINT', 'year': 'SMALLINT', 'month': 'SMALLINT', "
            "'amount': 'DECIMAL(16,2)', 'district_share': 'DECIMAL(16,2)', "
            "'paid_in_district': 'BOOLEAN'}",
            "occ": "{'id': 'BIGINT', 'enterprise_id': 'BIGINT', 'building_id': 'BIGINT', "
            "'start': 'DATE', 'end': 'DATE', 'area': 'DECIMAL(10,2)'}",
            "ent": "{'id': 'BIGINT', 'real_estate': 'BOOLEAN'}",
            "targets": "{'year': 'SMALLINT', 'building_id': 'BIGINT'}",
        }
        duck = duckdb.connect(config={"threads": 2})
        with psycopg.connect(self.dsn) as conn, conn.cursor() as cur:
            for name, query in tables.items():
                path = self.workdir / f"{name}.csv"
                with (
                    path.open("wb") as out,
                    cur.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as cp,
                ):
                    for chunk in cp:
                        out.write(chunk)
                duck.execute(
                    f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = false, "
                    f"columns = {types[name]})"
                )
                path.unlink()
        exported = duck.execute("SELECT count(*) FROM tax").fetchone()[0]  # type: ignore[index]
        return duck, int(exported)

    # --- B5 --------------------------------------------------------------------------------
    def b5(self) -> Row:
        import psycopg

        from louyu.economy.models import Enterprise
        from louyu.economy.selectors import definition_get
        from louyu.economy.services import tax_record_save

        row = Row("B5", "rollup freshness after new tax rows; ad-hoc GROUP BY ÷ DuckDB recompute")
        definition = definition_get()
        year = generate.YEAR
        n = B5_ROWS[self.scale]
        louyu, _bare = self.http_servers()
        headers = {"Authorization": f"Token {self.token(louyu.port)}", "Accept": "application/json"}
        path = f"/api/v1/economy/summary/?year={year}"

        def summary_total() -> Decimal:
            status, body = http_get(louyu.port, path, headers)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}: {body[:200]!r}")
            return Decimal(json.loads(body)["tax_total"])

        # The new rows: the free (type, year, month) slots of every enterprise, the benchmark
        # year's first, one slot across all enterprises before the next.
        enterprises = Enterprise.objects.in_bulk()
        free = [slot for slot in generate.TAX_SLOTS[100:] if slot[1] == year]
        free += [slot for slot in generate.TAX_SLOTS[100:] if slot[1] != year]
        if n > len(free) * len(enterprises):
            raise RuntimeError(f"only {len(free) * len(enterprises)} free tax slots for {n} rows")
        rows = []
        for i in range(n):
            tax_type, y, month = free[i // len(enterprises)]
            amount = Decimal(1_000 + (i * 7919) % 5_000_000) / 100
            rows.append((enterprises[i % len(enterprises) + 1], y, month, tax_type, amount))

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            first_new = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM economy_taxrecord")
            first_id = int(first_new.fetchone()[0])  # type: ignore[index]
            conn.execute("DROP TABLE IF EXISTS bench_rollup_backup")
            conn.execute(
                "CREATE TABLE bench_rollup_backup AS SELECT * FROM economy_buildingyeartax"
            )
        try:
            before = summary_total()
            t0 = time.monotonic()
            for enterprise, y, month, tax_type, amount in rows:
                tax_record_save(
                    actor=None,
                    enterprise=enterprise,
                    year=y,
                    month=month,
                    tax_type=tax_type,
                    amount=amount,
                    district_share=amount * 3 / 10,
                )
            written = time.monotonic() - t0
            after = summary_total()
            fresh = time.monotonic() - t0
            with psycopg.connect(self.dsn) as conn:
                delta = conn.execute(
                    "SELECT coalesce(sum(r.tax), 0) FROM ("
                    + generate.ROLLUP_SELECT.format(
                        tax=f"(SELECT * FROM economy_taxrecord WHERE id >= {first_id})"
                    )
                    + ") r JOIN economy_targetbuilding g ON g.building_id = r.building_id "
                    "AND g.year = r.year WHERE r.year = %s AND r.definition = %s",
                    (year, definition.key),
                ).fetchone()[0]  # type: ignore[index]
            if after != before + delta:
                raise RuntimeError(f"the summary shows {after}, expected {before} + {delta}")

            # (a) and the baseline, over all rows (the new ones included).
            duck, exported = self.duckdb_load()
            pg_sql = generate.ROLLUP_SELECT.format(tax="economy_taxrecord")
            duck_sql = DUCKDB_ROLLUP_SQL

            def pg_run() -> float:
                with psycopg.connect(self.dsn) as conn:
                    t = time.perf_counter()
                    conn.execute(pg_sql).fetchall()
                    return time.perf_counter() - t

            def duck_run() -> float:
                t = time.perf_counter()
                duck.execute(duck_sql).fetchall()
                return time.perf_counter() - t

            duck_run()  # warm
            runs_a, runs_b = self.alternate(pg_run, duck_run)
            duck.close()
        finally:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                conn.execute("DELETE FROM economy_taxrecord WHERE id >= %s", (first_id,))
                conn.execute("DELETE FROM economy_buildingyeartax")
                conn.execute(
                    "INSERT INTO economy_buildingyeartax SELECT * FROM bench_rollup_backup"
                )
                conn.execute("DROP TABLE bench_rollup_backup")
        a_pg = statistics.median(runs_a)
        b = statistics.median(runs_b)
        ratio_b, ratio_a = fresh / b, a_pg / b
        row.figure = (
            f"(b) {fresh:,.1f} s until the summary shows {n:,} new rows "
            f"({n / written:,.0f} rows/s); (a) PostgreSQL GROUP BY {a_pg:,.2f} s"
        )
        row.baseline = f"DuckDB full recompute {b:,.2f} s"
        row.ratio = f"(b) {ratio_b:,.1f}; (a) {ratio_a:,.1f}"
        row.target = "(b) floor ≤ 10, target ≤ 2; (a) floor ≤ 40, target ≤ 15 (lower is better)"
        judged_b = met(ratio_b <= 2, ratio_b <= 10)
        if n < 100_000:
            judged_b = f"not judged ({n:,} of the spec's 100,000 rows at this scale)"
            row.notes.append(
                f"(b) at the measured {n / written:,.0f} rows/s, 100,000 rows would take "
                f"≈{100_000 * written / n:,.0f} s (an extrapolation, not run; `SCALE=full` writes "
                "all 100,000)"
            )
        row.met = f"(b) {judged_b}; (a) {met(ratio_a <= 15, ratio_a <= 40)}"
        row.notes.append(
            f"(b) {n:,} tax records written one by one through services.tax_record_save (the "
            "product's only write path today: no bulk import yet), each its own transaction "
            "updating the rollup incrementally; freshness = from the first write until GET "
            f"{path} answers with them; checked equal to the summary before plus those rows' "
            f"tax under 口径 {definition.key}; written once (not alternated); the rows are "
            "deleted and the rollup restored afterwards"
        )
        row.notes.append(
            f"(a) and baseline: the whole building × year × 口径 rollup from the raw rows "
            f"({exported:,} tax records), PostgreSQL {{ROLLUP_SELECT}} of bench/generate.py vs "
            f"the same in DuckDB {duckdb_version()} (threads = 2, rows exported with COPY); "
            f"runs A {', '.join(f'{t:.2f}' for t in runs_a)} s; "
            f"B {', '.join(f'{t:.2f}' for t in runs_b)} s"
        )
        return row

    # --- B8 (bench/b8_import.py) -----------------------------------------------------------
    def b8(self) -> Row:
        from bench.b8_import import b8

        return b8(self)

    # --- B6 (bench/b6_broadcast.py) ---------------------------------------------------------
    def b6(self) -> Row:
        from bench.b6_broadcast import b6

        return b6(self)

    # --- B7 --------------------------------------------------------------------------------
    def b7(self) -> Row:
        from django.conf import settings
        from django.contrib.sessions.models import Session

        row = Row("B7", "idle WebSockets: bytes of server RSS per connection, Louyu ÷ bare ASGI")
        n = self.size.ws_connections
        cookies = self.workdir / "cookies.txt"
        keys = self.sessions(n)
        cookies.write_text("\n".join(f"{settings.SESSION_COOKIE_NAME}={key}" for key in keys))
        try:
            runs_a, runs_b = self.alternate(
                lambda: self.ws_rep("louyu", n, cookies), lambda: self.ws_rep("bare", n, cookies)
            )
        finally:
            Session.objects.filter(session_key__in=keys).delete()
        for run in runs_a + runs_b:
            if run["open"] < n:
                raise RuntimeError(f"only {run['open']} of {n} WebSockets stayed open: {run}")
        a = statistics.median(r["bytes"] for r in runs_a)
        b = statistics.median(r["bytes"] for r in runs_b)
        cpu = statistics.median(r["cpu"] for r in runs_a)
        fits = statistics.median(r["fits_4gb"] for r in runs_a)
        row.figure = f"{a / 1024:,.1f} KiB/conn ({n:,} held, idle CPU {cpu:.1f} %)"
        row.baseline = f"{b / 1024:,.1f} KiB/conn"
        row.target = "floor ≥ 0.2 and ≥ 5 k; target ≥ 0.5 and ≥ 10 k"
        if a <= 0 or b <= 0:
            # With a few dozen connections RSS moves by whole allocator arenas, not per socket.
            row.ratio, row.met = "n/a", f"RSS did not grow with {n} connections: too few to measure"
            return row
        ratio = b / a  # connections held under the same memory limit
        row.ratio = f"{ratio:.2f}"
        if n < 500:
            row.met = f"not judged: {n} connections are too few for a per-connection RSS"
            return row
        # The ratio is measured; the absolute count only as far as N connections were held.
        held = f"{n:,} held; ≈{fits / 1000:,.0f} k fit in 4 GB by extrapolation"
        row.met = f"ratio {met(ratio >= 0.5, ratio >= 0.2)}; count: {held}"
        row.notes.append(
            f"ratio = bare bytes/conn ÷ Louyu bytes/conn, i.e. connections held under the same RSS "
            f"limit; {n:,} connections held and measured, {fits:,.0f} would fit in 4 GB RSS at the "
            f"measured rate (an extrapolation); each connection its own user and session cookie, "
            f"Redis pub/sub channel layer; a fresh server per run"
        )
        row.notes.append(
            "runs A "
            + ", ".join(f"{r['bytes'] / 1024:.1f}" for r in runs_a)
            + "; B "
            + ", ".join(f"{r['bytes'] / 1024:.1f}" for r in runs_b)
            + " KiB/conn"
        )
        return row

    def sessions(self, n: int) -> list[str]:
        """N signed-in sessions of N different generated users; returns their keys."""
        from django.contrib.sessions.backends.db import SessionStore
        from django.contrib.sessions.models import Session
        from django.utils import timezone

        from louyu.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
        from louyu.accounts.models import User

        users = list(User.objects.exclude(username=generate.OFFICER).order_by("pk")[:n])
        if not users:
            raise RuntimeError("no generated users")
        now = int(timezone.now().timestamp())
        rows, keys = [], []
        store = SessionStore()
        for user in users:
            key = secrets.token_hex(16)
            data = {
                "_auth_user_id": str(user.pk),
                "_auth_user_backend": "louyu.accounts.backends.RoleBackend",
                "_auth_user_hash": user.get_session_auth_hash(),
                SESSION_LOGIN_AT: now,
                SESSION_LAST_SEEN: now,
            }
            expire = timezone.now() + timedelta(hours=1)
            rows.append(
                Session(session_key=key, session_data=store.encode(data), expire_date=expire)
            )
            keys.append(key)
        Session.objects.bulk_create(rows, batch_size=1000)
        return keys

    def ws_rep(self, kind: str, n: int, cookies: Path) -> dict[str, Any]:
        tag = f"ws-{kind}"
        server = (self.louyu_server(tag) if kind == "louyu" else self.bare_server(tag)).start(
            "/bench/json/" if kind == "louyu" else "/"
        )
        url = f"ws://127.0.0.1:{server.port}/ws/events/"
        try:
            # Warm up: the first connections load code, open the DB and Redis connections.
            warm = ws_client(url, 3, cookies)
            warm.stdin.close()  # type: ignore[union-attr]
            warm.wait(timeout=60)
            time.sleep(1.0)
            before = server.status_kb("VmRSS")
            client = ws_client(url, n, cookies)
            try:
                line = client.stdout.readline()  # type: ignore[union-attr]
                if not line:
                    raise RuntimeError(f"the WebSocket client died: {client.stderr.read()}")  # type: ignore[union-attr]
                result = json.loads(line)
                time.sleep(2.0)
                cpu0, t0 = server.cpu_seconds(), time.monotonic()
                time.sleep(max(2.0, self.size.seconds / 2))
                cpu = 100 * (server.cpu_seconds() - cpu0) / (time.monotonic() - t0)
                after = server.status_kb("VmRSS")
            finally:
                client.stdin.close()  # type: ignore[union-attr]
                client.wait(timeout=60)
            per_conn = (after - before) * 1024 / max(1, result["open"])
            fits = (4 * 1024**3 - before * 1024) / per_conn if per_conn > 0 else float("inf")
            return {**result, "bytes": per_conn, "cpu": cpu, "fits_4gb": fits, "base_kb": before}
        finally:
            server.stop()

    # --- memory ----------------------------------------------------------------------------
    def mem(self) -> Row:
        row = Row("MEM", "peak RSS of the app server under the B0/B2 load ÷ bare ASGI server")
        if "Louyu" not in self.peak_kb:
            row.status = "failed"
            row.figure = "B0/B2 did not run"
            return row
        a, b = self.peak_kb["Louyu"], self.peak_kb["bare ASGI"]
        row.figure = f"{a / 1024:,.0f} MiB"
        row.baseline = f"{b / 1024:,.0f} MiB"
        row.ratio = f"{a / b:.1f}"
        row.target = "none in §7 (reported)"
        row.met = "n/a"
        row.notes.append("VmHWM of each server process after all its B0/B2 runs")
        return row


def ws_client(url: str, n: int, cookies: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PY, "-m", "bench.wsclient", url, "--n", str(n), "--cookies", str(cookies)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# B5: tax rows written through the product's write path (the spec says 100,000; one at a time
# through tax_record_save they take minutes, so the smaller scales write fewer and say so).
B5_ROWS = {"smoke": 400, "small": 2_000, "full": 100_000}

# Each enterprise's tax of a month goes to the building of its largest overlapping occupancy
# (then latest start, then newest record), as services.rollup_compute does; needs a `months` CTE.
DUCKDB_ATTRIBUTED_CTE = """
attributed AS (
    SELECT m.enterprise_id, m.year, m.month, o.building_id
    FROM months m JOIN occ o ON o.enterprise_id = m.enterprise_id
        AND o.start <= last_day(make_date(m.year, m.month, 1))
        AND (o."end" IS NULL OR o."end" >= make_date(m.year, m.month, 1))
    QUALIFY row_number() OVER (
        PARTITION BY m.enterprise_id, m.year, m.month
        ORDER BY o.area DESC, o.start DESC, o.id DESC
    ) = 1
)
"""

# B5's baseline: generate.ROLLUP_SELECT (services.rollup_compute's attribution) in DuckDB.
DUCKDB_ROLLUP_SQL = f"""
WITH months AS (
    SELECT DISTINCT enterprise_id, year, month FROM tax WHERE paid_in_district
), {DUCKDB_ATTRIBUTED_CTE}, sums AS (
    SELECT a.building_id, t.year,
        sum(t.amount) AS total,
        sum(t.district_share) AS district,
        sum(t.amount) FILTER (WHERE NOT e.real_estate) AS total_ex,
        sum(t.district_share) FILTER (WHERE NOT e.real_estate) AS district_ex
    FROM tax t
    JOIN attributed a USING (enterprise_id, year, month)
    JOIN ent e ON e.id = t.enterprise_id
    WHERE t.paid_in_district
    GROUP BY a.building_id, t.year
)
SELECT building_id, year, definition, tax FROM (
    UNPIVOT sums ON total, district, total_ex, district_ex INTO NAME definition VALUE tax
)
"""


def duckdb_dashboard_sql(year: int, definition: Any) -> tuple[str, list[Any]]:
    """B4's baseline: the dashboard of `year` under the 口径 from the raw rows, in one query. Each
    enterprise's tax of a month goes to the building of its largest overlapping occupancy (then
    latest start, then newest record), as the product's attribution does. Returns the top-100
    rows (building, tax, previous, rank, target count, total, ≥1e7, ≥1e8, ≥1e9, ≥1e10, growth)."""
    value = "t.district_share" if definition.district_share else "t.amount"
    real_estate = "AND NOT e.real_estate" if definition.exclude_real_estate else ""
    sql = f"""
WITH months AS (
    SELECT DISTINCT enterprise_id, year, month FROM tax
    WHERE paid_in_district AND year IN ($previous, $year)
), {DUCKDB_ATTRIBUTED_CTE}, per_building AS (
    SELECT a.building_id,
        sum({value}) FILTER (WHERE t.year = $year) AS tax,
        sum({value}) FILTER (WHERE t.year = $previous) AS previous
    FROM tax t
    JOIN attributed a USING (enterprise_id, year, month)
    JOIN ent e ON e.id = t.enterprise_id
    WHERE t.paid_in_district AND t.year IN ($previous, $year) {real_estate}
    GROUP BY a.building_id
), ranked AS (
    SELECT g.building_id, coalesce(p.tax, 0) AS tax, p.previous,
        rank() OVER (ORDER BY coalesce(p.tax, 0) DESC) AS rank
    FROM targets g LEFT JOIN per_building p USING (building_id)
    WHERE g.year = $year
)
SELECT building_id, tax, previous, rank,
    count(*) OVER () AS buildings,
    sum(tax) OVER () AS total,
    count(*) FILTER (WHERE tax >= 1e7) OVER () AS tier_10m,
    count(*) FILTER (WHERE tax >= 1e8) OVER () AS tier_100m,
    count(*) FILTER (WHERE tax >= 1e9) OVER () AS tier_1b,
    count(*) FILTER (WHERE tax >= 1e10) OVER () AS tier_10b,
    CASE WHEN previous <> 0 THEN (tax - previous) / previous END AS growth
FROM ranked
ORDER BY rank, building_id
LIMIT 100
"""
    return sql, {"year": year, "previous": year - 1}  # type: ignore[return-value]


def duck_times(duck: Any, sql: str, params: Any, n: int) -> list[float]:
    """Milliseconds of `n` executions of the query, each fetching its answer."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        duck.execute(sql, params).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def duckdb_version() -> str:
    import duckdb

    return str(duckdb.__version__)


def api_pairs(
    port: int, paths: tuple[str, str], headers: dict[str, str], n: int
) -> list[tuple[float, float]]:
    """Milliseconds of `n` (first path, second path) GETs in turn on one keep-alive connection."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    pairs = []
    try:
        for _ in range(n):
            pair = []
            for path in paths:
                t0 = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                pair.append((time.perf_counter() - t0) * 1000)
                if response.status != 200:
                    raise RuntimeError(f"GET {path} answered {response.status}")
            pairs.append((pair[0], pair[1]))
    finally:
        conn.close()
    return pairs


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def check_runs(runs: list[Any]) -> None:
    for run in runs:
        if not run.ok:
            raise RuntimeError(f"a load run had errors or no requests: {run}")


def fmt_runs(runs: list[Any]) -> str:
    return ", ".join(f"{r.rps:,.0f}" for r in runs) + " req/s"


def met(target: bool, floor: bool) -> str:
    if target:
        return "yes (target)"
    if floor:
        return "floor only"
    return "no"


# --- preflight -------------------------------------------------------------------------------
def ensure_database(dsn: str, name: str) -> None:
    import psycopg

    with psycopg.connect(dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(dsn: str, name: str) -> None:
    import psycopg

    with psycopg.connect(dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def preflight(dsn: str, redis_url: str, *, need_wrk: bool = True) -> list[str]:
    """What is missing to run at all (PostgreSQL, Redis); the harness starts neither."""
    import psycopg
    import redis

    problems = []
    try:
        psycopg.connect(dsn.rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()
    except psycopg.Error as exc:
        problems.append(f"PostgreSQL is not reachable at {dsn.rsplit('/', 1)[0]}: {exc}".strip())
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis is not reachable at {redis_url}: {exc}")
    if need_wrk and shutil.which("wrk") is None:
        problems.append("wrk is not installed (apt-get install wrk)")
    return problems


def machine() -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text().split()
    mem_gib = int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024**2
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{mem_gib:.1f} GiB",
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
    }


def commit() -> str:
    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip()

    short = git("rev-parse", "--short", "HEAD") or "nogit"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return short + ("-dirty" if dirty else "")


def table(rows: list[Row]) -> str:
    lines = [
        "| # | benchmark | figure | baseline (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        figure = r.figure if r.status != "failed" else f"**failed**: {r.figure}"
        lines.append(
            f"| {r.id} | {r.name} | {figure} | {r.baseline} | {r.ratio} | {r.target} | {r.met} |"
        )
    return "\n".join(lines)


def report(
    rows: list[Row],
    *,
    scale: str,
    size: Size,
    dataset: dict[str, Any],
    started: datetime,
    seconds: float,
    pg_version: str,
    load_at_start: str,
) -> str:
    m = machine()
    data = ", ".join(
        f"{k} {v:,}" for k, v in dataset.items() if isinstance(v, int) and not isinstance(v, bool)
    )
    not_built = "; ".join(f"{k}: not built ({v})" for k, v in generate.NOT_BUILT.items())
    out = [
        f"# Louyu benchmarks — {started:%Y-%m-%d %H:%M} UTC, commit {commit()}, scale {scale}",
        "",
        f"- machine: {m['cores']} cores ({m['cpu']}), {m['memory']} memory; Python {m['python']}; "
        f"{pg_version}",
        f"- data: {data}; {not_built}",
        f"- protocol: benchmark (A) and baseline (B) alternated A, B × {size.reps}, median "
        f"reported; {size.seconds:g} s per load run after {size.warmup:g} s warm-up; "
        f"wrk -t2 -c{size.connections} from its own process on 127.0.0.1; one uvicorn process "
        "each side (`manage.py serve --no-worker` vs the bare app, same options); PostgreSQL and "
        "Redis up throughout",
        "- Louyu runs `bench/bench_settings.py`: the product's settings plus the B0 route",
        f"- load average at start (other processes on the machine): {load_at_start}",
        f"- wall time: {seconds:.0f} s",
        "",
        table(rows),
        "",
        "Notes:",
        "",
    ]
    for r in rows:
        for note in r.notes:
            out.append(f"- {r.id}: {note}")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Louyu's benchmarks (performance.md §7).")
    parser.add_argument("--only", default="", help="one benchmark: B0 … B8 or MEM")
    parser.add_argument("--scale", choices=sorted(SIZES), default="small")
    parser.add_argument("--regenerate", action="store_true", help="reload the data set")
    args = parser.parse_args()
    only = args.only.strip().upper()
    if only and only not in ORDER:
        parser.error(f"--only must be one of {', '.join(ORDER)}")

    dsn = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if not dsn.startswith(("postgres://", "postgresql://")):
        print(f"bench: DATABASE_URL must be PostgreSQL, not {dsn}", file=sys.stderr)
        return 2
    problems = preflight(dsn, redis_url, need_wrk=only not in ("B6", "B8"))  # no wrk load
    if problems:
        for problem in problems:
            print(f"bench: {problem}", file=sys.stderr)
        print(
            "bench: start PostgreSQL and Redis (the harness starts nothing), then rerun.",
            file=sys.stderr,
        )
        return 2

    started, t0 = datetime.now().astimezone(), time.monotonic()
    load_at_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    # B7's servers and client inherit this: each idle WebSocket is one file descriptor.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    os.environ.update(
        {
            "DATABASE_URL": dsn,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
        }
    )
    ensure_database(dsn, urlsplit(dsn).path.lstrip("/"))
    workdir = Path(tempfile.mkdtemp(prefix="louyu-bench-"))
    bench = Bench(args.scale, dsn, redis_url, workdir)
    dbname = urlsplit(dsn).path.lstrip("/")
    print(f"bench: scale {args.scale}; migrating and loading the data set into {dbname} …")
    migrate = [PY, "manage.py", "migrate", "--no-input", "-v", "0"]
    if subprocess.run(migrate, cwd=ROOT, env=bench.env).returncode != 0:
        # Our own database: when its migration history no longer matches the code, start over.
        print(f"bench: migrate failed; dropping and recreating {dbname}", file=sys.stderr)
        drop_database(dsn, dbname)
        ensure_database(dsn, dbname)
        subprocess.run(migrate, cwd=ROOT, env=bench.env, check=True)
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # our own db number: cache, channel layer
    import django

    django.setup()
    bench.dataset = generate.generate(dsn, args.scale, regenerate=args.regenerate)
    print(f"bench: data {bench.dataset}")

    selected = [only] if only else ORDER
    if only == "MEM":
        selected = ["B0", "B2", "MEM"]
    rows: list[Row] = []
    try:
        for bid in selected:
            if bid in NOT_BUILT:
                name, issue = NOT_BUILT[bid]
                rows.append(
                    Row(bid, name, figure="not built", status="not built", met=f"({issue})")
                )
                print(f"{bid}: not built — {issue}")
                continue
            if bid in ("B7", "MEM"):
                bench.stop()  # B0/B2's servers: their peak RSS is read here, then they go
            if bid == "MEM":
                row = bench.mem()
            else:
                print(f"{bid}: running …", flush=True)
                try:
                    row = getattr(bench, bid.lower())()
                except Exception as exc:
                    traceback.print_exc()
                    row = Row(bid, BUILT[bid])
                    row.status, row.figure = "failed", str(exc).splitlines()[0][:200]
            rows.append(row)
            print(
                f"{row.id}: {row.figure} | baseline {row.baseline} | ratio {row.ratio} | "
                f"target {row.target} | met {row.met}",
                flush=True,
            )
    finally:
        bench.stop()
    if only in ("B0", "B2") and not any(r.id == "MEM" for r in rows):
        rows.append(bench.mem())

    import psycopg

    with psycopg.connect(dsn) as conn:
        pg_version = "PostgreSQL " + str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    text = report(
        rows,
        load_at_start=load_at_start,
        scale=args.scale,
        size=bench.size,
        dataset=bench.dataset,
        started=started,
        seconds=time.monotonic() - t0,
        pg_version=pg_version,
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = (
        "" if args.scale == "full" and not only else f"-{args.scale}" + (f"-{only}" if only else "")
    )
    path = RESULTS / f"{started:%Y-%m-%d}-{commit()}{suffix}.md"
    path.write_text(text)
    print()
    print(table(rows))
    print(f"\nbench: written to {path.relative_to(ROOT)} ({time.monotonic() - t0:.0f} s)")
    failed = [r.id for r in rows if r.status == "failed"]
    if failed:
        print(
            f"bench: FAILED to run: {', '.join(failed)} (server logs in {workdir})", file=sys.stderr
        )
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
