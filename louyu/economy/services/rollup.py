"""The `BuildingYearTax` rollup (building × year × 口径): what an enterprise contributes, the
incremental moves writes make, and the rebuild from scratch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import transaction

from louyu.core.services import (
    audit_record,
)
from louyu.economy.models import (
    BuildingYearTax,
    Enterprise,
    Occupancy,
    TaxRecord,
)
from louyu.economy.selectors import Span, TaxLine, tax_attribution
from louyu.economy.services.batch import BATCH_SIZE, _chunks
from louyu.economy.services_investment import warnings_refresh_later


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
