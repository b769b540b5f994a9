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
        page.get_by_role("button", name="成员").click()
        expect(page.locator("#chat-people-list .chat-person").first).to_be_visible()
        assert page.evaluate(no_scroll)
        shell.check()
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


class MentionAndPresenceTests:
    def test_a_mention_is_offered_highlighted_and_counted_live(self, browser, asgi_url, chat_world):
        building = Conversation.objects.get(kind="building", node=chat_world.nodes["building"])
        community = Conversation.objects.get(kind="community", node=chat_world.nodes["community"])
        alice = open_shell(browser, asgi_url)
        bob = open_shell(browser, asgi_url)
        sign_in(alice, chat_world.enterprise)
        sign_in(bob, chat_world.employee)
        open_channel(bob, community)
        open_channel(alice, building)

        # Bob looks at the building channel for a moment: Alice sees him typing there.
        bob.page.locator(f'#chat-list [data-conversation="{building.pk}"]').click()
        bob.page.locator("#chat-input").fill("我")
        expect(alice.page.locator("#chat-typing")).to_have_text("周婷婷正在输入…")
        bob.page.locator("#chat-input").fill("")
        bob.page.locator(f'#chat-list [data-conversation="{community.pk}"]').click()
        expect(bob.page.locator("#chat-title")).to_contain_text("社区")

        # "@" plus pinyin initials offers 周婷婷; Enter picks her instead of sending.
        alice.page.locator("#chat-input").press_sequentially("@zt")
        choice = alice.page.locator("#chat-mentions .chat-mention-choice")
        expect(choice).to_have_text(["@周婷婷"])
        alice.page.locator("#chat-input").press("Enter")
        expect(alice.page.locator("#chat-input")).to_have_value("@周婷婷 ")
        expect(alice.page.locator("#chat-mentions")).to_be_hidden()
        alice.page.locator("#chat-input").press_sequentially("请确认合同")
        alice.page.locator("#chat-input").press("Enter")
        expect(alice.page.locator("#chat-messages")).to_contain_text("@周婷婷 请确认合同")
        message = Message.objects.get(body="@周婷婷 请确认合同")
        assert message.mentions == [chat_world.employee.pk]

        # Bob, in another conversation, gets the badge and a notice, live.
        row = bob.page.locator(f'#chat-list [data-conversation="{building.pk}"]')
        expect(row.locator(".chat-mention-badge")).to_be_visible()
        expect(row.locator(".chat-mention-badge")).to_contain_text("@1")
        expect(bob.page.locator("#chat-notice")).to_contain_text("孙浩然")
        expect(bob.page.locator("#chat-notice")).to_contain_text("提到了您")
        bob.check()
        bob.page.locator("#chat-notice").get_by_role("button", name="查看").click()
        expect(bob.page.locator("#chat-title")).to_have_text("坤和中心 · 楼宇频道")
        highlighted = bob.page.locator(f"#m{message.pk}")
        expect(highlighted).to_have_class(re.compile(r"\bmention-me\b"))
        expect(highlighted).to_contain_text("提到了您")
        expect(row.locator(".chat-mention-badge")).to_be_hidden()
        bob.check()
        assert not alice.csp_errors and not bob.csp_errors

    def test_presence_and_a_direct_message_from_the_member_list(
        self, browser, asgi_url, chat_world
    ):
        building = Conversation.objects.get(kind="building", node=chat_world.nodes["building"])
        alice = open_shell(browser, asgi_url)
        bob = open_shell(browser, asgi_url)
        sign_in(alice, chat_world.enterprise)
        sign_in(bob, chat_world.employee)
        bob.goto("/messaging/")
        expect(bob.page.locator("#chat")).to_have_attribute("data-connected", "true")
        open_channel(alice, building)
        alice.page.get_by_role("button", name="成员").click()
        people = alice.page.locator("#chat-people-list")
        bob_row = people.locator(f'.chat-person[data-user="{chat_world.employee.pk}"]')
        clerk_row = people.locator(f'.chat-person[data-user="{chat_world.clerk.pk}"]')
        expect(bob_row.locator(".chat-presence")).to_have_attribute("data-state", "online")
        expect(bob_row.locator(".chat-presence")).to_have_text("在线")
        expect(clerk_row.locator(".chat-presence")).to_have_attribute("data-state", "offline")
        expect(clerk_row.locator(".chat-mute-button")).to_have_count(0)  # not a moderator
        alice.check()

        # 私信 opens (creates) the 1:1 and shows it with Bob's name and presence.
        bob_row.locator(".chat-direct-button").click()
        expect(alice.page.locator("#chat-title")).to_have_text("在线周婷婷")
        header_dot = alice.page.locator("#chat-title .chat-presence")
        expect(header_dot).to_have_attribute("data-state", "online")
        expect(alice.page.locator("#chat")).to_have_attribute("data-connected", "true")
        direct = Conversation.objects.get(kind="direct")
        dm_row = alice.page.locator(f'#chat-list [data-conversation="{direct.pk}"]')
        expect(dm_row.locator(".chat-presence")).to_have_attribute("data-state", "online")
        alice.page.locator("#chat-input").fill("私下问一下")
        alice.page.locator("#chat-input").press("Enter")
        # Bob's list gains the conversation live, with its unread badge.
        bob_dm = bob.page.locator(f'#chat-list [data-conversation="{direct.pk}"]')
        expect(bob_dm).to_contain_text("孙浩然")
        bob_dm.click()
        expect(bob.page.locator("#chat-messages")).to_contain_text("私下问一下")

        # A small group: tick two people in the member list.
        open_channel(alice, building)
        alice.page.get_by_role("button", name="成员").click()
        alice.page.get_by_label("选择周婷婷").check()
        alice.page.get_by_label("选择李晓燕").check()
        alice.page.get_by_role("button", name="与所选成员发起私信").click()
        expect(alice.page.locator("#chat-title")).to_contain_text("周婷婷")
        expect(alice.page.locator("#chat-title")).to_contain_text("李晓燕")
        group = Conversation.objects.get(kind="direct", participants__user=chat_world.clerk)
        assert set(group.participants.values_list("user_id", flat=True)) == {
            chat_world.enterprise.pk,
            chat_world.employee.pk,
            chat_world.clerk.pk,
        }
        alice.check()
        bob.check()
        assert not alice.csp_errors and not bob.csp_errors


class ModerationTests:
    def test_a_member_reports_and_staff_remove_and_mute(self, browser, asgi_url, chat_world):
        from louyu.core.models import AuditLog
        from louyu.messaging.services import message_send

        building = Conversation.objects.get(kind="building", node=chat_world.nodes["building"])
        spam, _ = message_send(
            actor=chat_world.enterprise, conversation=building, body="低价代开发票，联系我"
        )
        member = open_shell(browser, asgi_url)
        sign_in(member, chat_world.employee)
        open_channel(member, building)
        item = member.page.locator(f"#m{spam.pk}")
        expect(item.locator(".chat-remove-button")).to_have_count(0)
        item.get_by_role("button", name="举报").click()
        dialog = member.page.locator("#chat-report-dialog")
        expect(dialog).to_be_visible()
        member.check()
        dialog.locator("textarea").fill("发票广告")
        dialog.get_by_role("button", name="举报").click()
        expect(dialog).to_be_hidden()
        expect(member.page.locator("#chat-notice")).to_have_text("已举报，管理员会尽快处理。")

        poster = open_shell(browser, asgi_url)
        sign_in(poster, chat_world.enterprise)
        poster.goto("/messaging/")
        expect(poster.page.locator("#chat")).to_have_attribute("data-connected", "true")

        staff = open_shell(browser, asgi_url)
        sign_in(staff, chat_world.clerk)
        open_channel(staff, building)
        staff_item = staff.page.locator(f"#m{spam.pk}")
        staff_item.get_by_role("button", name="移除").click()
        remove = staff.page.locator("#chat-remove-dialog")
        expect(remove).to_contain_text("低价代开发票")
        remove.get_by_role("button", name="取消").click()
        expect(remove).to_be_hidden()
        spam.refresh_from_db()
        assert spam.deleted_at is None  # cancelled: nothing happened
        staff_item.get_by_role("button", name="移除").click()
        remove.locator("input").fill("广告")
        remove.get_by_role("button", name="移除").click()
        expect(staff.page.locator("#chat-notice")).to_have_text("消息已移除。")
        expect(member.page.locator(f"#m{spam.pk}")).to_contain_text("已被管理员移除。")

        staff.page.get_by_role("button", name="成员").click()
        row = staff.page.locator(
            f'#chat-people-list .chat-person[data-user="{chat_world.enterprise.pk}"]'
        )
        row.locator(".chat-mute-button").click()
        mute = staff.page.locator("#chat-mute-dialog")
        expect(mute).to_contain_text("孙浩然")
        mute.get_by_role("button", name="确认").click()
        expect(staff.page.locator("#chat-notice")).to_have_text("已对 孙浩然 禁言 60 分钟。")
        expect(row).to_contain_text("已禁言")
        expect(poster.page.locator("#chat-notice")).to_contain_text(
            "管理员已在「坤和中心 · 楼宇频道」将您禁言至"
        )
        assert building.participants.get(user=chat_world.enterprise).is_muted()
        assert set(
            AuditLog.objects.filter(
                action__in=["message.report", "message.remove", "participant.mute"]
            ).values_list("action", flat=True)
        ) == {"message.report", "message.remove", "participant.mute"}
        staff.check()
        assert not member.csp_errors and not staff.csp_errors


WRAPPED_BUTTONS = """() => [...document.querySelectorAll('#chat button, #chat .btn')]
    .filter((b) => b.offsetParent !== null)
    .filter((b) => {
        const style = getComputedStyle(b);
        const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
        const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
        const border = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
        return b.getBoundingClientRect().height > line * 1.5 + padding + border;
    })
    .map((b) => b.textContent.trim())"""


class ChatLayoutTests:
    @pytest.mark.parametrize("width", [1366, 375])
    def test_no_button_wraps_its_label(self, browser, asgi_url, chat_world, width):
        # Issue 12: at 1366 px the chat's buttons wrapped one character per line.
        building = Conversation.objects.get(kind="building", node=chat_world.nodes["building"])
        shell = open_shell(browser, asgi_url, viewport={"width": width, "height": 800})
        sign_in(shell, chat_world.enterprise)
        open_channel(shell, building)
        assert shell.page.evaluate(WRAPPED_BUTTONS) == []
