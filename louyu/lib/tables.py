"""Reading an uploaded table: .xlsx (python-calamine) or CSV (UTF-8 with or without BOM, or
GB18030), down to a grid of cells with the row numbers the user sees in the sheet.

Every upload is hostile. The file is measured first, in this process and in bounded memory
(size, an .xlsx's unpacked size, and the rows, columns and cells its sheet XML names); then it
is parsed in an isolated child process (`louyu.lib.isolated`) with LOUYU_IMPORT_READ_MEMORY and
LOUYU_IMPORT_READ_SECONDS, so a file that slips past the measures can only kill the child."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from louyu.lib.isolated import Failure, run_isolated
from louyu.lib.parsers import parse_csv, parse_xlsx

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


# In sheet XML: a cell reference's column letters and row digits (r="XFD1048576"), a row's
# number (<row r="7">) and a cell's opening tag. Plain literal-led patterns: the scan of a
# 50,000-row sheet stays a fraction of the reader's own time.
REF_COLUMN = re.compile(rb' r="([A-Z]+)[0-9]')
REF_ROW = re.compile(rb' r="[A-Z]+([0-9]+)"')
ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')
CELL_TAGS = (b"<c ", b"<c>", b"<c/>")
CHUNK = 1 << 22


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _largest(numbers: list[bytes]) -> int:
    """The largest of decimal numbers written as bytes, without converting them all."""
    if not numbers:
        return 0
    longest = len(max(numbers, key=len))
    return int(max(n for n in numbers if len(n) == longest))


def sheet_extent(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int, int]:
    """(rows, columns, cells) of one worksheet, read as a stream in bounded memory: the
    farthest row and column any cell or row names, and the number of cells (which bounds
    cells without references) — the dense range a reader would allocate."""
    rows = columns = cells = 0
    letters: set[bytes] = set()
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
            if len(tail) > CHUNK:  # one tag larger than a chunk: not a worksheet we read
                raise ReadError(_("The workbook is damaged or not an .xlsx file."))
            letters.update(REF_COLUMN.findall(body))
            rows = max(rows, _largest(REF_ROW.findall(body)), _largest(ROW_NUMBER.findall(body)))
            cells += sum(body.count(tag) for tag in CELL_TAGS)
    longest = max(letters, key=len, default=b"")
    if len(longest) > 3:
        columns = _column_number(longest)
    elif letters:
        columns = max(_column_number(name) for name in letters)
    return rows, columns, cells


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
    rows, merged = _isolated(parse_xlsx, data)
    return Grid(rows=rows, merged=merged)


def _read_csv(data: bytes) -> Grid:
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)) or b"\x00" in data[:4096]:
        raise ReadError(_("The file is not CSV text (is it a workbook named .csv?)."))
    _check_limit(_("number of rows"), data.count(b"\n"), settings.LOUYU_IMPORT_MAX_ROWS)
    text, encoding = decode_csv(data)
    rows = _isolated(parse_csv, text)
    columns = max((len(row) for row in rows), default=0)
    _check_limit(_("number of columns"), columns, settings.LOUYU_IMPORT_MAX_COLUMNS)
    return Grid(rows=rows, encoding=encoding)


def _isolated(parse: Any, payload: bytes | str) -> Any:
    """`parse(payload)` in the isolated reader; every way it can fail becomes a ReadError."""
    try:
        return run_isolated(
            parse,
            payload,
            memory_bytes=settings.LOUYU_IMPORT_READ_MEMORY,
            seconds=settings.LOUYU_IMPORT_READ_SECONDS,
        )
    except Failure as failure:
        if failure.kind == "no_sheet":
            raise ReadError(_("The workbook has no worksheet.")) from failure
        if failure.kind == "csv":
            raise ReadError(
                _("The CSV file cannot be read: %(error)s") % {"error": failure.detail}
            ) from failure
        if failure.kind == "memory":
            raise ReadError(
                _(
                    "The file needs more than %(limit)s MB of memory to read; split it into "
                    "smaller files."
                )
                % {"limit": _number(settings.LOUYU_IMPORT_READ_MEMORY // 2**20)}
            ) from failure
        if failure.kind == "timeout":
            raise ReadError(
                _(
                    "Reading the file took longer than %(seconds)s seconds; split it into "
                    "smaller files."
                )
                % {"seconds": _number(settings.LOUYU_IMPORT_READ_SECONDS)}
            ) from failure
        raise ReadError(_("The workbook is damaged or not an .xlsx file.")) from failure
