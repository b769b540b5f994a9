"""Occupancies (enterprise × units × dates): moves are new rows, never overwrites; the
enterprise's building and its chat membership follow."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import (
    audit_record,
    audit_values,
    audited_update,
    validate,
)
from louyu.economy.models import (
    Enterprise,
    Occupancy,
    Unit,
)
from louyu.economy.services.batch import (
    BATCH_SIZE,
    BatchResult,
    _audit_rows,
    _chunks,
    _differences,
    batch_audit,
)
from louyu.economy.services.buildings import _require_building
from louyu.economy.services.rollup import _contributions_many, _rollup_apply, _rollup_follows
from louyu.economy.services_investment import warnings_refresh_later

OCCUPANCY_FIELDS = frozenset({"end", "area", "lease_expires", "intends_to_leave"})


def occupancy_create(
    *,
    actor: Any,
    enterprise: Enterprise,
    building: Node,
    start: date,
    area: Decimal,
    units: Iterable[Unit] = (),
    end: date | None = None,
    lease_expires: date | None = None,
    intends_to_leave: bool = False,
) -> Occupancy:
    """Record that an enterprise moved into units of a building (a move is a new record)."""
    _require_building(building)
    units = list(units)
    if any(unit.floor.building_id != building.pk for unit in units):
        raise ApplicationError(_("Every unit must be in the building."), code="unit_elsewhere")
    occupancy = Occupancy(
        enterprise=enterprise,
        building=building,
        start=start,
        end=end,
        area=area,
        lease_expires=lease_expires,
        intends_to_leave=intends_to_leave,
    )
    validate(occupancy)
    with transaction.atomic(), _rollup_follows(enterprise.pk):
        occupancy.save()
        occupancy.units.set(units)
        audit_record(
            actor=actor,
            action="occupancy.create",
            target=occupancy,
            after=audit_values(
                {
                    "enterprise": enterprise,
                    "building": building,
                    "units": [u.pk for u in units],
                    "start": start,
                    "end": end,
                    "area": area,
                }
            ),
        )
        _enterprise_building_sync(enterprise)
        _chat_members_follow([building.pk])
    return occupancy


def occupancy_update(*, actor: Any, occupancy: Occupancy, **changes: Any) -> Occupancy:
    """Record a move-out (`end`), a new lease expiry, a changed area or intent to leave."""
    unknown = set(changes) - OCCUPANCY_FIELDS
    if unknown:
        raise ValueError(f"occupancy_update cannot change {sorted(unknown)}")
    with transaction.atomic(), _rollup_follows(occupancy.enterprise_id):
        audited_update(actor=actor, instance=occupancy, changes=changes, action="occupancy.update")
        _enterprise_building_sync(occupancy.enterprise)
        _chat_members_follow([occupancy.building_id])
    return occupancy


def _chat_members_follow(building_ids: Iterable[int]) -> None:
    """Once the transaction commits, re-derive the chat channels of these buildings: people of
    an enterprise that moved in join its building's channel, those of one that left leave it."""
    ids = sorted({pk for pk in building_ids if pk is not None})

    def enqueue() -> None:
        # Imported here: the messaging app builds on the economy's models.
        from louyu.messaging.tasks import building_members_sync_task

        building_members_sync_task.enqueue(building_ids=ids)

    if ids:
        transaction.on_commit(enqueue)


def _enterprise_building_sync(enterprise: Enterprise) -> None:
    """Point `Enterprise.building` at the building of its newest occupancy."""
    latest = enterprise.occupancies.order_by("-start", "-pk").values_list("building_id", flat=True)
    building_id = latest.first()
    if building_id is not None and building_id != enterprise.building_id:
        enterprise.building_id = building_id
        enterprise.save(update_fields=["building"])


OCCUPANCY_KEY = ("enterprise_id", "building_id", "start")


OCCUPANCY_VALUES = ("end", "area", "lease_expires", "intends_to_leave")


def occupancies_upsert(
    *,
    actor: Any,
    rows: list[dict[str, Any]],
    dry_run: bool = False,
    source: str = "",
    audit_batch: bool = True,
) -> BatchResult:
    """Create or update occupancies on (enterprise, building, move-in date): a move-out date,
    area, lease expiry, intent to leave and (with `unit_ids`) the units. Moves are new rows,
    never overwrites. The enterprises' buildings and their tax in the rollup follow."""
    result = BatchResult("occupancy.import")
    enterprise_ids = sorted({row["enterprise_id"] for row in rows})
    existing: dict[tuple[Any, ...], dict[str, Any]] = {}
    units: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(enterprise_ids, 2000):
        for values in Occupancy.objects.filter(enterprise_id__in=chunk).values(
            "pk", *OCCUPANCY_KEY, *OCCUPANCY_VALUES
        ):
            existing.setdefault(tuple(values[k] for k in OCCUPANCY_KEY), values)
        links_now = Occupancy.units.through.objects.filter(occupancy__enterprise_id__in=chunk)
        for occupancy_id, unit_id in links_now.values_list("occupancy_id", "unit_id"):
            units[occupancy_id].add(unit_id)
    plan: list[tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any]]] = []
    for row in rows:
        current = existing.get(tuple(row[k] for k in OCCUPANCY_KEY))
        if current is None:
            result.actions.append("create")
            plan.append((row, None, {}))
            continue
        changes = _differences(current, {k: row[k] for k in OCCUPANCY_VALUES if k in row})
        if "unit_ids" in row and set(row["unit_ids"]) != units.get(current["pk"], set()):
            changes["unit_ids"] = sorted(row["unit_ids"])
        if not changes:
            result.actions.append("unchanged")
            continue
        result.actions.append("update")
        plan.append((row, current, changes))
    if dry_run or not plan:
        return result
    affected = {row["enterprise_id"] for row, _, _ in plan}
    with transaction.atomic():
        before_tax = _contributions_many(affected)
        created = Occupancy.objects.bulk_create(
            [
                Occupancy(
                    **{k: row[k] for k in OCCUPANCY_KEY},
                    **{k: row[k] for k in OCCUPANCY_VALUES if k in row},
                )
                for row, current, _ in plan
                if current is None
            ],
            batch_size=BATCH_SIZE,
        )
        if any(not obj.pk for obj in created):
            raise RuntimeError("occupancies_upsert needs a database that returns new ids")
        updated = []
        for _, current, changes in plan:
            if current is not None:
                values = {k: changes.get(k, current[k]) for k in OCCUPANCY_VALUES}
                updated.append(Occupancy(pk=current["pk"], **values))
        Occupancy.objects.bulk_update(updated, list(OCCUPANCY_VALUES), batch_size=BATCH_SIZE)
        through = Occupancy.units.through
        new_ids = iter(obj.pk for obj in created)
        target_ids: list[int] = []
        links = []
        relinked = []
        for row, current, changes in plan:
            if current is None:
                pk = next(new_ids)
                links += [through(occupancy_id=pk, unit_id=u) for u in row.get("unit_ids", [])]
            else:
                pk = current["pk"]
                if "unit_ids" in changes:
                    relinked.append(pk)
                    links += [through(occupancy_id=pk, unit_id=u) for u in changes["unit_ids"]]
            target_ids.append(pk)
        through.objects.filter(occupancy_id__in=relinked).delete()
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)
        _enterprise_buildings_sync(affected)
        _rollup_apply(before_tax, _contributions_many(affected))
        warnings_refresh_later(affected)
        _chat_members_follow(row["building_id"] for row, _, _ in plan)
        _audit_rows(
            actor,
            Occupancy,
            [
                (
                    "occupancy.create" if current is None else "occupancy.update",
                    pk,
                    f"{row['enterprise_id']} @ {row['building_id']} {row['start']}",
                    None if current is None else audit_values({k: current.get(k) for k in changes}),
                    audit_values(row if current is None else changes),
                )
                for pk, (row, current, changes) in zip(target_ids, plan, strict=True)
            ],
        )
        if audit_batch:
            batch_audit(actor=actor, result=result, source=source)
    return result


def _enterprise_buildings_sync(enterprise_ids: Iterable[int]) -> None:
    """`Enterprise.building` = the building of the newest occupancy, for many enterprises."""
    newest: dict[int, int] = {}
    for chunk in _chunks(sorted(set(enterprise_ids)), 2000):
        for enterprise_id, building_id in (
            Occupancy.objects.filter(enterprise_id__in=chunk)
            .order_by("enterprise_id", "start", "pk")
            .values_list("enterprise_id", "building_id")
        ):
            newest[enterprise_id] = building_id  # the last one wins: newest start, newest row
    changed = [
        Enterprise(pk=pk, building_id=newest[pk])
        for pk, building_id in Enterprise.objects.filter(pk__in=list(newest)).values_list(
            "pk", "building_id"
        )
        if building_id != newest[pk]
    ]
    Enterprise.objects.bulk_update(changed, ["building"], batch_size=BATCH_SIZE)
