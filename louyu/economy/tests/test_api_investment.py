"""/api/v1/economy/ warnings, vacancies and funnel: scope (outsider 404), public vacancies."""

from __future__ import annotations

import pytest
from django.urls import reverse

from louyu.core.models import AuditLog
from louyu.economy.tests.test_views_investment import VIEWERS, WRITERS, stock  # noqa: F401
from louyu.testing import assert_access_matrix


@pytest.mark.django_db
class WarningApiTests:
    def test_the_lists_are_for_government_roles(self, stock):  # noqa: F811
        world = stock["economy"].world
        for name in (
            "api:economy-warnings",
            "api:economy-warning-counts",
            "api:economy-lead-funnel",
        ):
            assert_access_matrix(world, "get", reverse(name), allowed=VIEWERS)

    def test_it_lists_warnings_with_reasons_and_filters_by_colour(self, stock):  # noqa: F811
        client = stock["economy"].world.client_for("clerk")
        body = client.get(reverse("api:economy-warnings"), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        [row] = body["results"]
        assert row["enterprise"]["name"] == "杭州坤和科技有限公司"
        assert row["colour"] == "orange"
        assert row["reasons"] == [{"trigger": "leave", "text": "有迁出意向"}]
        empty = client.get(reverse("api:economy-warnings"), {"colour": "red"}).json()
        assert empty["results"] == []
        bad = client.get(reverse("api:economy-warnings"), {"colour": "purple"})
        assert bad.status_code == 400

    def test_it_counts_by_colour(self, stock):  # noqa: F811
        client = stock["economy"].world.client_for("district")
        body = client.get(reverse("api:economy-warning-counts")).json()
        assert body == {"green": 1, "blue": 0, "yellow": 0, "orange": 1, "red": 0}

    def test_a_writer_requests_a_visit(self, stock, monkeypatch):  # noqa: F811
        world = stock["economy"].world
        url = reverse("api:economy-warning-visit", args=[stock["warning"].pk])
        assert_access_matrix(world, "post", url, allowed=WRITERS)
        assert AuditLog.objects.filter(action="warning.visit").count() == len(WRITERS)

    def test_the_funnel_counts_the_callers_leads(self, stock):  # noqa: F811
        client = stock["economy"].world.client_for("street")
        rows = {r["stage"]: r for r in client.get(reverse("api:economy-lead-funnel")).json()}
        assert rows["lead"]["current"] == 1  # 天水's lead is not the street cadre's


@pytest.mark.django_db
class PublicVacancyApiTests:
    def test_anyone_gets_only_published_listings(self, stock):  # noqa: F811
        world = stock["economy"].world
        for username in (None, "outsider", "district"):
            body = world.client_for(username).get(reverse("api:economy-vacancies")).json()
            assert [r["title"] for r in body["results"]] == ["坤和中心 18 层"]
            assert body["results"][0]["price_unit"] == "day"
            assert body["results"][0]["price_per_month"] == "127.75"
