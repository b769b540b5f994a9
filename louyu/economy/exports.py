"""One table exporter for every economy list and report: .xlsx (xlsxwriter) or CSV (UTF-8 with BOM).

Use it from a view once the rows are scoped to the user::

    from louyu.economy.exports import Column, export_response, export_params

    fmt, unit = export_params(request.GET)            # ?format=xlsx|csv&unit=yuan|wan
    return export_response(
        actor=request.user,
        rows=rows,                                    # dicts or objects
        columns=[
            Column("rank", _("Rank"), "int"),
            Column("building.name", _("Building")),   # dotted keys reach into dicts/objects
            Column("credit_code", _("Credit code"), "id"),   # identifiers: always text
            Column("tax", _("Tax"), "money"),         # yuan in the rows; header gets the unit
            Column("growth", _("Growth"), "ratio"),
        ],
        filename="楼宇税收排名-2013",                  # no extension
        fmt=fmt,
        unit=unit,
        kind="economy.ranking",                       # names the export in the audit log
        definition=definition,                        # the 口径 (a selectors.Definition or a label)
        filters={"year": 2013},                       # recorded in the audit row
        sensitive=False,                              # True for personal data (names, phones …)
    )

What the files hold:

- **Identifiers** (`"id"` columns: credit codes, division codes, phone numbers) are written as text
  so that leading zeros and 18-character codes survive Excel.
- **Amounts** (`"money"` columns) arrive in yuan (Decimal) and are written in 元 or 万元 as the user
  chose (`unit="yuan" | "wan"`); the header says which, e.g. "税收（万元）".
- **The 口径**: the .xlsx has a second sheet "说明" (what, 口径, unit, when, by whom, how many rows)
  and the CSV ends with one "说明：…" line, so every exported figure says which definition made it.
- CSV text cells that a spreadsheet would run as a formula (=, +, -, @) are prefixed with "'".

Exports holding tax figures (any `"money"` column, or a `definition`) or personal data
(`sensitive=True`) are audited: one `export.<kind>` row with the format, unit, 口径, filters and
row count.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record
from louyu.lib.money import WAN, yuan
from louyu.lib.spreadsheets import safe_cell

FORMATS = ("xlsx", "csv")
UNITS = {"yuan": _("yuan"), "wan": _("10k yuan")}
KINDS = ("text", "id", "money", "number", "int", "date", "ratio", "bool")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Above this many rows the workbook is streamed row by row (xlsxwriter's constant_memory).
CONSTANT_MEMORY_ROWS = 5_000


@dataclass(frozen=True)
class Column:
    """One exported column: where its value comes from (a dotted key or a function of the row),
    its header and its kind (text, id, money, number, int, date, ratio, bool)."""

    key: str | Callable[[Any], Any]
    label: str | Promise
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def value(self, row: Any) -> Any:
        if callable(self.key):
            return self.key(row)
        value = row
        for part in self.key.split("."):
            if value is None:
                return None
            value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
        return value


def export_params(query: Mapping[str, Any]) -> tuple[str, str]:
    """(format, unit) from `?format=xlsx|csv&unit=yuan|wan` (defaults xlsx, yuan); a value
    outside those answers 400 with a Chinese message."""
    fmt = (query.get("format") or "xlsx").lower()
    unit = (query.get("unit") or "yuan").lower()
    _check(fmt, unit)
    return fmt, unit


def _check(fmt: str, unit: str) -> None:
    if fmt not in FORMATS:
        raise ApplicationError(_("Choose a format: xlsx or csv."), code="invalid_format")
    if unit not in UNITS:
        raise ApplicationError(_("Choose a unit: yuan or wan."), code="invalid_unit")


def header(column: Column, unit: str) -> str:
    """The column's header; amounts say their unit: "税收（万元）"."""
    label = str(column.label)
    if column.kind == "money":
        return f"{label}（{UNITS[unit]}）"
    return label


def cell(column: Column, value: Any, unit: str) -> Any:
    """The value as written: amounts converted to the unit, identifiers as text, None kept."""
    if value is None or value == "":
        return None
    if column.kind == "money":
        amount = Decimal(value)
        return yuan(amount / WAN) if unit == "wan" else yuan(amount)
    if column.kind == "id":
        return str(value)
    if column.kind == "bool":
        return _t("Yes") if value else _t("No")
    if column.kind in ("text",) and not isinstance(value, str):
        return str(value)
    return value


def definition_label(definition: Any) -> str:
    """'全口径（…）': the 口径's name and description, or the label given as is."""
    if definition is None:
        return ""
    if isinstance(definition, (str, Promise)):
        return str(definition)
    name, description = getattr(definition, "name", ""), getattr(definition, "description", "")
    return f"{name}（{description}）" if description else str(name)


def note_lines(
    *, kind: str, unit: str, definition: Any, count: int, actor: Any, title: str
) -> list[tuple[str, str]]:
    """(label, value) pairs that say what produced the figures."""
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    who = getattr(actor, "username", "") or "-"
    lines = [(_t("Export"), title), (_t("Amounts in"), str(UNITS[unit]))]
    if definition is not None:
        lines.append((_t("Definition (口径)"), definition_label(definition)))
    lines += [(_t("Rows"), str(count)), (_t("Exported at"), when), (_t("Exported by"), who)]
    return lines


def export_response(
    *,
    actor: Any,
    rows: Iterable[Any],
    columns: list[Column],
    filename: str,
    fmt: str,
    unit: str = "yuan",
    kind: str,
    definition: Any = None,
    sensitive: bool = False,
    filters: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The rows as an .xlsx or CSV download (see the module docstring); audited when the table
    holds tax figures or personal data."""
    _check(fmt, unit)
    rows = list(rows)
    headers = [header(c, unit) for c in columns]
    notes = note_lines(
        kind=kind, unit=unit, definition=definition, count=len(rows), actor=actor, title=filename
    )
    if fmt == "xlsx":
        body = _xlsx(rows, columns, headers, unit, notes)
        content_type = XLSX_TYPE
    else:
        body = _csv(rows, columns, headers, unit, notes)
        content_type = "text/csv; charset=utf-8"
    if sensitive or definition is not None or any(c.kind == "money" for c in columns):
        audit_record(
            actor=actor,
            action=f"export.{kind}",
            after={
                "format": fmt,
                "unit": unit,
                "definition": getattr(definition, "key", definition_label(definition)) or None,
                "filters": {k: str(v) for k, v in (filters or {}).items()},
                "rows": len(rows),
                "sensitive": sensitive,
            },
        )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.{fmt}")
    return response


def _csv(
    rows: list[Any],
    columns: list[Column],
    headers: list[str],
    unit: str,
    notes: list[tuple[str, str]],
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        line = []
        for column in columns:
            value = cell(column, column.value(row), unit)
            if value is None:
                line.append("")
            elif isinstance(value, str):
                line.append(safe_cell(value))
            elif isinstance(value, datetime):
                line.append(timezone.localtime(value).strftime("%Y-%m-%d %H:%M"))
            elif isinstance(value, date):
                line.append(value.isoformat())
            else:
                line.append(str(value))
        writer.writerow(line)
    writer.writerow([safe_cell(_t("Note") + "：" + "；".join(f"{k}：{v}" for k, v in notes))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(
    rows: list[Any],
    columns: list[Column],
    headers: list[str],
    unit: str,
    notes: list[tuple[str, str]],
) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "constant_memory": len(rows) > CONSTANT_MEMORY_ROWS,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    text = workbook.add_format({"num_format": "@"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    ratio = workbook.add_format({"num_format": "0.00%"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    formats = {"id": text, "money": money, "ratio": ratio, "date": day}
    sheet = workbook.add_worksheet(_t("Data"))
    sheet.freeze_panes(1, 0)
    for col, (column, title) in enumerate(zip(columns, headers, strict=True)):
        sheet.write_string(0, col, safe_cell(title), bold)
        width = 22 if column.kind == "id" else 14 if column.kind != "text" else 20
        sheet.set_column(col, col, width, formats.get(column.kind))
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = cell(column, column.value(row), unit)
            if value is None:
                continue
            if column.kind == "id" or isinstance(value, str):
                sheet.write_string(r, col, safe_cell(str(value)), formats.get(column.kind))
            elif isinstance(value, datetime):
                naive = timezone.localtime(value).replace(tzinfo=None)
                sheet.write_datetime(r, col, naive, moment)
            elif isinstance(value, date):
                sheet.write_datetime(r, col, datetime.combine(value, time()), day)
            elif isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            else:
                sheet.write_number(r, col, float(value), formats.get(column.kind))
    about = workbook.add_worksheet(_t("Notes"))
    about.set_column(0, 0, 18)
    about.set_column(1, 1, 80)
    for r, (label, value) in enumerate(notes):
        about.write_string(r, 0, safe_cell(str(label)), bold)
        about.write_string(r, 1, safe_cell(str(value)))
    workbook.close()
    return out.getvalue()
