"""Calendar feeds (iCalendar, RFC 5545, built with the `icalendar` library).

Every app that has dated things for a person registers a feed source in its AppConfig.ready():

    from louyu.venues.feeds import feed_source_register
    feed_source_register("servicedesk.deadlines", request_deadlines)

A source is `callable(user, start, end) -> iterable of FeedEvent` for the events between two
aware datetimes. A user's feed is their bookings plus what every source gives them. Times are
written in Asia/Shanghai with its VTIMEZONE, so a calendar app shows Beijing time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.venues.models import ACTIVE_STATES, Booking

SHANGHAI = ZoneInfo("Asia/Shanghai")
PRODID = "-//Louyu//Building Community Platform//ZH"


@dataclass(frozen=True)
class FeedEvent:
    """One event of a feed: a timed span (aware datetimes) or a whole day (dates)."""

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = "CONFIRMED"  # or TENTATIVE, CANCELLED


FeedSource = Callable[[Any, datetime, datetime], Iterable[FeedEvent]]
sources: dict[str, FeedSource] = {}


def feed_source_register(key: str, source: FeedSource) -> None:
    """Add a source of events to every user's feed (again under the same key replaces it)."""
    sources[key] = source


def _absolute(path: str, base: str) -> str:
    if not path or path.startswith(("http://", "https://")) or not base:
        return path if path.startswith(("http://", "https://")) else ""
    return base.rstrip("/") + path


def booking_event(booking: Booking) -> FeedEvent:
    from django.urls import reverse

    venue = booking.venue
    status = "TENTATIVE" if booking.state == Booking.State.REQUESTED else "CONFIRMED"
    if booking.state in (Booking.State.CANCELLED, Booking.State.REJECTED):
        status = "CANCELLED"
    return FeedEvent(
        uid=f"booking-{booking.pk}@louyu",
        summary=booking.title,
        start=booking.starts_at,
        end=booking.ends_at,
        description=booking.purpose,
        location=" · ".join(p for p in (venue.name, venue.location) if p),
        url=reverse("venues:booking_detail", args=[booking.pk]),
        status=status,
    )


def user_bookings(user: Any, start: datetime, end: datetime) -> Iterable[FeedEvent]:
    """The user's own active bookings (the venues app's own source)."""
    bookings = (
        Booking.objects.filter(booker=user, state__in=ACTIVE_STATES)
        .overlapping(start, end)
        .select_related("venue")
    )
    return [booking_event(b) for b in bookings]


def feed_window() -> tuple[datetime, datetime]:
    now = timezone.now()
    return (
        now - timedelta(days=settings.LOUYU_VENUES_FEED_DAYS_BACK),
        now + timedelta(days=settings.LOUYU_VENUES_FEED_DAYS_AHEAD),
    )


def _local(value: datetime | date) -> datetime | date:
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI)
    return value


def calendar_bytes(events: Iterable[FeedEvent], *, name: str, base: str = "") -> bytes:
    """An iCalendar document of the events, times in Asia/Shanghai with its VTIMEZONE."""
    from icalendar import Calendar, Event

    calendar = Calendar.new(prodid=PRODID, name=name)
    calendar.add("X-WR-TIMEZONE", "Asia/Shanghai")
    stamp = timezone.now()
    for item in events:
        event = Event.new(
            uid=item.uid,
            summary=item.summary,
            start=_local(item.start),
            end=_local(item.end),
            stamp=stamp,
            description=item.description or None,
            location=item.location or None,
            url=_absolute(item.url, base) or None,
        )
        event.add("STATUS", item.status)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def user_feed(user: Any, *, base: str = "") -> bytes:
    """The whole feed of one user: their bookings and every registered source's events."""
    start, end = feed_window()
    events: list[FeedEvent] = list(user_bookings(user, start, end))
    for source in sources.values():
        events.extend(source(user, start, end))
    return calendar_bytes(events, name=f"{_('Louyu')} · {user.display_name}", base=base)
