"""The one place a cell value becomes spreadsheet text: every CSV and XLSX the platform writes
goes through safe_cell, so no user-supplied text is ever read as a formula (issue 13)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# Excel, WPS and LibreOffice start a formula (or DDE command) with any of these.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula gets a leading `'`; real numbers,
    dates and None are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def write_cell(sheet: Any, row: int, col: int, value: Any, cell_format: Any = None) -> None:
    """Write to an xlsxwriter sheet: numbers as numbers, everything else with write_string
    (never write(), which turns `=...` into a formula)."""
    if value is None:
        return
    if is_number(value):
        sheet.write_number(row, col, float(value), cell_format)
    else:
        sheet.write_string(row, col, safe_cell(str(value)), cell_format)
