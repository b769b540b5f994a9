"""Enterprises (一企一档): the GB/T 4754 industry table, one enterprise's create and update,
and the batch upsert of an enterprise import."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import (
    audit_record,
    audit_values,
    audited_update,
    validate,
)
from louyu.economy.industry_data import VERSION, industry_rows
from louyu.economy.models import (
    Enterprise,
    Industry,
    Occupancy,
)
from louyu.economy.services.batch import (
    BatchResult,
    _audit_rows,
    _bulk_insert,
    _chunks,
    _differences,
    _sequence_ids,
    any_of,
    batch_audit,
)
from louyu.economy.services.rollup import _contributions_many, _rollup_apply, _rollup_follows
from louyu.economy.services_investment import address_change_record, warnings_refresh_later
from louyu.lib.identifiers import credit_code_normalize
from louyu.lib.pinyin import search_names

ENTERPRISE_FIELDS = frozenset(
    {
        "name",
        "organization_type",
        "industry",
        "registered_address",
        "registered_in_district",
        "tax_in_district",
        "legal_representative",
        "employees",
        "registered_capital",
        "founded_on",
        "status",
    }
)


def industry_load(*, actor: Any = None) -> int:
    """Load the shipped GB/T 4754 sections and divisions if missing (migration 0003 does it on
    migrate; tests and repairs call this). Returns how many rows it created."""
    existing = dict(Industry.objects.filter(version=VERSION).values_list("code", "pk"))
    created = 0
    with transaction.atomic():
        for row in industry_rows():
            if row["code"] in existing:
                continue
            industry = Industry.objects.create(
                version=VERSION,
                code=row["code"],
                level=row["level"],
                section=row["section"],
                name=row["name"],
                parent_id=existing.get(row["parent"]),
            )
            existing[row["code"]] = industry.pk
            created += 1
        if created:
            audit_record(
                actor=actor, action="industry.load", after={"version": VERSION, "created": created}
            )
    return created


def enterprise_create(
    *, actor: Any, credit_code: str, name: str, building: Node | None = None, **values: Any
) -> Enterprise:
    """Register an enterprise; the credit code is checked (GB 32100) and stored in upper case."""
    unknown = set(values) - ENTERPRISE_FIELDS
    if unknown:
        raise ValueError(f"enterprise_create cannot set {sorted(unknown)}")
    try:
        code = credit_code_normalize(credit_code)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="invalid_credit_code") from exc
    enterprise = Enterprise(
        credit_code=code,
        name=name,
        building=building,
        search_names=search_names(name, *values.get("former_names", [])),
        **values,
    )
    validate(enterprise, exclude=["credit_code"])
    try:
        with transaction.atomic():
            enterprise.save()
            audit_record(
                actor=actor,
                action="enterprise.create",
                target=enterprise,
                after=audit_values({"credit_code": code, "name": name, **values}),
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("An enterprise with this credit code exists already."),
            code="duplicate_credit_code",
            status=409,
        ) from exc
    return enterprise


def enterprise_update(*, actor: Any, enterprise: Enterprise, **changes: Any) -> Enterprise:
    """Change an enterprise's archive. A new name keeps the old one among the former names; a new
    industry moves its tax between 口径 that leave real estate out, so the rollup follows."""
    unknown = set(changes) - ENTERPRISE_FIELDS
    if unknown:
        raise ValueError(f"enterprise_update cannot change {sorted(unknown)}")
    if "name" in changes and changes["name"] != enterprise.name:
        changes["former_names"] = [*enterprise.former_names, enterprise.name]
    old_address = (enterprise.registered_address, enterprise.registered_in_district)
    with transaction.atomic():
        if "industry" in changes:
            with _rollup_follows(enterprise.pk):
                audited_update(
                    actor=actor, instance=enterprise, changes=changes, action="enterprise.update"
                )
        else:
            audited_update(
                actor=actor, instance=enterprise, changes=changes, action="enterprise.update"
            )
        if {"name", "former_names"} & set(changes):
            enterprise.search_names = search_names(enterprise.name, *enterprise.former_names)
            Enterprise.objects.filter(pk=enterprise.pk).update(search_names=enterprise.search_names)
        # Early warning: a dated address history, and a regrade in the background.
        address_change_record(
            enterprise=enterprise, old_address=old_address[0], was_in_district=old_address[1]
        )
        warnings_refresh_later([enterprise.pk])
    return enterprise


# The archive fields as the batch import writes them (foreign keys by id), plus the building an
# enterprise without occupancies is placed in.
ENTERPRISE_BATCH_FIELDS = (
    *sorted("industry_id" if name == "industry" else name for name in ENTERPRISE_FIELDS),
    "building_id",
)


def enterprises_upsert(
    *,
    actor: Any,
    rows: list[dict[str, Any]],
    dry_run: bool = False,
    source: str = "",
    audit_batch: bool = True,
) -> BatchResult:
    """Create or update enterprises on their credit code (already normalised). A row sets only
    the fields it has; a new name keeps the old one among the former names; `building_id` is
    taken only while the enterprise has no occupancy (after that the occupancies keep it). An
    industry change moves the enterprise's tax between the 口径 that leave real estate out."""
    unknown = {k for row in rows for k in row} - {"credit_code", *ENTERPRISE_BATCH_FIELDS}
    if unknown:
        raise ValueError(f"enterprises_upsert cannot set {sorted(unknown)}")
    result = BatchResult("enterprise.import")
    existing: dict[str, dict[str, Any]] = {}
    for chunk in _chunks([row["credit_code"] for row in rows], 10_000):
        for values in Enterprise.objects.filter(any_of("credit_code", chunk)).values(
            "pk", "credit_code", "former_names", *ENTERPRISE_BATCH_FIELDS
        ):
            existing[values["credit_code"]] = values
    occupied = set()
    for chunk in _chunks([v["pk"] for v in existing.values()], 10_000):
        occupied |= set(
            Occupancy.objects.filter(any_of("enterprise_id", chunk, "bigint")).values_list(
                "enterprise_id", flat=True
            )
        )
    creates: list[dict[str, Any]] = []
    updates: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for row in rows:
        current = existing.get(row["credit_code"])
        if current is None:
            result.actions.append("create")
            creates.append(row)
            continue
        wanted = dict(row)
        if current["pk"] in occupied:
            wanted.pop("building_id", None)
        changes = _differences(current, wanted)
        changes.pop("credit_code", None)
        if not changes:
            result.actions.append("unchanged")
            continue
        result.actions.append("update")
        updates.append((current, changes))
    if dry_run or not (creates or updates):
        return result
    industry_moved = {current["pk"] for current, changes in updates if "industry_id" in changes}
    _enterprises_write(actor, result, creates, updates, industry_moved, source, audit_batch)
    return result


def _enterprises_write(
    actor: Any,
    result: BatchResult,
    creates: list[dict[str, Any]],
    updates: list[tuple[dict[str, Any], dict[str, Any]]],
    industry_moved: set[int],
    source: str,
    audit_batch: bool,
) -> None:
    with transaction.atomic():
        before_tax = _contributions_many(industry_moved)
        # On PostgreSQL the new rows get their ids from the table's sequence up front (one
        # query), so nothing has to be looked up after the COPY.
        new_ids = _sequence_ids(Enterprise, len(creates))

        def new_rows() -> Iterator[dict[str, Any]]:
            # Made as COPY sends them, while the server stores the rows before. The names'
            # pinyin comes from the worker of `spelled_ahead` when the import started one.
            for index, row in enumerate(creates):
                new = {**row, "search_names": search_names(row["name"])}
                if new_ids:
                    new["id"] = new_ids[index]
                yield new

        _bulk_insert(Enterprise, new_rows(), with_pk=bool(new_ids))
        changed = []
        for current, changes in updates:
            values = {**current, **changes}
            if "name" in changes:
                values["former_names"] = [*current["former_names"], current["name"]]
            values["search_names"] = search_names(values["name"], *values["former_names"])
            changed.append(Enterprise(**values))
        fields = [*ENTERPRISE_BATCH_FIELDS, "former_names", "search_names"]
        Enterprise.objects.bulk_update(changed, fields, batch_size=500)
        result.created_ids = list(new_ids)
        if creates and not new_ids:
            for chunk in _chunks([row["credit_code"] for row in creates], 10_000):
                result.created_ids.extend(
                    Enterprise.objects.filter(any_of("credit_code", chunk)).values_list(
                        "pk", flat=True
                    )
                )
        _rollup_apply(before_tax, _contributions_many(industry_moved))
        for current, changes in updates:
            if {"registered_address", "registered_in_district"} & set(changes):
                after = {**current, **changes}
                address_change_record(
                    enterprise=Enterprise(
                        pk=current["pk"],
                        registered_address=after["registered_address"],
                        registered_in_district=after["registered_in_district"],
                    ),
                    old_address=current["registered_address"],
                    was_in_district=current["registered_in_district"],
                )
        warnings_refresh_later([current["pk"] for current, _ in updates])
        # Updates get a row each (before and after); the batch row lists what it created.
        _audit_rows(
            actor,
            Enterprise,
            [
                (
                    "enterprise.update",
                    current["pk"],
                    current["name"],
                    audit_values({k: current.get(k) for k in changes}),
                    audit_values(changes),
                )
                for current, changes in updates
            ],
        )
        if audit_batch:
            batch_audit(actor=actor, result=result, source=source)
