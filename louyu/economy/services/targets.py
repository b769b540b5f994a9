"""The yearly target set (目标楼宇): what every summary and ranking counts. The district office
adds and removes buildings one at a time (each with a reason), copies a year's set into the
next, replaces a set, or imports one (`targets_upsert`). Every change has its audit row.

Summaries, rankings and trends join `TargetBuilding` with the per-building `BuildingYearTax`
rollup when they are read, so a change to the set needs no recomputation: the rollup is per
building and the set only selects."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record
from louyu.economy.models import TargetBuilding
from louyu.economy.selectors.targets import target_paths
from louyu.economy.services.batch import BatchResult, _audit_rows, batch_audit

MIN_YEAR, MAX_YEAR = 2000, 2100


def _check_year(year: int) -> None:
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise ApplicationError(_("Choose a year between 2000 and 2100."), code="bad_year")


def _reason(reason: str, *, required: bool = True) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ApplicationError(_("Give the reason for the change."), code="reason_required")
    return reason[:200]


def _check_building(actor: Any, building: Node) -> None:
    """A building inside the actor's district office scope (actor None: the system)."""
    if building.kind != Node.Kind.BUILDING:
        raise ApplicationError(_("Choose a building."), code="not_a_building")
    if actor is None:
        return
    if not any(building.path.startswith(p) for p in target_paths(actor)):
        raise ApplicationError(
            _("Only the district office sets the target buildings of its district."),
            code="not_in_scope",
            status=403,
        )


def _entry(year: int, building: Node, reason: str) -> dict[str, Any]:
    return {"year": year, "building": building.pk, "building_name": building.name, "reason": reason}


def target_add(*, actor: Any, year: int, building: Node, reason: str) -> TargetBuilding:
    """Add a building to the year's target set."""
    _check_year(year)
    reason = _reason(reason)
    _check_building(actor, building)
    with transaction.atomic():
        if TargetBuilding.objects.filter(year=year, building=building).exists():
            raise ApplicationError(
                _("%(name)s is already a target building of %(year)s.")
                % {"name": building.name, "year": year},
                code="already_target",
            )
        target = TargetBuilding.objects.create(year=year, building=building)
        audit_record(
            actor=actor,
            action="targetbuilding.add",
            target=target,
            after=_entry(year, building, reason),
        )
    return target


def target_remove(*, actor: Any, year: int, building: Node, reason: str) -> None:
    """Take a building out of the year's target set."""
    _check_year(year)
    reason = _reason(reason)
    _check_building(actor, building)
    with transaction.atomic():
        target = (
            TargetBuilding.objects.select_for_update().filter(year=year, building=building).first()
        )
        if target is None:
            raise ApplicationError(
                _("%(name)s is not a target building of %(year)s.")
                % {"name": building.name, "year": year},
                code="not_target",
            )
        audit_record(
            actor=actor,
            action="targetbuilding.remove",
            target=target,
            before={"year": year, "building": building.pk},
            after=_entry(year, building, reason),
        )
        target.delete()


def target_set_copy(*, actor: Any, from_year: int, to_year: int, reason: str = "") -> int:
    """Add the target buildings of `from_year` (those in the actor's scope) to `to_year`, which
    may be empty or partly set; returns how many were added. A copy the stored years refuse
    (the year itself, or a year with no targets: 2000's default source, 1999, has none) is a
    conflict (409)."""
    _check_year(to_year)
    if from_year == to_year:
        raise ApplicationError(_("Copy from another year."), code="same_year", status=409)
    reason = _reason(reason, required=False)
    with transaction.atomic():
        source = TargetBuilding.objects.filter(year=from_year)
        if actor is not None:
            paths = target_paths(actor)
            if not paths:
                raise ApplicationError(
                    _("Only the district office sets the target buildings of its district."),
                    code="not_in_scope",
                    status=403,
                )
            source = source.filter(_under(paths))
        wanted = set(source.values_list("building_id", flat=True))
        if not wanted:
            raise ApplicationError(
                _("%(year)s has no target buildings to copy.") % {"year": from_year},
                code="nothing_to_copy",
                status=409,
            )
        current = set(
            TargetBuilding.objects.filter(year=to_year).values_list("building_id", flat=True)
        )
        added = sorted(wanted - current)
        TargetBuilding.objects.bulk_create(
            [TargetBuilding(year=to_year, building_id=pk) for pk in added]
        )
        audit_record(
            actor=actor,
            action="targetbuilding.copy",
            after={
                "year": to_year,
                "from_year": from_year,
                "added": added,
                "count": len(added),
                "reason": reason,
            },
        )
    return len(added)


def _under(paths: list[str]) -> Any:
    from django.db.models import Q

    query = Q(pk__in=[])
    for path in paths:
        query |= Q(building__path__startswith=path)
    return query


def target_set_replace(
    *, actor: Any, year: int, buildings: Iterable[Node], reason: str = ""
) -> dict[str, int]:
    """Make `buildings` the target set (目标楼宇) of the year; returns how many were added and
    removed."""
    wanted = {b.pk: b for b in buildings}
    for building in wanted.values():
        _check_building(actor, building)
    with transaction.atomic():
        current = set(
            TargetBuilding.objects.filter(year=year).values_list("building_id", flat=True)
        )
        added = sorted(set(wanted) - current)
        removed = sorted(current - set(wanted))
        TargetBuilding.objects.filter(year=year, building_id__in=removed).delete()
        TargetBuilding.objects.bulk_create(
            [TargetBuilding(year=year, building_id=pk) for pk in added]
        )
        if added or removed:
            audit_record(
                actor=actor,
                action="targetbuilding.replace",
                after={"year": year, "added": added, "removed": removed, "reason": reason},
            )
    return {"added": len(added), "removed": len(removed)}


def targets_upsert(
    *,
    actor: Any,
    rows: list[dict[str, Any]],
    dry_run: bool = False,
    source: str = "",
    audit_batch: bool = True,
) -> BatchResult:
    """The import's write: add each (year, building_id) row to that year's target set; rows
    already in it are unchanged (an import never removes a target: that takes a reason)."""
    result = BatchResult("targetbuilding.import")
    years = {row["year"] for row in rows}
    existing = set(TargetBuilding.objects.filter(year__in=years).values_list("year", "building_id"))
    new: list[dict[str, Any]] = []
    for row in rows:
        key = (row["year"], row["building_id"])
        if key in existing:
            result.actions.append("unchanged")
        else:
            existing.add(key)
            result.actions.append("create")
            new.append(row)
    if dry_run or not new:
        return result
    with transaction.atomic():
        objects = TargetBuilding.objects.bulk_create(
            [TargetBuilding(year=r["year"], building_id=r["building_id"]) for r in new]
        )
        ids = {
            (t.year, t.building_id): t.pk
            for t in TargetBuilding.objects.filter(
                year__in=years, building_id__in={r["building_id"] for r in new}
            )
        }
        names = dict(
            Node.objects.filter(pk__in={r["building_id"] for r in new}).values_list("pk", "name")
        )
        reason = str(_("Imported from %(source)s") % {"source": source})
        _audit_rows(
            actor,
            TargetBuilding,
            [
                (
                    "targetbuilding.add",
                    ids[(r["year"], r["building_id"])],
                    f"{r['year']} {names.get(r['building_id'], '')}",
                    None,
                    {
                        "year": r["year"],
                        "building": r["building_id"],
                        "building_name": names.get(r["building_id"], ""),
                        "reason": reason,
                    },
                )
                for r in new
            ],
        )
        del objects
        if audit_batch:
            batch_audit(actor=actor, result=result, source=source)
    return result
