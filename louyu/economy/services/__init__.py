"""Every write to the building economy: archives, target sets, enterprises, occupancies and tax
records, each in one transaction with its audit row. Writes that change which tax a building
gets (tax records, occupancies, an enterprise's industry) update the `BuildingYearTax` rollup in
the same transaction by the difference they make; `rollup_rebuild` recomputes it from scratch."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.core.context import client_ip
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog, Node
from louyu.core.services import (
    audit_record,
    audit_values,
    audited_update,
    node_search_names_refresh,
    validate,
)
from louyu.core.uploads import image_clean
from louyu.economy.industry_data import VERSION, industry_rows
from louyu.economy.models import (
    BuildingPhoto,
    BuildingProfile,
    BuildingYearTax,
    Enterprise,
    Floor,
    Industry,
    Occupancy,
    TargetBuilding,
    TaxRecord,
    Unit,
)
from louyu.economy.selectors import Span, TaxLine, tax_attribution
from louyu.economy.services_investment import address_change_record, warnings_refresh_later
from louyu.lib.identifiers import credit_code_normalize
from louyu.lib.money import yuan
from louyu.lib.pinyin import search_names

PROFILE_FIELDS = frozenset(
    f.name for f in BuildingProfile._meta.concrete_fields if f.name not in {"id", "building"}
)
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
OCCUPANCY_FIELDS = frozenset({"end", "area", "lease_expires", "intends_to_leave"})


def _require_building(node: Node) -> None:
    if node.kind != Node.Kind.BUILDING:
        raise ApplicationError(_("Choose a building."), code="not_a_building")


# --- Reference data ---------------------------------------------------------------------------


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


# --- Buildings --------------------------------------------------------------------------------


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


def target_set_replace(*, actor: Any, year: int, buildings: Iterable[Node]) -> dict[str, int]:
    """Make `buildings` the target set (目标楼宇) of the year; returns how many were added and
    removed. Rollups need no change: they are per building, the set only selects."""
    wanted = {b.pk: b for b in buildings}
    for building in wanted.values():
        _require_building(building)
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
                after={"year": year, "added": added, "removed": removed},
            )
    return {"added": len(added), "removed": len(removed)}


# --- Enterprises ------------------------------------------------------------------------------


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


# --- Occupancies ------------------------------------------------------------------------------


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


# --- Tax records ------------------------------------------------------------------------------


def tax_record_save(
    *,
    actor: Any,
    enterprise: Enterprise,
    year: int,
    month: int,
    tax_type: str,
    amount: Decimal,
    district_share: Decimal,
    paid_in_district: bool = True,
) -> tuple[TaxRecord, bool]:
    """Create or correct the tax record on its natural key (enterprise, year, month, tax type);
    returns (record, created). Saving the same figures again changes nothing."""
    amount, district_share = yuan(amount), yuan(district_share)
    values: dict[str, Any] = {
        "amount": amount,
        "district_share": district_share,
        "paid_in_district": paid_in_district,
    }
    if district_share > amount >= 0:
        raise ApplicationError(
            _("The district share cannot exceed the amount."), code="share_exceeds_amount"
        )
    with transaction.atomic():
        record = (
            TaxRecord.objects.select_for_update()
            .filter(enterprise=enterprise, year=year, month=month, tax_type=tax_type)
            .first()
        )
        if record is not None:
            with _rollup_follows(enterprise.pk, years={year}):
                audited_update(
                    actor=actor, instance=record, changes=values, action="taxrecord.update"
                )
            return record, False
        record = TaxRecord(
            enterprise=enterprise, year=year, month=month, tax_type=tax_type, **values
        )
        validate(record)
        with _rollup_follows(enterprise.pk, years={year}):
            record.save()
            audit_record(
                actor=actor,
                action="taxrecord.create",
                target=record,
                after=audit_values({"year": year, "month": month, "tax_type": tax_type, **values}),
            )
    return record, True


def tax_record_delete(*, actor: Any, record: TaxRecord) -> None:
    """Remove a tax record entered in error; its tax leaves the rollup."""
    with transaction.atomic(), _rollup_follows(record.enterprise_id, years={record.year}):
        audit_record(
            actor=actor,
            action="taxrecord.delete",
            target=record,
            before=audit_values(
                {
                    "year": record.year,
                    "month": record.month,
                    "tax_type": record.tax_type,
                    "amount": record.amount,
                    "district_share": record.district_share,
                }
            ),
        )
        record.delete()


# --- Rollup -----------------------------------------------------------------------------------


def _contributions(
    enterprise_id: int, years: set[int] | None = None
) -> dict[tuple[int, int, str], Decimal]:
    """What one enterprise adds to the rollup now (optionally only in some years)."""
    return _contributions_many([enterprise_id], years)


def _attributed(
    spans: dict[int, list[Span]], lines: dict[int, list[TaxLine]], real_estate: set[int]
) -> dict[tuple[int, int, str], Decimal]:
    """The rollup contributions of the enterprises whose tax lines are given, summed."""
    total: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    for enterprise_id, enterprise_lines in lines.items():
        part = tax_attribution(
            spans.get(enterprise_id, []),
            enterprise_lines,
            real_estate=enterprise_id in real_estate,
        )
        for key, value in part.items():
            total[key] += value
    return total


@contextmanager
def _rollup_follows(enterprise_id: int, years: set[int] | None = None) -> Iterator[None]:
    """Apply to the rollup the difference the wrapped write makes to one enterprise's
    contributions. Call inside the write's transaction."""
    before = _contributions(enterprise_id, years)
    yield
    # Tax and occupancy writes can change the enterprise's stability grade too.
    warnings_refresh_later([enterprise_id])
    _rollup_apply(before, _contributions(enterprise_id, years))


def rollup_compute() -> dict[tuple[int, int, str], Decimal]:
    """The whole rollup computed from the tax records and occupancies (no writes)."""
    spans: dict[int, list[Span]] = defaultdict(list)
    for pk, enterprise_id, building_id, start, end, area in Occupancy.objects.values_list(
        "pk", "enterprise_id", "building_id", "start", "end", "area"
    ).iterator(chunk_size=5000):
        spans[enterprise_id].append(Span(pk, building_id, start, end, area))
    real_estate = set(Enterprise.objects.filter(industry__section="K").values_list("pk", flat=True))
    lines: dict[int, list[TaxLine]] = defaultdict(list)
    for enterprise_id, year, month, amount, share, paid in (
        TaxRecord.objects.filter(paid_in_district=True)
        .values_list(
            "enterprise_id", "year", "month", "amount", "district_share", "paid_in_district"
        )
        .iterator(chunk_size=5000)
    ):
        lines[enterprise_id].append(TaxLine(year, month, amount, share, paid))
    return dict(_attributed(spans, lines, real_estate))


def rollup_rebuild(*, actor: Any = None) -> int:
    """Recompute the building × year × 口径 rollup from scratch (repair, and after bulk loads);
    returns the number of rows written."""
    figures = rollup_compute()
    with transaction.atomic():
        BuildingYearTax.objects.all().delete()
        BuildingYearTax.objects.bulk_create(
            [
                BuildingYearTax(building_id=b, year=y, definition=d, tax=tax)
                for (b, y, d), tax in sorted(figures.items())
            ],
            batch_size=2000,
        )
        audit_record(actor=actor, action="rollup.rebuild", after={"rows": len(figures)})
    return len(figures)


# --- Batch upserts (imports, issue #3) --------------------------------------------------------
# One call writes a whole validated batch with bulk statements, in one transaction: one audit row
# for the batch plus one per created or changed row (none for unchanged rows), and the rollup
# moved by the difference the batch makes to the affected enterprises' contributions (the same
# attribution as `rollup_rebuild`, computed only for those enterprises). `dry_run=True` works out
# the same actions without writing. Rows arrive validated and resolved (ids, not names) from
# louyu/economy/imports/, which writes a large file as several batches in one transaction: it
# passes `audit_batch=False` and writes the one row for the whole file (`batch_audit`) itself.

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
    now = timezone.now()
    _bulk_insert(
        AuditLog,
        [
            {
                "at": now,
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
    """Insert new rows given as {attname: value} (absent fields get their default): COPY on
    PostgreSQL (an import's 50,000 rows in a fraction of the time of INSERTs, and no model
    instances), bulk_create elsewhere. Nothing is returned: callers look the new ids up, or
    give them (`with_pk`, from `_sequence_ids`). `rows` may be a generator: on PostgreSQL each
    row is then made while the server stores the ones sent before it."""
    if connection.vendor != "postgresql":
        objects = [model(**row) for row in rows]
        if objects:
            model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
        return
    if isinstance(rows, list) and not rows:
        return
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
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


def _contributions_many(
    enterprise_ids: Iterable[int], years: set[int] | None = None
) -> dict[tuple[int, int, str], Decimal]:
    """What a set of enterprises adds to the rollup now (optionally only in some years): the
    batch form of `_contributions`, a few queries per thousand enterprises."""
    total: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    for chunk in _chunks(sorted(set(enterprise_ids)), 1000):
        spans: dict[int, list[Span]] = defaultdict(list)
        for pk, enterprise_id, building_id, start, end, area in Occupancy.objects.filter(
            enterprise_id__in=chunk
        ).values_list("pk", "enterprise_id", "building_id", "start", "end", "area"):
            spans[enterprise_id].append(Span(pk, building_id, start, end, area))
        records = TaxRecord.objects.filter(enterprise_id__in=chunk, paid_in_district=True)
        if years is not None:
            records = records.filter(year__in=sorted(years))
        lines: dict[int, list[TaxLine]] = defaultdict(list)
        for enterprise_id, year, month, amount, share in records.values_list(
            "enterprise_id", "year", "month", "amount", "district_share"
        ):
            lines[enterprise_id].append(TaxLine(year, month, amount, share, True))
        real_estate = set(
            Enterprise.objects.filter(pk__in=chunk, industry__section="K").values_list(
                "pk", flat=True
            )
        )
        for key, value in _attributed(spans, lines, real_estate).items():
            total[key] += value
    return dict(total)


def _rollup_apply(
    before: dict[tuple[int, int, str], Decimal], after: dict[tuple[int, int, str], Decimal]
) -> int:
    """Move the rollup rows of the affected (building, year, 口径) keys by after − before, with
    the rows locked while they change; returns how many rows moved. The sums are done on
    Decimals here, not in SQL: SQLite would add them as floats and leave residues."""
    deltas = {
        key: after.get(key, Decimal(0)) - before.get(key, Decimal(0)) for key in before | after
    }
    deltas = {key: delta for key, delta in deltas.items() if delta}
    if not deltas:
        return 0
    BuildingYearTax.objects.bulk_create(
        [BuildingYearTax(building_id=b, year=y, definition=d, tax=0) for b, y, d in deltas],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )
    rows = []
    for chunk in _chunks(sorted(deltas), 500):
        buildings, years = {b for b, _, _ in chunk}, {y for _, y, _ in chunk}
        wanted = set(chunk)
        for row in BuildingYearTax.objects.select_for_update().filter(
            building_id__in=buildings, year__in=years
        ):
            key = (row.building_id, row.year, row.definition)
            if key in wanted:
                row.tax = row.tax + deltas[key]
                rows.append(row)
    BuildingYearTax.objects.bulk_update(rows, ["tax"], batch_size=BATCH_SIZE)
    return len(rows)


def _differences(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in wanted.items() if current.get(k) != v}


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


TAX_KEY = ("enterprise_id", "year", "month", "tax_type")
TAX_VALUES = ("amount", "district_share", "paid_in_district")


def tax_records_upsert(
    *,
    actor: Any,
    rows: list[dict[str, Any]],
    dry_run: bool = False,
    source: str = "",
    audit_batch: bool = True,
) -> BatchResult:
    """Create or correct tax records on (enterprise, year, month, tax type); the rollup of the
    affected enterprises' buildings and years moves by the difference. Amounts in yuan."""
    result = BatchResult("taxrecord.import")
    for row in rows:
        row["amount"], row["district_share"] = yuan(row["amount"]), yuan(row["district_share"])
        if row["district_share"] > row["amount"] >= 0:
            raise ApplicationError(
                _("The district share cannot exceed the amount."), code="share_exceeds_amount"
            )
    existing: dict[tuple[Any, ...], dict[str, Any]] = {}
    years = sorted({row["year"] for row in rows})
    for chunk in _chunks(sorted({row["enterprise_id"] for row in rows}), 2000):
        for values in TaxRecord.objects.filter(enterprise_id__in=chunk, year__in=years).values(
            "pk", *TAX_KEY, *TAX_VALUES
        ):
            existing[tuple(values[k] for k in TAX_KEY)] = values
    objects: list[TaxRecord] = []
    entries: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []
    affected: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        key = tuple(row[k] for k in TAX_KEY)
        current = existing.get(key)
        if current is None:
            result.actions.append("create")
            objects.append(TaxRecord(**row))
            entries.append(("taxrecord.create", None, audit_values(row)))
        else:
            changes = _differences(current, {k: row[k] for k in TAX_VALUES if k in row})
            if not changes:
                result.actions.append("unchanged")
                continue
            result.actions.append("update")
            objects.append(TaxRecord(**{**current, **changes}))
            before = audit_values({k: current[k] for k in changes})
            entries.append(("taxrecord.update", before, audit_values(changes)))
        affected[row["enterprise_id"]].add(row["year"])
    if dry_run or not objects:
        return result
    touched_years = set().union(*affected.values())
    with transaction.atomic():
        before_tax = _contributions_many(affected, touched_years)
        new = [obj for obj in objects if not obj.pk]
        new_rows = [
            {
                "enterprise_id": o.enterprise_id,
                "year": o.year,
                "month": o.month,
                "tax_type": o.tax_type,
                "amount": o.amount,
                "district_share": o.district_share,
                "paid_in_district": o.paid_in_district,
            }
            for o in new
        ]
        _bulk_insert(TaxRecord, new_rows)
        TaxRecord.objects.bulk_update(
            [obj for obj in objects if obj.pk], list(TAX_VALUES), batch_size=1000
        )
        _fill_tax_ids(new)
        _rollup_apply(before_tax, _contributions_many(affected, touched_years))
        warnings_refresh_later(affected)
        _audit_rows(
            actor,
            TaxRecord,
            [
                (
                    action,
                    obj.pk,
                    f"{obj.enterprise_id} {obj.year}-{obj.month:02d} {obj.tax_type}",
                    before,
                    after,
                )
                for obj, (action, before, after) in zip(objects, entries, strict=True)
            ],
        )
        if audit_batch:
            batch_audit(actor=actor, result=result, source=source)
    return result


def _fill_tax_ids(objects: list[TaxRecord]) -> None:
    enterprise_ids = sorted({o.enterprise_id for o in objects})
    years = sorted({o.year for o in objects})
    ids = {}
    for chunk in _chunks(enterprise_ids, 2000):
        records = TaxRecord.objects.filter(enterprise_id__in=chunk, year__in=years)
        for values in records.values("pk", *TAX_KEY):
            ids[tuple(values[k] for k in TAX_KEY)] = values["pk"]
    for obj in objects:
        obj.pk = ids[(obj.enterprise_id, obj.year, obj.month, obj.tax_type)]


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
