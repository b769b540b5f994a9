"""The service-center journey in a real browser, in Chinese, on a 375 px phone: an enterprise
contact submits a request, the clerk accepts and dispatches it, the tax handler signs for and
completes it, the enterprise rates it. axe runs on every page; no CSP error may occur."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from louyu.servicedesk.models import Category, ServiceRequest, Status
from louyu.servicedesk.services.catalog import service_item_save

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 375, "height": 812}}


@pytest.fixture
def item(live_world):
    return service_item_save(
        actor=None,
        code="tax-invoice",
        name="发票领用",
        category=Category.ECONOMY,
        lead_department=live_world.tax,
        statutory_days=10,
        promised_days=3,
        documents=[{"name": "营业执照副本", "original": True}],
        form_fields=[
            {
                "code": "invoice_kind",
                "label": "发票种类",
                "datatype": "singlevaluelist",
                "required": True,
                "values": [
                    {"key": "vat", "name": "增值税专用发票"},
                    {"key": "plain", "name": "普通发票"},
                ],
            },
            {"code": "count", "label": "份数", "datatype": "number"},
        ],
    )


def switch_user(shell, username: str) -> None:
    shell.page.context.clear_cookies()
    shell.login(username)


def open_request(shell, number: str) -> None:
    page = shell.page
    shell.goto("/service/")
    assert no_horizontal_scroll(page)
    page.get_by_role("link", name=number).click()
    expect(page.locator(".sd-number")).to_have_text(number)
    shell.check()
    assert no_horizontal_scroll(page)


def act(shell, form_id: str, button: str) -> None:
    page = shell.page
    page.locator(f"#{form_id}").get_by_role("button", name=button).click()
    expect(page.locator(".messages")).to_be_visible()
    shell.check()
    assert no_horizontal_scroll(page)


class ServiceJourneyTests:
    def test_it_takes_a_request_from_a_phone_to_a_rating(self, shell, live_world, item):
        page = shell.page
        # The enterprise contact, on a phone, in Chinese.
        shell.login("enterprise")
        shell.goto("/service/mine/")
        expect(page.locator("main h1")).to_have_text("我的事项")
        page.get_by_role("link", name="提交办件").click()
        shell.check()
        page.get_by_label("服务事项").select_option("tax-invoice")
        page.get_by_role("button", name="继续").click()
        shell.check()
        expect(page.locator("#item-documents")).to_contain_text("营业执照副本")
        page.get_by_label("标题").fill("申领增值税专用发票")
        page.get_by_label("说明").fill("本月开票需要，请尽快办理")
        page.get_by_label("发票种类").select_option("vat")
        page.get_by_label("份数").fill("25")
        assert no_horizontal_scroll(page)
        page.get_by_role("button", name="提交事项").click()
        expect(page.locator(".messages")).to_contain_text("已提交")
        shell.check()
        number = page.locator(".sd-number").inner_text()
        expect(page.locator("main")).to_contain_text("增值税专用发票")
        assert no_horizontal_scroll(page)

        # The clerk finds it in the queue (htmx filter), accepts and dispatches it.
        switch_user(shell, "clerk")
        shell.goto("/service/")
        page.get_by_label("编号或标题").fill(number)
        page.get_by_label("编号或标题").press("Enter")
        expect(page).to_have_url(re.compile(r"q=" + number))
        expect(page.locator("#queue-results")).to_contain_text(number)
        shell.check()
        open_request(shell, number)
        act(shell, "action-accept", "受理")
        act(shell, "action-dispatch", "派单到部门")
        expect(page.locator("main")).to_contain_text("税务局")

        # The tax handler signs for it, starts and completes it.
        switch_user(shell, "handler_tax")
        open_request(shell, number)
        act(shell, "action-sign", "签收")
        act(shell, "action-start", "开始办理")
        page.locator("#action-complete").get_by_label("办理结果").fill("已发放增值税专用发票25份")
        act(shell, "action-complete", "办结")

        # The enterprise sees who handled it and rates it once.
        switch_user(shell, "enterprise")
        shell.goto("/service/mine/")
        page.get_by_role("link", name="去评价").click()
        shell.check()
        assert no_horizontal_scroll(page)
        expect(page.locator("main")).to_contain_text("已发放增值税专用发票25份")
        expect(page.locator("main")).to_contain_text("张建军")
        rate = page.locator("#action-rate")
        for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
            expect(rate.get_by_label(label, exact=True)).to_be_visible()
        rate.get_by_label("非常满意", exact=True).check()
        page.locator("#action-rate").get_by_label("意见").fill("办理很快，谢谢")
        act(shell, "action-rate", "提交评价")
        expect(page.locator(".messages")).to_contain_text("感谢您的评价")
        expect(page.locator("#action-rate")).to_have_count(0)
        assert no_horizontal_scroll(page)
        assert ServiceRequest.objects.get(number=number).status == Status.RATED


class RequestPageActionsTests:
    """Issue 12: the request page stacked every form (派单, 办结, 补正, 不予受理) into one column
    several screens long. On a phone the next step is open and the rest behind a menu."""

    def test_the_next_step_is_open_and_the_rest_behind_more_actions(self, shell, live_world, item):
        from louyu.servicedesk.services.requests import request_create

        req = request_create(
            actor=live_world.enterprise,
            requester=live_world.enterprise,
            enterprise=live_world.scopes["enterprise"],
            title="申领增值税专用发票",
            description="需要领用发票",
            channel="web",
            service_item=item,
            form_data={"invoice_kind": "vat"},
        )
        page = shell.page
        shell.login("clerk")
        shell.goto(f"/service/requests/{req.pk}/")
        shell.check()
        card = page.locator("section[aria-labelledby=actions-title]")
        expect(card.get_by_role("button", name="受理")).to_be_visible()
        refuse = card.get_by_role("button", name="不予受理")
        expect(refuse).to_be_hidden()
        # One screen of actions at most before the menu is opened (812 px tall).
        assert card.bounding_box()["height"] < 812
        card.get_by_text("更多操作").click()
        expect(refuse).to_be_visible()
        shell.check()
        assert no_horizontal_scroll(page)
