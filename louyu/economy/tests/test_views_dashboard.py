"""The economy dashboard: tax viewers only (outsiders 404), figures under the chosen year and
口径 with the 口径 named, drill-down district → street → community → building → enterprise
inside the viewer's scope, chart data as json_script, exports."""

from __future__ import annotations

import json
import re

from django.urls import reverse

from louyu.accounts.models import Role
from louyu.accounts.services import membership_grant
from louyu.core.models import AuditLog
from louyu.testing import assert_access_matrix

DASHBOARD = "/economy/"
TAX_VIEWERS = {"district", "street", "clerk"}


def page_of(client, **params) -> str:
    response = client.get(DASHBOARD, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def chart_data(page: str) -> dict:
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page)
    assert match, "no json_script block"
    return json.loads(match.group(1))


def drill_names(page: str) -> list[str]:
    return [row["name"] for row in chart_data(page)["drill"]]


class DashboardAccessTests:
    def test_only_tax_viewers_open_it(self, economy):
        assert_access_matrix(economy.world, "get", f"{DASHBOARD}?year=2013", allowed=TAX_VIEWERS)

    def test_a_node_outside_the_scope_is_not_found(self, economy):
        world = economy.world
        street = world.client_for("street")
        for node in ("other_street", "other_community", "other_building", "district"):
            response = street.get(DASHBOARD, {"year": 2013, "node": world.nodes[node].pk})
            assert response.status_code == 404, node
        clerk = world.client_for("clerk")
        assert clerk.get(DASHBOARD, {"node": world.nodes["street"].pk}).status_code == 404
        assert street.get(DASHBOARD, {"node": "x"}).status_code == 404
        assert street.get(DASHBOARD, {"node": 999999}).status_code == 404


class DashboardFigureTests:
    def test_it_shows_the_summary_under_its_definition(self, economy):
        page = page_of(economy.world.client_for("district"), year=2013)
        data = chart_data(page)
        assert 'id="card-buildings">2<' in page
        assert "1,320.00" in page  # 13,200,000 yuan in 万元
        assert data["tiers"][0]["value"] == 1  # one 千万元楼
        assert data["definition"] in page
        assert "口径" in page

    def test_it_switches_year_and_definition(self, economy):
        client = economy.world.client_for("district")
        page = page_of(client, year=2013, definition="district")
        assert "528.00" in page  # 40% district share of 13,200,000 yuan, in 万元
        assert "selected>2013<" in page.replace('value="2013" selected>', "selected>")
        page = page_of(client, year=2012)
        assert 'id="card-buildings">1<' in page and "600.00" in page

    def test_bad_figures_fall_back_to_the_defaults(self, economy):
        page = page_of(economy.world.client_for("district"), year="abc", definition="gross")
        assert 'id="card-buildings">2<' in page  # the latest year, 2013, 全口径

    def test_a_street_cadre_sees_their_street(self, economy):
        page = page_of(economy.world.client_for("street"), year=2013)
        assert 'id="card-buildings">1<' in page and "1,200.00" in page
        assert "浙江省外经贸广场" not in page

    def test_it_has_ranking_trend_and_industry_data(self, economy):
        data = chart_data(page_of(economy.world.client_for("district"), year=2013))
        assert [r["name"] for r in data["ranking"]] == ["坤和中心", "浙江省外经贸广场"]
        assert data["trend"]["years"] == [2012, 2013]
        assert data["trend"]["buildings"] == [1, 2]
        assert data["industry"]

    def test_it_answers_in_a_fixed_number_of_queries(self, economy, django_assert_num_queries):
        # A fresh sign-in (its first request always saves the session). Fixed for a given
        # number of years: the trend costs two queries a year (two here); nothing grows with
        # the number of buildings or enterprises. One of them asks for tax years without a
        # target set (issue 12's notice).
        client = economy.world.client_for("district")
        with django_assert_num_queries(23):
            client.get(DASHBOARD, {"year": 2013})


class DrillDownTests:
    def test_a_viewer_with_two_scopes_starts_from_both(self, economy):
        world = economy.world
        membership_grant(
            actor=None,
            user=world.users["clerk"],
            role=Role.CLERK,
            scope=world.nodes["other_community"],
        )
        page = page_of(world.client_for("clerk"), year=2013)
        assert sorted(drill_names(page)) == ["天水楼宇社区", "环西楼宇社区"]
        assert 'id="card-buildings">2<' in page
        page = page_of(world.client_for("clerk"), year=2013, node=economy.waijingmao.pk)
        assert drill_names(page) == ["杭州外经贸咨询有限公司"]
        assert "?year=2013&definition=total" in page.replace("&amp;", "&")  # back to both

    def test_it_drills_down_to_an_enterprise(self, economy):
        world = economy.world
        client = world.client_for("district")
        page = page_of(client, year=2013)
        assert drill_names(page) == ["武林街道", "天水街道"]
        page = page_of(client, year=2013, node=world.nodes["street"].pk)
        assert drill_names(page) == ["环西楼宇社区"]
        assert "下城区" in page and 'aria-current="page">武林街道<' in page
        page = page_of(client, year=2013, node=world.nodes["community"].pk)
        assert drill_names(page) == ["坤和中心"]
        page = page_of(client, year=2013, node=economy.kunhe.pk)
        assert drill_names(page) == ["杭州坤和科技有限公司"]
        assert "unit-tile unit-occupied" in page  # the building's vacancy map by floor
        enterprise = world.scopes["enterprise"]
        url = reverse("economy:enterprise_detail", args=[enterprise.pk])
        assert chart_data(page)["drill"][0]["url"] == url
        assert client.get(url).status_code == 200

    def test_every_bar_links_one_level_down(self, economy):
        world = economy.world
        page = page_of(world.client_for("district"), year=2013, definition="district")
        for row in chart_data(page)["drill"]:
            assert "definition=district" in row["url"] and "year=2013" in row["url"]
            assert row["url"] in page.replace("&amp;", "&")


class DashboardExportTests:
    def test_it_exports_the_ranking_with_its_definition(self, economy):
        response = economy.world.client_for("district").get(
            reverse("economy:dashboard_export"),
            {"year": 2013, "definition": "district", "format": "csv", "unit": "wan"},
        )
        text = response.content.decode("utf-8-sig")
        assert "坤和中心" in text and "480.00" in text
        assert AuditLog.objects.filter(action="export.economy.dashboard").count() == 1

    def test_it_exports_the_drill_down_in_xlsx(self, economy):
        response = economy.world.client_for("clerk").get(
            reverse("economy:dashboard_export"), {"year": 2013, "table": "drill"}
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")

    def test_outsiders_cannot_export(self, economy):
        url = reverse("economy:dashboard_export") + "?year=2013&format=csv"
        assert_access_matrix(economy.world, "get", url, allowed=TAX_VIEWERS)
