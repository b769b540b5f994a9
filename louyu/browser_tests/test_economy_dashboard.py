"""A district officer, in Chinese, opens the economy dashboard, sees the charts drawn, switches
year and 口径, and drills down district → street → building community → building → enterprise
— at 1280 px and at 375 px, with axe and the CSP watching every page."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from louyu.economy.models import Floor, Unit
from louyu.economy.services import (
    building_profile_save,
    industry_load,
    occupancy_create,
    target_set_replace,
    tax_record_save,
)

pytestmark = pytest.mark.browser

CHARTS = ("drill", "ranking", "tiers", "trend", "industry")


@pytest.fixture
def economy_world(live_world):
    """坤和中心 (12 million yuan in 2013, 6 million in 2012) and 浙江省外经贸广场 (1.2 million)."""
    industry_load()
    world = live_world
    kunhe, other = world.nodes["building"], world.nodes["other_building"]
    building_profile_save(actor=None, building=kunhe, gross_floor_area=Decimal(50000))
    target_set_replace(actor=None, year=2012, buildings=[kunhe])
    target_set_replace(actor=None, year=2013, buildings=[kunhe, other])
    floor = Floor.objects.create(building=kunhe, number=8)
    unit = Unit.objects.create(floor=floor, number="801", area=Decimal(500), state="occupied")
    Unit.objects.create(floor=floor, number="802", area=Decimal(300), state="vacant")
    mine, theirs = world.scopes["enterprise"], world.scopes["other_enterprise"]
    start = date(2010, 1, 1)
    occupancy_create(
        actor=None, enterprise=mine, building=kunhe, start=start, area=Decimal(500), units=[unit]
    )
    occupancy_create(actor=None, enterprise=theirs, building=other, start=start, area=Decimal(300))
    for enterprise, year, amount in (
        (mine, 2013, 1_000_000),
        (mine, 2012, 500_000),
        (theirs, 2013, 100_000),
    ):
        for month in range(1, 13):
            tax_record_save(
                actor=None,
                enterprise=enterprise,
                year=year,
                month=month,
                tax_type="vat",
                amount=Decimal(amount),
                district_share=Decimal(amount) * Decimal("0.4"),
            )
    return world


def assert_charts_drawn(page) -> None:
    """Every chart has a canvas with something painted on it."""
    for name in CHARTS:
        chart = page.locator(f'[data-chart="{name}"]')
        expect(chart).to_have_attribute("data-rendered", "true")
        painted = chart.locator("canvas").first.evaluate(
            """canvas => {
                const data = canvas.getContext("2d")
                    .getImageData(0, 0, canvas.width, canvas.height).data;
                for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) return true; }
                return false;
            }"""
        )
        assert painted, name


def click_first_bar(page, chart: str) -> None:
    """Click the first bar of a horizontal bar chart where ECharts says it is drawn."""
    element = page.locator(f'[data-chart="{chart}"]')
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    x, y = element.evaluate(
        """el => {
            const chart = echarts.getInstanceByDom(el);
            const value = chart.getOption().series[0].data[0].value;
            return chart.convertToPixel({seriesIndex: 0}, [value / 2, 0]);
        }"""
    )
    page.mouse.click(box["x"] + x, box["y"] + y)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def walk_the_dashboard(shell, world) -> None:
    page = shell.page
    shell.login("district")
    menu = page.get_by_role("button", name="楼宇经济")
    if not menu.is_visible():
        page.get_by_role("button", name="菜单").click()
    menu.click()
    page.locator("#louyu-nav").get_by_role("link", name="经济驾驶舱").click()
    page.wait_for_url(re.compile(r"/economy/"))
    shell.check()
    expect(page.locator("main h1")).to_have_text("经济驾驶舱")
    expect(page.locator("#card-buildings")).to_have_text("2")
    expect(page.locator("#dashboard-definition")).to_contain_text("口径")
    assert_charts_drawn(page)

    # Another year, then another 口径: the selectors apply on change.
    page.get_by_label("年份").select_option("2012")
    page.wait_for_url(re.compile(r"year=2012"))
    expect(page.locator("#card-buildings")).to_have_text("1")
    page.get_by_label("口径", exact=True).select_option("district")
    page.wait_for_url(re.compile(r"definition=district"))
    shell.check()
    expect(page.locator("#card-tax")).to_contain_text("0.02")  # 2,400,000 yuan in 亿元
    expect(page.locator("#dashboard-definition")).to_contain_text("区级")
    assert_charts_drawn(page)
    page.get_by_label("年份").select_option("2013")
    page.wait_for_url(re.compile(r"year=2013"))

    # Drill down: a bar of the chart, then the rows of the table.
    click_first_bar(page, "drill")
    page.wait_for_url(re.compile(rf"node={world.nodes['street'].pk}"))
    shell.check()
    expect(page.locator("#dashboard-breadcrumb")).to_contain_text("武林街道")
    assert "definition=district" in page.url
    page.locator("#drill-table").get_by_role("link", name="环西楼宇社区").click()
    page.wait_for_url(re.compile(rf"node={world.nodes['community'].pk}"))
    page.locator("#drill-table").get_by_role("link", name="坤和中心").click()
    page.wait_for_url(re.compile(rf"node={world.nodes['building'].pk}"))
    shell.check()
    assert_charts_drawn(page)
    page.locator("#drill-table").get_by_role("link", name="杭州坤和科技有限公司").click()
    page.wait_for_url(re.compile(r"/economy/enterprises/\d+/"))
    shell.check()
    expect(page.locator("main h1")).to_have_text("杭州坤和科技有限公司")

    # Back up the breadcrumb from the building to the district.
    page.go_back()
    page.get_by_role("navigation", name="下钻路径").get_by_role("link", name="下城区").click()
    page.wait_for_url(re.compile(rf"node={world.nodes['district'].pk}"))
    expect(page.locator("#card-buildings")).to_have_text("2")


class DashboardTests:
    def test_a_district_officer_walks_the_dashboard(self, shell, economy_world):
        walk_the_dashboard(shell, economy_world)

    def test_the_building_archive_shows_the_vacancy_map(self, shell, economy_world):
        shell.login("district")
        shell.goto(f"/economy/buildings/{economy_world.nodes['building'].pk}/?year=2013")
        page = shell.page
        expect(page.locator(".unit-tile.unit-vacant")).to_contain_text("空置")
        expect(page.locator(".unit-tile.unit-occupied")).to_contain_text("801")


class SmallScreenDashboardTests:
    @pytest.fixture
    def browser_context_args(self, browser_context_args):
        return {**browser_context_args, "viewport": {"width": 375, "height": 812}}

    def test_a_district_officer_walks_the_dashboard_on_a_phone(self, shell, economy_world):
        walk_the_dashboard(shell, economy_world)
        assert no_horizontal_scroll(shell.page)

    def test_the_charts_stack_and_fit_the_phone(self, shell, economy_world):
        shell.login("district")
        shell.goto("/economy/?year=2013")
        page = shell.page
        assert_charts_drawn(page)
        boxes = [page.locator(f'[data-chart="{name}"]').bounding_box() for name in CHARTS]
        assert all(box["width"] <= 375 for box in boxes)
        tops = [box["y"] for box in boxes]
        assert tops == sorted(tops) and len(set(tops)) == len(tops)
        assert no_horizontal_scroll(page)
        shell.goto(f"/economy/buildings/{economy_world.nodes['building'].pk}/")
        assert no_horizontal_scroll(page)


class PublicDirectoryTests:
    @pytest.fixture
    def browser_context_args(self, browser_context_args):
        return {**browser_context_args, "viewport": {"width": 375, "height": 812}}

    def test_anyone_finds_a_building_by_its_initials_on_a_phone(self, shell, economy_world):
        shell.goto("/economy/buildings/")
        page = shell.page
        expect(page.locator("main h1")).to_have_text("楼宇名录")
        page.get_by_label("搜索").fill("khzx")
        page.get_by_role("button", name="搜索").click()
        page.wait_for_url(re.compile(r"q=khzx"))
        shell.check()
        rows = page.locator("table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("坤和中心")
        expect(page.locator("main")).not_to_contain_text("口径")
        assert no_horizontal_scroll(page)


# Every text ECharts draws (axis names and labels, legends, titles) with its box on the canvas,
# for those whose box falls outside the chart (issue 12: axis titles were cut off).
CUT_TEXTS = """() => [...document.querySelectorAll('[data-chart]')].flatMap((el) => {
  const chart = echarts.getInstanceByDom(el);
  const width = chart.getWidth(), height = chart.getHeight();
  return chart.getZr().storage.getDisplayList()
    .filter((item) => item.style && item.style.text)
    .filter((item) => {
      const box = item.getBoundingRect().clone();
      box.applyTransform(item.getComputedTransform());
      return box.x < -1 || box.y < -1 || box.x + box.width > width + 1
        || box.y + box.height > height + 1;
    })
    .map((item) => `${el.dataset.chart}: ${item.style.text}`);
})"""


class ChartFitTests:
    @pytest.mark.parametrize("width", [1366, 375])
    def test_no_chart_text_is_cut_off(self, shell, economy_world, width):
        shell.page.set_viewport_size({"width": width, "height": 900})
        shell.login("district")
        shell.goto("/economy/?year=2013")
        assert_charts_drawn(shell.page)
        assert shell.page.evaluate(CUT_TEXTS) == []
