"""The yearly target set (目标楼宇, issue 12): services with their audit rows, the district
office's page, the `targets` import kind, the API and the dashboard's notice for a year with
tax but no target set."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.economy.imports import import_table
from louyu.economy.models import TargetBuilding
from louyu.economy.services import (
    target_add,
    target_remove,
    target_set_copy,
    target_set_replace,
)
from louyu.economy.tests.conftest import pay

pytestmark = pytest.mark.django_db

PAGE = reverse("economy:targets")
API = reverse("api:economy-targets")
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def targets(year: int) -> set[str]:
    return set(TargetBuilding.objects.filter(year=year).values_list("building__name", flat=True))


class TargetServiceTests:
    def test_add_and_remove_are_audited_with_the_reason(self, economy):
        district = economy.world.district
        target_add(actor=district, year=2013, building=economy.spare, reason="新建楼宇纳入")
        assert targets(2013) == {"坤和中心", "浙江省外经贸广场", "备用大厦"}
        added = AuditLog.objects.get(action="targetbuilding.add")
        assert added.actor_name == "district"
        assert added.after == {
            "year": 2013,
            "building": economy.spare.pk,
            "building_name": "备用大厦",
            "reason": "新建楼宇纳入",
        }
        target_remove(actor=district, year=2013, building=economy.spare, reason="录入有误")
        assert "备用大厦" not in targets(2013)
        removed = AuditLog.objects.get(action="targetbuilding.remove")
        assert removed.after["reason"] == "录入有误" and removed.before["year"] == 2013

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_a_reason_is_required(self, economy, reason):
        with pytest.raises(ApplicationError) as caught:
            target_add(
                actor=economy.world.district, year=2013, building=economy.spare, reason=reason
            )
        assert caught.value.code == "reason_required"
        with pytest.raises(ApplicationError):
            target_remove(
                actor=economy.world.district, year=2013, building=economy.kunhe, reason=reason
            )
        assert targets(2013) == {"坤和中心", "浙江省外经贸广场"}

    def test_twice_or_missing_is_refused(self, economy):
        district = economy.world.district
        with pytest.raises(ApplicationError) as caught:
            target_add(actor=district, year=2013, building=economy.kunhe, reason="x")
        assert caught.value.code == "already_target"
        with pytest.raises(ApplicationError) as caught:
            target_remove(actor=district, year=2012, building=economy.waijingmao, reason="x")
        assert caught.value.code == "not_target"

    def test_only_buildings_and_only_the_district_office(self, economy):
        world = economy.world
        with pytest.raises(ApplicationError) as caught:
            target_add(
                actor=world.district, year=2013, building=world.nodes["community"], reason="x"
            )
        assert caught.value.code == "not_a_building"
        for persona in ("street", "clerk", "outsider"):
            with pytest.raises(ApplicationError) as caught:
                target_add(
                    actor=world.users[persona], year=2013, building=economy.spare, reason="x"
                )
            assert caught.value.code == "not_in_scope"
        assert not AuditLog.objects.filter(action="targetbuilding.add").exists()

    def test_copy_fills_an_empty_or_partial_year(self, economy):
        district = economy.world.district
        assert target_set_copy(actor=district, from_year=2013, to_year=2014, reason="沿用") == 2
        assert targets(2014) == {"坤和中心", "浙江省外经贸广场"}
        # A partial year: only what is missing is added.
        target_remove(actor=district, year=2014, building=economy.kunhe, reason="调整")
        assert target_set_copy(actor=district, from_year=2013, to_year=2014) == 1
        assert targets(2014) == {"坤和中心", "浙江省外经贸广场"}
        copies = AuditLog.objects.filter(action="targetbuilding.copy").order_by("pk")
        assert [c.after["count"] for c in copies] == [2, 1]
        assert copies[0].after["reason"] == "沿用" and copies[0].after["from_year"] == 2013
        with pytest.raises(ApplicationError) as caught:
            target_set_copy(actor=district, from_year=2005, to_year=2014)
        assert caught.value.code == "nothing_to_copy"

    def test_summaries_follow_the_set(self, economy):
        from louyu.economy.selectors import definition_get, economy_summary

        paths = [economy.world.nodes["district"].path]
        before = economy_summary(year=2013, definition=definition_get(None), paths=paths)
        target_remove(
            actor=economy.world.district, year=2013, building=economy.waijingmao, reason="迁出"
        )
        after = economy_summary(year=2013, definition=definition_get(None), paths=paths)
        assert before["building_count"] == 2 and after["building_count"] == 1
        assert after["tax_total"] < before["tax_total"]

    def test_replace_still_works_and_records_the_reason(self, economy):
        result = target_set_replace(actor=None, year=2013, buildings=[economy.spare], reason="重设")
        assert result == {"added": 1, "removed": 2}
        assert AuditLog.objects.filter(action="targetbuilding.replace").latest("pk").after == {
            "year": 2013,
            "added": [economy.spare.pk],
            "removed": sorted([economy.kunhe.pk, economy.waijingmao.pk]),
            "reason": "重设",
        }


class TargetPageTests:
    def test_the_district_office_sees_the_year_grouped(self, economy):
        page = economy.world.client_for("district").get(PAGE, {"year": 2013}, **ZH)
        assert page.status_code == 200
        text = page.content.decode()
        assert "2013 年度目标楼宇" in text and "2 栋目标楼宇" in text
        assert "武林街道 · 环西楼宇社区" in text and "天水街道 · 天水楼宇社区" in text
        english = economy.world.client_for("district").get(PAGE, {"year": 2013}, **EN)
        assert "Target buildings of 2013" in english.content.decode()

    @pytest.mark.parametrize("persona", ["clerk", "street", "outsider", "enterprise", None])
    def test_everyone_else_gets_404(self, economy, persona):
        client = economy.world.client_for(persona)
        if persona is None:
            assert client.get(PAGE).status_code == 302
            return
        assert client.get(PAGE).status_code == 404
        data = {"year": 2013, "building": economy.spare.pk, "reason": "x"}
        assert client.post(reverse("economy:target_add"), data).status_code == 404
        assert client.post(reverse("economy:target_remove"), data).status_code == 404
        copy = {"year": 2014, "from_year": 2013}
        assert client.post(reverse("economy:target_copy"), copy).status_code == 404
        assert targets(2013) == {"坤和中心", "浙江省外经贸广场"} and not targets(2014)

    def test_search_add_remove_copy_and_history(self, economy):
        client = economy.world.client_for("district")
        found = client.get(PAGE, {"year": 2013, "q": "beiyong"}, **ZH).content.decode()
        assert "备用大厦" in found
        response = client.post(
            reverse("economy:target_add"),
            {"year": 2013, "building": economy.spare.pk, "reason": "新楼宇"},
            **ZH,
        )
        assert response.status_code == 302 and "备用大厦" in targets(2013)
        response = client.post(
            reverse("economy:target_remove"),
            {"year": 2013, "building": economy.kunhe.pk, "reason": ""},
            follow=True,
            **ZH,
        )
        assert "请填写变更原因" in response.content.decode() and "坤和中心" in targets(2013)
        client.post(
            reverse("economy:target_remove"),
            {"year": 2013, "building": economy.kunhe.pk, "reason": "整体迁出"},
        )
        assert "坤和中心" not in targets(2013)
        response = client.post(
            reverse("economy:target_copy"), {"year": 2014, "from_year": 2013}, follow=True, **ZH
        )
        assert targets(2014) == {"浙江省外经贸广场", "备用大厦"}
        assert "2013 年度的 2 栋目标楼宇已加入 2014 年度" in response.content.decode()
        history = client.get(PAGE, {"year": 2013}, **ZH).content.decode()
        assert "整体迁出" in history and "新楼宇" in history and "移出" in history

    def test_a_building_outside_the_district_is_404(self, economy, world):
        from louyu.core.models import Node
        from louyu.core.services import node_create

        elsewhere = node_create(actor=None, kind=Node.Kind.DISTRICT, name="上城区")
        street = node_create(actor=None, kind=Node.Kind.STREET, name="湖滨街道", parent=elsewhere)
        community = node_create(
            actor=None, kind=Node.Kind.COMMUNITY, name="湖滨楼宇社区", parent=street
        )
        building = node_create(
            actor=None, kind=Node.Kind.BUILDING, name="湖滨大厦", parent=community
        )
        response = world.client_for("district").post(
            reverse("economy:target_add"), {"year": 2013, "building": building.pk, "reason": "x"}
        )
        assert response.status_code == 404 and "湖滨大厦" not in targets(2013)


def csv_file(tmp_path, rows: list[list[str]]):
    path = tmp_path / "目标楼宇.csv"
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    return path


class TargetImportTests:
    def test_a_good_file_adds_the_targets(self, economy, tmp_path):
        path = csv_file(tmp_path, [["年度", "楼宇"], ["2014", "坤和中心"], ["2014", "备用大厦"]])
        out = io.StringIO()
        call_command("import_data", "targets", str(path), "--actor", "district", stdout=out)
        assert targets(2014) == {"坤和中心", "备用大厦"}
        rows = AuditLog.objects.filter(action="targetbuilding.add", after__year=2014)
        assert rows.count() == 2 and {r.actor_name for r in rows} == {"district"}
        assert AuditLog.objects.get(action="targetbuilding.import").after["created"] == 2
        # Again: nothing new.
        result = import_table("targets", path.read_bytes(), path.name, actor=economy.world.district)
        assert result.ok and result.counts["unchanged"] == 2

    def test_a_bad_row_writes_nothing_and_is_named(self, economy, tmp_path):
        path = csv_file(
            tmp_path,
            [["年度", "楼宇"], ["2014", "坤和中心"], ["1999", "坤和中心"], ["2014", "无此楼"]],
        )
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_data", "targets", str(path), stdout=io.StringIO(), stderr=err)
        assert not targets(2014)
        lines = err.getvalue().splitlines()
        assert any(line.startswith("第3行\t年度\t") for line in lines)
        assert "第4行\t楼宇名称\t没有名为“无此楼”的楼宇。" in lines

    def test_only_the_district_office_imports_targets(self, economy, tmp_path):
        path = csv_file(tmp_path, [["年度", "楼宇"], ["2014", "坤和中心"]])
        street = economy.world.street
        result = import_table(
            "targets",
            path.read_bytes(),
            path.name,
            actor=street,
            paths=[economy.world.nodes["street"].path],
        )
        assert not result.ok and not targets(2014)

    def test_the_import_page_offers_the_kind(self, economy):
        page = economy.world.client_for("district").get(reverse("economy:import_start"), **ZH)
        assert 'value="targets"' in page.content.decode()


class TargetApiTests:
    def test_list_add_remove_copy(self, economy):
        client = economy.world.client_for("district")
        body = client.get(API, {"year": 2013}).json()
        assert body["year"] == 2013 and body["count"] == 2
        assert {b["name"] for b in body["buildings"]} == {"坤和中心", "浙江省外经贸广场"}
        assert {b["street"] for b in body["buildings"]} == {"武林街道", "天水街道"}
        response = client.post(
            API,
            {"year": 2013, "building": economy.spare.pk, "reason": "新楼宇"},
            content_type="application/json",
        )
        assert response.status_code == 201 and response.json()["count"] == 3
        response = client.post(
            reverse("api:economy-targets-remove"),
            {"year": 2013, "building": economy.spare.pk, "reason": "撤回"},
            content_type="application/json",
        )
        assert response.status_code == 200 and response.json()["count"] == 2
        response = client.post(
            reverse("api:economy-targets-copy"), {"year": 2014}, content_type="application/json"
        )
        assert response.json() == {"year": 2014, "from_year": 2013, "added": 2, "count": 2}
        assert (
            AuditLog.objects.filter(action__startswith="targetbuilding.")
            .exclude(action="targetbuilding.replace")
            .count()
            == 3
        )

    def test_errors_answer_400_in_the_error_shape(self, economy):
        client = economy.world.client_for("district")
        assert client.get(API).status_code == 400
        response = client.post(
            API,
            {"year": 2013, "building": economy.kunhe.pk, "reason": "x"},
            content_type="application/json",
            **ZH,
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "already_target"
        response = client.post(
            API, {"year": 2013, "building": economy.spare.pk}, content_type="application/json"
        )
        assert response.status_code == 400 and "reason" in response.json()["error"]["fields"]
        response = client.post(
            API,
            {"year": 2013, "building": economy.world.nodes["street"].pk, "reason": "x"},
            content_type="application/json",
        )
        assert response.status_code == 404
        # Well-formed copies the stored years refuse are conflicts (the schema fuzz found a 400).
        copy = reverse("api:economy-targets-copy")
        for body, code in (
            ({"year": 2000}, "nothing_to_copy"),
            ({"year": 2013, "from_year": 2013}, "same_year"),
        ):
            response = client.post(copy, body, content_type="application/json", **ZH)
            assert response.status_code == 409 and response.json()["error"]["code"] == code

    @pytest.mark.parametrize("persona", ["clerk", "street", "outsider", "sysadmin"])
    def test_everyone_else_gets_404(self, economy, persona):
        client = economy.world.client_for(persona)
        assert client.get(API, {"year": 2013}).status_code == 404
        data = {"year": 2013, "building": economy.spare.pk, "reason": "x"}
        assert client.post(API, data, content_type="application/json").status_code == 404
        assert (
            client.post(
                reverse("api:economy-targets-copy"), {"year": 2014}, content_type="application/json"
            ).status_code
            == 404
        )
        assert "备用大厦" not in targets(2013) and not targets(2014)

    def test_the_schema_documents_the_endpoints(self, economy):
        schema = economy.world.client_for("district").get(reverse("api:schema"), {"format": "json"})
        paths = schema.json()["paths"]
        add = paths["/api/v1/economy/targets/"]["post"]
        assert {"201", "400", "404"} <= set(add["responses"])
        assert "/api/v1/economy/targets/copy/" in paths


class DashboardNoticeTests:
    def test_a_year_with_tax_but_no_targets_says_so(self, economy):
        pay(economy.world.scopes["enterprise"], 2014, range(1, 3), "1000")
        client = economy.world.client_for("district")
        page = client.get(reverse("economy:dashboard"), {"year": 2014}, **ZH).content.decode()
        assert "该年度尚未设定目标楼宇" in page and 'id="card-buildings"' not in page
        assert f"{PAGE}?year=2014" in page
        # The latest year shown still warns about the newer year without targets.
        latest = client.get(reverse("economy:dashboard"), **ZH).content.decode()
        assert "该年度尚未设定目标楼宇" in latest and 'id="card-buildings"' in latest
        # A clerk sees the notice without the district office's link.
        clerk = economy.world.client_for("clerk").get(
            reverse("economy:dashboard"), {"year": 2014}, **ZH
        )
        assert "该年度尚未设定目标楼宇" in clerk.content.decode()
        assert f"{PAGE}?year=2014" not in clerk.content.decode()
        target_set_copy(actor=None, from_year=2013, to_year=2014)
        page = client.get(reverse("economy:dashboard"), {"year": 2014}, **ZH).content.decode()
        assert "该年度尚未设定目标楼宇" not in page and 'id="card-buildings"' in page

    def test_no_notice_when_every_tax_year_has_targets(self, economy):
        page = economy.world.client_for("district").get(reverse("economy:dashboard"), **ZH)
        assert "该年度尚未设定目标楼宇" not in page.content.decode()
