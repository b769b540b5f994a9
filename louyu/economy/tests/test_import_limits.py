"""Hostile files are measured before they are read (issue #13): a tiny workbook naming a far
cell, a zip bomb, too many rows; error lists are capped with their total."""

import io
import time
import zipfile

import pytest

from louyu.economy.imports import import_table
from louyu.economy.tests.test_imports import ENTERPRISE_HEADER, csv_bytes, enterprise_rows
from louyu.lib.tables import ReadError, read_grid

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def workbook(sheet_data: str) -> bytes:
    """A real, minimal .xlsx (written with zipfile) whose first sheet holds `sheet_data`."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def one_cell_at(ref: str, row: int) -> bytes:
    return workbook(f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>')


class WorkbookLimitTests:
    def test_a_normal_workbook_is_read(self):
        data = one_cell_at("B2", 2)
        assert read_grid(data, "ok.xlsx").rows[1][1] == "x"

    @pytest.mark.parametrize(
        ("ref", "row", "what"), [("XFD1048576", 1048576, "行数"), ("Z1048576", 1048576, "行数")]
    )
    def test_a_tiny_file_naming_a_far_cell_is_refused_at_once(self, ref, row, what):
        data = one_cell_at(ref, row)
        assert len(data) < 2000
        started = time.perf_counter()
        with pytest.raises(ReadError, match=what) as caught:
            read_grid(data, "bomb.xlsx")
        assert time.perf_counter() - started < 5  # it was 34 s and 1.2 GB, or an abort
        assert "1,048,576" in str(caught.value)

    def test_a_wide_sheet_is_refused_by_its_columns(self):
        with pytest.raises(ReadError, match="列数"):
            read_grid(one_cell_at("XFD1", 1), "wide.xlsx")

    def test_a_dense_area_over_the_cell_limit_is_refused(self, settings):
        settings.LOUYU_IMPORT_MAX_CELLS = 1000
        with pytest.raises(ReadError, match="行数 × 列数"):
            read_grid(one_cell_at("CV100", 100), "area.xlsx")  # 100 × 100

    def test_a_zip_bomb_is_refused_by_its_unpacked_size(self, settings):
        settings.LOUYU_IMPORT_MAX_UNZIPPED = 1024 * 1024
        padding = "<row/>" * 400_000  # 2.4 MB of XML that compresses to a few KB
        data = workbook(padding)
        assert len(data) < 50_000
        with pytest.raises(ReadError, match="解压后"):
            read_grid(data, "bomb.xlsx")

    def test_a_file_over_the_size_limit_is_refused(self, settings):
        settings.LOUYU_IMPORT_MAX_BYTES = 1000
        with pytest.raises(ReadError, match="文件大小"):
            read_grid(b"a,b\n" * 1000, "big.csv")

    def test_a_csv_with_too_many_rows_is_refused_before_parsing(self, settings):
        settings.LOUYU_IMPORT_MAX_ROWS = 10
        with pytest.raises(ReadError, match="行数"):
            read_grid(b"a,b\n" * 11, "rows.csv")

    def test_the_import_names_the_limit_and_writes_nothing(self, world):
        result = import_table(
            "enterprises", one_cell_at("XFD1048576", 1048576), "b.xlsx", actor=None
        )
        assert not result.ok and "XFD" not in result.errors[0][2]
        assert "行数" in result.errors[0][2]


class IsolatedReaderTests:
    """What passes the measures is parsed in a child process with its own memory limit."""

    def test_a_sheet_needing_more_memory_than_the_limit_is_refused_and_nothing_else_dies(
        self, settings
    ):
        rows = "".join(
            f'<row r="{r}">'
            + "".join(
                f'<c r="{col}{r}" t="inlineStr"><is><t>单元格{r}</t></is></c>'
                for col in "ABCDEFGHIJ"
            )
            + "</row>"
            for r in range(1, 10_001)
        )
        data = workbook(rows)  # 100,000 cells: within every measure
        settings.LOUYU_IMPORT_READ_MEMORY = 8 * 2**20
        with pytest.raises(ReadError, match="8 MB 内存"):
            read_grid(data, "dense.xlsx")
        settings.LOUYU_IMPORT_READ_MEMORY = 1024 * 2**20
        assert read_grid(data, "dense.xlsx").rows[9_999][9] == "单元格10000"

    def test_a_reader_that_overruns_its_time_is_stopped(self, settings):
        settings.LOUYU_IMPORT_READ_SECONDS = 0
        with pytest.raises(ReadError, match="0 秒"):
            read_grid(b"a,b\n1,2\n", "slow.csv")

    def test_a_damaged_workbook_is_named_as_such(self):
        data = bytearray(one_cell_at("B2", 2))
        data[len(data) // 2 : len(data) // 2 + 40] = b"\x00" * 40
        with pytest.raises(ReadError, match="损坏"):
            read_grid(bytes(data), "broken.xlsx")


class ErrorCapTests:
    def test_the_error_list_is_capped_and_the_total_kept(self, world, settings):
        settings.LOUYU_IMPORT_MAX_ERRORS = 5
        rows = [[str(c) for c in row] for row in enterprise_rows(30)]
        for row in rows:
            row[0] = "not a credit code"
        data = csv_bytes([ENTERPRISE_HEADER, *rows], "utf-8")
        result = import_table("enterprises", data, "e.csv", actor=None)
        state = result.as_dict()
        assert len(state["errors"]) == 5
        assert state["error_count"] == result.error_total >= 30


class ImportPageTests:
    def test_the_limits_are_shown_on_the_import_page(self, world, settings):
        settings.LOUYU_IMPORT_MAX_ROWS = 12345
        page = world.client_for("district").get("/economy/import/").content.decode()
        assert "上限：每个文件 50 MB，12,345 行" in page
