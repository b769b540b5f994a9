"""The bell (issue 14): on a real ASGI server, the enterprise contact's header shows the unread
count and it rises, without a reload, when the clerk (another browser) accepts their request;
opening the notification marks it read and lands on the request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from louyu.browser_tests.test_messaging import (  # noqa: F401 - fixtures
    TIMEOUT,
    _patient_expect,
    asgi_url,
    open_shell,
    sign_in,
)
from louyu.servicedesk.models import Channel
from louyu.servicedesk.services.requests import request_create
from louyu.testing import build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def chat_world(transactional_db):
    """The world the messaging fixtures' server runs on, with a request of the enterprise."""
    world = build_world()
    world.scopes["request"] = request_create(
        actor=world.users["enterprise"],
        requester=world.users["enterprise"],
        enterprise=world.scopes["enterprise"],
        title="申请领用发票",
        description="本月 25 份",
        channel=Channel.WEB,
    )
    return world


@pytest.fixture
def two_browsers(browser, asgi_url, chat_world) -> Iterator[tuple]:  # noqa: F811
    contact = open_shell(browser, asgi_url)
    clerk = open_shell(browser, asgi_url)
    sign_in(contact, chat_world.users["enterprise"])
    sign_in(clerk, chat_world.users["clerk"])
    yield contact, clerk
    for shell in (contact, clerk):
        assert not shell.csp_errors, "CSP violations:\n" + "\n".join(shell.csp_errors)
        shell.page.context.close()


class BellTests:
    def test_the_bell_counts_up_live_when_the_request_is_accepted(self, two_browsers, chat_world):
        contact, clerk = two_browsers
        request = chat_world.scopes["request"]
        page = contact.page
        contact.goto("/service/mine/")
        bell = page.locator("#louyu-bell [data-bell-count]")
        expect(bell).to_be_hidden()  # nothing unread yet
        expect(page.locator("html")).to_have_attribute("data-events", "open", timeout=TIMEOUT)
        page.evaluate("window.__louyuSamePage = true")  # gone if the page reloads

        clerk.goto(f"/service/requests/{request.pk}/")
        clerk.page.locator("#action-accept").get_by_role("button", name="受理").click()
        expect(clerk.page.locator(".messages")).to_be_visible()

        expect(bell).to_be_visible()
        expect(bell).to_have_text("1")
        assert page.evaluate("window.__louyuSamePage === true")  # no reload happened

        page.locator("#louyu-bell").click()
        expect(page.locator("main h1")).to_contain_text("站内信")
        contact.check()
        page.get_by_role("link", name=f"事项 {request.number} 已受理").click()
        expect(page).to_have_url(f"{contact.base_url}/service/requests/{request.pk}/")
        expect(page.locator("#louyu-bell [data-bell-count]")).to_be_hidden()
