"""Reading an uploaded table: .xlsx (python-calamine) or CSV (UTF-8 with or without BOM, or
GB18030), down to a grid of cells with the row numbers the user sees in the sheet."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
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
    """The first worksheet of an .xlsx, or the rows of a CSV; ReadError (in Chinese) otherwise.
    The file is measured against the LOUYU_IMPORT_MAX_* limits before it is read."""
    name = (filename or "").lower()
    if not name.endswith(EXTENSIONS):
        raise ReadError(
            _("Upload an .xlsx or .csv file (this file is named %(name)s).") % {"name": filename}
        )
    if not data or not data.strip(b"\xef\xbb\xbf \t\r\n,"):
        raise ReadError(_("The file is empty."))
    _check_limit(_("file size (MB)"), len(data) / 2**20, settings.LOUYU_IMPORT_MAX_BYTES / 2**20)
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    return _read_csv(data)


def _check_limit(what: str, found: float, limit: float) -> None:
    if found > limit:
        raise ReadError(
            _("The file is too large to import: its %(what)s is %(found)s, the limit %(limit)s.")
            % {"what": what, "found": _number(found), "limit": _number(limit)}
        )


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


# A cell's reference (r="XFD1048576") and a row's number (<row r="7">), in sheet XML.
CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,9})"')
CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
ROW_TAG = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]{1,9})"')
CHUNK = 1 << 20


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def sheet_extent(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int, int]:
    """(rows, columns, cells) of one worksheet, read as a stream in bounded memory: the
    farthest row and column any cell names (or the count of rows and cells without
    references) — the dense range a reader would allocate."""
    rows = columns = cells = row_tags = 0
    tail = b""
    read = 0
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            _check_limit(
                _("unpacked size (MB)"), read / 2**20, settings.LOUYU_IMPORT_MAX_UNZIPPED / 2**20
            )
            # Scan up to the last tag boundary; the rest is carried into the next chunk.
            text = tail + chunk
            cut = text.rfind(b"<")
            body, tail = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
            for letters in set(CELL_REF.findall(body)):
                columns = max(columns, _column_number(letters[0]))
                rows = max(rows, int(letters[1]))
            cells += len(CELL_TAG.findall(body))
            found_rows = ROW_TAG.findall(body)
            row_tags += len(found_rows)
            if found_rows:
                rows = max(rows, max(int(r) for r in found_rows))
            if len(tail) > CHUNK:  # one tag larger than a chunk: not a worksheet we read
                raise ReadError(_("The workbook is damaged or not an .xlsx file."))
    return max(rows, row_tags), columns, cells


def check_xlsx(data: bytes) -> None:
    """Refuse a workbook whose unpacked size, rows, columns or cells exceed the limits, before
    any reader allocates for it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            _check_limit(
                _("unpacked size (MB)"),
                declared / 2**20,
                settings.LOUYU_IMPORT_MAX_UNZIPPED / 2**20,
            )
            for member in members:
                if not (
                    member.filename.startswith("xl/worksheets/")
                    and member.filename.endswith(".xml")
                ):
                    continue
                rows, columns, cells = sheet_extent(archive, member)
                _check_limit(_("number of rows"), rows, settings.LOUYU_IMPORT_MAX_ROWS)
                _check_limit(_("number of columns"), columns, settings.LOUYU_IMPORT_MAX_COLUMNS)
                _check_limit(_("number of cells"), cells, settings.LOUYU_IMPORT_MAX_CELLS)
                _check_limit(
                    _("sheet area (rows × columns)"),
                    rows * columns,
                    settings.LOUYU_IMPORT_MAX_CELLS,
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ReadError(_("The workbook is damaged or not an .xlsx file.")) from exc


def _read_xlsx(data: bytes) -> Grid:
    if data.startswith(OLE_MAGIC):
        raise ReadError(
            _("This is an old .xls or an encrypted workbook: save it as .xlsx without a password.")
        )
    if not data.startswith(ZIP_MAGIC):
        raise ReadError(_("The file is not an .xlsx workbook."))
    check_xlsx(data)
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
    _check_limit(_("number of rows"), data.count(b"\n"), settings.LOUYU_IMPORT_MAX_ROWS)
    text, encoding = decode_csv(data)
    try:
        rows: list[list[Any]] = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        columns = max((len(row) for row in rows), default=0)
        _check_limit(_("number of columns"), columns, settings.LOUYU_IMPORT_MAX_COLUMNS)
    except csv.Error as exc:
        raise ReadError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    return Grid(rows=rows, encoding=encoding)
