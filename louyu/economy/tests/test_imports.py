"""Imports from real files (openpyxl .xlsx, CSV in UTF-8 with BOM and GB18030): every error named
by row, column and reason, all or nothing, re-import is a no-op, the rollup stays equal to a
rebuild."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.db import IntegrityError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from louyu.core.models import AuditLog, Node
from louyu.economy import imports
from louyu.economy.imports import import_table
from louyu.economy.imports.template import template_bytes
from louyu.economy.models import (
    BuildingProfile,
    BuildingYearTax,
    Enterprise,
    Occupancy,
    TaxRecord,
    Unit,
)
from louyu.economy.services import rollup_compute
from louyu.lib.tables import decode_csv

pytestmark = pytest.mark.django_db

ENTERPRISE_HEADER = ["统一社会信用代码", "企业名称", "行业代码", "所在楼宇", "从业人数", "成立日期"]
TAX_HEADER = ["统一社会信用代码", "年度", "月份", "税种", "税额（元）", "区级留成（元）"]


def code(index: int) -> str:
    """A valid credit code (GB 32100 check digit), unique per index."""
    stem = f"91330103MA2{index:06d}"[:17]
    return stem + uscc.calc_check_digit(stem)


def xlsx(
    path: Path, rows: list[list], *, merge: str | None = None, title: str | None = None
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    book.save(path)
    return path


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def run(kind: str, path: Path, **kw):
    return import_table(kind, path.read_bytes(), path.name, actor=None, **kw)


def enterprise_rows(n: int, building: str = "坤和中心") -> list[list]:
    return [
        [code(i), f"杭州测试{i}号科技有限公司", "65", building, 10 + i, date(2010, 1, 1 + i % 28)]
        for i in range(1, n + 1)
    ]


class ReadingTests:
    def test_it_decodes_utf8_with_and_without_bom_and_gb18030(self):
        assert decode_csv("名称".encode("utf-8-sig")) == ("名称", "utf-8-sig")
        assert decode_csv("名称".encode()) == ("名称", "utf-8")
        assert decode_csv("坤和中心".encode("gb18030")) == ("坤和中心", "gb18030")


class EnterpriseImportTests:
    def test_it_imports_an_xlsx_and_reimport_changes_nothing(self, economy, tmp_path):
        path = xlsx(tmp_path / "企业.xlsx", [ENTERPRISE_HEADER, *enterprise_rows(3)])
        preview = run("enterprises", path, dry_run=True)
        assert preview.ok, preview.errors
        assert preview.counts == {"created": 3, "updated": 0, "unchanged": 0, "total": 3}
        assert preview.preview[0]["row"] == 2 and preview.preview[0]["action"] == "create"
        assert not Enterprise.objects.filter(credit_code=code(1)).exists()

        result = run("enterprises", path)
        assert result.ok and result.counts["created"] == 3
        first = Enterprise.objects.get(credit_code=code(1))
        assert first.building == economy.kunhe and first.industry.code == "65"
        assert first.employees == 11 and first.founded_on == date(2010, 1, 2)
        assert "hangzhouceshi" in first.search_names
        audits = AuditLog.objects.count()

        again = run("enterprises", path)
        assert again.counts == {"created": 0, "updated": 0, "unchanged": 3, "total": 3}
        assert AuditLog.objects.count() == audits  # no audit noise for unchanged rows

    def test_it_gives_every_new_enterprise_its_id_search_names_and_audit(
        self, economy, tmp_path, monkeypatch
    ):
        from louyu.lib import pinyin
        from louyu.lib.pinyin import search_names

        # Chunks of 4 names: spelled by the worker process, ahead of the writes.
        monkeypatch.setattr(pinyin, "AHEAD_CHUNK", 4)
        rows = enterprise_rows(11)
        rows[5][1] = "重庆长乐银行有限公司"
        result = run("enterprises", xlsx(tmp_path / "many.xlsx", [ENTERPRISE_HEADER, *rows]))
        assert result.ok and result.counts["created"] == 11
        created = Enterprise.objects.filter(credit_code__in=[code(i) for i in range(1, 12)])
        assert {e.credit_code: e.search_names for e in created} == {
            row[0]: search_names(row[1]) for row in rows
        }
        assert "chongqingchangleyinhang" in created.get(credit_code=code(6)).search_names
        audit = AuditLog.objects.get(action="enterprise.import")
        assert audit.after["created_ids"] == sorted(e.pk for e in created)

    def test_a_large_file_starts_the_pinyin_worker_before_it_is_read(
        self, economy, tmp_path, monkeypatch
    ):
        started = []
        monkeypatch.setattr(imports, "WORKER_FILE_BYTES", 1)
        monkeypatch.setattr(imports, "start_worker", lambda: started.append(True))
        path = xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, *enterprise_rows(2)])
        assert run("enterprises", path, dry_run=True).ok and not started  # a dry run spells none
        assert run("enterprises", path).ok and started == [True]

    def test_it_updates_changed_rows_and_keeps_the_former_name(self, economy, tmp_path):
        run("enterprises", xlsx(tmp_path / "a.xlsx", [ENTERPRISE_HEADER, *enterprise_rows(2)]))
        rows = enterprise_rows(2)
        rows[1][1] = "杭州改名科技有限公司"
        result = run("enterprises", xlsx(tmp_path / "b.xlsx", [ENTERPRISE_HEADER, *rows]))
        assert result.counts == {"created": 0, "updated": 1, "unchanged": 1, "total": 2}
        renamed = Enterprise.objects.get(credit_code=code(2))
        assert renamed.name == "杭州改名科技有限公司"
        assert renamed.former_names == ["杭州测试2号科技有限公司"]
        audit = AuditLog.objects.filter(action="enterprise.update").latest("id")
        assert audit.before == {"name": "杭州测试2号科技有限公司"}
        assert AuditLog.objects.filter(action="enterprise.import").count() == 2

    def test_it_accepts_lower_case_codes_and_english_headers(self, economy, tmp_path):
        rows = [["credit code", "name"], [code(7).lower(), "Lower Case Ltd"]]
        result = run("enterprises", xlsx(tmp_path / "e.xlsx", rows))
        assert result.ok, result.errors
        assert Enterprise.objects.filter(credit_code=code(7)).exists()

    def test_one_bad_row_imports_nothing_and_names_row_column_and_reason(self, economy, tmp_path):
        rows = enterprise_rows(4)
        rows[2][0] = "91330103MA2000003X"  # wrong check digit, sheet row 4
        result = run("enterprises", xlsx(tmp_path / "bad.xlsx", [ENTERPRISE_HEADER, *rows]))
        assert not result.ok
        assert result.errors == [(4, "统一社会信用代码", result.errors[0][2])]
        assert "统一社会信用代码" in result.errors[0][2] or "GB 32100" in result.errors[0][2]
        assert not Enterprise.objects.filter(
            credit_code__in=[code(i) for i in range(1, 5)]
        ).exists()

    def test_it_collects_every_error(self, economy, tmp_path):
        rows = enterprise_rows(5)
        rows[0][4] = "很多"  # employees: not a number (row 2)
        rows[1][2] = "99"  # unknown industry (row 3)
        rows[2][3] = "不存在大厦"  # unknown building (row 4)
        rows[3][0] = rows[4][0]  # duplicate key (row 6 repeats row 5)
        rows[4][5] = "明天"  # bad date (row 6)
        result = run("enterprises", xlsx(tmp_path / "bad.xlsx", [ENTERPRISE_HEADER, *rows]))
        found = {(row, column) for row, column, _ in result.errors}
        assert found == {
            (2, "从业人数"),
            (3, "行业代码"),
            (4, "所在楼宇"),
            (6, "成立日期"),
            (6, "统一社会信用代码"),
        }
        assert all(reason for _, _, reason in result.errors)
        assert Enterprise.objects.count() == 2

    def test_it_reports_the_duplicate_with_the_first_row(self, economy, tmp_path):
        rows = enterprise_rows(2)
        rows[1][0] = rows[0][0].lower()
        result = run("enterprises", xlsx(tmp_path / "dup.xlsx", [ENTERPRISE_HEADER, *rows]))
        assert [(r, c) for r, c, _ in result.errors] == [(3, "统一社会信用代码")]
        assert "2" in result.errors[0][2]

    def test_it_refuses_merged_header_cells(self, economy, tmp_path):
        header = ["统一社会信用代码", "企业名称", "", "从业人数"]
        path = xlsx(tmp_path / "merged.xlsx", [header, [code(1), "甲", "", 3]], merge="B1:C1")
        result = run("enterprises", path)
        assert not result.ok
        assert result.errors[0][0] == 1 and result.errors[0][1] == "企业名称"
        assert not Enterprise.objects.filter(credit_code=code(1)).exists()

    def test_it_skips_a_title_row_above_the_header(self, economy, tmp_path):
        path = xlsx(
            tmp_path / "t.xlsx", [ENTERPRISE_HEADER, *enterprise_rows(1)], title="2013年企业名录"
        )
        result = run("enterprises", path, dry_run=True)
        assert result.ok, result.errors
        assert result.preview[0]["row"] == 3

    def test_it_names_missing_required_columns(self, economy, tmp_path):
        result = run("enterprises", xlsx(tmp_path / "m.xlsx", [["企业名称"], ["甲"]]))
        assert result.errors == [(1, "统一社会信用代码", result.errors[0][2])]

    def test_it_turns_away_files_that_are_not_tables(self, economy, tmp_path):
        cases = {
            "empty.xlsx": b"",
            "notes.txt": b"hello",
            "fake.xlsx": b"this is not a zip",
            "zip.xlsx": b"PK\x03\x04garbage",
            "book.csv": b"PK\x03\x04\x00\x00",
            "empty.csv": b"\xef\xbb\xbf\r\n",
        }
        for name, data in cases.items():
            result = import_table("enterprises", data, name, actor=None)
            assert len(result.errors) == 1 and result.errors[0][0] == 0, name

    def test_it_reports_a_header_only_file(self, economy, tmp_path):
        result = run("enterprises", xlsx(tmp_path / "h.xlsx", [ENTERPRISE_HEADER]))
        assert not result.ok and result.errors[0][0] == 2

    def test_it_reads_csv_in_gb18030_and_utf8_with_bom(self, economy, tmp_path):
        rows = [ENTERPRISE_HEADER, *enterprise_rows(2)]
        for i, encoding in enumerate(("gb18030", "utf-8-sig")):
            data = csv_bytes([[str(c) for c in r] for r in rows], encoding)
            result = import_table("enterprises", data, f"企业{i}.csv", actor=None)
            assert result.ok, result.errors
        assert Enterprise.objects.get(credit_code=code(2)).name == "杭州测试2号科技有限公司"

    def test_a_street_cadre_may_not_write_outside_the_street(self, economy, tmp_path):
        path = xlsx(
            tmp_path / "s.xlsx",
            [ENTERPRISE_HEADER, *enterprise_rows(1, building="浙江省外经贸广场")],
        )
        result = run("enterprises", path, paths=[economy.world.nodes["street"].path])
        assert [(r, c) for r, c, _ in result.errors] == [(2, "所在楼宇")]


class TaxImportTests:
    def test_it_imports_tax_and_keeps_the_rollup_equal_to_a_rebuild(self, economy, tmp_path):
        mine = economy.world.scopes["enterprise"]
        rows = [
            [mine.credit_code, 2014, m, "增值税", "200000.50", "80000.20"] for m in range(1, 13)
        ]
        rows.append([mine.credit_code, 2013, 1, "vat", "1500000", "600000"])  # a correction
        result = run("tax", xlsx(tmp_path / "tax.xlsx", [TAX_HEADER, *rows]))
        assert result.ok, result.errors
        assert result.counts == {"created": 12, "updated": 1, "unchanged": 0, "total": 13}
        assert nonzero_rollup() == nonzero(rollup_compute())
        kunhe_2014 = BuildingYearTax.objects.get(
            building=economy.kunhe, year=2014, definition="total"
        )
        assert kunhe_2014.tax == Decimal("2400006.00")
        again = run("tax", xlsx(tmp_path / "tax2.xlsx", [TAX_HEADER, *rows]))
        assert again.counts["unchanged"] == 13

    def test_it_refuses_a_share_above_the_amount_and_unknown_enterprises(self, economy, tmp_path):
        mine = economy.world.scopes["enterprise"]
        rows = [
            [mine.credit_code, 2014, 1, "增值税", "100", "200"],
            [code(99), 2014, 1, "增值税", "100", "20"],
            [mine.credit_code, 2014, 13, "消费税", "abc", "20"],
        ]
        result = run("tax", xlsx(tmp_path / "tax.xlsx", [TAX_HEADER, *rows]))
        assert {(r, c) for r, c, _ in result.errors} == {
            (2, "区级留成（元）"),
            (3, "统一社会信用代码"),
            (4, "月份"),
            (4, "税种"),
            (4, "税额（元）"),
        }
        assert not TaxRecord.objects.filter(year=2014).exists()


class OtherKindsTests:
    def test_it_imports_buildings_units_and_occupancies(self, economy, tmp_path):
        buildings = [
            ["街道", "楼宇社区", "楼宇名称", "是否目标楼宇", "别名", "建筑面积（㎡）", "等级"],
            ["武林街道", "环西楼宇社区", "新建大厦", "是", "新大厦", "30000", "甲级"],
            ["武林街道", "环西楼宇社区", "坤和中心", "", "", "50000", "超甲级"],
        ]
        result = run("buildings", xlsx(tmp_path / "b.xlsx", buildings))
        assert result.ok, result.errors
        assert result.counts == {"created": 1, "updated": 1, "unchanged": 0, "total": 2}
        new = Node.objects.get(name="新建大厦")
        assert new.path == f"{economy.world.nodes['community'].path}{new.pk}/"
        assert new.is_target and "xds" in new.search_names
        assert BuildingProfile.objects.get(building=new).grade == "a"
        assert run("buildings", xlsx(tmp_path / "b2.xlsx", buildings)).counts["unchanged"] == 2

        units = [
            ["楼宇名称", "楼层", "单元号", "面积（㎡）", "状态"],
            ["新建大厦", 5, "501", "300", "空置"],
            ["新建大厦", 5, "502", "200.5", "已租已入驻"],
        ]
        result = run("units", xlsx(tmp_path / "u.xlsx", units))
        assert result.ok, result.errors
        assert Unit.objects.filter(floor__building=new).count() == 2

        mine = economy.world.scopes["enterprise"]
        occupancies = [
            ["统一社会信用代码", "楼宇名称", "入驻日期", "面积（㎡）", "单元号"],
            [mine.credit_code, "新建大厦", "2014-01-01", "800", "501、502"],
        ]
        result = run("occupancies", xlsx(tmp_path / "o.xlsx", occupancies))
        assert result.ok, result.errors
        occupancy = Occupancy.objects.get(building=new)
        assert {u.number for u in occupancy.units.all()} == {"501", "502"}
        mine.refresh_from_db()
        assert mine.building == new  # the newest occupancy's building
        assert nonzero_rollup() == nonzero(rollup_compute())
        assert run("occupancies", xlsx(tmp_path / "o2.xlsx", occupancies)).counts["unchanged"] == 1

    def test_it_refuses_an_unknown_community(self, economy, tmp_path):
        rows = [["街道", "楼宇社区", "楼宇名称"], ["武林街道", "没有这个社区", "甲楼"]]
        result = run("buildings", xlsx(tmp_path / "b.xlsx", rows))
        assert [(r, c) for r, c, _ in result.errors] == [(2, "楼宇社区")]


class ChunkedImportTests:
    """A file longer than a chunk is checked and written chunk by chunk, in one transaction
    (on PostgreSQL the server checks a chunk's foreign keys while the next is parsed)."""

    @pytest.fixture(autouse=True)
    def small_chunks(self, monkeypatch):
        monkeypatch.setattr(imports, "CHUNK_ROWS", 3)

    def test_it_writes_every_chunk_and_audits_the_file_once(self, economy, tmp_path):
        seen: list[tuple[str, int, int]] = []
        path = xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, *enterprise_rows(8)])
        result = run("enterprises", path, progress=lambda *step: seen.append(step))
        assert result.ok, result.errors
        assert result.counts == {"created": 8, "updated": 0, "unchanged": 0, "total": 8}
        assert [p["row"] for p in result.preview] == list(range(2, 10))
        created = Enterprise.objects.filter(credit_code__in=[code(i) for i in range(1, 9)])
        audit = AuditLog.objects.get(action="enterprise.import")
        assert audit.after["created"] == 8
        assert audit.after["created_ids"] == sorted(e.pk for e in created)
        assert seen == [
            ("reading", 0, 0),
            ("checking", 3, 8),
            ("writing", 3, 8),
            ("checking", 6, 8),
            ("writing", 6, 8),
            ("checking", 8, 8),
            ("writing", 8, 8),
            ("done", 8, 8),
        ]
        again = run("enterprises", path)
        assert again.counts["unchanged"] == 8
        assert AuditLog.objects.filter(action="enterprise.import").count() == 1

    def test_an_error_in_a_later_chunk_leaves_nothing_written(self, economy, tmp_path):
        rows = enterprise_rows(8)
        rows[6][2] = "ZZ"  # row 8, third chunk: an unknown industry
        rows[7][0] = code(1)  # row 9: the code of row 2, two chunks before
        result = run("enterprises", xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, *rows]))
        assert [(r, c) for r, c, _ in result.errors] == [(8, "行业代码"), (9, "统一社会信用代码")]
        assert result.errors[1][2] == "统一社会信用代码与第2行重复。"
        assert not Enterprise.objects.filter(name__startswith="杭州测试").exists()
        assert not AuditLog.objects.filter(action="enterprise.import").exists()

    def test_a_failure_after_a_chunk_is_written_leaves_nothing_written(self, economy, tmp_path):
        def progress(phase, done, total):
            if phase == "writing":
                raise RuntimeError("the job was cancelled")

        path = xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, *enterprise_rows(8)])
        with pytest.raises(RuntimeError):
            run("enterprises", path, progress=progress)
        assert not Enterprise.objects.filter(name__startswith="杭州测试").exists()

    def test_tax_over_several_chunks_keeps_the_rollup_equal_to_a_rebuild(self, economy, tmp_path):
        mine = economy.world.scopes["enterprise"]
        rows = [[mine.credit_code, 2014, m, "增值税", "1000", "400"] for m in range(1, 13)]
        result = run("tax", xlsx(tmp_path / "tax.xlsx", [TAX_HEADER, *rows]))
        assert result.ok and result.counts["created"] == 12
        assert nonzero_rollup() == nonzero(rollup_compute())
        assert AuditLog.objects.filter(action="taxrecord.import").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_foreign_key_the_database_refuses_rolls_the_whole_file_back(
    economy, tmp_path, monkeypatch
):
    """A reference that passed the checks but is gone when written (a building deleted
    meanwhile) fails the import where the database finds it: on PostgreSQL while the next
    chunk is checked, elsewhere at the commit. Nothing of the file stays."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 3)
    spec = imports.SPECS["enterprises"]
    gone = Node.objects.order_by("-pk").first().pk + 1000

    def resolve(rows, ctx, errors):
        ready = spec.resolve(rows, ctx, errors)
        return [(n, {**v, "building_id": gone} if n == 2 else v) for n, v in ready]

    monkeypatch.setitem(imports.SPECS, "enterprises", replace(spec, resolve=resolve))
    path = xlsx(tmp_path / "e.xlsx", [ENTERPRISE_HEADER, *enterprise_rows(8)])
    with pytest.raises(IntegrityError):
        run("enterprises", path)
    assert not Enterprise.objects.filter(name__startswith="杭州测试").exists()
    assert not AuditLog.objects.filter(action="enterprise.import").exists()


class TemplateTests:
    @pytest.mark.parametrize("kind", ["buildings", "units", "enterprises", "occupancies", "tax"])
    def test_it_writes_a_template_the_importer_reads(self, kind, tmp_path):
        path = tmp_path / f"{kind}.xlsx"
        path.write_bytes(template_bytes(kind))
        book = openpyxl.load_workbook(path)
        assert len(book.sheetnames) == 2
        headers = [c.value for c in book.worksheets[0][1]]
        assert all(h and not h.isascii() for h in headers)
        result = import_table(kind, path.read_bytes(), path.name, actor=None, dry_run=True)
        assert result.errors == [(2, "", result.errors[0][2])]  # header fine, no data rows


def nonzero(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if v}


def nonzero_rollup() -> dict:
    return {
        (r.building_id, r.year, r.definition): r.tax for r in BuildingYearTax.objects.exclude(tax=0)
    }


class PropertyTests:
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        st.lists(
            st.tuples(
                st.sampled_from([2012, 2013, 2014]),
                st.integers(1, 12),
                st.sampled_from(["增值税", "企业所得税", "个人所得税"]),
                st.integers(0, 10_000_000),
                st.integers(0, 100),
                st.booleans(),
                st.booleans(),
            ),
            min_size=1,
            max_size=25,
            unique_by=lambda t: (t[0], t[1], t[2], t[6]),
        )
    )
    def test_import_then_reimport_is_a_noop_and_the_rollup_matches_a_rebuild(
        self, economy, tmp_path, lines
    ):
        mine, other = economy.world.scopes["enterprise"], economy.world.scopes["other_enterprise"]
        header = [*TAX_HEADER, "是否区内缴纳"]
        rows = [
            [
                (mine if which else other).credit_code,
                year,
                month,
                tax_type,
                f"{amount / 100:.2f}",
                f"{amount * share / 10_000:.2f}",
                "是" if paid else "否",
            ]
            for year, month, tax_type, amount, share, paid, which in lines
        ]
        data = csv_bytes([header, *rows], "utf-8-sig")
        first = import_table("tax", data, "tax.csv", actor=None)
        assert first.ok, first.errors
        assert nonzero_rollup() == nonzero(rollup_compute())
        audits = AuditLog.objects.count()
        again = import_table("tax", data, "tax.csv", actor=None)
        assert again.counts["unchanged"] == len(rows)
        assert again.counts["created"] == again.counts["updated"] == 0
        assert AuditLog.objects.count() == audits


class EnterprisePropertyTests:
    @settings(
        max_examples=10,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        st.lists(
            st.tuples(
                st.integers(1, 30),
                st.sampled_from(["甲科技有限公司", "乙贸易有限公司", "丙咨询有限公司"]),
                st.sampled_from(["65", "70", "K", ""]),
                st.integers(0, 500),
                st.booleans(),
            ),
            min_size=1,
            max_size=15,
            unique_by=lambda t: t[0],
        )
    )
    def test_an_enterprise_import_then_reimport_is_a_noop(self, economy, lines):
        header = [
            "统一社会信用代码",
            "企业名称",
            "行业代码",
            "所在楼宇",
            "从业人数",
            "是否区内纳税",
        ]
        rows = [
            [code(i).lower() if lower else code(i), name, industry, "坤和中心", str(n), "是"]
            for i, name, industry, n, lower in lines
        ]
        data = csv_bytes([header, *rows], "gb18030")
        first = import_table("enterprises", data, "企业.csv", actor=None)
        assert first.ok, first.errors
        stored = {
            e.credit_code: (e.name, e.employees)
            for e in Enterprise.objects.filter(credit_code__in=[code(t[0]) for t in lines])
        }
        assert stored == {code(i): (name, n) for i, name, _, n, _ in lines}
        audits = AuditLog.objects.count()
        again = import_table("enterprises", data, "企业.csv", actor=None)
        assert again.counts == {
            "created": 0,
            "updated": 0,
            "unchanged": len(rows),
            "total": len(rows),
        }
        assert AuditLog.objects.count() == audits


class CreditCodeTests:
    ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

    @settings(max_examples=500, deadline=None)
    @given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
    def test_its_check_character_is_stdnums(self, first17):
        from louyu.economy.imports.fields import uscc_check_digit

        assert uscc_check_digit(first17) == uscc.calc_check_digit(first17)

    @settings(max_examples=500, deadline=None)
    @given(
        st.one_of(
            st.text(alphabet=ALPHABET + "abcz IO-", min_size=16, max_size=20),
            st.text(alphabet=ALPHABET, min_size=17, max_size=17).map(
                lambda s: s + uscc.calc_check_digit(s)
            ),
        )
    )
    def test_it_accepts_exactly_what_stdnum_accepts(self, value):
        from louyu.economy.imports.fields import CellError, credit_code

        try:
            got = credit_code(value)
        except CellError:
            got = None
        assert got == (uscc.compact(value) if uscc.is_valid(value) else None)
