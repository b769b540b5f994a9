"""Booking services: conflicts, hours, capacity, who may book, approval, cancel, check-in,
recurrence across holidays, and the notifications each step sends."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.db import connection
from django.utils import timezone

from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.notifications.models import Notification
from louyu.venues import services
from louyu.venues.models import Booking, BookingSeries
from louyu.venues.selectors import bookings_for_target
from louyu.venues.tests.conftest import at

pytestmark = pytest.mark.django_db


def series(place, **kwargs):
    """services.series_create in the place's room, weekly unless told otherwise."""
    kwargs.setdefault("venue", place.room)
    kwargs.setdefault("frequency", BookingSeries.Frequency.WEEKLY)
    return services.series_create(**kwargs)


def book(place, user, start, end, *, venue=None, **kwargs):
    return services.booking_request(
        actor=user,
        venue=venue or place.room,
        title=kwargs.pop("title", "季度例会"),
        starts_at=at(start),
        ends_at=at(end),
        **kwargs,
    )


class BookingRequestTests:
    def test_it_books_a_free_slot_at_once_and_audits_it(self, place, clock):
        booking = book(place, place.enterprise, "2026-12-09 14:00", "2026-12-09 16:00")
        assert booking.state == Booking.State.APPROVED
        row = AuditLog.objects.get(action="booking.request", target_id=str(booking.pk))
        assert row.actor == place.enterprise
        assert row.after["state"] == "approved"

    def test_it_refuses_an_overlapping_slot_naming_the_booked_time(self, place, clock):
        book(place, place.enterprise, "2026-12-09 14:00", "2026-12-09 16:00")
        with pytest.raises(ApplicationError) as caught:
            book(place, place.clerk, "2026-12-09 15:30", "2026-12-09 17:00")
        assert caught.value.code == "booking_conflict"
        assert caught.value.status == 409
        assert str(caught.value) == "该时段已被预订（2026-12-09 14:00–16:00）。"
        assert Booking.objects.count() == 1

    def test_it_allows_back_to_back_bookings_and_other_venues(self, place, clock):
        book(place, place.enterprise, "2026-12-09 14:00", "2026-12-09 16:00")
        book(place, place.clerk, "2026-12-09 16:00", "2026-12-09 17:00")
        book(place, place.clerk, "2026-12-09 14:00", "2026-12-09 16:00", venue=place.hall)
        assert Booking.objects.count() == 3

    def test_a_cancelled_booking_frees_its_slot(self, place, clock):
        first = book(place, place.enterprise, "2026-12-09 14:00", "2026-12-09 16:00")
        services.booking_cancel(actor=place.enterprise, booking=first)
        second = book(place, place.clerk, "2026-12-09 14:00", "2026-12-09 16:00")
        assert second.state == Booking.State.APPROVED

    @pytest.mark.parametrize(
        ("start", "end", "code"),
        [
            ("2026-12-09 07:30", "2026-12-09 09:00", "hours"),
            ("2026-12-09 20:00", "2026-12-09 21:30", "hours"),
            ("2026-12-13 10:00", "2026-12-13 11:00", "closed"),  # a Sunday
            ("2026-12-09 11:00", "2026-12-09 10:00", "time_order"),
            ("2026-12-06 10:00", "2026-12-06 11:00", "past"),
        ],
    )
    def test_it_keeps_to_the_opening_hours(self, place, clock, start, end, code):
        with pytest.raises(ApplicationError) as caught:
            book(place, place.enterprise, start, end)
        assert caught.value.code == code

    def test_it_keeps_to_the_capacity(self, place, clock):
        with pytest.raises(ApplicationError) as caught:
            book(place, place.clerk, "2026-12-09 10:00", "2026-12-09 11:00", attendees=21)
        assert caught.value.code == "capacity"
        assert "20" in str(caught.value)

    def test_only_the_admitted_kinds_of_booker_may_book(self, place, clock):
        # The hall admits enterprises and party organizations, not the association.
        with pytest.raises(ApplicationError) as caught:
            book(place, place.association, "2026-12-09 10:00", "2026-12-09 11:00", venue=place.hall)
        assert caught.value.code == "forbidden"
        for user in (place.outsider, place.handler_tax, place.nobody):
            with pytest.raises(ApplicationError):
                book(place, user, "2026-12-09 10:00", "2026-12-09 11:00")
        with pytest.raises(ApplicationError):
            book(place, place.outsider, "2026-12-09 10:00", "2026-12-09 11:00", venue=place.room)
        assert book(place, place.party_officer, "2026-12-09 10:00", "2026-12-09 11:00").pk


class ApprovalTests:
    def test_a_venue_that_needs_approval_holds_the_slot_until_a_manager_decides(self, place, clock):
        booking = book(
            place, place.enterprise, "2026-12-10 09:00", "2026-12-10 11:00", venue=place.hall
        )
        assert booking.state == Booking.State.REQUESTED
        with pytest.raises(ApplicationError) as caught:
            book(
                place, place.party_officer, "2026-12-10 10:00", "2026-12-10 12:00", venue=place.hall
            )
        assert caught.value.code == "booking_conflict"
        services.booking_approve(actor=place.clerk, booking=booking)
        booking.refresh_from_db()
        assert booking.state == Booking.State.APPROVED
        assert booking.decided_by == place.clerk

    def test_a_managers_own_booking_needs_no_approval(self, place, clock):
        booking = book(place, place.clerk, "2026-12-10 09:00", "2026-12-10 11:00", venue=place.hall)
        assert booking.state == Booking.State.APPROVED

    def test_only_managers_decide_and_a_rejection_says_why(self, place, clock):
        booking = book(
            place, place.enterprise, "2026-12-10 09:00", "2026-12-10 11:00", venue=place.hall
        )
        for user in (place.enterprise, place.party_officer, place.users["street"]):
            with pytest.raises(ApplicationError) as caught:
                services.booking_approve(actor=user, booking=booking)
            assert caught.value.code == "forbidden"
        with pytest.raises(ApplicationError) as caught:
            services.booking_reject(actor=place.clerk, booking=booking, note=" ")
        assert caught.value.code == "note"
        services.booking_reject(actor=place.clerk, booking=booking, note="当天有检查")
        booking.refresh_from_db()
        assert (booking.state, booking.decision_note) == (Booking.State.REJECTED, "当天有检查")
        with pytest.raises(ApplicationError) as caught:
            services.booking_approve(actor=place.clerk, booking=booking)
        assert caught.value.code == "state"
        # The slot is free again.
        assert book(
            place, place.party_officer, "2026-12-10 09:00", "2026-12-10 11:00", venue=place.hall
        )

    def test_each_step_tells_the_right_people_and_nobody_else(self, place, clock):
        booking = book(
            place, place.enterprise, "2026-12-10 09:00", "2026-12-10 11:00", venue=place.hall
        )
        requested = Notification.objects.filter(kind="venues.booking.requested")
        assert {n.recipient for n in requested} == {place.clerk}
        assert requested.get().url == "/venues/approvals/"
        services.booking_approve(actor=place.clerk, booking=booking)
        approved = Notification.objects.filter(kind="venues.booking.approved")
        assert [n.recipient for n in approved] == [place.enterprise]
        assert approved.get().url == f"/venues/bookings/{booking.pk}/"
        services.booking_cancel(actor=place.clerk, booking=booking, note="场地维修")
        cancelled = Notification.objects.filter(kind="venues.booking.cancelled")
        assert [n.recipient for n in cancelled] == [place.enterprise]
        assert "场地维修" in cancelled.get().text
        assert not Notification.objects.filter(recipient=place.outsider).exists()

    def test_the_booker_is_not_told_of_their_own_cancellation(self, place, clock):
        booking = book(place, place.enterprise, "2026-12-10 09:00", "2026-12-10 11:00")
        assert not Notification.objects.exists()  # booked at once: nobody to ask
        services.booking_cancel(actor=place.enterprise, booking=booking)
        assert not Notification.objects.exists()

    def test_rejection_tells_the_booker(self, place, clock):
        booking = book(
            place, place.enterprise, "2026-12-10 09:00", "2026-12-10 11:00", venue=place.hall
        )
        services.booking_reject(actor=place.clerk, booking=booking, note="已满")
        rejected = Notification.objects.get(kind="venues.booking.rejected")
        assert rejected.recipient == place.enterprise


class CancelAndCheckInTests:
    def test_only_the_booker_or_a_manager_cancels(self, place, clock):
        booking = book(place, place.enterprise, "2026-12-10 09:00", "2026-12-10 11:00")
        with pytest.raises(ApplicationError) as caught:
            services.booking_cancel(actor=place.employee, booking=booking)
        assert caught.value.code == "forbidden"
        services.booking_cancel(actor=place.clerk, booking=booking)
        assert AuditLog.objects.filter(action="booking.cancel", actor=place.clerk).exists()

    def test_an_ended_booking_cannot_be_cancelled(self, place, clock):
        booking = book(place, place.enterprise, "2026-12-07 10:00", "2026-12-07 11:00")
        clock.set("2026-12-07 11:01")
        with pytest.raises(ApplicationError) as caught:
            services.booking_cancel(actor=place.enterprise, booking=booking)
        assert caught.value.code == "past"

    def test_check_in_opens_half_an_hour_before_the_start_and_closes_at_the_end(self, place, clock):
        booking = book(place, place.enterprise, "2026-12-09 14:00", "2026-12-09 16:00")
        clock.set("2026-12-09 13:29")
        with pytest.raises(ApplicationError) as caught:
            services.booking_check_in(actor=place.enterprise, booking=booking)
        assert caught.value.code == "too_early"
        assert "13:30" in str(caught.value)
        clock.set("2026-12-09 13:30")
        services.booking_check_in(actor=place.enterprise, booking=booking)
        booking.refresh_from_db()
        assert booking.state == Booking.State.CHECKED_IN
        assert booking.checked_in_at == at("2026-12-09 13:30")

    def test_check_in_after_the_end_is_refused(self, place, clock):
        booking = book(place, place.enterprise, "2026-12-09 14:00", "2026-12-09 16:00")
        clock.set("2026-12-09 16:01")
        with pytest.raises(ApplicationError) as caught:
            services.booking_check_in(actor=place.clerk, booking=booking)
        assert caught.value.code == "past"

    def test_a_booking_awaiting_approval_cannot_be_checked_in(self, place, clock):
        booking = book(
            place, place.enterprise, "2026-12-09 14:00", "2026-12-09 16:00", venue=place.hall
        )
        clock.set("2026-12-09 14:00")
        with pytest.raises(ApplicationError) as caught:
            services.booking_check_in(actor=place.enterprise, booking=booking)
        assert caught.value.code == "state"


class SeriesTests:
    def test_a_weekly_series_on_working_days_skips_the_national_day_holiday(self, place, clock):
        clock.set("2026-09-01 09:00")
        result = series(
            place,
            actor=place.party_officer,
            title="支部学习",
            starts_on=date(2026, 9, 17),
            start_time=time(14, 0),
            end_time=time(15, 30),
            until=date(2026, 10, 15),
            workdays_only=True,
        )
        booked = [timezone.localdate(b.starts_at) for b in result.bookings]
        assert booked == [
            date(2026, 9, 17),
            date(2026, 9, 24),
            date(2026, 10, 8),
            date(2026, 10, 15),
        ]
        assert result.skipped == [{"date": "2026-10-01", "reason": "holiday", "detail": ""}]
        assert result.series.skipped == result.skipped
        assert all(b.series == result.series for b in result.bookings)

    def test_without_workdays_only_the_holiday_is_booked(self, place, clock):
        clock.set("2026-09-01 09:00")
        result = series(
            place,
            actor=place.party_officer,
            title="支部学习",
            starts_on=date(2026, 9, 24),
            start_time=time(14, 0),
            end_time=time(15, 0),
            count=2,
        )
        assert len(result.bookings) == 2
        assert result.skipped == []

    def test_a_series_skips_taken_and_excepted_dates_and_reports_them(self, place, clock):
        book(place, place.clerk, "2026-12-16 13:00", "2026-12-16 15:00", title="安全培训")
        result = series(
            place,
            actor=place.enterprise,
            title="周例会",
            starts_on=date(2026, 12, 9),
            start_time=time(14, 0),
            end_time=time(15, 0),
            until=date(2026, 12, 30),
            exceptions=[date(2026, 12, 30)],
        )
        assert len(result.bookings) == 2
        assert result.skipped == [
            {"date": "2026-12-16", "reason": "conflict", "detail": "2026-12-16 13:00–15:00"},
            {"date": "2026-12-30", "reason": "exception", "detail": ""},
        ]
        row = AuditLog.objects.get(action="bookingseries.create")
        assert len(row.after["booked"]) == 2

    def test_a_monthly_series_skips_months_without_the_day(self, place, clock):
        result = series(
            place,
            actor=place.clerk,
            venue=place.hall,
            title="月度联席会",
            frequency=BookingSeries.Frequency.MONTHLY,
            starts_on=date(2026, 12, 31),
            start_time=time(9, 0),
            end_time=time(10, 0),
            count=4,
        )
        assert [timezone.localdate(b.starts_at) for b in result.bookings] == [
            date(2026, 12, 31),
            date(2027, 1, 31),
            date(2027, 3, 31),
        ]
        assert result.skipped == [{"date": "2027-02-01", "reason": "no_such_day", "detail": ""}]

    def test_a_series_on_a_day_the_venue_is_closed_is_refused(self, place, clock):
        with pytest.raises(ApplicationError) as caught:
            series(
                place,
                actor=place.clerk,
                title="周日活动",
                starts_on=date(2026, 12, 13),
                start_time=time(9, 0),
                end_time=time(10, 0),
                count=2,
            )
        assert caught.value.code == "series_empty"

    def test_a_series_with_no_free_date_is_refused_whole(self, place, clock):
        book(place, place.clerk, "2026-12-09 14:00", "2026-12-09 15:00")
        with pytest.raises(ApplicationError) as caught:
            series(
                place,
                actor=place.enterprise,
                title="周例会",
                starts_on=date(2026, 12, 9),
                start_time=time(14, 0),
                end_time=time(15, 0),
                count=1,
            )
        assert caught.value.code == "series_empty"
        assert not BookingSeries.objects.exists()

    def test_series_cancel_cancels_from_a_date_on(self, place, clock):
        result = series(
            place,
            actor=place.enterprise,
            title="周例会",
            starts_on=date(2026, 12, 9),
            start_time=time(14, 0),
            end_time=time(15, 0),
            count=4,
        )
        count = services.series_cancel(
            actor=place.enterprise, series=result.series, from_date=date(2026, 12, 23)
        )
        assert count == 2
        states = list(result.series.bookings.order_by("starts_at").values_list("state", flat=True))
        assert states == ["approved", "approved", "cancelled", "cancelled"]
        with pytest.raises(ApplicationError):
            services.series_cancel(
                actor=place.employee, series=result.series, from_date=date(2026, 12, 9)
            )


class BookingForTests:
    def test_another_app_books_for_its_activity_through_one_service(self, place, clock):
        committee = place.party_committee
        booking = services.booking_for(
            committee,
            actor=place.party_officer,
            venue=place.hall,
            title="主题党日",
            starts_at=at("2026-12-11 09:00"),
            ends_at=at("2026-12-11 11:00"),
            attendees=30,
        )
        assert booking.target == committee
        assert list(bookings_for_target(committee)) == [booking]
        assert booking.state == Booking.State.REQUESTED


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="#14: the exclusion constraint exists on PostgreSQL; runs in the PostgreSQL pass",
)
class ExclusionConstraintTests:
    def test_the_database_refuses_an_overlap_the_service_did_not_see(
        self, place, clock, monkeypatch
    ):
        book(place, place.enterprise, "2026-12-09 14:00", "2026-12-09 16:00")
        real = services._conflict
        calls = []

        def blind_once(*args):
            calls.append(args)
            return None if len(calls) == 1 else real(*args)

        monkeypatch.setattr(services, "_conflict", blind_once)
        with pytest.raises(ApplicationError) as caught:
            book(place, place.clerk, "2026-12-09 15:00", "2026-12-09 17:00")
        assert caught.value.code == "booking_conflict"
        assert str(caught.value) == "该时段已被预订（2026-12-09 14:00–16:00）。"
        assert len(calls) == 2
        assert Booking.objects.count() == 1


class SeriesNotificationTests:
    def test_a_series_awaiting_approval_tells_the_managers_once(self, place, clock):
        result = series(
            place,
            actor=place.enterprise,
            venue=place.hall,
            title="周例会",
            starts_on=date(2026, 12, 9),
            start_time=time(14, 0),
            end_time=time(15, 0),
            count=3,
        )
        assert {b.state for b in result.bookings} == {Booking.State.REQUESTED}
        sent = Notification.objects.filter(kind="venues.booking.requested")
        assert [n.recipient for n in sent] == [place.clerk]
