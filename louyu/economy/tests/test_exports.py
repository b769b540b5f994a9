"""The table exporter: identifiers stay text, amounts in 元 or 万元 with the unit in the header,
the 口径 in the file, CSV with BOM, formula-looking text defused, tax and personal data audited."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.economy.exports import Column, export_params, export_response
from louyu.economy.selectors import definition_get

pytestmark = pytest.mark.django_db

ROWS = [
    {"code": "0012345678901234567", "name": "=HYPERLINK()", "tax": Decimal("12345678.90"),
     "on": date(2013, 6, 30), "share": Decimal("0.1234"), "building": {"name": "坤和中心"}},
    {"code": "91330103MA2CFK1A3R", "name": "乙", "tax": None, "on": None, "share": None,
     "building": None},
]  # fmt: skip
COLUMNS = [
    Column("code", "信用代码", "id"),
    Column("name", "名称"),
    Column("building.name", "楼宇"),
    Column("tax", "税收", "money"),
    Column("on", "日期", "date"),
    Column("share", "占比", "ratio"),
]


def export(fmt: str, unit: str = "yuan", **kw):
    values = {
        "actor": None,
        "rows": ROWS,
        "columns": COLUMNS,
        "filename": "测试导出",
        "fmt": fmt,
        "unit": unit,
        "kind": "test",
    }
    values.update(kw)
    return export_response(**values)


class XlsxTests:
    def test_it_keeps_identifiers_as_text_and_converts_amounts(self):
        response = export("xlsx", "wan", definition=definition_get("total"))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "filename*=utf-8''" in response["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        data, notes = book.worksheets
        assert [c.value for c in data[1]] == [
            "信用代码",
            "名称",
            "楼宇",
            "税收（万元）",
            "日期",
            "占比",
        ]
        assert data["A2"].value == "0012345678901234567" and data["A2"].data_type == "s"
        assert data["B2"].value == "'=HYPERLINK()" and data["B2"].data_type == "s"
        assert data["D2"].value == pytest.approx(1234.57)
        assert data["E2"].value.date() == date(2013, 6, 30)
        assert data["D3"].value is None
        note = " ".join(str(c.value) for row in notes.iter_rows() for c in row)
        assert "全口径" in note or "Total tax" in note
        assert "万元" in note or "10k yuan" in note

    def test_it_streams_large_tables(self):
        rows = [{"code": f"{i:018d}", "tax": Decimal(i)} for i in range(6000)]
        columns = [Column("code", "代码", "id"), Column("tax", "税收", "money")]
        response = export("xlsx", rows=rows, columns=columns)
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        values = list(book.worksheets[0].values)
        assert len(values) == 6001 and values[6000][0] == "000000000000005999"


class CsvTests:
    def test_it_writes_utf8_with_bom_and_a_note_line(self):
        response = export("csv", "yuan", definition=definition_get("district"))
        assert response.content.startswith(b"\xef\xbb\xbf")
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "信用代码,名称,楼宇,税收（元）,日期,占比"
        assert lines[1].startswith(
            "0012345678901234567,'=HYPERLINK(),坤和中心,12345678.90,2013-06-30"
        )
        assert lines[2] == "91330103MA2CFK1A3R,乙,,,,"
        assert "区级" in lines[-1] or "District share" in lines[-1]


class AuditTests:
    def test_tax_exports_are_audited_with_filters_and_row_count(self):
        export("csv", filters={"year": 2013})
        audit = AuditLog.objects.get(action="export.test")
        assert audit.after["rows"] == 2 and audit.after["filters"] == {"year": "2013"}

    def test_personal_data_is_audited_plain_lists_are_not(self):
        columns = [Column("name", "名称")]
        export("csv", columns=columns)
        assert not AuditLog.objects.filter(action="export.test").exists()
        export("csv", columns=columns, sensitive=True)
        assert AuditLog.objects.get(action="export.test").after["sensitive"] is True


class ParamsTests:
    def test_it_reads_format_and_unit_with_defaults(self):
        assert export_params({}) == ("xlsx", "yuan")
        assert export_params({"format": "CSV", "unit": "wan"}) == ("csv", "wan")

    def test_it_refuses_other_values(self):
        with pytest.raises(ApplicationError):
            export_params({"format": "pdf"})
        with pytest.raises(ApplicationError):
            export_params({"unit": "yi"})
