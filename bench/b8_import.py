"""B8: a 50,000-row enterprise .xlsx through `manage.py import_data enterprises` (the product's
real path: calamine read, header and cell checks, GB 32100 check of every code, building and
industry lookups, the upsert, per-row and batch audit rows, pinyin search names) ÷ the floor of
any import: read the same file with python-calamine and COPY its rows into a temporary table.

Both run in this process against the bench PostgreSQL, alternated A, B × reps, median reported.
Before each A run the enterprises of the file are deleted, so every run creates all rows (the
expensive case); a re-import of the unchanged file (nothing to write) is timed once as a note.
"""

from __future__ import annotations

import io
import random
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.run import Bench, Row

ROWS = {"smoke": 2_000, "small": 10_000, "full": 50_000}
# Far above the generated enterprises' indexes, so the codes never collide with theirs.
CODE_OFFSET = 20_000_000
# Names as registers hold them: 杭州 + a two-to-four-character word + a trade + 有限公司.
NAME_CHARS = (
    "华信达通恒泰鑫源宏远盛世德隆嘉禾明辉瑞丰银重庆长城乐天和平安康博创智联众合新元兴利正大中金"
)
NAME_TRADES = ("科技", "网络科技", "贸易", "咨询", "投资管理", "信息技术", "文化传媒", "建设工程")
HEADER = [
    "统一社会信用代码",
    "企业名称",
    "组织类型",
    "行业代码",
    "所在楼宇",
    "注册地址",
    "是否区内注册",
    "是否区内纳税",
    "法定代表人",
    "从业人数",
    "注册资本（元）",
    "成立日期",
]


def write_workbook(path: Path, n: int, buildings: list[str], industries: list[str]) -> list[str]:
    """An .xlsx of `n` enterprises as a district office would send it; returns the codes."""
    from datetime import date

    import xlsxwriter

    from bench import generate

    rng = random.Random(8)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("企业")
    text = book.add_format({"num_format": "@"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(HEADER):
        sheet.write_string(0, col, title)
    codes = []
    for i in range(n):
        code = generate.credit_code(CODE_OFFSET + i)
        codes.append(code)
        r = i + 1
        sheet.write_string(r, 0, code, text)
        word = "".join(rng.choice(NAME_CHARS) for _ in range(rng.randint(2, 4)))
        sheet.write_string(r, 1, f"杭州{word}{rng.choice(NAME_TRADES)}有限公司")
        sheet.write_string(r, 2, "新经济组织" if i % 10 else "新社会组织")
        sheet.write_string(r, 3, industries[i % len(industries)], text)
        sheet.write_string(r, 4, buildings[i % len(buildings)])
        sheet.write_string(r, 5, f"杭州市下城区环城北路{i % 500 + 1}号{i % 30 + 1}楼")
        sheet.write_string(r, 6, "是" if i % 7 else "否")
        sheet.write_string(r, 7, "是" if i % 11 else "否")
        sheet.write_string(r, 8, f"张{i % 100:02d}")
        sheet.write_number(r, 9, 5 + i % 500)
        sheet.write_number(r, 10, float(100_000 * (1 + i % 200)))
        sheet.write_datetime(r, 11, date(2000 + i % 20, 1 + i % 12, 1 + i % 28), day)  # type: ignore[arg-type]
    book.close()
    return codes


def baseline(dsn: str, path: Path) -> float:
    """Seconds to read the workbook with calamine and COPY its rows into a temp table."""
    import psycopg
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
        cur.execute(f"CREATE TEMP TABLE b8_rows ({columns})")
        with cur.copy("COPY b8_rows FROM STDIN") as copy:
            for row in rows[1:]:
                copy.write_row([None if v == "" else str(v) for v in row])
        conn.commit()
    return time.perf_counter() - t0


def run_import(path: Path, *args: str) -> float:
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("import_data", "enterprises", str(path), *args, stdout=io.StringIO())
    return time.perf_counter() - t0


def forget(dsn: str, codes: list[str]) -> None:
    """Delete the file's enterprises, and vacuum the table so that every run inserts into the
    same state (not into one bloated by the dead rows of the run before)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM economy_enterprise WHERE credit_code = ANY(%s)", (codes,))
        conn.execute("VACUUM economy_enterprise")


def b8(bench: Bench, rows: int | None = None) -> Row:
    import psycopg

    from bench.run import Row, met
    from louyu.economy.industry_data import VERSION

    row = Row("B8", "import of a 50,000-row enterprise .xlsx ÷ calamine read + COPY")
    n = rows or ROWS[bench.scale]
    with psycopg.connect(bench.dsn) as conn:
        buildings = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM core_node WHERE kind = 'building' ORDER BY id LIMIT 2000"
            )
        ]
        industries = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM economy_industry WHERE version = %s AND level = 'division' "
                "ORDER BY code",
                (VERSION,),
            )
        ]
    if not buildings or not industries:
        raise RuntimeError("the bench data set has no buildings or industries")
    path = bench.workdir / "b8-enterprises.xlsx"
    codes = write_workbook(path, n, buildings, industries)
    size_mb = path.stat().st_size / 1e6

    def side_a() -> float:
        forget(bench.dsn, codes)
        return run_import(path)

    from louyu.lib import pinyin

    try:
        baseline(bench.dsn, path)  # warm: imports, page cache
        runs_a, runs_b = bench.alternate(side_a, lambda: baseline(bench.dsn, path))
        reimport = run_import(path)  # every row unchanged: nothing written
        dry = run_import(path, "--dry-run")
        # Diagnosis only: the same import with the names spelled in this process, as they
        # were before the worker process (`louyu.lib.pinyin.spelled_ahead`).
        chunk = pinyin.AHEAD_CHUNK
        pinyin.AHEAD_CHUNK = n
        try:
            spelled_here = side_a()
        finally:
            pinyin.AHEAD_CHUNK = chunk
    finally:
        forget(bench.dsn, codes)
    a, b = statistics.median(runs_a), statistics.median(runs_b)
    # The ratio of each A run to the B run right after it, then their median: this machine's
    # speed drifts by tens of per cent within a minute, and a pair shares its moment of it.
    pairs = sorted(x / y for x, y in zip(runs_a, runs_b, strict=True))
    ratio = statistics.median(pairs)
    row.figure = f"{a:,.2f} s ({n / a:,.0f} rows/s)"
    row.baseline = f"{b:,.2f} s"
    row.ratio = f"{ratio:.2f}"
    row.target = "≤ 3.0 (lower is better)"
    row.met = met(ratio <= 3.0, ratio <= 3.0)
    if n < 50_000:
        row.met = f"{row.met} — {n:,} of the spec's 50,000 rows at this scale"
    row.notes.append(
        f"A = `import_data enterprises FILE` in process ({n:,} rows, {len(HEADER)} columns, "
        f"{size_mb:.1f} MB .xlsx; every row created: the file's enterprises are deleted, and "
        f"the table vacuumed, before each run); B = calamine to_python + COPY into a temp table "
        f"over one psycopg connection; runs A {', '.join(f'{t:.2f}' for t in runs_a)} s; "
        f"B {', '.join(f'{t:.2f}' for t in runs_b)} s; the ratio is the median of the A ÷ B "
        f"pairs ({', '.join(f'{r:.2f}' for r in pairs)}); ratio of the medians {a / b:.2f}"
    )
    row.notes.append(
        f"re-import of the same file (all rows unchanged, nothing written) {reimport:.2f} s; "
        f"dry run {dry:.2f} s; diagnosis: the import with the names spelled in pinyin in its "
        f"own process, not ahead by the worker process, {spelled_here:.2f} s "
        f"(÷ median B {spelled_here / b:.2f})"
    )
    return row


def profile(scale: str = "smoke") -> Any:  # pragma: no cover - a developer's tool
    """`python -c "from bench.b8_import import profile; profile('full')"` with DATABASE_URL set:
    cProfile of one import (printed, top 30 by cumulative time)."""
    import cProfile
    import os
    import pstats
    import tempfile

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
    import django

    django.setup()
    import psycopg

    dsn = os.environ["DATABASE_URL"]
    with psycopg.connect(dsn) as conn:
        buildings = [
            r[0]
            for r in conn.execute("SELECT name FROM core_node WHERE kind = 'building' LIMIT 2000")
        ]
        industries = [
            r[0] for r in conn.execute("SELECT code FROM economy_industry WHERE level = 'division'")
        ]
    path = Path(tempfile.mkdtemp()) / "b8.xlsx"
    codes = write_workbook(path, ROWS[scale], buildings, industries)
    forget(dsn, codes)
    profiler = cProfile.Profile()
    profiler.enable()
    seconds = run_import(path)
    profiler.disable()
    forget(dsn, codes)
    print(f"import {seconds:.2f} s; baseline {baseline(dsn, path):.2f} s")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:  # pragma: no cover - run by hand
    """`python -m bench.b8_import --rows 50000`: B8 alone against the migrated bench database at
    DATABASE_URL (already loaded by `bench.run` at any scale: B8 needs its buildings and
    industries only), without regenerating the data set."""
    import argparse
    import os
    import tempfile

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--rows", type=int, default=ROWS["full"])
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
    import django

    django.setup()
    from datetime import UTC, datetime

    from bench.run import RESULTS, SIZES, Bench, commit, machine, table

    bench = Bench("smoke", os.environ["DATABASE_URL"], "", Path(tempfile.mkdtemp()))
    bench.size = type(SIZES["smoke"])(**{**SIZES["smoke"].__dict__, "reps": args.reps})
    started, load = datetime.now(UTC), " ".join(Path("/proc/loadavg").read_text().split()[:3])
    row = b8(bench, rows=args.rows)
    print(f"B8 {args.rows:,} rows: {row.figure} | baseline {row.baseline} | ratio {row.ratio}")
    for note in row.notes:
        print(f"- {note}")
    m = machine()
    text = "\n".join(
        [
            f"# Louyu benchmark B8 alone — {started:%Y-%m-%d %H:%M} UTC, commit {commit()}",
            "",
            f"- machine: {m['cores']} cores ({m['cpu']}), {m['memory']} memory; "
            f"Python {m['python']}",
            f"- `python -m bench.b8_import --rows {args.rows} --reps {args.reps}` against the "
            "bench database (its buildings and industry codes)",
            f"- load average at start: {load}",
            "",
            table([row]),
            "",
            *(f"- {note}" for note in row.notes),
        ]
    )
    path = RESULTS / f"{started:%Y-%m-%d}-{commit()}-B8-{args.rows}.md"
    path.write_text(text + "\n")
    print(f"written to {path.relative_to(RESULTS.parent.parent)}")


if __name__ == "__main__":
    main()
