"""The benchmark data set: reproducible (fixed seed), loaded with PostgreSQL COPY.

Writes what exists today: the jurisdiction tree (district → streets → building communities →
buildings, with their materialised paths), floors and units, enterprises with valid unified social
credit codes and GB/T 4754 industries (some real estate), occupancies linking each enterprise to a
unit of its building (one in twenty moved buildings in June of the benchmark year), the target sets
of the benchmark year and the year before, 100 tax records per enterprise over those two years, the
`BuildingYearTax` rollup (filled by one set-based INSERT … SELECT that reproduces
`services.rollup_compute`), and users (one precomputed password hash) with their memberships.
Service requests have no model yet; they are reported as "not built", never invented.

The database comment remembers which scale and seed it holds, so a second run at the same scale
reuses the data instead of loading it again (`--regenerate` forces a reload).

    python -m bench.generate --scale smoke
"""

from __future__ import annotations

import argparse
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from stdnum.cn import uscc

SEED = 2026
BENCH_PASSWORD = "Louyu@bench2026"
# A fixed salt keeps the one password hash, and so the whole data set, byte-for-byte the same.
BENCH_SALT = "louyubenchsalt16"
OFFICER = "bench_district"
JOINED = datetime(2026, 1, 1, tzinfo=UTC)
REGION = "330103"
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class Scale:
    streets: int
    communities_per_street: int
    buildings: int
    floors_per_building: int
    units_per_floor: int
    enterprises: int
    users: int
    tax_records: int


SCALES = {
    "smoke": Scale(2, 2, 20, 5, 2, 40, 100, 4_000),
    "small": Scale(8, 10, 1_000, 10, 4, 10_000, 100_000, 1_000_000),
    "full": Scale(20, 20, 10_000, 10, 4, 100_000, 1_000_000, 10_000_000),
}
# Rows the full data set will hold once their models exist, and the issue that builds them.
NOT_BUILT: dict[str, str] = {}
# The benchmark year (B4, B5) and the one before it (year-on-year growth): the last full year.
YEAR = 2025
YEARS = (YEAR - 1, YEAR)
TAX_TYPES = ("vat", "cit", "iit", "business", "other")
# (tax type, year, month) in the order an enterprise's records are written: its first 100 of 120.
TAX_SLOTS = [(t, y, m) for t in TAX_TYPES for y in YEARS for m in range(1, 13)]
# Tables emptied before a load (CASCADE reaches tokens, sessions' users, audit actors do not).
TABLES = [
    "servicedesk_servicerequest",
    "servicedesk_serviceitem_co_departments",
    "servicedesk_serviceitem",
    "servicedesk_department",
    "economy_buildingyeartax",
    "economy_taxrecord",
    "economy_occupancy_units",
    "economy_occupancy",
    "economy_targetbuilding",
    "economy_unit",
    "economy_floor",
    "economy_enterprise",
    "accounts_membership",
    "api_apitoken",
    "django_session",
    "accounts_user",
    "core_divisioncode",
    "core_node",
]


def organization_code(body: str) -> str:
    """GB 11714: an 8-character organization code body plus its check character."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(char, 36) * weight for char, weight in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(index: int) -> str:
    """A valid GB 32100 unified social credit code, unique per index (new-style MA2… body)."""
    digits = ""
    for _ in range(5):
        index, rest = divmod(index, len(ORG_ALPHABET))
        digits = ORG_ALPHABET[rest] + digits
    stem = "91" + REGION + organization_code("MA2" + digits)
    return stem + uscc.calc_check_digit(stem)


def password_hash() -> str:
    """The one Argon2 hash every generated user shares (hashing a million would take hours)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    return Argon2PasswordHasher().encode(BENCH_PASSWORD, BENCH_SALT)


def _copy(cur: Any, model: Any, fields: list[str], rows: Any) -> int:
    """COPY rows of `fields` into the model's table. Columns the rows leave out get the model
    field's default, so the loader keeps working while apps add columns."""
    from django.db import connection, models

    given = set(fields)
    extra_columns, extra_values = [], []
    for f in model._meta.concrete_fields:
        if f.name in given or f.primary_key:
            continue
        value = f.get_default()
        if value is None and not f.null:
            if isinstance(f, models.DateTimeField):
                value = JOINED
            elif isinstance(f, models.DateField):
                value = JOINED.date()
            else:
                raise RuntimeError(f"{model.__name__}.{f.name} needs a value in bench/generate.py")
        extra_columns.append(f.column)
        extra_values.append(f.get_db_prep_save(value, connection))
    columns = [model._meta.get_field(name).column for name in fields] + extra_columns
    count = 0
    quoted = ", ".join(f'"{column}"' for column in columns)
    with cur.copy(f"COPY {model._meta.db_table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *extra_values))
            count += 1
    return count


def _content_type(cur: psycopg.Cursor, app_label: str, model: str) -> int:
    cur.execute(
        "SELECT id FROM django_content_type WHERE app_label = %s AND model = %s",
        (app_label, model),
    )
    row = cur.fetchone()
    if row is None:
        raise RuntimeError(f"content type {app_label}.{model} missing: migrate the database first")
    return int(row[0])


def marker(scale_name: str) -> str:
    # v2: the economy data (occupancies, target sets, tax records, rollup).
    return f"louyu-bench scale={scale_name} seed={SEED} v2"


def generate(dsn: str, scale_name: str, *, regenerate: bool = False) -> dict[str, Any]:
    """Load the data set of one scale into the (migrated) database at `dsn`; returns counts."""
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        row = cur.fetchone()
        if not regenerate and row is not None and row[0] == marker(scale_name):
            cur.execute("SELECT count(*) FROM servicedesk_servicerequest")
            requests = cur.fetchone()
            if requests is not None and requests[0] > 0:
                return {"reused": True, **counts(cur), "not_built": NOT_BUILT}
            # A data set from before the service center: add its requests only.
            from django.db import connection, transaction

            with transaction.atomic(), connection.cursor() as wrapper:
                load_servicedesk(wrapper.cursor, scale_name)
            return {"reused": True, **counts(cur), "not_built": NOT_BUILT}

    started = time.monotonic()
    from django.db import connection, transaction

    if (
        connection.vendor != "postgresql"
        or connection.settings_dict["NAME"] != dsn.rsplit("/", 1)[1]
    ):
        raise RuntimeError(f"Django's DATABASE_URL is not {dsn}")

    # Django's own connection: its psycopg adapters dump model defaults (JSON, dates) in COPY.
    with transaction.atomic(), connection.cursor() as wrapper:
        timings = load(wrapper.cursor, scale_name)

    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        dbname = conn.info.dbname
        cur.execute(f"COMMENT ON DATABASE \"{dbname}\" IS '{marker(scale_name)}'")
        result = counts(cur)
    return {
        "reused": False,
        "seconds": round(time.monotonic() - started, 1),
        **timings,
        **result,
        "not_built": NOT_BUILT,
    }


def load(cur: Any, scale_name: str) -> dict[str, float]:
    """Empty the bench tables and load the data set of one scale through `cur` (a psycopg cursor
    of Django's connection, inside a transaction); returns the seconds the economy parts took."""
    scale = SCALES[scale_name]
    rng = random.Random(SEED)
    pw = password_hash()
    from django.contrib.auth import get_user_model

    from louyu.accounts.models import Membership
    from louyu.core.models import Node
    from louyu.economy.models import Enterprise, Floor, Occupancy, TargetBuilding, Unit

    # TRUNCATE refuses a table with deferred foreign-key checks still pending from earlier
    # writes of the same transaction (a test's seeded calendar rows): run them first.
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cur.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
    node_ct = _content_type(cur, "core", "node")
    enterprise_ct = _content_type(cur, "economy", "enterprise")

    # The tree: ids are assigned here so that paths are known before the rows are written.
    nodes: list[tuple[int, str, str, str, bool, int | None]] = [
        (1, "district", "基准区", "/1/", False, None)
    ]
    next_id = 2
    communities: list[tuple[int, str]] = []
    for s in range(scale.streets):
        street_id, street_path = next_id, f"/1/{next_id}/"
        nodes.append((street_id, "street", f"第{s + 1:02d}街道", street_path, False, 1))
        next_id += 1
        for c in range(scale.communities_per_street):
            path = f"{street_path}{next_id}/"
            nodes.append(
                (
                    next_id,
                    "community",
                    f"第{s + 1:02d}-{c + 1:02d}楼宇社区",
                    path,
                    False,
                    street_id,
                )
            )
            communities.append((next_id, path))
            next_id += 1
    buildings: list[int] = []
    for b in range(scale.buildings):
        community_id, community_path = communities[b % len(communities)]
        is_target = rng.random() < 0.6
        nodes.append(
            (
                next_id,
                "building",
                f"楼宇{b + 1:05d}",
                f"{community_path}{next_id}/",
                is_target,
                community_id,
            )
        )
        buildings.append(next_id)
        next_id += 1
    _copy(cur, Node, ["id", "kind", "name", "path", "is_target", "parent"], nodes)

    def floors() -> Any:
        floor_id = 0
        for building in buildings:
            for number in range(1, scale.floors_per_building + 1):
                floor_id += 1
                yield (floor_id, building, number)

    n_floors = _copy(cur, Floor, ["id", "building", "number"], floors())

    states = [
        "self_used",
        "occupied",
        "occupied",
        "occupied",
        "let_not_moved_in",
        "sold",
        "vacant",
    ]

    def units() -> Any:
        unit_id = 0
        for floor_id in range(1, n_floors + 1):
            for u in range(scale.units_per_floor):
                unit_id += 1
                area = Decimal(rng.randrange(5_000, 200_000)) / 100
                yield (unit_id, floor_id, f"{u + 1:02d}", area, rng.choice(states))

    n_units = _copy(cur, Unit, ["id", "floor", "number", "area", "state"], units())

    # GB/T 4754 divisions (migration 0003); one enterprise in 31 is in real estate (section K).
    cur.execute("SELECT id, section FROM economy_industry WHERE level = 'division' ORDER BY code")
    divisions = cur.fetchall()
    real_estate = [pk for pk, section in divisions if section == "K"]
    others = [pk for pk, section in divisions if section != "K"]

    def enterprises() -> Any:
        for e in range(scale.enterprises):
            building = buildings[e % len(buildings)]
            industry = real_estate[0] if e % 31 == 5 else others[e % len(others)]
            yield (e + 1, credit_code(e), f"基准企业{e + 1:06d}有限公司", building, industry)

    enterprise_fields = ["id", "credit_code", "name", "building", "industry"]
    _copy(cur, Enterprise, enterprise_fields, enterprises())
    t0 = time.monotonic()
    _load_economy(cur, scale, buildings, rng, Occupancy, TargetBuilding)
    timings = {"economy_seconds": round(time.monotonic() - t0, 1)}

    def users() -> Any:
        yield (1, pw, OFFICER, JOINED, "区楼宇办基准用户")
        for u in range(2, scale.users + 1):
            yield (u, pw, f"u{u:07d}", JOINED, "")

    user_fields = ["id", "password", "username", "date_joined", "real_name"]
    _copy(cur, get_user_model(), user_fields, users())

    def memberships() -> Any:
        yield (1, 1, "district_officer", node_ct, 1, "", JOINED)
        for u in range(2, scale.users + 1):
            enterprise = (u - 2) % scale.enterprises + 1
            # The first person of each enterprise is its contact; the rest are employees.
            role = "enterprise_contact" if u - 2 < scale.enterprises else "employee"
            yield (u, u, role, enterprise_ct, enterprise, "", JOINED)

    membership_fields = ["id", "user", "role", "scope_type", "scope_id", "title", "created_at"]
    _copy(cur, Membership, membership_fields, memberships())
    for table in (
        "core_node",
        "economy_floor",
        "economy_unit",
        "economy_enterprise",
        "economy_occupancy",
        "economy_occupancy_units",
        "economy_targetbuilding",
        "economy_taxrecord",
        "accounts_user",
        "accounts_membership",
    ):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )
    del n_units
    t0 = time.monotonic()
    rollup_fill(cur)
    timings["rollup_seconds"] = round(time.monotonic() - t0, 1)
    t0 = time.monotonic()
    load_servicedesk(cur, scale_name)
    timings["servicedesk_seconds"] = round(time.monotonic() - t0, 1)
    return timings


def _load_economy(
    cur: Any, scale: Scale, buildings: list[int], rng: random.Random, *models: Any
) -> None:
    """Occupancies (each enterprise in one unit of its building; one in twenty moved there from
    another building in June of YEAR), target sets of YEARS, and the tax records."""
    occupancy_model, target_model = models
    per_building = scale.floors_per_building * scale.units_per_floor
    n_buildings = len(buildings)
    occupancies: list[tuple[int, int, int, date, date | None, Decimal]] = []
    links: list[tuple[int, int, int]] = []
    for e in range(scale.enterprises):
        index, k = e % n_buildings, e // n_buildings
        if e % 20 == 7:  # a mover: its old occupancy overlaps the new one in June
            old = (index + 7) % n_buildings
            area = Decimal(rng.randrange(5_000, 200_000)) / 100
            occupancies.append(
                (
                    len(occupancies) + 1,
                    e + 1,
                    buildings[old],
                    date(2019, 3, 1),
                    date(YEAR, 6, 15),
                    area,
                )
            )
            unit = old * per_building + (per_building - 1 - k % per_building) + 1
            links.append((len(links) + 1, len(occupancies), unit))
            start = date(YEAR, 6, 1)
        else:
            start = date(2020, 1, 1)
        area = Decimal(rng.randrange(5_000, 200_000)) / 100
        occupancies.append((len(occupancies) + 1, e + 1, buildings[index], start, None, area))
        links.append(
            (len(links) + 1, len(occupancies), index * per_building + k % per_building + 1)
        )
    fields = ["id", "enterprise", "building", "start", "end", "area"]
    _copy(cur, occupancy_model, fields, occupancies)
    with cur.copy("COPY economy_occupancy_units (id, occupancy_id, unit_id) FROM STDIN") as copy:
        for link in links:
            copy.write_row(link)

    # The target sets: the buildings the tree marks as targets, in both years.
    cur.execute("SELECT id FROM core_node WHERE kind = 'building' AND is_target ORDER BY id")
    targets = [r[0] for r in cur.fetchall()]
    rows = [(i + 1, year, b) for i, (year, b) in enumerate((y, b) for y in YEARS for b in targets)]
    _copy(cur, target_model, ["id", "year", "building"], rows)

    # Tax records: 100 per enterprise (its first 100 (type, year, month) slots), amounts from a
    # per-enterprise yearly scale (10^4.5 … 10^9 yuan) times a cycled multiplier; one in 23 paid
    # outside the district. Written as COPY text in chunks (10 M rows at full scale).
    base, extra = divmod(scale.tax_records, scale.enterprises)
    multipliers = [rng.uniform(0.4, 1.6) / 50 * 100 for _ in range(1009)]  # cents per yuan a year
    record_id = 0
    with cur.copy(
        "COPY economy_taxrecord (id, enterprise_id, year, month, tax_type, amount, "
        "district_share, paid_in_district) FROM STDIN"
    ) as copy:
        for e in range(scale.enterprises):
            yearly = 10 ** rng.uniform(4.5, 9.0)
            n = base + (1 if e < extra else 0)
            lines = []
            for tax_type, year, month in TAX_SLOTS[:n]:
                record_id += 1
                cents = int(yearly * multipliers[record_id % 1009])
                share = cents * 3 // 10
                paid = "f" if record_id % 23 == 0 else "t"
                lines.append(
                    f"{record_id}\t{e + 1}\t{year}\t{month}\t{tax_type}\t{cents // 100}."
                    f"{cents % 100:02d}\t{share // 100}.{share % 100:02d}\t{paid}\n"
                )
            copy.write("".join(lines))


# The rollup of services.rollup_compute as one set-based statement: each enterprise's tax of a
# month goes to the building of its largest overlapping occupancy (then latest start, then newest
# record); tax paid elsewhere does not count; the *_ex_real_estate 口径 leave section K out.
# `{tax}` is the tax records it reads: the table, or a subquery of some of its rows.
ROLLUP_SELECT = """
WITH months AS (
    SELECT DISTINCT enterprise_id, year, month FROM {tax} AS r WHERE paid_in_district
), attributed AS (
    SELECT DISTINCT ON (m.enterprise_id, m.year, m.month)
        m.enterprise_id, m.year, m.month, o.building_id
    FROM months m
    JOIN economy_occupancy o ON o.enterprise_id = m.enterprise_id
        AND o.start <= (make_date(m.year, m.month, 1) + interval '1 month - 1 day')::date
        AND (o."end" IS NULL OR o."end" >= make_date(m.year, m.month, 1))
    ORDER BY m.enterprise_id, m.year, m.month, o.area DESC, o.start DESC, o.id DESC
), sums AS (
    SELECT a.building_id, t.year,
        sum(t.amount) AS total,
        sum(t.district_share) AS district,
        sum(t.amount) FILTER (WHERE i.section IS DISTINCT FROM 'K') AS total_ex,
        sum(t.district_share) FILTER (WHERE i.section IS DISTINCT FROM 'K') AS district_ex
    FROM {tax} t
    JOIN attributed a USING (enterprise_id, year, month)
    JOIN economy_enterprise e ON e.id = t.enterprise_id
    LEFT JOIN economy_industry i ON i.id = e.industry_id
    WHERE t.paid_in_district
    GROUP BY a.building_id, t.year
)
SELECT s.building_id, s.year, d.definition, d.tax
FROM sums s
CROSS JOIN LATERAL (VALUES
    ('total', s.total), ('district', s.district),
    ('total_ex_real_estate', s.total_ex), ('district_ex_real_estate', s.district_ex)
) AS d (definition, tax)
WHERE d.tax IS NOT NULL
"""
ROLLUP_SQL = (
    "INSERT INTO economy_buildingyeartax (building_id, year, definition, tax)"
    + ROLLUP_SELECT.format(tax="economy_taxrecord")
)


def rollup_fill(cur: Any) -> int:
    """Replace the BuildingYearTax rollup with ROLLUP_SQL's; returns the rows written."""
    cur.execute("DELETE FROM economy_buildingyeartax")
    cur.execute(ROLLUP_SQL)
    return int(cur.rowcount)


def load_servicedesk(cur: Any, scale_name: str) -> int:
    """Service requests for B1 and B3 (bench/servicedesk_data.py); returns how many."""
    from bench.servicedesk_data import load

    return load(cur, scale_name)


def counts(cur: psycopg.Cursor) -> dict[str, int]:
    result = {}
    for label, sql in [
        ("buildings", "SELECT count(*) FROM core_node WHERE kind = 'building'"),
        ("nodes", "SELECT count(*) FROM core_node"),
        ("floors", "SELECT count(*) FROM economy_floor"),
        ("units", "SELECT count(*) FROM economy_unit"),
        ("enterprises", "SELECT count(*) FROM economy_enterprise"),
        ("users", "SELECT count(*) FROM accounts_user"),
        ("memberships", "SELECT count(*) FROM accounts_membership"),
        ("occupancies", "SELECT count(*) FROM economy_occupancy"),
        ("target buildings", "SELECT count(*) FROM economy_targetbuilding"),
        ("tax records", "SELECT count(*) FROM economy_taxrecord"),
        ("rollup rows", "SELECT count(*) FROM economy_buildingyeartax"),
        ("service requests", "SELECT count(*) FROM servicedesk_servicerequest"),
    ]:
        cur.execute(sql)
        row = cur.fetchone()
        result[label] = int(row[0]) if row else 0
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="smoke")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    dsn = os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/louyu_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.bench_settings")
    import django

    django.setup()
    print(generate(dsn, args.scale, regenerate=args.regenerate))


if __name__ == "__main__":
    main()
