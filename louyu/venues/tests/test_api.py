"""/api/v1/venues/ and /api/v1/bookings/: scoped lists, the shared FilterSet, booking and the
actions, the error shape, the outsider's 404, the OpenAPI schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from louyu.venues import services
from louyu.venues.models import Booking
from louyu.venues.tests.conftest import at

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def booking(place, user, start="2026-12-09 14:00", end="2026-12-09 16:00", venue=None):
    return services.booking_request(
        actor=user, venue=venue or place.room, title="例会", starts_at=at(start), ends_at=at(end)
    )


class VenueApiTests:
    def test_it_lists_the_venues_of_the_callers_communities(self, place):
        names = [v["name"] for v in api(place.employee).get("/api/v1/venues/").json()["results"]]
        assert names == ["三楼会议室", "党群服务中心"]
        names = [v["name"] for v in api(place.outsider).get("/api/v1/venues/").json()["results"]]
        assert names == ["外经贸会议室"]
        assert api(place.outsider).get(f"/api/v1/venues/{place.room.pk}/").status_code == 404
        assert APIClient().get("/api/v1/venues/").status_code in (401, 403)

    def test_it_filters_by_kind(self, place):
        rows = api(place.clerk).get("/api/v1/venues/", {"kind": "party_center"}).json()["results"]
        assert [r["name"] for r in rows] == ["党群服务中心"]


class BookingApiTests:
    def test_it_books_and_refuses_a_conflict_with_the_error_shape(self, place, clock):
        body = {
            "venue": place.room.pk,
            "title": "客户接待",
            "starts_at": "2026-12-09T14:00:00+08:00",
            "ends_at": "2026-12-09T15:00:00+08:00",
            "attendees": 4,
        }
        created = api(place.enterprise).post("/api/v1/bookings/", body, format="json")
        assert created.status_code == 201, created.json()
        assert created.json()["state"] == "approved"
        again = api(place.clerk).post("/api/v1/bookings/", body, format="json")
        assert again.status_code == 409
        error = again.json()["error"]
        assert error["code"] == "booking_conflict"
        assert error["extra"]["conflict"]["span"] == "2026-12-09 14:00–15:00"

    def test_the_outsider_cannot_book_or_see_another_communitys_bookings(self, place, clock):
        row = booking(place, place.enterprise)
        outsider = api(place.outsider)
        body = {
            "venue": place.room.pk,
            "title": "x",
            "starts_at": "2026-12-10T14:00:00+08:00",
            "ends_at": "2026-12-10T15:00:00+08:00",
        }
        assert outsider.post("/api/v1/bookings/", body, format="json").status_code == 404
        assert outsider.get("/api/v1/bookings/").json()["results"] == []
        assert outsider.get(f"/api/v1/bookings/{row.pk}/").status_code == 404
        assert outsider.post(f"/api/v1/bookings/{row.pk}/cancel/").status_code == 404

    def test_the_list_filters_with_the_shared_filterset(self, place, clock):
        booking(place, place.enterprise)
        booking(place, place.clerk, "2026-12-10 09:00", "2026-12-10 10:00")
        client = api(place.enterprise)
        assert len(client.get("/api/v1/bookings/").json()["results"]) == 2
        mine = client.get("/api/v1/bookings/", {"mine": "true"}).json()["results"]
        assert [r["booker_name"] for r in mine] == ["孙浩然"]
        day = client.get("/api/v1/bookings/", {"starts_after": "2026-12-10"}).json()["results"]
        assert [r["starts_at"][:10] for r in day] == ["2026-12-10"]

    def test_approve_reject_cancel_and_check_in_actions(self, place, clock):
        row = booking(place, place.enterprise, venue=place.hall)
        assert api(place.enterprise).post(f"/api/v1/bookings/{row.pk}/approve/").status_code == 403
        approved = api(place.clerk).post(f"/api/v1/bookings/{row.pk}/approve/")
        assert approved.json()["state"] == "approved"
        early = api(place.enterprise).post(f"/api/v1/bookings/{row.pk}/check-in/")
        assert early.status_code == 400
        assert early.json()["error"]["code"] == "too_early"
        clock.set("2026-12-09 13:50")
        checked = api(place.enterprise).post(f"/api/v1/bookings/{row.pk}/check-in/")
        assert checked.json()["state"] == "checked_in"
        other = booking(place, place.enterprise, "2026-12-11 09:00", "2026-12-11 10:00", place.hall)
        rejected = api(place.clerk).post(
            f"/api/v1/bookings/{other.pk}/reject/", {"note": "另有安排"}, format="json"
        )
        assert rejected.json()["decision_note"] == "另有安排"
        third = booking(place, place.enterprise, "2026-12-12 09:00", "2026-12-12 10:00")
        cancelled = api(place.enterprise).post(f"/api/v1/bookings/{third.pk}/cancel/")
        assert cancelled.json()["state"] == "cancelled"
        assert Booking.objects.filter(state="cancelled").count() == 1
        assert api(place.enterprise).post(f"/api/v1/bookings/{third.pk}/fly/").status_code == 404

    def test_the_schema_documents_the_endpoints(self, place):
        schema = api(place.clerk).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
        text = schema.content.decode()
        assert "/api/v1/bookings/{id}/{action}/" in text
        assert "/api/v1/venues/" in text


class QueryCountTests:
    def test_the_booking_list_costs_the_same_for_more_rows(
        self, place, clock, django_assert_num_queries
    ):
        client = place.client_for("clerk")
        booking(place, place.enterprise)
        client.get("/api/v1/bookings/")  # warm the session
        with django_assert_num_queries(9) as first:
            assert client.get("/api/v1/bookings/").status_code == 200
        for day in (10, 11, 14, 15):
            booking(place, place.employee, f"2026-12-{day} 09:00", f"2026-12-{day} 10:00")
        with django_assert_num_queries(len(first.captured_queries)):
            response = client.get("/api/v1/bookings/")
        assert len(response.json()["results"]) == 5
