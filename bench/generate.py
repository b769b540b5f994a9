"""The benchmark data set: reproducible (fixed seed), loaded with PostgreSQL COPY.

Writes what exists today: the jurisdiction tree (district → streets → building communities →
buildings, with their materialised paths), floors and units, enterprises with valid unified social
credit codes, and users (one precomputed password hash) with their memberships. Tax records and
service requests have no models yet; they are reported as "not built", never invented.

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
from datetime import UTC, datetime
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


SCALES = {
    "smoke": Scale(2, 2, 20, 5, 2, 40, 100),
    "small": Scale(8, 10, 1_000, 10, 4, 10_000, 100_000),
    "full": Scale(20, 20, 10_000, 10, 4, 100_000, 1_000_000),
}
# Rows the full data set will hold once their models exist, and the issue that builds them.
NOT_BUILT = {
    "tax records (10,000,000 at full)": "economy, issue #3",
    "service requests (100,000 at full)": "service center, issue #4",
}
# Tables emptied before a load (CASCADE reaches tokens, sessions' users, audit actors do not).
TABLES = [
    "economy_unit",
    "economy_floor",
    "economy_enterprise",
    "accounts_membership",
    "authtoken_token",
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
    with cur.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
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
    return f"louyu-bench scale={scale_name} seed={SEED}"


def generate(dsn: str, scale_name: str, *, regenerate: bool = False) -> dict[str, Any]:
    """Load the data set of one scale into the (migrated) database at `dsn`; returns counts."""
    scale = SCALES[scale_name]
    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        row = cur.fetchone()
        if not regenerate and row is not None and row[0] == marker(scale_name):
            return {"reused": True, **counts(cur), "not_built": NOT_BUILT}

    started = time.monotonic()
    rng = random.Random(SEED)
    pw = password_hash()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    if (
        connection.vendor != "postgresql"
        or connection.settings_dict["NAME"] != dsn.rsplit("/", 1)[1]
    ):
        raise RuntimeError(f"Django's DATABASE_URL is not {dsn}")

    from louyu.accounts.models import Membership
    from louyu.core.models import Node
    from louyu.economy.models import Enterprise, Floor, Unit

    # Django's own connection: its psycopg adapters dump model defaults (JSON, dates) in COPY.
    with transaction.atomic(), connection.cursor() as wrapper:
        cur = wrapper.cursor
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

        def enterprises() -> Any:
            for e in range(scale.enterprises):
                building = buildings[e % len(buildings)]
                yield (e + 1, credit_code(e), f"基准企业{e + 1:06d}有限公司", building)

        _copy(cur, Enterprise, ["id", "credit_code", "name", "building"], enterprises())

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
            "accounts_user",
            "accounts_membership",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        del n_units

    with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        dbname = conn.info.dbname
        cur.execute(f"COMMENT ON DATABASE \"{dbname}\" IS '{marker(scale_name)}'")
        result = counts(cur)
    return {
        "reused": False,
        "seconds": round(time.monotonic() - started, 1),
        **result,
        "not_built": NOT_BUILT,
    }


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
