"""The system admin, on a 375 px phone in Chinese, imports a year's holiday arrangement and
sets one date (issue #12), with axe and the CSP watching every page."""

import pytest
from playwright.sync_api import expect

from louyu.browser_tests.test_shell import no_horizontal_scroll
from louyu.core.models import CalendarDay

pytestmark = pytest.mark.browser

ARRANGEMENT = "日期,类型,名称,来源\n2030-01-01,休,元旦,测试通知\n2030-02-02,班,春节,测试通知\n"


class HolidayPageTests:
    @pytest.fixture
    def browser_context_args(self, browser_context_args):
        return {**browser_context_args, "viewport": {"width": 375, "height": 812}}

    def test_the_sysadmin_imports_a_year_and_sets_a_date_on_a_phone(
        self, shell, live_world, tmp_path
    ):
        shell.login("sysadmin")
        shell.goto("/core/holidays/?year=2030")
        page = shell.page
        expect(page.locator("#calendar-fallback")).to_contain_text("周一至周五")
        assert no_horizontal_scroll(page)
        path = tmp_path / "2030年节假日安排.csv"
        path.write_text(ARRANGEMENT, encoding="utf-8")
        page.locator("#id_import-file").set_input_files(str(path))
        page.get_by_role("button", name="导入", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("2030 年：2 个日期")
        shell.check()
        expect(page.locator("#calendar-fallback")).to_have_count(0)
        expect(page.locator("#calendar-summary")).to_contain_text("放假 1 天，调休上班 1 天")
        page.locator("#id_day-day").fill("2030-01-02")
        page.locator("#id_day-kind").select_option("holiday")
        page.locator("#id_day-name").fill("元旦")
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.locator("tbody")).to_contain_text("2030-01-02")
        shell.check()
        assert no_horizontal_scroll(page)
        assert CalendarDay.objects.filter(day__year=2030).count() == 3
