"""An enterprise contact books the shared meeting room on a 375 px phone, in Chinese, and finds
the booking on the venue's week calendar (issue 14), with axe and the CSP watching every page."""

import pytest
from playwright.sync_api import expect

from louyu.browser_tests.test_shell import no_horizontal_scroll
from louyu.venues.models import BookerKind, Booking
from louyu.venues.services import venue_create

pytestmark = pytest.mark.browser


class VenueBookingTests:
    @pytest.fixture
    def browser_context_args(self, browser_context_args):
        return {**browser_context_args, "viewport": {"width": 375, "height": 812}}

    def test_an_enterprise_contact_books_a_room_from_a_phone(self, shell, live_world):
        venue_create(
            actor=None,
            community=live_world.community,
            name="三楼会议室",
            capacity=20,
            opening_hours={str(d): ["08:00", "21:00"] for d in range(7)},
            bookers=[BookerKind.ENTERPRISE],
        )
        shell.login("enterprise")
        shell.goto("/venues/")
        page = shell.page
        assert no_horizontal_scroll(page)
        page.get_by_role("link", name="预订", exact=True).click()
        shell.check()
        page.locator("#id_title").fill("客户接待")
        page.locator("#id_day").fill("2030-03-06")
        page.locator("#id_start_time").fill("14:00")
        page.locator("#id_end_time").fill("15:30")
        page.locator("#id_attendees").fill("6")
        assert no_horizontal_scroll(page)
        page.get_by_role("button", name="预订", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("预订成功")
        shell.check()
        expect(page.locator("main")).to_contain_text("2030-03-06 14:00–15:30")
        page.get_by_role("link", name="三楼会议室").first.click()
        shell.goto(page.url.split("?")[0].removeprefix(shell.base_url) + "?date=2030-03-06")
        expect(page.locator(".vg-item")).to_contain_text("14:00–15:30 客户接待")
        assert no_horizontal_scroll(page)
        assert Booking.objects.get().state == Booking.State.APPROVED
