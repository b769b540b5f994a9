"""Each persona signs in, in Chinese, and sees its workbench; the shell works at 375 px,
by keyboard, in English, and without breaking the CSP."""

import re

import pytest
from playwright.sync_api import expect

from louyu.dashboard.tests.test_selectors import EXPECTED_SECTIONS

pytestmark = pytest.mark.browser

OTHER_COMMUNITY_NAMES = ("坤和中心", "环西楼宇社区")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


# Elements of the page that hide part of what they hold (overflow hidden or clip, content wider
# than the box); a table in a .table-responsive scrolls instead, and is not listed.
CLIPPED = """() => [...document.querySelectorAll('main *')]
  .filter((el) => el.offsetParent !== null && !el.classList.contains('visually-hidden'))
  .filter((el) => {
    const style = getComputedStyle(el);
    return ['hidden', 'clip'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
  })
  .map((el) => `${el.tagName}.${el.className}`)"""


class PersonaWorkbenchTests:
    @pytest.mark.parametrize("username", list(EXPECTED_SECTIONS))
    def test_it_signs_each_persona_in_to_its_workbench_in_chinese(
        self, shell, live_world, username
    ):
        shell.login(username)
        page = shell.page
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("main h1")).to_have_text("工作台")
        expect(page).to_have_title(re.compile("^工作台"))
        expect(page.locator("#user-menu-button")).to_contain_text(
            live_world.users[username].display_name
        )
        shown = page.locator("section.workbench-section").evaluate_all(
            "sections => sections.map(s => s.id)"
        )
        assert shown == [f"section-{key}" for key in EXPECTED_SECTIONS[username]]
        # Issue 12: cards cut off their tables at 1366 and at 375 px.
        for width in (1366, 375):
            page.set_viewport_size({"width": width, "height": 900})
            assert page.evaluate(CLIPPED) == [], width
            assert no_horizontal_scroll(page), width

    @pytest.mark.parametrize("username", ["clerk", "handler_tax", "street", "enterprise"])
    def test_it_opens_with_a_filled_to_do_list_that_fits_both_widths(
        self, shell, live_world, username
    ):
        # Issue 14: the to-do block comes first, its rows, badges and long titles fit.
        from louyu.dashboard.tests.test_todo import EXPECTED_COUNTS, todo_world

        todo_world(live_world)
        shell.login(username)
        page = shell.page
        first = page.locator("main section.card").first
        expect(first).to_have_attribute("id", "todo")
        counts = page.locator("#todo .todo-group").evaluate_all(
            "groups => Object.fromEntries(groups.map(g => [g.dataset.todo, +g.dataset.count]))"
        )
        assert {k: v for k, v in counts.items() if v} == EXPECTED_COUNTS[username]
        expect(page.locator("#todo .todo-all").first).to_contain_text("查看全部")
        for width in (1366, 375):
            page.set_viewport_size({"width": width, "height": 900})
            assert page.evaluate(CLIPPED) == [], width
            assert no_horizontal_scroll(page), width
        page.locator("#todo .todo-all").first.click()
        page.wait_for_load_state("load")
        shell.check()

    def test_it_never_shows_the_outsider_the_other_building_community(self, shell, live_world):
        shell.login("outsider")
        body = shell.page.locator("body").inner_text()
        assert "杭州外经贸咨询有限公司" in body
        for name in OTHER_COMMUNITY_NAMES:
            assert name not in body

    def test_it_signs_out_through_the_user_menu(self, shell, live_world):
        shell.login("clerk")
        page = shell.page
        page.locator("#user-menu-button").click()
        page.get_by_role("button", name="退出登录").click()
        page.wait_for_url(re.compile(r"/accounts/login/"))
        shell.check()
        expect(page.locator("#user-menu-button")).to_have_count(0)


class LanguageSwitchTests:
    def test_it_switches_to_english_and_back(self, shell, live_world):
        shell.login("district")
        page = shell.page
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("main h1")).to_have_text("Workbench")
        expect(page.get_by_role("heading", name="Your jurisdiction")).to_be_visible()
        shell.check()
        page.get_by_role("button", name="中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("main h1")).to_have_text("工作台")
        shell.check()

    def test_it_switches_the_language_on_the_login_page(self, shell, live_world):
        shell.goto("/accounts/login/")
        shell.page.get_by_role("button", name="English").click()
        expect(shell.page.locator("html")).to_have_attribute("lang", "en")
        expect(shell.page.locator("main h1")).to_have_text("Sign in")
        shell.check()


class SmallScreenTests:
    @pytest.fixture
    def browser_context_args(self, browser_context_args):
        return {**browser_context_args, "viewport": {"width": 375, "height": 812}}

    def test_it_fits_375_px_without_horizontal_scroll(self, shell, live_world):
        shell.goto("/accounts/login/")
        assert no_horizontal_scroll(shell.page)
        for username in ("district", "secadmin", "auditor", "enterprise"):
            shell.page.context.clear_cookies()
            shell.login(username)
            assert no_horizontal_scroll(shell.page), username

    def test_it_collapses_the_menu_but_keeps_the_language_switch_in_view(self, shell, live_world):
        shell.login("sysadmin")
        page = shell.page
        user_menu = page.locator("#user-menu-button")
        expect(user_menu).to_be_hidden()
        page.get_by_role("button", name="菜单").click()
        expect(user_menu).to_be_visible()
        page.get_by_role("button", name="系统").click()
        expect(page.get_by_role("link", name="后台管理")).to_be_visible()
        shell.check()
        page.get_by_role("button", name="English").click()
        expect(page.locator("main h1")).to_have_text("Workbench")
        assert no_horizontal_scroll(page)

    def test_it_switches_language_without_javascript(self, browser, live_server, live_world):
        context = browser.new_context(
            java_script_enabled=False, locale="zh-CN", viewport={"width": 375, "height": 812}
        )
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_role("button", name="中文").click()
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        context.close()

    def test_it_keeps_fitting_in_large_text_mode(self, shell, live_world):
        shell.login("district")
        page = shell.page
        page.get_by_role("button", name="菜单").click()
        # The menu has finished opening (a busy machine could otherwise click a moving button).
        expect(page.locator("#louyu-nav")).to_have_class(re.compile(r"\bshow\b"))
        toggle = page.get_by_role("button", name="大字版")
        toggle.click()
        expect(page.locator("html")).to_have_class(re.compile("louyu-large-text"))
        expect(toggle).to_have_attribute("aria-pressed", "true")
        assert no_horizontal_scroll(page)
        page.reload()
        expect(page.locator("html")).to_have_class(re.compile("louyu-large-text"))
        shell.check()


class KeyboardAndReadingTests:
    def test_it_starts_with_a_skip_link_to_the_main_content(self, shell, live_world):
        shell.login("clerk")
        page = shell.page
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="跳到主要内容")
        expect(skip).to_be_focused()
        expect(skip).to_be_visible()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"

    def test_it_opens_the_user_menu_with_the_keyboard(self, shell, live_world):
        shell.login("clerk")
        page = shell.page
        page.locator("#user-menu-button").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()

    def test_it_spaces_body_text_for_reading(self, shell, live_world):
        """适老化: line height at least 1.3 times the font size."""
        shell.login("clerk")
        ratio = shell.page.locator("main p").first.evaluate(
            "p => parseFloat(getComputedStyle(p).lineHeight)"
            " / parseFloat(getComputedStyle(p).fontSize)"
        )
        assert ratio >= 1.3

    def test_it_renders_the_not_found_page_in_the_shell(self, shell, live_world):
        shell.login("clerk")
        shell.goto("/no-such-page/")
        expect(shell.page.locator("main h1")).to_have_text("页面不存在")
