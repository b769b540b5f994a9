"""One enterprise's tax: its records by month and its tax under a 口径 by year."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce

from louyu.economy.models import Enterprise, TaxRecord
from louyu.economy.selectors.definitions import INDICATOR_BASIS, MONEY, ZERO, Definition
from louyu.lib.money import yuan


def enterprise_tax_by_month(enterprise: Enterprise, *, year: int) -> dict[str, Any]:
    """An enterprise's own tax records of a year, by month: the amount it paid (all tax types),
    the part paid in the district and that part's district-retained share, with the year's sums.
    Records as filed, before any building attribution or 口径."""
    months: dict[int, dict[str, Any]] = {
        m: {"month": m, "amount": ZERO, "in_district": ZERO, "district_share": ZERO}
        for m in range(1, 13)
    }
    records = TaxRecord.objects.filter(enterprise=enterprise, year=year).values_list(
        "month", "amount", "district_share", "paid_in_district"
    )
    for month, amount, share, paid in records:
        row = months[month]
        row["amount"] += amount
        if paid:
            row["in_district"] += amount
            row["district_share"] += share
    rows = list(months.values())
    return {
        "year": year,
        "enterprise": {"id": enterprise.pk, "name": enterprise.name},
        "months": rows,
        "amount": yuan(sum((r["amount"] for r in rows), ZERO)),
        "in_district": yuan(sum((r["in_district"] for r in rows), ZERO)),
        "district_share": yuan(sum((r["district_share"] for r in rows), ZERO)),
        "basis": str(INDICATOR_BASIS["enterprise_tax"]),
    }


def enterprise_tax_by_year(
    enterprise: Enterprise, *, definition: Definition
) -> list[dict[str, Any]]:
    """The enterprise's tax paid in the district by year under the 口径 (real estate counts
    zero where the 口径 leaves it out), and what it paid outside the district."""
    amount = "district_share" if definition.district_share else "amount"
    excluded = (
        definition.exclude_real_estate
        and enterprise.industry is not None
        and enterprise.industry.is_real_estate
    )
    rows = (
        TaxRecord.objects.filter(enterprise=enterprise)
        .order_by("year")
        .values("year")
        .annotate(
            inside=Coalesce(
                Sum(amount, filter=Q(paid_in_district=True)), Value(ZERO), output_field=MONEY
            ),
            outside=Coalesce(
                Sum("amount", filter=Q(paid_in_district=False)), Value(ZERO), output_field=MONEY
            ),
        )
    )
    return [
        {
            "year": row["year"],
            "tax": ZERO if excluded else yuan(row["inside"]),
            "paid_outside": yuan(row["outside"]),
            "excluded": excluded,
            "definition": definition.key,
        }
        for row in rows
    ]
