"""`manage.py import_data`: templates, dry run, real import, errors with a non-zero exit."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from louyu.core.models import AuditLog
from louyu.economy.models import Enterprise
from louyu.economy.tests.test_imports import ENTERPRISE_HEADER, code, enterprise_rows, xlsx

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class ImportDataCommandTests:
    def test_it_writes_a_template(self, tmp_path):
        out, _ = run("tax", "--template", str(tmp_path / "税收模板"))
        book = openpyxl.load_workbook(tmp_path / "税收模板.xlsx")
        assert book.worksheets[0]["A1"].value == "统一社会信用代码"
        assert "税收模板.xlsx" in out

    def test_dry_run_then_import_then_nothing_to_do(self, economy, tmp_path):
        path = xlsx(tmp_path / "企业.xlsx", [ENTERPRISE_HEADER, *enterprise_rows(2)])
        out, _ = run("enterprises", str(path), "--dry-run")
        assert "新增 2" in out and not Enterprise.objects.filter(credit_code=code(1)).exists()
        out, _ = run("enterprises", str(path), "--actor", "district")
        assert "新增 2" in out and Enterprise.objects.filter(credit_code=code(1)).exists()
        batch = AuditLog.objects.get(action="enterprise.import")
        assert batch.actor_name == "district" and batch.after["created"] == 2
        out, _ = run("enterprises", str(path))
        assert "未变 2" in out

    def test_it_exits_non_zero_with_every_error(self, economy, tmp_path):
        rows = enterprise_rows(3)
        rows[0][0] = "bad"
        rows[2][4] = "x"
        path = xlsx(tmp_path / "坏.xlsx", [ENTERPRISE_HEADER, *rows])
        err = io.StringIO()
        with pytest.raises(CommandError) as failure:
            call_command("import_data", "enterprises", str(path), stdout=io.StringIO(), stderr=err)
        assert "2" in str(failure.value)
        lines = err.getvalue().splitlines()
        assert lines[0].startswith("第2行\t统一社会信用代码\t")
        assert lines[1].startswith("第4行\t从业人数\t")
        assert not Enterprise.objects.filter(credit_code=code(2)).exists()

    def test_it_refuses_a_missing_file_and_an_unknown_actor(self, economy, tmp_path):
        with pytest.raises(CommandError):
            run("enterprises", str(tmp_path / "nope.xlsx"))
        path = xlsx(tmp_path / "企业.xlsx", [ENTERPRISE_HEADER, *enterprise_rows(1)])
        with pytest.raises(CommandError):
            run("enterprises", str(path), "--actor", "nobody-here")
        with pytest.raises(CommandError):
            run("enterprises")
