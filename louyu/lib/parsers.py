"""The parsers of uploaded tables, run in the isolated child process (`louyu.lib.isolated`): plain
values in and out, no Django and no settings, so the child starts in milliseconds."""

from __future__ import annotations

import csv
import io
from typing import Any

from louyu.lib.isolated import Failure


def parse_xlsx(data: bytes) -> tuple[list[list[Any]], list[Any]]:
    """(rows, merged ranges) of the first worksheet."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as error:  # calamine raises its own types for zip and XML faults
        raise Failure("damaged", str(error)) from error
    if not book.sheet_names:
        raise Failure("no_sheet")
    try:
        sheet = book.get_sheet_by_index(0)
        return sheet.to_python(skip_empty_area=False), list(sheet.merged_cell_ranges or [])
    except Exception as error:
        raise Failure("damaged", str(error)) from error


def parse_csv(text: str) -> list[list[Any]]:
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise Failure("csv", str(error)) from error
