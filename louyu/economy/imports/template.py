"""Blank .xlsx templates with the Chinese headers of each import kind: required headers in bold,
a comment on every header, identifier columns formatted as text, and a second sheet "填写说明"
that explains every column (required, what to enter, an example) and the natural key."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from louyu.economy.imports.specs import SPECS

TEMPLATE_ROWS = 5000  # rows pre-formatted as text in identifier columns


def template_filename(kind: str) -> str:
    return f"{_('Import template')}-{SPECS[kind].title}.xlsx"


def template_bytes(kind: str) -> bytes:
    """The template of `kind` as .xlsx bytes."""
    spec = SPECS[kind]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    required = book.add_format({"bold": True, "bg_color": "#FDE9D9", "border": 1})
    optional = book.add_format({"bg_color": "#F2F2F2", "border": 1})
    as_text = book.add_format({"num_format": "@"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(str(spec.title)[:31])
    sheet.freeze_panes(1, 0)
    for col, f in enumerate(spec.fields):
        sheet.write_string(0, col, f.header, required if f.required else optional)
        width = max(12, len(f.header) * 2 + 2)
        sheet.set_column(col, col, width, as_text if f.identifier else None)
        note = str(f.help) if f.help else ""
        flag = _("Required") if f.required else _("Optional")
        sheet.write_comment(0, col, f"{flag}. {note}".strip(), {"x_scale": 2})
    notes = book.add_worksheet(_("How to fill in"))
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 2, 60, wrap)
    notes.set_column(3, 3, 24)
    notes.write_string(0, 0, _("Import of %(title)s") % {"title": spec.title}, bold)
    notes.write_string(1, 0, _("Natural key"), bold)
    notes.write_string(1, 2, str(spec.key_note))
    notes.write_string(
        2,
        2,
        _(
            "Rows with the same key as stored data update it; the others are created. An empty "
            "optional cell keeps what is stored. One bad row and nothing is imported: the result "
            "lists every bad row, column and reason. .xlsx or CSV (UTF-8 or GB18030) accepted."
        ),
    )
    header = [_("Column"), _("Required"), _("What to enter"), _("Example")]
    for col, title in enumerate(header):
        notes.write_string(4, col, title, bold)
    for r, f in enumerate(spec.fields, start=5):
        notes.write_string(r, 0, f.header)
        notes.write_string(r, 1, _("Yes") if f.required else "")
        aliases = "、".join(a for a in f.aliases if a.isascii())
        help_text = str(f.help)
        if aliases:
            help_text = f"{help_text} ({_('English header')}: {aliases})".strip()
        notes.write_string(r, 2, help_text)
        notes.write_string(r, 3, str(f.example))
    book.close()
    return out.getvalue()
