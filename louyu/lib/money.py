"""Money is Decimal yuan, to the fen; shown as 万元 / 亿元 where people expect it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
WAN = Decimal(10_000)
YI = Decimal(100_000_000)
# 1 亩 = 10000/15 m² (≈ 666.67 m²), the statutory conversion.
SQUARE_METRES_PER_MU = Decimal(10_000) / Decimal(15)


def yuan(value: Decimal | int | str) -> Decimal:
    """A yuan amount rounded half-up to the fen."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def to_wan(value: Decimal) -> Decimal:
    """Yuan → 万元, two decimals."""
    return (value / WAN).quantize(FEN, rounding=ROUND_HALF_UP)


def to_yi(value: Decimal) -> Decimal:
    """Yuan → 亿元, two decimals (6,270,000,000 → 62.70)."""
    return (value / YI).quantize(FEN, rounding=ROUND_HALF_UP)


def ratio(part: Decimal | int, whole: Decimal | int, places: int = 4) -> Decimal | None:
    """part ÷ whole rounded half-up, or None when the whole is zero (no figure, not 0)."""
    if not whole:
        return None
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(part) / Decimal(whole)).quantize(exponent, rounding=ROUND_HALF_UP)
