"""Reading an uploaded table: .xlsx (python-calamine) or CSV (UTF-8 with or without BOM, or
GB18030), down to a grid of cells with the row numbers the user sees in the sheet."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

EXTENSIONS = (".xlsx", ".csv")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and encrypted .xlsx)


class ReadError(Exception):
    """The file cannot be read as a table at all (wrong type, empty, damaged)."""


@dataclass
class Grid:
    """Cells of the first worksheet: `rows[i]` is sheet row `i + 1`; merged ranges as
    ((first row, first col), (last row, last col)), zero-based."""

    rows: list[list[Any]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    encoding: str = ""


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): a BOM means UTF-8; otherwise strict UTF-8, else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise ReadError(_("The CSV file is neither UTF-8 nor GB18030 text.")) from exc


def read_grid(data: bytes, filename: str) -> Grid:
    """The first worksheet of an .xlsx, or the rows of a CSV; ReadError (in Chinese) otherwise."""
    name = (filename or "").lower()
    if not name.endswith(EXTENSIONS):
        raise ReadError(
            _("Upload an .xlsx or .csv file (this file is named %(name)s).") % {"name": filename}
        )
    if not data or not data.strip(b"\xef\xbb\xbf \t\r\n,"):
        raise ReadError(_("The file is empty."))
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(data)


def _read_xlsx(data: bytes) -> Grid:
    if data.startswith(OLE_MAGIC):
        raise ReadError(
            _("This is an old .xls or an encrypted workbook: save it as .xlsx without a password.")
        )
    if not data.startswith(ZIP_MAGIC):
        raise ReadError(_("The file is not an .xlsx workbook."))
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            raise ReadError(_("The workbook has no worksheet."))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
        merged = list(sheet.merged_cell_ranges or [])
    except ReadError:
        raise
    except (CalamineError, ValueError, OSError) as exc:
        raise ReadError(_("The workbook is damaged or not an .xlsx file.")) from exc
    except Exception as exc:  # calamine raises its own types for zip/xml faults
        raise ReadError(_("The workbook is damaged or not an .xlsx file.")) from exc
    return Grid(rows=rows, merged=merged)


def _read_csv(data: bytes) -> Grid:
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)) or b"\x00" in data[:4096]:
        raise ReadError(_("The file is not CSV text (is it a workbook named .csv?)."))
    text, encoding = decode_csv(data)
    try:
        rows: list[list[Any]] = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ReadError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    return Grid(rows=rows, encoding=encoding)
