"""The import pages (upload → dry run → preview → confirm → result, progress fragment), template
downloads and report exports: who may use them (outsider and roles without rights: 404)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from louyu.core.models import AuditLog
from louyu.economy.imports.jobs import job_state
from louyu.economy.models import Enterprise
from louyu.economy.tests.test_imports import ENTERPRISE_HEADER, code, enterprise_rows
from louyu.testing import assert_access_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, rows: list[list], kind: str = "enterprises", name: str = "企业.xlsx"):
    file = SimpleUploadedFile(name, workbook(rows))
    return client.post(reverse("economy:import_start"), {"kind": kind, "file": file})


class ImportPageTests:
    def test_only_the_district_office_and_street_cadres_may_import(self, economy):
        assert_access_matrix(
            economy.world, "get", reverse("economy:import_start"), allowed={"district", "street"}
        )
        assert_access_matrix(
            economy.world,
            "get",
            reverse("economy:import_template", args=["tax"]),
            allowed={"district", "street"},
        )

    def test_dry_run_preview_then_confirm_imports(self, economy):
        client = economy.world.client_for("district")
        response = upload(client, [ENTERPRISE_HEADER, *enterprise_rows(3)])
        assert response.status_code == 302
        job_url = response["Location"]
        job_id = job_url.rstrip("/").split("/")[-1]
        page = client.get(job_url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "杭州测试1号科技有限公司" in text and 'hx-trigger="every 1s"' not in text
        assert not Enterprise.objects.filter(credit_code=code(1)).exists()
        assert job_state(job_id)["result"]["counts"]["created"] == 3

        confirmed = client.post(reverse("economy:import_confirm", args=[job_id]))
        assert confirmed.status_code == 302
        assert Enterprise.objects.filter(credit_code__in=[code(i) for i in (1, 2, 3)]).count() == 3
        new_id = confirmed["Location"].rstrip("/").split("/")[-1]
        result = client.get(reverse("economy:import_progress", args=[new_id]))
        assert result.status_code == 200 and "every 1s" not in result.content.decode()
        assert AuditLog.objects.filter(action="enterprise.import").count() == 1
        # Confirming twice does not import twice.
        again = client.post(reverse("economy:import_confirm", args=[job_id]))
        assert again["Location"] == confirmed["Location"]

    def test_a_bad_file_lists_every_error_and_cannot_be_confirmed(self, economy):
        client = economy.world.client_for("district")
        rows = enterprise_rows(2)
        rows[0][0] = "not a code"
        rows[1][4] = "many"
        response = upload(client, [ENTERPRISE_HEADER, *rows])
        job_id = response["Location"].rstrip("/").split("/")[-1]
        text = client.get(response["Location"]).content.decode()
        assert "统一社会信用代码" in text and "从业人数" in text
        assert job_state(job_id)["result"]["errors"][0][0] == 2
        refused = client.post(reverse("economy:import_confirm", args=[job_id]))
        assert refused.status_code in (302, 400)
        assert Enterprise.objects.count() == 2

    def test_a_job_is_visible_only_to_whoever_started_it(self, economy):
        client = economy.world.client_for("district")
        response = upload(client, [ENTERPRISE_HEADER, *enterprise_rows(1)])
        job_url = response["Location"]
        assert economy.world.client_for("street").get(job_url).status_code == 404
        assert economy.world.client_for("outsider").get(job_url).status_code == 404
        job_id = job_url.rstrip("/").split("/")[-1]
        confirm = reverse("economy:import_confirm", args=[job_id])
        assert economy.world.client_for("street").post(confirm).status_code == 404
        assert not Enterprise.objects.filter(credit_code=code(1)).exists()

    def test_the_form_refuses_other_file_types(self, economy):
        client = economy.world.client_for("district")
        file = SimpleUploadedFile("data.txt", b"hello")
        response = client.post(
            reverse("economy:import_start"), {"kind": "enterprises", "file": file}
        )
        assert response.status_code == 200 and "is-invalid" in response.content.decode()

    def test_a_street_cadre_import_stays_in_the_street(self, economy):
        client = economy.world.client_for("street")
        rows = enterprise_rows(1, building="浙江省外经贸广场")
        response = upload(client, [ENTERPRISE_HEADER, *rows])
        job_id = response["Location"].rstrip("/").split("/")[-1]
        errors = job_state(job_id)["result"]["errors"]
        assert [(r, c) for r, c, _ in errors] == [(2, "所在楼宇")]

    def test_the_template_is_an_xlsx(self, economy):
        response = economy.world.client_for("district").get(
            reverse("economy:import_template", args=["enterprises"])
        )
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book.worksheets[0]["A1"].value == "统一社会信用代码"


class ReportExportTests:
    def test_ranking_export_follows_the_tax_scope(self, economy):
        url = reverse("economy:export_ranking") + "?year=2013&format=csv&unit=wan"
        assert_access_matrix(economy.world, "get", url, allowed={"district", "street", "clerk"})

    def test_ranking_export_in_wan_says_its_definition_and_is_audited(self, economy):
        client = economy.world.client_for("district")
        url = reverse("economy:export_ranking") + "?year=2013&definition=total&format=csv&unit=wan"
        response = client.get(url)
        text = response.content.decode("utf-8-sig")
        assert "税收（万元）" in text.splitlines()[0]
        assert "1200.00" in text  # 坤和中心: 12,000,000 yuan = 1,200 万元
        assert "全口径" in text.splitlines()[-1] or "Total" in text.splitlines()[-1]
        audit = AuditLog.objects.get(action="export.economy.ranking")
        assert audit.after["rows"] == 2 and audit.after["filters"]["year"] == "2013"

    def test_breakdown_export_is_an_xlsx_for_the_street(self, economy):
        client = economy.world.client_for("street")
        response = client.get(reverse("economy:export_breakdown") + "?year=2013&format=xlsx")
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        rows = list(book.worksheets[0].values)
        assert rows[0][0] and rows[1][0] == "环西楼宇社区"
        outsider = economy.world.client_for("outsider")
        street = economy.world.nodes["street"].pk
        url = reverse("economy:export_breakdown") + f"?year=2013&street={street}"
        assert outsider.get(url).status_code == 404


class ImportJobTests:
    def test_a_job_of_a_disabled_account_writes_nothing(self, economy, monkeypatch):
        from django.core.files.storage import default_storage

        from louyu.economy.imports import jobs

        monkeypatch.setattr(jobs, "_enqueue", lambda job_id: None)
        user = economy.world.users["district"]
        data = workbook([ENTERPRISE_HEADER, *enterprise_rows(1)])
        job_id = jobs.job_start(
            actor=user, kind="enterprises", filename="企业.xlsx", data=data, paths=None
        )
        stored = job_state(job_id)["stored"]
        assert job_state(job_id)["status"] == "queued" and default_storage.exists(stored)
        user.is_active = False
        user.save(update_fields=["is_active"])
        result = jobs.job_run(job_id)
        assert not result["ok"] and job_state(job_id)["status"] == "failed"
        assert not default_storage.exists(stored)
        assert not Enterprise.objects.filter(credit_code=code(1)).exists()
