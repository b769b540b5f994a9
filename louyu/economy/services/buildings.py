"""Buildings (一楼一档) and their units: archives, photos, and the batch
upserts of building and unit imports."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import (
    audit_record,
    audit_values,
    audited_update,
    node_search_names_refresh,
    validate,
)
from louyu.core.uploads import image_clean
from louyu.economy.models import (
    BuildingPhoto,
    BuildingProfile,
    Floor,
    Unit,
)
from louyu.economy.services.batch import (
    BATCH_SIZE,
    BatchResult,
    _audit_rows,
    _differences,
    batch_audit,
)
from louyu.lib.pinyin import search_names

PROFILE_FIELDS = frozenset(
    f.name for f in BuildingProfile._meta.concrete_fields if f.name not in {"id", "building"}
)


def _require_building(node: Node) -> None:
    if node.kind != Node.Kind.BUILDING:
        raise ApplicationError(_("Choose a building."), code="not_a_building")


def building_profile_save(*, actor: Any, building: Node, **values: Any) -> BuildingProfile:
    """Create the building's archive or change fields of it."""
    _require_building(building)
    unknown = set(values) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"building_profile_save cannot set {sorted(unknown)}")
    with transaction.atomic():
        profile = BuildingProfile.objects.select_for_update().filter(building=building).first()
        if profile is None:
            profile = BuildingProfile(building=building, **values)
            validate(profile)
            profile.save()
            audit_record(
                actor=actor,
                action="buildingprofile.create",
                target=profile,
                after=audit_values(values),
            )
        else:
            audited_update(
                actor=actor, instance=profile, changes=values, action="buildingprofile.update"
            )
        if "aliases" in values:
            node_search_names_refresh(building, profile.aliases)
    return profile


def building_photo_add(
    *, actor: Any, building: Node, upload: Any, caption: str = ""
) -> BuildingPhoto:
    """Add a photo to the building's archive; the image is checked and re-encoded first."""
    _require_building(building)
    image = image_clean(upload, stem="building")
    with transaction.atomic():
        photo = BuildingPhoto(building=building, caption=caption.strip()[:100], uploaded_by=actor)
        photo.image.save(image.name or "building.jpg", image, save=False)
        photo.save()
        audit_record(
            actor=actor,
            action="buildingphoto.create",
            target=photo,
            after={"building": building.pk, "caption": photo.caption},
        )
    return photo


def building_photo_delete(*, actor: Any, photo: BuildingPhoto) -> None:
    """Remove a photo from the archive, and its file once the removal has committed."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="buildingphoto.delete",
            target=photo,
            before={"building": photo.building_id, "caption": photo.caption},
        )
        name, storage = photo.image.name, photo.image.storage
        photo.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


BUILDING_NODE_VALUES = ("is_target",)


def buildings_upsert(
    *,
    actor: Any,
    rows: list[dict[str, Any]],
    dry_run: bool = False,
    source: str = "",
    audit_batch: bool = True,
) -> BatchResult:
    """Create or update buildings on (building community, name) with their archives. Rows:
    community_id, name, optionally is_target and any archive field (aliases included)."""
    unknown = {k for row in rows for k in row} - {
        "community_id",
        "name",
        *BUILDING_NODE_VALUES,
        *PROFILE_FIELDS,
    }
    if unknown:
        raise ValueError(f"buildings_upsert cannot set {sorted(unknown)}")
    result = BatchResult("building.import")
    communities = {
        n.pk: n for n in Node.objects.filter(pk__in={row["community_id"] for row in rows})
    }
    if any(n.kind != Node.Kind.COMMUNITY for n in communities.values()):
        raise ApplicationError(
            _("Buildings belong to a building community."), code="not_a_community"
        )
    nodes: dict[tuple[Any, str], dict[str, Any]] = {
        (n["parent_id"], n["name"]): dict(n)
        for n in Node.objects.filter(
            kind=Node.Kind.BUILDING, parent_id__in=list(communities)
        ).values("pk", "parent_id", "name", "is_target")
    }
    profiles = {
        p["building_id"]: p
        for p in BuildingProfile.objects.filter(
            building_id__in=[n["pk"] for n in nodes.values()]
        ).values("pk", "building_id", *PROFILE_FIELDS)
    }
    plan: list[tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any], dict[str, Any]]] = []
    for row in rows:
        node = nodes.get((row["community_id"], row["name"]))
        node_values = {k: row[k] for k in BUILDING_NODE_VALUES if k in row}
        profile_values = {k: row[k] for k in PROFILE_FIELDS if k in row}
        if node is None:
            result.actions.append("create")
            plan.append((row, None, node_values, profile_values))
            continue
        profile = profiles.get(node["pk"])
        node_changes = _differences(node, node_values)
        if profile is None:
            profile_changes = profile_values if profile_values else {}
            profile_new = bool(profile_values)
        else:
            profile_changes = _differences(profile, profile_values)
            profile_new = False
        if not node_changes and not profile_changes and not profile_new:
            result.actions.append("unchanged")
            continue
        result.actions.append("update")
        plan.append((row, node, node_changes, profile_changes))
    if dry_run or not plan:
        return result
    with transaction.atomic():
        new_nodes = Node.objects.bulk_create(
            [
                Node(
                    kind=Node.Kind.BUILDING,
                    name=row["name"],
                    parent_id=row["community_id"],
                    is_target=row.get("is_target", False),
                    search_names=search_names(row["name"], *row.get("aliases", [])),
                )
                for row, node, _, _ in plan
                if node is None
            ],
            batch_size=BATCH_SIZE,
        )
        if any(not n.pk for n in new_nodes):
            raise RuntimeError("buildings_upsert needs a database that returns new ids")
        for n in new_nodes:
            n.path = f"{communities[int(n.parent_id or 0)].path}{n.pk}/"
        Node.objects.bulk_update(new_nodes, ["path"], batch_size=BATCH_SIZE)
        fresh = iter(new_nodes)
        node_updates: list[Node] = []
        profile_objects: list[BuildingProfile] = []
        entries: list[tuple[str, Any, str, Any, Any]] = []
        for row, node, node_changes, profile_changes in plan:
            if node is None:
                target = next(fresh)
                profile_values = {k: row[k] for k in PROFILE_FIELDS if k in row}
                profile_objects.append(BuildingProfile(building_id=target.pk, **profile_values))
                entries.append(("building.create", target.pk, row["name"], None, audit_values(row)))
            else:
                current = profiles.get(node["pk"])
                merged = {**(current or {}), **profile_changes}
                merged.pop("pk", None)
                merged.pop("building_id", None)
                if current is not None or profile_changes:
                    profile_objects.append(BuildingProfile(building_id=node["pk"], **merged))
                update = Node(
                    pk=node["pk"], is_target=node_changes.get("is_target", node["is_target"])
                )
                update.search_names = search_names(node["name"], *merged.get("aliases", []) or [])
                node_updates.append(update)
                changes = {**node_changes, **profile_changes}
                before = {**node, **(current or {})}
                entries.append(
                    (
                        "building.update",
                        node["pk"],
                        node["name"],
                        audit_values({k: before.get(k) for k in changes}),
                        audit_values(changes),
                    )
                )
        Node.objects.bulk_update(node_updates, ["is_target", "search_names"], batch_size=BATCH_SIZE)
        for profile in profile_objects:
            validate(profile, exclude=["building"])
        BuildingProfile.objects.bulk_create(
            profile_objects,
            update_conflicts=True,
            unique_fields=["building"],
            update_fields=sorted(PROFILE_FIELDS),
            batch_size=BATCH_SIZE,
        )
        _audit_rows(actor, Node, entries)
        if audit_batch:
            batch_audit(actor=actor, result=result, source=source)
    return result


UNIT_VALUES = ("area", "state")


def units_upsert(
    *,
    actor: Any,
    rows: list[dict[str, Any]],
    dry_run: bool = False,
    source: str = "",
    audit_batch: bool = True,
) -> BatchResult:
    """Create or update units on (building, floor number, unit number); floors are created as
    needed. Rows: building_id, floor, number, area, state."""
    result = BatchResult("unit.import")
    building_ids = sorted({row["building_id"] for row in rows})
    floors = {
        (b, n): pk
        for pk, b, n in Floor.objects.filter(building_id__in=building_ids).values_list(
            "pk", "building_id", "number"
        )
    }
    existing: dict[tuple[Any, ...], dict[str, Any]] = {
        (b, f, n): dict(values)
        for values in Unit.objects.filter(floor__building_id__in=building_ids).values(
            "pk", "floor_id", "number", "area", "state", "floor__building_id", "floor__number"
        )
        for b, f, n in [(values["floor__building_id"], values["floor__number"], values["number"])]
    }
    plan: list[tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any]]] = []
    for row in rows:
        current = existing.get((row["building_id"], row["floor"], row["number"]))
        if current is None:
            result.actions.append("create")
            plan.append((row, None, {}))
            continue
        changes = _differences(current, {k: row[k] for k in UNIT_VALUES if k in row})
        if not changes:
            result.actions.append("unchanged")
            continue
        result.actions.append("update")
        plan.append((row, current, changes))
    if dry_run or not plan:
        return result
    with transaction.atomic():
        missing = sorted({(r["building_id"], r["floor"]) for r, _, _ in plan} - set(floors))
        for floor in Floor.objects.bulk_create(
            [Floor(building_id=b, number=n) for b, n in missing], batch_size=BATCH_SIZE
        ):
            floors[(floor.building_id, floor.number)] = floor.pk
        if any((b, n) not in floors or floors[(b, n)] is None for b, n in missing):
            floors.update(
                {
                    (b, n): pk
                    for pk, b, n in Floor.objects.filter(building_id__in=building_ids).values_list(
                        "pk", "building_id", "number"
                    )
                }
            )
        objects = []
        for row, current, changes in plan:
            if current is None:
                objects.append(
                    Unit(
                        floor_id=floors[(row["building_id"], row["floor"])],
                        number=row["number"],
                        area=row["area"],
                        state=row["state"],
                    )
                )
            else:
                objects.append(
                    Unit(
                        pk=current["pk"],
                        floor_id=current["floor_id"],
                        number=current["number"],
                        area=changes.get("area", current["area"]),
                        state=changes.get("state", current["state"]),
                    )
                )
        Unit.objects.bulk_create(
            objects,
            update_conflicts=True,
            unique_fields=["floor", "number"],
            update_fields=list(UNIT_VALUES),
            batch_size=BATCH_SIZE,
        )
        if any(not obj.pk for obj in objects):
            ids = {
                (f, n): pk
                for pk, f, n in Unit.objects.filter(
                    floor_id__in={o.floor_id for o in objects}
                ).values_list("pk", "floor_id", "number")
            }
            for obj in objects:
                obj.pk = ids[(obj.floor_id, obj.number)]
        _audit_rows(
            actor,
            Unit,
            [
                (
                    "unit.create" if current is None else "unit.update",
                    obj.pk,
                    f"{row['building_id']} {row['floor']}F {row['number']}",
                    None if current is None else audit_values({k: current[k] for k in changes}),
                    audit_values(row if current is None else changes),
                )
                for obj, (row, current, changes) in zip(objects, plan, strict=True)
            ],
        )
        if audit_batch:
            batch_audit(actor=actor, result=result, source=source)
    return result
