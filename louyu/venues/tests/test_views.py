"""Venue pages: scope (the outsider gets 404), the calendars, booking from the form, the
approval queue, check-in and cancel, in Chinese and English."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from louyu.testing import assert_access_matrix
from louyu.venues import services
from louyu.venues.models import Booking
from louyu.venues.tests.conftest import at

pytestmark = pytest.mark.django_db

# Everyone whose scope reaches 环西楼宇社区 (district and admins at the district too).
HUANXI = {
    "district",
    "street",
    "clerk",
    "party_officer",
    "association",
    "enterprise",
    "employee",
    "sysadmin",
    "secadmin",
    "auditor",
}


def booking(place, user=None, start="2026-12-09 14:00", end="2026-12-09 16:00", venue=None):
    return services.booking_request(
        actor=user or place.enterprise,
        venue=venue or place.room,
        title="季度例会",
        starts_at=at(start),
        ends_at=at(end),
        attendees=8,
        purpose="讨论停车位",
    )


class ScopeTests:
    def test_venue_pages_answer_only_within_the_users_communities(self, place, clock):
        row = booking(place)
        for url in (
            reverse("venues:venue_detail", args=[place.room.pk]),
            reverse("venues:community_calendar", args=[place.community.pk]),
            reverse("venues:booking_detail", args=[row.pk]),
            reverse("venues:booking_ics", args=[row.pk]),
        ):
            assert_access_matrix(place.world, "get", url, allowed=HUANXI)

    def test_the_outsider_sees_their_own_community_only(self, place, clock):
        client = place.client_for("outsider")
        page = client.get(reverse("venues:venue_list"))
        assert page.status_code == 200
        assert "外经贸会议室" in page.content.decode()
        assert "三楼会议室" not in page.content.decode()
        assert client.get(reverse("venues:venue_detail", args=[place.room.pk])).status_code == 404
        assert client.get(reverse("venues:booking_create", args=[place.room.pk])).status_code == 404

    def test_the_booking_form_is_for_admitted_bookers_only(self, place, clock):
        url = reverse("venues:booking_create", args=[place.hall.pk])
        allowed = {"clerk", "party_officer", "enterprise", "employee"}
        assert_access_matrix(place.world, "get", url, allowed=allowed)

    def test_the_approval_queue_is_the_managers(self, place, clock):
        assert_access_matrix(place.world, "get", reverse("venues:approvals"), allowed={"clerk"})


class CalendarTests:
    def test_the_week_shows_the_bookings_in_beijing_time(self, place, clock):
        booking(place)
        page = place.client_for("employee").get(
            reverse("venues:venue_detail", args=[place.room.pk]), {"date": "2026-12-09"}
        )
        html = page.content.decode()
        assert page.status_code == 200
        assert "14:00–16:00 季度例会" in html
        assert "下一周" in html and "上一周" in html
        assert "vg-s-4" in html  # two hours = four half-hour rows
        assert "2026-12-07 – 2026-12-13" in html

    def test_the_day_view_and_today(self, place, clock):
        booking(place, start="2026-12-07 10:00", end="2026-12-07 11:00")
        page = place.client_for("clerk").get(
            reverse("venues:venue_detail", args=[place.room.pk]), {"view": "day"}
        )
        html = page.content.decode()
        assert "10:00–11:00 季度例会" in html
        assert "vg-today" in html
        assert "date=2026-12-08" in html  # next day
        assert "date=2026-12-06" in html

    def test_the_community_calendar_has_a_column_per_venue(self, place, clock):
        booking(place)
        booking(
            place,
            user=place.clerk,
            venue=place.hall,
            start="2026-12-09 09:00",
            end="2026-12-09 10:00",
        )
        page = place.client_for("association").get(
            reverse("venues:community_calendar", args=[place.community.pk]), {"date": "2026-12-09"}
        )
        html = page.content.decode()
        assert "三楼会议室" in html and "党群服务中心" in html
        assert "14:00–16:00 季度例会" in html and "09:00–10:00 季度例会" in html
        assert "外经贸会议室" not in html

    def test_pages_speak_both_languages(self, place, clock):
        client = place.client_for("enterprise")
        html = client.get(reverse("venues:venue_list")).content.decode()
        assert "场地预订" in html and "我的预订" in html
        client.post(reverse("set_language"), {"language": "en"})
        html = client.get(reverse("venues:venue_list")).content.decode()
        assert "My bookings" in html and "Calendar of all venues" in html


class BookingPageTests:
    def test_a_phone_books_a_slot_from_the_form(self, place, clock):
        client = place.client_for("enterprise")
        form = client.get(reverse("venues:booking_create", args=[place.room.pk]))
        html = form.content.decode()
        assert 'type="date"' in html and 'type="time"' in html
        response = client.post(
            reverse("venues:booking_create", args=[place.room.pk]),
            {
                "title": "客户接待",
                "day": "2026-12-10",
                "start_time": "10:00",
                "end_time": "11:30",
                "attendees": "6",
            },
        )
        made = Booking.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("venues:booking_detail", args=[made.pk])
        assert made.span_label == "2026-12-10 10:00–11:30"

    def test_a_conflict_is_shown_on_the_form(self, place, clock):
        booking(place)
        response = place.client_for("clerk").post(
            reverse("venues:booking_create", args=[place.room.pk]),
            {
                "title": "培训",
                "day": "2026-12-09",
                "start_time": "15:00",
                "end_time": "17:00",
                "attendees": "6",
            },
        )
        assert response.status_code == 409
        assert "该时段已被预订（2026-12-09 14:00–16:00）" in response.content.decode()

    def test_a_weekly_booking_reports_the_skipped_dates(self, place, clock):
        booking(place, start="2026-12-16 14:00", end="2026-12-16 15:00")
        response = place.client_for("clerk").post(
            reverse("venues:booking_create", args=[place.room.pk]),
            {
                "title": "周例会",
                "day": "2026-12-09",
                "start_time": "14:00",
                "end_time": "15:00",
                "attendees": "6",
                "repeat": "weekly",
                "until": "2026-12-23",
            },
            follow=True,
        )
        html = response.content.decode()
        assert "已预订 2 个日期" in html
        assert "2026-12-16（已被预订 2026-12-16 14:00–15:00）" in html

    def test_approve_check_in_and_cancel_from_the_pages(self, place, clock):
        row = booking(place, venue=place.hall)
        clerk = place.client_for("clerk")
        queue = clerk.get(reverse("venues:approvals")).content.decode()
        assert "季度例会" in queue
        clerk.post(
            reverse("venues:booking_action", args=[row.pk, "approve"]), {"next": "approvals"}
        )
        row.refresh_from_db()
        assert row.state == Booking.State.APPROVED
        owner = place.client_for("enterprise")
        detail = owner.get(reverse("venues:booking_detail", args=[row.pk])).content.decode()
        assert "签到将于 2026-12-09 13:30 开放" in detail
        clock.set("2026-12-09 13:45")
        owner = place.client_for("enterprise")  # a new session: the old one idled out
        detail = owner.get(reverse("venues:booking_detail", args=[row.pk])).content.decode()
        assert "签到</button>" in detail
        owner.post(reverse("venues:booking_action", args=[row.pk, "check-in"]))
        row.refresh_from_db()
        assert row.state == Booking.State.CHECKED_IN
        # Someone who sees the calendar but did not book cannot act on it.
        assert (
            place.client_for("employee")
            .post(reverse("venues:booking_action", args=[row.pk, "cancel"]))
            .status_code
            == 404
        )

    def test_a_booking_awaiting_approval_is_the_managers_to_do(self, place, clock):
        from louyu.notifications.todo import todo_for

        row = booking(place, venue=place.hall)
        booking(place, venue=place.room)  # needs no approval: nothing waits
        groups = {group.key: group for group in todo_for(place.users["clerk"])}
        group = groups["venues.approvals"]
        assert (group.count, group.url) == (1, reverse("venues:approvals"))
        assert [item.url for item in group.items] == [
            reverse("venues:booking_detail", args=[row.pk])
        ]
        # Enterprises approve nothing.
        for persona in ("enterprise", "outsider"):
            assert "venues.approvals" not in {g.key for g in todo_for(place.users[persona])}
        services.booking_approve(actor=place.clerk, booking=row)
        groups = {group.key: group for group in todo_for(place.users["clerk"])}
        assert groups["venues.approvals"].count == 0

    def test_the_booker_cancels(self, place, clock):
        row = booking(place)
        response = place.client_for("enterprise").post(
            reverse("venues:booking_action", args=[row.pk, "cancel"]), {"note": "改期"}
        )
        assert response.status_code == 302
        row.refresh_from_db()
        assert (row.state, row.decision_note) == (Booking.State.CANCELLED, "改期")

    def test_my_bookings_lists_mine_filtered(self, place, clock):
        mine = booking(place)
        booking(place, user=place.clerk, start="2026-12-10 09:00", end="2026-12-10 10:00")
        client = place.client_for("enterprise")
        html = client.get(reverse("venues:my_bookings")).content.decode()
        assert "2026-12-09 14:00–16:00" in html and "2026-12-10 09:00" not in html
        services.booking_cancel(actor=place.enterprise, booking=mine)
        html = client.get(reverse("venues:my_bookings"), {"state": "approved"}).content.decode()
        assert "2026-12-09 14:00–16:00" not in html


class PhotoTests:
    def test_a_manager_adds_a_photo_served_only_within_scope(self, place, clock):
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
        buffer.name = "room.png"
        buffer.seek(0)
        response = place.client_for("clerk").post(
            reverse("venues:venue_photo_add", args=[place.room.pk]),
            {"photo": buffer, "caption": "会议室全景"},
        )
        assert response.status_code == 302
        photo = place.room.photos.get()
        url = reverse("venues:venue_photo", args=[place.room.pk, photo.pk])
        assert place.client_for("employee").get(url)["Content-Type"] == "image/png"
        assert place.client_for("outsider").get(url).status_code == 404
        buffer.seek(0)
        refused = place.client_for("enterprise").post(
            reverse("venues:venue_photo_add", args=[place.room.pk]), {"photo": buffer}
        )
        assert refused.status_code == 404


class QueryCountTests:
    def test_the_week_calendar_costs_the_same_for_more_bookings(
        self, place, clock, django_assert_num_queries
    ):
        client = place.client_for("employee")
        url = reverse("venues:venue_detail", args=[place.room.pk])
        booking(place)
        client.get(url)  # warm the session
        with django_assert_num_queries(18) as first:
            client.get(url, {"date": "2026-12-09"})
        for day in (10, 11, 12):
            booking(place, start=f"2026-12-{day} 09:00", end=f"2026-12-{day} 10:00")
        with django_assert_num_queries(len(first.captured_queries)):
            html = client.get(url, {"date": "2026-12-09"}).content.decode()
        assert html.count("vg-item vg-approved") == 4


class VenueFormTests:
    def test_a_manager_adds_a_venue_with_its_opening_hours(self, place, clock):
        url = reverse("venues:venue_new", args=[place.community.pk])
        assert_access_matrix(place.world, "get", url, allowed={"clerk"})
        data = {
            "name": "屋顶花园",
            "kind": "roof_garden",
            "building": str(place.building.pk),
            "capacity": "40",
            "bookers": ["association", "enterprise"],
            "is_active": "on",
            "opens_5": "09:00",
            "closes_5": "20:00",
        }
        response = place.client_for("clerk").post(url, data)
        assert response.status_code == 302
        venue = place.community.venues.get(name="屋顶花园")
        assert venue.opening_hours == {"5": ["09:00", "20:00"]}
        assert venue.bookers == ["association", "enterprise"]
        assert venue.building == place.building

    def test_a_manager_edits_a_venue_and_half_a_day_is_refused(self, place, clock):
        url = reverse("venues:venue_edit", args=[place.room.pk])
        assert_access_matrix(place.world, "get", url, allowed={"clerk"})
        client = place.client_for("clerk")
        page = client.get(url).content.decode()
        assert 'value="08:00"' in page and "编辑场地" in page
        refused = client.post(
            url,
            {"name": "三楼会议室", "kind": "meeting_room", "capacity": "30", "opens_0": "08:00"},
        )
        assert refused.status_code == 400
        assert "请同时填写两个时间" in refused.content.decode()
        client.post(
            url,
            {
                "name": "三楼大会议室",
                "kind": "meeting_room",
                "capacity": "30",
                "opens_0": "08:00",
                "closes_0": "12:00",
            },
        )
        place.room.refresh_from_db()
        assert (place.room.name, place.room.capacity, place.room.is_active) == (
            "三楼大会议室",
            30,
            False,
        )
        assert place.room.opening_hours == {"0": ["08:00", "12:00"]}
