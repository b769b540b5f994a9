"""Figures as people in a Chinese government office read them: 万元 / 亿元 with thousands
separators, shares as percentages, masked names."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from louyu.lib.money import to_wan, to_yi

register = template.Library()


def _grouped(value: Decimal, places: int = 2) -> str:
    return f"{value:,.{places}f}"


@register.filter
def wan(value: Any) -> str:
    """Yuan → "1,234.56" (万元); "—" for no figure."""
    if value is None or value == "":
        return "—"
    return _grouped(to_wan(Decimal(value)))


@register.filter
def yi(value: Any) -> str:
    """Yuan → "62.70" (亿元); "—" for no figure."""
    if value is None or value == "":
        return "—"
    return _grouped(to_yi(Decimal(value)))


@register.filter
def grouped(value: Any, places: int = 2) -> str:
    """A number with thousands separators; "—" for none."""
    if value is None or value == "":
        return "—"
    return _grouped(Decimal(value), int(places))


@register.filter
def percent(value: Any, places: int = 1) -> str:
    """A share (0.8532) → "85.3%"; "—" for none (no base to divide by)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value) * 100:.{int(places)}f}%"
