"""Calendar feeds: the secret link (issued, re-issued, revoked → 404), the feed parsed back with
the icalendar library (Beijing times, the user's bookings and request deadlines), and the .ics
of one booking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from louyu.core.models import AuditLog
from louyu.servicedesk.models import Channel, ServiceRequest
from louyu.venues import services
from louyu.venues.models import FeedToken
from louyu.venues.tests.conftest import SHANGHAI, at

pytestmark = pytest.mark.django_db


def booking(place, user, start, end, title="季度例会"):
    return services.booking_request(
        actor=user, venue=place.room, title=title, starts_at=at(start), ends_at=at(end)
    )


def issue(client) -> str:
    page = client.post(reverse("venues:feed_manage"), {"action": "issue"})
    assert page.status_code == 200
    return page.context["feed_url"].split("/venues/feed/", 1)[1].removesuffix(".ics")


def events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


class FeedTests:
    def test_the_feed_holds_the_users_bookings_in_beijing_time(self, place, clock):
        booking(place, place.enterprise, "2026-12-09 14:00", "2026-12-09 16:00")
        booking(place, place.clerk, "2026-12-10 09:00", "2026-12-10 10:00", title="他人的会")
        client = place.client_for("enterprise")
        secret = issue(client)
        response = client.get(reverse("venues:feed", args=[secret]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
        found = events(response.content)
        assert set(found) == {"季度例会"}
        event = found["季度例会"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start == at("2026-12-09 14:00") and end == at("2026-12-09 16:00")
        assert start.utcoffset() == timedelta(hours=8)
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert "三楼会议室" in str(event["LOCATION"])

    def test_the_feed_needs_no_sign_in_but_the_right_secret(self, place, clock):
        secret = issue(place.client_for("enterprise"))
        from django.test import Client

        assert Client().get(reverse("venues:feed", args=[secret])).status_code == 200
        assert Client().get(reverse("venues:feed", args=[secret + "x"])).status_code == 404
        assert FeedToken.objects.get().digest != secret  # only the digest is kept

    def test_a_revoked_or_reissued_link_answers_404(self, place, clock):
        client = place.client_for("enterprise")
        first = issue(client)
        second = issue(client)
        assert client.get(reverse("venues:feed", args=[first])).status_code == 404
        assert client.get(reverse("venues:feed", args=[second])).status_code == 200
        client.post(reverse("venues:feed_manage"), {"action": "revoke"})
        assert client.get(reverse("venues:feed", args=[second])).status_code == 404
        actions = list(
            AuditLog.objects.filter(action__startswith="feedtoken.").values_list(
                "action", flat=True
            )
        )
        assert sorted(actions) == ["feedtoken.issue", "feedtoken.issue", "feedtoken.revoke"]

    def test_the_feed_page_speaks_chinese(self, place, clock):
        html = place.client_for("employee").get(reverse("venues:feed_manage")).content.decode()
        assert "日历订阅" in html

    def test_request_deadlines_come_from_the_service_desks_source(self, place, clock):
        handled = ServiceRequest.objects.create(
            number="HX2026120001",
            title="发票领用",
            requester=place.enterprise,
            community=place.community,
            channel=Channel.WEB,
            status="accepted",
            due_on=date(2026, 12, 11),
        )
        ServiceRequest.objects.create(
            number="HX2026120002",
            title="别人的事项",
            community=place.community,
            channel=Channel.WEB,
            status="accepted",
            due_on=date(2026, 12, 11),
        )
        client = place.client_for("enterprise")
        found = events(client.get(reverse("venues:feed", args=[issue(client)])).content)
        assert set(found) == {"截止：HX2026120001 发票领用"}
        event = found["截止：HX2026120001 发票领用"]
        assert event.decoded("DTSTART") == date(2026, 12, 11)
        assert str(event["URL"]).endswith(f"/service/requests/{handled.pk}/")


class SingleEventTests:
    def test_any_visible_booking_downloads_as_ics(self, place, clock):
        row = booking(place, place.clerk, "2026-12-10 09:00", "2026-12-10 10:30")
        response = place.client_for("employee").get(reverse("venues:booking_ics", args=[row.pk]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        event = events(response.content)["季度例会"]
        assert event.decoded("DTSTART").astimezone(SHANGHAI).hour == 9
        assert event.decoded("DTEND") == at("2026-12-10 10:30")
        assert str(event["UID"]) == f"booking-{row.pk}@louyu"
        assert (
            place.client_for("outsider")
            .get(reverse("venues:booking_ics", args=[row.pk]))
            .status_code
            == 404
        )
