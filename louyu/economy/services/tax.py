"""Tax records (enterprise × month × tax type): one record's save and delete, and the batch
upsert of a tax import; the rollup moves by the difference."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from louyu.core.exceptions import ApplicationError
from louyu.core.services import (
    audit_record,
    audit_values,
    audited_update,
    validate,
)
from louyu.economy.models import (
    Enterprise,
    TaxRecord,
)
from louyu.economy.services.batch import (
    BatchResult,
    _audit_rows,
    _bulk_insert,
    _chunks,
    _differences,
    batch_audit,
)
from louyu.economy.services.rollup import _contributions_many, _rollup_apply, _rollup_follows
from louyu.economy.services_investment import warnings_refresh_later
from louyu.lib.money import yuan


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
