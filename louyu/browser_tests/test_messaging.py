"""Two real browsers chat in real time on a real ASGI server (uvicorn: the live server of
pytest-django speaks no WebSocket), in Chinese, at 375 px, with an IME-safe Enter key."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from louyu.browser_tests.conftest import CHROMIUM_ARGS, Shell  # noqa: F401
from louyu.core.tests.test_cluster import Deadline, database_url, free_port, http_get
from louyu.messaging.models import Conversation, Message
from louyu.messaging.services import conversation_members_sync
from louyu.testing import build_world

pytestmark = pytest.mark.browser

TIMEOUT = 15_000  # ms: an upper bound for something expected to happen, never a wait


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """The servers here share two busy cores with other suites: allow assertions 15 s."""
    expect.set_options(timeout=TIMEOUT)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default


@pytest.fixture
def chat_world(transactional_db):
    world = build_world()
    conversation_members_sync()
    return world


@pytest.fixture
def asgi_url(chat_world) -> Iterator[str]:
    """`manage.py serve` on the test database."""
    params = connection.settings_dict
    url = (
        database_url(params) if connection.vendor == "postgresql" else f"sqlite:///{params['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "LOUYU_PROFILE": "demo", "PYTHONUNBUFFERED": "1"}
    env.pop("REDIS_URL", None)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(port)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        Deadline(90).poll("the server", lambda: http_get(f"http://127.0.0.1:{port}/healthz"))
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sign_in(shell: Shell, user) -> None:
    """A signed-in session made here, handed to the browser: the test process hashes passwords
    with a hasher the server does not accept."""
    from louyu.core.tests.test_consumers import session_cookie

    shell.page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_cookie(user),
                "url": shell.base_url,
            }
        ]
    )


def open_shell(browser, base_url: str, **context_args) -> Shell:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_args)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    shell = Shell(page=page, base_url=base_url)

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            shell.csp_errors.append(message.text)

    page.on("console", on_console)
    return shell


def open_channel(shell: Shell, conversation: Conversation) -> None:
    shell.goto("/messaging/")
    shell.page.locator(f'#chat-list [data-conversation="{conversation.pk}"]').click()
    expect(shell.page.locator("#chat-composer")).to_be_visible()
    expect(shell.page.locator("#chat")).to_have_attribute("data-connected", "true")


class ChatTests:
    def test_two_browsers_chat_in_real_time(self, browser, asgi_url, chat_world):
        building = Conversation.objects.get(kind="building", node=chat_world.nodes["building"])
        community = Conversation.objects.get(kind="community", node=chat_world.nodes["community"])
        alice = open_shell(browser, asgi_url)
        bob = open_shell(browser, asgi_url)
        sign_in(alice, chat_world.enterprise)
        sign_in(bob, chat_world.employee)
        open_channel(alice, building)
        open_channel(bob, building)
        expect(alice.page.locator("#chat-title")).to_have_text("坤和中心 · 楼宇频道")

        alice.page.locator("#chat-input").fill("大家好，今天下午三点开会")
        alice.page.locator("#chat-input").press("Enter")
        expect(bob.page.locator("#chat-messages")).to_contain_text("大家好，今天下午三点开会")
        expect(bob.page.locator("#chat-messages")).to_contain_text("孙浩然")
        expect(alice.page.locator("#chat-input")).to_have_value("")

        # Enter while an IME is composing picks a candidate; it must not send (Zulip #22062).
        bob.page.locator("#chat-input").fill("收到")
        bob.page.locator("#chat-input").dispatch_event(
            "keydown", {"key": "Enter", "keyCode": 229, "isComposing": True}
        )
        expect(bob.page.locator("#chat-input")).to_have_value("收到")
        assert Message.objects.filter(body="收到").count() == 0
        bob.page.locator("#chat-input").press("Enter")
        expect(alice.page.locator("#chat-messages")).to_contain_text("收到")
        assert Message.objects.filter(body="收到").count() == 1

        # A message in another conversation shows as an unread badge, live.
        bob.page.locator(f'#chat-list [data-conversation="{community.pk}"]').click()
        bob.page.locator("#chat-input").fill("社区频道的消息")
        bob.page.locator("#chat-send").click()
        badge = alice.page.locator(f'#chat-list [data-conversation="{community.pk}"] .chat-unread')
        expect(badge).to_be_visible()
        expect(badge).to_contain_text("1")
        alice.check()
        bob.check()
        assert not alice.csp_errors and not bob.csp_errors

    def test_it_searches_in_chinese(self, browser, asgi_url, chat_world):
        from louyu.messaging.services import message_send

        building = Conversation.objects.get(kind="building", node=chat_world.nodes["building"])
        message_send(actor=chat_world.enterprise, conversation=building, body="电梯维修通知")
        shell = open_shell(browser, asgi_url)
        sign_in(shell, chat_world.employee)
        shell.goto("/messaging/")
        shell.page.locator("#chat-search-q").fill("电梯")
        shell.page.get_by_role("button", name="搜索").click()
        expect(shell.page.locator("#chat-search-results")).to_contain_text("电梯维修通知")
        shell.check()

    def test_it_shows_the_outsider_nothing_of_the_building(self, browser, asgi_url, chat_world):
        building = Conversation.objects.get(kind="building", node=chat_world.nodes["building"])
        shell = open_shell(browser, asgi_url)
        sign_in(shell, chat_world.outsider)
        shell.goto(f"/messaging/#c{building.pk}")
        expect(shell.page.locator("#chat-list")).not_to_contain_text("坤和中心")
        expect(shell.page.locator("#chat-messages")).to_have_text("")


class SmallScreenChatTests:
    def test_it_works_at_375_px(self, browser, asgi_url, chat_world):
        building = Conversation.objects.get(kind="building", node=chat_world.nodes["building"])
        shell = open_shell(browser, asgi_url, viewport={"width": 375, "height": 812})
        sign_in(shell, chat_world.employee)
        shell.goto("/messaging/")
        page = shell.page
        no_scroll = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        assert page.evaluate(no_scroll)
        expect(page.locator("#chat-composer")).to_be_hidden()
        page.locator(f'#chat-list [data-conversation="{building.pk}"]').click()
        expect(page.locator("#chat-list")).to_be_hidden()
        expect(page.locator("#chat-input")).to_be_visible()
        page.locator("#chat-input").fill("手机上发的")
        page.locator("#chat-input").press("Enter")
        expect(page.locator("#chat-messages")).to_contain_text("手机上发的")
        assert page.evaluate(no_scroll)
        page.get_by_role("button", name="返回").click()
        expect(page.locator("#chat-list")).to_be_visible()
        shell.check()
        assert re.search("消息", page.title())


class StaffActionTests:
    def test_staff_turn_a_question_into_a_service_request(self, browser, asgi_url, chat_world):
        from louyu.messaging.services import message_send

        service = Conversation.objects.get(kind="service", node=chat_world.nodes["building"])
        question, _ = message_send(
            actor=chat_world.enterprise, conversation=service, body="办公室空调不制冷，请派人维修"
        )
        shell = open_shell(browser, asgi_url)
        sign_in(shell, chat_world.clerk)
        open_channel(shell, service)
        item = shell.page.locator(f"#m{question.pk}")
        item.get_by_role("button", name="转为服务请求").click()
        expect(item).to_contain_text("服务请求 #")
        question.refresh_from_db()
        assert question.service_request_id is not None
        shell.check()
