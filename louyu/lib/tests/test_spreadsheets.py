"""Every CSV and XLSX exporter of the platform, fed hostile text, writes no formula (issue 13)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from louyu.economy.exports import Column, export_response
from louyu.lib.spreadsheets import safe_cell
from louyu.messaging import services as messaging
from louyu.messaging.models import Message
from louyu.messaging.tests.conftest import channel

HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(1,2)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


class SafeCellTests:
    def test_it_prefixes_formula_text_and_keeps_numbers(self):
        assert [safe_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
        assert safe_cell(-2) == -2
        assert safe_cell(Decimal("-2.5")) == Decimal("-2.5")
        assert safe_cell("坤和中心") == "坤和中心"
        assert safe_cell(None) is None


def economy_export(fmt):
    rows = [{"name": v, "tax": Decimal("-2")} for v in HOSTILE]
    columns = [Column("name", "=名称"), Column("tax", "税收", "money")]
    response = export_response(
        actor=None, rows=rows, columns=columns, filename="t", fmt=fmt, kind="test"
    )
    return response.content


def messaging_export(world, fmt):
    conversation = channel(world, "building")
    for body in HOSTILE:
        messaging.message_send(actor=world.enterprise, conversation=conversation, body=body)
    content, _, _ = messaging.conversation_export(
        actor=world.auditor, conversation=conversation, fmt=fmt
    )
    return content


def assert_csv_safe(content: bytes) -> None:
    cells = [c for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for c in row]
    hostile = [c for c in cells if c.lstrip("'").lstrip().startswith(("=", "+", "@", "-2+"))]
    assert hostile
    assert all(c.startswith("'") for c in hostile), hostile


def assert_xlsx_safe(content: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(content))
    strings = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    strings.append(c.value)
    hostile = [c for c in strings if c.lstrip("'").lstrip().startswith(("=", "+", "@", "-2+"))]
    assert len(hostile) >= len(HOSTILE)
    assert all(c.startswith("'") for c in hostile), hostile


@pytest.mark.django_db
class ExporterTests:
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_it_writes_no_formula_from_any_exporter(self, world, fmt):
        from louyu.messaging.services import conversation_members_sync

        conversation_members_sync()
        Message.objects.all().delete()
        check = assert_csv_safe if fmt == "csv" else assert_xlsx_safe
        check(economy_export(fmt))
        check(messaging_export(world, fmt))
