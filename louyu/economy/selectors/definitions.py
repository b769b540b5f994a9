"""The 口径 (definitions), the tiers, the attribution of an enterprise's tax to buildings, the
constants every figure shares, and how the non-tax figures are made."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import DecimalField
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from louyu.core.exceptions import ApplicationError

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=18, decimal_places=2)
# 1 亩 = 10000/15 m² (louyu.lib.money.SQUARE_METRES_PER_MU): per mu = tax × 10000 ÷ (m² × 15).
MU_IN_SQUARE_METRES_DENOMINATOR = Decimal(10_000)


# --- 口径 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """A 口径: which amount counts (total tax or the district-retained share) and whether real
    estate (GB/T 4754 section K) is left out. Every figure says which one made it."""

    key: str
    name: str | Promise
    description: str | Promise
    district_share: bool
    exclude_real_estate: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": str(self.name),
            "description": str(self.description),
            "district_share": self.district_share,
            "exclude_real_estate": self.exclude_real_estate,
        }


DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition(
            "total",
            _("Total tax"),
            _("All tax paid in the district by the enterprises in the building (全口径)."),
            district_share=False,
            exclude_real_estate=False,
        ),
        Definition(
            "total_ex_real_estate",
            _("Total tax without real estate"),
            _("Total tax, leaving out real-estate enterprises (GB/T 4754 section K)."),
            district_share=False,
            exclude_real_estate=True,
        ),
        Definition(
            "district",
            _("District share"),
            _("The district-retained share of the tax paid in the district (区级留成)."),
            district_share=True,
            exclude_real_estate=False,
        ),
        Definition(
            "district_ex_real_estate",
            _("District share without real estate"),
            _("The district-retained share, leaving out real-estate enterprises."),
            district_share=True,
            exclude_real_estate=True,
        ),
    )
}


def definition_get(key: str | None = None) -> Definition:
    """The named 口径, or the configured default (LOUYU_ECONOMY_DEFINITION)."""
    key = key or settings.LOUYU_ECONOMY_DEFINITION
    try:
        return DEFINITIONS[key]
    except KeyError as exc:
        raise ApplicationError(
            _("Unknown definition. Use one of: %(keys)s.") % {"keys": ", ".join(DEFINITIONS)},
            code="unknown_definition",
        ) from exc


# --- Tiers -----------------------------------------------------------------------------------


class Tier(NamedTuple):
    key: str
    threshold: Decimal
    name: str | Promise


# Highest first; a building's tier is the highest threshold its yearly tax reaches.
TIERS: tuple[Tier, ...] = (
    Tier("10b", Decimal(10_000_000_000), _("10-billion building")),
    Tier("1b", Decimal(1_000_000_000), _("Billion building")),
    Tier("100m", Decimal(100_000_000), _("100-million building")),
    Tier("10m", Decimal(10_000_000), _("10-million building")),
)


def tier_of(tax: Decimal) -> str:
    """ "10b", "1b", "100m", "10m" or "" (below ten million yuan)."""
    return next((tier.key for tier in TIERS if tax >= tier.threshold), "")


def tier_near(tax: Decimal, margin: Decimal | None = None) -> str:
    """The tier just above the building's own when its tax is within `margin` of that tier's
    threshold (准亿元楼 for "100m"); "" otherwise. Margin defaults to LOUYU_ECONOMY_WATCH_MARGIN."""
    margin = Decimal(str(margin if margin is not None else settings.LOUYU_ECONOMY_WATCH_MARGIN))
    for tier in reversed(TIERS):
        if tax < tier.threshold:
            return tier.key if tax >= tier.threshold * margin else ""
    return ""


# --- Attribution (shared by the incremental rollup and its rebuild) ---------------------------


class Span(NamedTuple):
    """The part of an occupancy that attribution needs."""

    id: int
    building_id: int
    start: date
    end: date | None
    area: Decimal


class TaxLine(NamedTuple):
    year: int
    month: int
    amount: Decimal
    district_share: Decimal
    paid_in_district: bool


def building_of_month(spans: Iterable[Span], year: int, month: int) -> int | None:
    """The building an enterprise's tax of a month belongs to: among its occupancies overlapping
    the month, the largest by area (then the latest to start, then the newest record)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    overlapping = [s for s in spans if s.start <= last and (s.end is None or s.end >= first)]
    if not overlapping:
        return None
    return max(overlapping, key=lambda s: (s.area, s.start, s.id)).building_id


def tax_attribution(
    spans: list[Span], lines: Iterable[TaxLine], *, real_estate: bool
) -> dict[tuple[int, int, str], Decimal]:
    """One enterprise's contribution to (building id, year, definition key) under every 口径."""
    result: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    buildings: dict[tuple[int, int], int | None] = {}
    for line in lines:
        if not line.paid_in_district:
            continue
        period = (line.year, line.month)
        if period not in buildings:
            buildings[period] = building_of_month(spans, *period)
        building = buildings[period]
        if building is None:
            continue
        for definition in DEFINITIONS.values():
            if definition.exclude_real_estate and real_estate:
                continue
            value = line.district_share if definition.district_share else line.amount
            result[(building, line.year, definition.key)] += value
    return dict(result)


# --- How the non-tax figures are made ---------------------------------------------------------

# How the non-tax figures are made (they depend on no 口径; this says so with every answer).
INDICATOR_BASIS: dict[str, str | Promise] = {
    "registration_rate": _(
        "Enterprises registered in the district ÷ enterprises operating in the building on the "
        "day (by count)."
    ),
    "tax_in_district_rate": _(
        "Enterprises paying tax in the district ÷ enterprises operating in the building on the "
        "day (by count)."
    ),
    "occupancy_rate": _(
        "Area of self-used, let-and-occupied and sold units ÷ area of all units (lettable area)."
    ),
    "vacancy_rate": _("1 − occupancy rate."),
    "let_not_moved_in_area": _("Area of units let but not moved in (its own bucket)."),
    "intends_to_leave_area": _(
        "Area of the occupancies active on the day whose enterprise intends to leave."
    ),
    "industry_hhi": _(
        "Sum of squared industry shares, by number of operating enterprises with an industry."
    ),
    "dominant_industry_share": _(
        "Enterprises of the largest industry ÷ operating enterprises with an industry."
    ),
    "tax_per_m2": _("Building tax ÷ gross floor area (m²)."),
    "tax_per_mu": _("Building tax ÷ land area in mu (1 mu = 10000/15 m² ≈ 666.67 m²)."),
    "moves": _("Occupancy records starting (moved in) or ending (moved out) in the month."),
    "enterprise_tax": _(
        "Tax records as filed: amount of all tax types; in district: the part paid in the "
        "district; district share: the district-retained share of that part."
    ),
}


def indicator_basis() -> dict[str, str]:
    """How each non-tax figure is made, in the active language."""
    return {key: str(text) for key, text in INDICATOR_BASIS.items()}
