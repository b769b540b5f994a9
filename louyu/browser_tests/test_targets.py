"""The district office sets a year's target buildings (目标楼宇, issue 12) in Chinese: copies
last year's set, finds a building by pinyin and adds it, removes one with a reason, and reads
the change history — at 1366 px and on a 375 px phone, with axe and the CSP watching."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from louyu.core.models import Node
from louyu.core.services import node_create
from louyu.economy.services import target_set_replace

pytestmark = pytest.mark.browser


@pytest.fixture
def targets_world(live_world):
    world = live_world
    node_create(
        actor=None, kind=Node.Kind.BUILDING, name="备用大厦", parent=world.nodes["community"]
    )
    target_set_replace(
        actor=None,
        year=2013,
        buildings=[world.nodes["building"], world.nodes["other_building"]],
    )
    return world


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def set_the_targets(shell) -> None:
    page = shell.page
    shell.login("district")
    menu = page.get_by_role("button", name="楼宇经济")
    if not menu.is_visible():
        page.get_by_role("button", name="菜单").click()
    menu.click()
    page.locator("#louyu-nav").get_by_role("link", name="目标楼宇").click()
    page.wait_for_url(re.compile(r"/economy/targets/"))
    shell.check()
    expect(page.locator("main h1")).to_have_text("2013 年度目标楼宇")
    expect(page.locator("#targets-count")).to_have_text("2 栋目标楼宇")

    # 2014: empty; copy 2013's set into it.
    page.get_by_label("年份").select_option("2014")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(re.compile(r"year=2014"))
    shell.check()
    expect(page.locator("#targets-count")).to_have_text("0 栋目标楼宇")
    page.get_by_label("理由（选填）").fill("沿用上年目标楼宇")
    page.get_by_role("button", name="复制 2013 年度的目标楼宇").click()
    expect(page.get_by_text("2013 年度的 2 栋目标楼宇已加入 2014 年度")).to_be_visible()
    expect(page.locator("#targets-count")).to_have_text("2 栋目标楼宇")
    shell.check()

    # Find a building by its pinyin and add it with a reason.
    page.get_by_placeholder("名称或拼音，如 kunhe").fill("beiyong")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url(re.compile(r"q=beiyong"))
    adding = page.get_by_role("region", name="添加楼宇")
    adding.get_by_label("原因").fill("新建楼宇纳入统计")
    adding.get_by_role("button", name="加入", exact=True).click()
    expect(page.locator("#targets-count")).to_have_text("3 栋目标楼宇")

    # Remove one, with its reason.
    page.locator("summary", has_text="移除").first.click()
    page.locator("details[open]").get_by_label("原因").fill("企业整体迁出")
    page.locator("details[open]").get_by_role("button", name=re.compile("^移出 ")).click()
    expect(page.locator("#targets-count")).to_have_text("2 栋目标楼宇")
    shell.check()
    history = page.locator("#history-heading").locator("..")
    expect(history).to_contain_text("企业整体迁出")
    expect(history).to_contain_text("新建楼宇纳入统计")
    expect(history).to_contain_text("沿用上年目标楼宇")


class TargetPageTests:
    @pytest.fixture
    def browser_context_args(self, browser_context_args):
        return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}

    def test_the_district_office_sets_a_years_targets(self, shell, targets_world):
        set_the_targets(shell)
        assert no_horizontal_scroll(shell.page)


class SmallScreenTargetPageTests:
    @pytest.fixture
    def browser_context_args(self, browser_context_args):
        return {**browser_context_args, "viewport": {"width": 375, "height": 812}}

    def test_the_district_office_sets_a_years_targets_on_a_phone(self, shell, targets_world):
        set_the_targets(shell)
        assert no_horizontal_scroll(shell.page)
