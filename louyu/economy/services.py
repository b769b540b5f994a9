"""Every write to the building economy: archives, target sets, enterprises, occupancies and tax
records, each in one transaction with its audit row. Writes that change which tax a building
gets (tax records, occupancies, an enterprise's industry) update the `BuildingYearTax` rollup in
the same transaction by the difference they make; `rollup_rebuild` recomputes it from scratch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
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
from louyu.economy.industry_data import VERSION, industry_rows
from louyu.economy.models import (
    BuildingProfile,
    BuildingYearTax,
    Enterprise,
    Industry,
    Occupancy,
    TargetBuilding,
    TaxRecord,
    Unit,
)
from louyu.economy.selectors import Span, TaxLine, tax_attribution
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
    return occupancy


def occupancy_update(*, actor: Any, occupancy: Occupancy, **changes: Any) -> Occupancy:
    """Record a move-out (`end`), a new lease expiry, a changed area or intent to leave."""
    unknown = set(changes) - OCCUPANCY_FIELDS
    if unknown:
        raise ValueError(f"occupancy_update cannot change {sorted(unknown)}")
    with transaction.atomic(), _rollup_follows(occupancy.enterprise_id):
        audited_update(actor=actor, instance=occupancy, changes=changes, action="occupancy.update")
        _enterprise_building_sync(occupancy.enterprise)
    return occupancy


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
    spans = [
        Span(*row)
        for row in Occupancy.objects.filter(enterprise_id=enterprise_id).values_list(
            "pk", "building_id", "start", "end", "area"
        )
    ]
    records = TaxRecord.objects.filter(enterprise_id=enterprise_id)
    if years is not None:
        records = records.filter(year__in=years)
    lines = [
        TaxLine(*row)
        for row in records.values_list(
            "year", "month", "amount", "district_share", "paid_in_district"
        )
    ]
    section = (
        Enterprise.objects.filter(pk=enterprise_id)
        .values_list("industry__section", flat=True)
        .first()
    )
    return tax_attribution(spans, lines, real_estate=section == "K")


@contextmanager
def _rollup_follows(enterprise_id: int, years: set[int] | None = None) -> Iterator[None]:
    """Apply to the rollup the difference the wrapped write makes to one enterprise's
    contributions. Call inside the write's transaction."""
    before = _contributions(enterprise_id, years)
    yield
    after = _contributions(enterprise_id, years)
    deltas = {
        key: after.get(key, Decimal(0)) - before.get(key, Decimal(0)) for key in before | after
    }
    for (building_id, year, definition), delta in sorted(deltas.items()):
        if not delta:
            continue
        row, _ = BuildingYearTax.objects.get_or_create(
            building_id=building_id, year=year, definition=definition, defaults={"tax": 0}
        )
        BuildingYearTax.objects.filter(pk=row.pk).update(tax=F("tax") + delta)


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
    total: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    for enterprise_id, enterprise_lines in lines.items():
        part = tax_attribution(
            spans.get(enterprise_id, []),
            enterprise_lines,
            real_estate=enterprise_id in real_estate,
        )
        for key, value in part.items():
            total[key] += value
    return dict(total)


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
