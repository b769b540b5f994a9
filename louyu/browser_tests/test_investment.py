"""A street cadre, on a 375 px phone in Chinese, sees an early warning and schedules a visit
with the htmx button, opens a lead and its matches; then anyone browses the public vacancy
page — axe and the CSP watching every page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from louyu.economy import services_investment as svc
from louyu.economy.models import PriceUnit
from louyu.economy.services import industry_load, occupancy_create

pytestmark = pytest.mark.browser


@pytest.fixture
def investment_world(live_world):
    cache.clear()
    industry_load()
    world = live_world
    kunhe = world.nodes["building"]
    occupancy_create(
        actor=None,
        enterprise=world.scopes["enterprise"],
        building=kunhe,
        start=date(2010, 1, 1),
        area=Decimal(500),
        intends_to_leave=True,
    )
    svc.warnings_refresh()
    listing = svc.vacancy_create(
        actor=None,
        building=kunhe,
        title="坤和中心 18 层",
        area=Decimal(600),
        price=Decimal("4.20"),
        price_unit=PriceUnit.DAY,
        contact_name="环西服务中心招商员",
        contact_phone="057187001234",
    )
    svc.vacancy_publish(actor=None, listing=listing)
    svc.lead_create(
        actor=None,
        node=world.nodes["community"],
        company="杭州云帆科技有限公司",
        contact_name="林志远",
        contact_phone="13905712345",
        area_min=Decimal(500),
        area_max=Decimal(800),
        budget=Decimal(140),
    )
    return world


def test_a_street_cadre_works_warnings_and_leads_on_a_phone(investment_world, shell, page):
    page.set_viewport_size({"width": 375, "height": 740})
    shell.login("street")
    shell.goto("/economy/warnings/")
    expect(page.locator("main h1")).to_have_text("企业预警")
    row = page.locator("main tbody tr").first
    expect(row.locator(".grade-badge")).to_have_text("高危")
    expect(row).to_contain_text("有迁出意向")
    row.get_by_role("button", name="安排走访").click()
    expect(page.locator("main tbody tr").first).to_contain_text("安排走访")
    expect(page.locator("main tbody tr").first).to_contain_text("已于")
    shell.check()

    shell.goto("/economy/leads/")
    expect(page.locator("main")).to_contain_text("139****2345")
    page.get_by_role("link", name="杭州云帆科技有限公司").click()
    shell.check()
    expect(page.locator("main")).to_contain_text("坤和中心 18 层")


def test_anyone_browses_the_public_vacancies(investment_world, shell, page):
    page.set_viewport_size({"width": 375, "height": 740})
    shell.goto("/economy/vacancies/")
    expect(page.locator("main h1")).to_have_text("楼宇招租")
    page.get_by_role("link", name="坤和中心 18 层").click()
    shell.check()
    expect(page.locator("main")).to_contain_text("057187001234")
