"""What the batch upserts of imports share.

One call writes a whole validated batch with bulk statements, in one transaction: one audit row
for the batch plus one per created or changed row (none for unchanged rows), and the rollup
moved by the difference the batch makes to the affected enterprises' contributions (the same
attribution as `rollup_rebuild`, computed only for those enterprises). `dry_run=True` works out
the same actions without writing. Rows arrive validated and resolved (ids, not names) from
louyu/economy/imports/, which writes a large file as several batches in one transaction: it
passes `audit_batch=False` and writes the one row for the whole file (`batch_audit`) itself."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

from louyu.core.context import client_ip
from louyu.core.models import AuditLog
from louyu.core.services import (
    audit_record,
)

BATCH_SIZE = 2000


@dataclass
class BatchResult:
    """What a batch did (or would do): "create", "update" or "unchanged" per input row, in order;
    the action of its audit row, and the ids it created that have no audit row of their own."""

    action: str
    actions: list[str] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    def extend(self, other: BatchResult) -> None:
        """Add a later part of the same batch (an import writes a file chunk by chunk)."""
        self.actions += other.actions
        self.created_ids += other.created_ids

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.actions.count("create"),
            "updated": self.actions.count("update"),
            "unchanged": self.actions.count("unchanged"),
            "total": len(self.actions),
        }


def _chunks(items: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def any_of(field_name: str, values: list[Any], db_type: str = "text") -> Q:
    """`field IN values` for thousands of values: one array parameter on PostgreSQL (parsing
    10,000 placeholders costs more than the query), a plain IN elsewhere."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__in": RawSQL(f"SELECT unnest(%s::{db_type}[])", [values])})
    return Q(**{f"{field_name}__in": values})


def _audit_rows(
    actor: Any, model: type[models.Model], entries: list[tuple[str, Any, str, Any, Any]]
) -> None:
    """Per-row audit records [(action, pk, repr, before, after)] in bulk, like `audit_record`
    (the repr is passed in: `str()` of some rows would query their relations)."""
    if not entries:
        return
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    name = (getattr(actor, "username", "") if is_user else "") or "-"
    ip = client_ip.get()
    label = model._meta.label_lower
    _bulk_insert(
        AuditLog,
        [
            {
                "actor_id": actor.pk if is_user else None,
                "actor_name": name,
                "action": action,
                "target_type": label,
                "target_id": str(pk),
                "target_repr": text[:200],
                "before": before,
                "after": after,
                "ip": ip,
                "result": AuditLog.Result.SUCCESS.value,
            }
            for action, pk, text, before, after in entries
        ],
    )


def _sequence_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new ids drawn from the table's id sequence on PostgreSQL (never handed out again,
    as with an INSERT), for a COPY that writes them; [] elsewhere."""
    if connection.vendor != "postgresql" or not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column]
        )
        (sequence,) = cursor.fetchone()
        # The sequence as a constant: `nextval(pg_get_serial_sequence(…))` would look the
        # sequence up again for every id (ten times slower).
        cursor.execute(
            "SELECT array_agg(nextval(%s::regclass)) FROM generate_series(1, %s)",
            [sequence, count],
        )
        return list(cursor.fetchone()[0])


def _bulk_insert(
    model: type[models.Model], rows: Iterable[dict[str, Any]], *, with_pk: bool = False
) -> None:
    """Insert new rows given as {attname: value} (absent fields get their default, the
    database's own where it has one): COPY on PostgreSQL (an import's 50,000 rows in a fraction
    of the time of INSERTs, and no model instances), bulk_create elsewhere. Nothing is
    returned: callers look the new ids up, or give them (`with_pk`, from `_sequence_ids`).
    `rows` may be a generator: on PostgreSQL each row is then made while the server stores the
    ones sent before it."""
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in rows]
        if objects:
            model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
        return
    if isinstance(rows, list) and not rows:
        return
    # Columns the database fills (an audit row's `at`, issue 13) are left out of the COPY.
    fields = [
        f
        for f in model._meta.concrete_fields
        if (with_pk or not f.primary_key) and not f.has_db_default()
    ]
    defaults = {f.attname: f.get_default() for f in fields}
    names = [f.attname for f in fields]
    # JSON goes as its text, which COPY parses with the column's own input function; empty
    # lists and dicts (the usual defaults) are serialised once.
    json_positions = [
        (i, f.encoder) for i, f in enumerate(fields) if isinstance(f, models.JSONField)
    ]
    json_empty: dict[tuple[type, Any], str] = {}

    def values(row: dict[str, Any]) -> list[Any]:
        out = [row[name] if name in row else defaults[name] for name in names]
        for i, encoder in json_positions:
            value = out[i]
            if value is None:
                continue
            if not value and type(value) in (list, dict):
                key = (type(value), encoder)
                if key not in json_empty:
                    json_empty[key] = json.dumps(value, cls=encoder)
                out[i] = json_empty[key]
            else:
                out[i] = json.dumps(value, cls=encoder, ensure_ascii=False)
        return out

    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(values(row))


def batch_audit(*, actor: Any, result: BatchResult, source: str) -> None:
    """The batch's own audit row: its source, counts and the ids it created, where they have no
    audit row of their own (enterprises)."""
    after: dict[str, Any] = {"source": source, **result.counts}
    if result.created_ids:
        after["created_ids"] = sorted(result.created_ids)
    audit_record(actor=actor, action=result.action, after=after)


def _differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if current.get(k) != v}
