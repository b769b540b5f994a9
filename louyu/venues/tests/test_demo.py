"""The demo's venues and bookings (louyu/venues/demo.py), written on the test world."""

from __future__ import annotations

import pytest

from louyu.notifications.models import Notification
from louyu.venues.demo import venues_seed
from louyu.venues.models import Booking, BookingSeries, Venue

pytestmark = pytest.mark.django_db


def test_it_seeds_venues_bookings_a_series_and_one_awaiting_approval(world, clock):
    counts = venues_seed()
    assert counts["venues"] == Venue.objects.count() == 4
    assert set(Venue.objects.filter(community=world.community).values_list("kind", flat=True)) == {
        "meeting_room",
        "party_center",
        "roof_garden",
    }
    assert counts["bookings"] == Booking.objects.count()
    series = BookingSeries.objects.get()
    assert series.bookings.count() >= 8
    waiting = Booking.objects.get(state=Booking.State.REQUESTED)
    assert waiting.booker == world.party_officer
    assert Notification.objects.get(kind="venues.booking.requested").recipient == world.clerk
    bookers = set(Booking.objects.values_list("booker__username", flat=True))
    assert bookers == {
        "enterprise",
        "employee",
        "clerk",
        "association",
        "party_officer",
        "outsider",
    }
