"""Every write to venues, bookings, series and feed links: keyword-only, an explicit `actor`, one
transaction, an audit row, notifications on commit.

Conflicts: `_booking_insert` checks for an overlapping active booking inside the transaction
and then inserts. On SQLite that is enough (writers are serialised: transactions open
IMMEDIATE). On PostgreSQL two transactions may both pass the check; the exclusion constraint of
migration 0002 then refuses the second insert, and the IntegrityError becomes the same
ApplicationError as the check's.
"""

from __future__ import annotations

import hashlib
import secrets
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record
from louyu.core.uploads import image_clean
from louyu.lib.workdays import is_workday
from louyu.venues.models import (
    BOOKING_NO_OVERLAP,
    BookerKind,
    Booking,
    BookingSeries,
    FeedToken,
    Venue,
    VenuePhoto,
)
from louyu.venues.selectors import check_in_window, is_manager, may_act, may_book

SKIP_REASONS = {
    "holiday": gettext_lazy("not a working day"),
    "conflict": gettext_lazy("already booked"),
    "closed": gettext_lazy("the venue is closed that day"),
    "exception": gettext_lazy("left out"),
    "past": gettext_lazy("already past"),
    "no_such_day": gettext_lazy("the month has no such day"),
}


def _refuse(message: str, code: str, status: int = 400) -> ApplicationError:
    return ApplicationError(message, code=code, status=status)


# --- Venues -------------------------------------------------------------------------------------


def _hours_clean(hours: dict[Any, Any] | None) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = {}
    for key, value in (hours or {}).items():
        if not value:
            continue
        try:
            weekday = int(key)
            opens, closes = (time.fromisoformat(str(v)) for v in value)
        except (TypeError, ValueError) as exc:
            raise _refuse(_("Opening hours must be times such as 08:30."), "hours") from exc
        if weekday not in range(7) or closes <= opens:
            raise _refuse(_("A day's closing time must come after its opening time."), "hours")
        clean[str(weekday)] = [f"{opens:%H:%M}", f"{closes:%H:%M}"]
    return clean


def _venue_values(values: dict[str, Any]) -> dict[str, Any]:
    if "opening_hours" in values:
        values["opening_hours"] = _hours_clean(values["opening_hours"])
    if "bookers" in values:
        values["bookers"] = [k for k in BookerKind.values if k in set(values["bookers"] or [])]
    if "name" in values:
        values["name"] = str(values["name"]).strip()
        if not values["name"]:
            raise _refuse(_("Give the venue a name."), "name")
    return values


def _snapshot(venue: Venue) -> dict[str, Any]:
    return {
        "name": venue.name,
        "kind": venue.kind,
        "capacity": venue.capacity,
        "opening_hours": venue.opening_hours,
        "bookers": venue.bookers,
        "approval_required": venue.approval_required,
        "is_active": venue.is_active,
    }


def venue_create(*, actor: Any, community: Any, name: str, **values: Any) -> Venue:
    """A new venue of a building community (its managers, or the system)."""
    values = _venue_values({"name": name, **values})
    venue = Venue(community=community, **values)
    if not is_manager(actor, venue):
        raise _refuse(
            _("Only the community's service center manages its venues."), "forbidden", 403
        )
    building = values.get("building")
    if building is not None and building.parent_id != community.pk:
        raise _refuse(_("The building is not in this building community."), "building")
    with transaction.atomic():
        if Venue.objects.filter(community=community, name=venue.name).exists():
            raise _refuse(_("The community already has a venue of this name."), "duplicate")
        venue.save()
        audit_record(actor=actor, action="venue.create", target=venue, after=_snapshot(venue))
    return venue


VENUE_FIELDS = frozenset(
    {
        "name",
        "kind",
        "building",
        "owner",
        "location",
        "capacity",
        "equipment",
        "description",
        "opening_hours",
        "bookers",
        "approval_required",
        "is_active",
    }
)


def venue_update(*, actor: Any, venue: Venue, **values: Any) -> Venue:
    """Change a venue's details; existing bookings stay as they are."""
    unknown = set(values) - VENUE_FIELDS
    if unknown:
        raise ValueError(f"not venue fields: {sorted(unknown)}")
    if not is_manager(actor, venue):
        raise _refuse(
            _("Only the community's service center manages its venues."), "forbidden", 403
        )
    values = _venue_values(values)
    with transaction.atomic():
        before = _snapshot(venue)
        for name, value in values.items():
            setattr(venue, name, value)
        venue.save(update_fields=list(values))
        audit_record(
            actor=actor, action="venue.update", target=venue, before=before, after=_snapshot(venue)
        )
    return venue


def venue_photo_add(*, actor: Any, venue: Venue, upload: Any, caption: str = "") -> VenuePhoto:
    """Add a photo of a venue; the image is checked and re-encoded first."""
    if not is_manager(actor, venue):
        raise _refuse(
            _("Only the community's service center manages its venues."), "forbidden", 403
        )
    image = image_clean(upload, stem="venue")
    with transaction.atomic():
        photo = VenuePhoto(venue=venue, caption=caption.strip()[:100], uploaded_by=actor)
        photo.image.save(image.name or "venue.jpg", image, save=False)
        photo.save()
        audit_record(
            actor=actor,
            action="venuephoto.create",
            target=photo,
            after={"venue": venue.pk, "caption": photo.caption},
        )
    return photo


# --- Bookings -----------------------------------------------------------------------------------


def _span(booking: Booking) -> str:
    return booking.span_label


def _conflict_error(conflict: Booking | None) -> ApplicationError:
    if conflict is None:
        message = _("This time is already booked.")
        extra: dict[str, Any] = {}
    else:
        message = _("This time is already booked (%(span)s).") % {"span": _span(conflict)}
        extra = {"conflict": {"id": conflict.pk, "span": _span(conflict)}}
    return ApplicationError(message, code="booking_conflict", status=409, extra=extra)


def _conflict(venue: Venue, starts_at: datetime, ends_at: datetime) -> Booking | None:
    return (
        Booking.objects.filter(venue=venue)
        .active()
        .overlapping(starts_at, ends_at)
        .order_by("starts_at")
        .first()
    )


def _check_time(venue: Venue, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("booking times must be aware")
    if ends_at <= starts_at:
        raise _refuse(_("The end must come after the start."), "time_order")
    if ends_at <= now:
        raise _refuse(_("This time is already past."), "past")
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    hours = venue.hours_on(start.weekday())
    if hours is None:
        raise _refuse(_("The venue is closed on that day."), "closed")
    if start.date() != end.date() or start.time() < hours[0] or end.time() > hours[1]:
        raise _refuse(
            _("The venue is open %(opens)s–%(closes)s on that day.")
            % {"opens": f"{hours[0]:%H:%M}", "closes": f"{hours[1]:%H:%M}"},
            "hours",
        )


def _check_booker(actor: Any, booker: Any, venue: Venue, attendees: int) -> None:
    if not venue.is_active:
        raise _refuse(_("This venue is not taking bookings."), "inactive")
    if not may_book(actor, venue) or not may_book(booker, venue):
        raise _refuse(_("You may not book this venue."), "forbidden", 403)
    if attendees < 1:
        raise _refuse(_("At least one person attends."), "attendees")
    if attendees > venue.capacity:
        raise _refuse(
            _("The venue holds at most %(n)s people.") % {"n": venue.capacity}, "capacity"
        )


def _booking_insert(booking: Booking) -> Booking:
    """Check, then insert, in the caller's transaction: one savepoint, so that a refusal by the
    PostgreSQL constraint leaves the caller's transaction usable."""
    conflict = _conflict(booking.venue, booking.starts_at, booking.ends_at)
    if conflict is not None:
        raise _conflict_error(conflict)
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:
        if BOOKING_NO_OVERLAP.name not in str(exc):
            raise
        raise _conflict_error(_conflict(booking.venue, booking.starts_at, booking.ends_at)) from exc
    return booking


def _booking_after(booking: Booking) -> dict[str, Any]:
    return {
        "venue": booking.venue_id,
        "state": booking.state,
        "starts_at": booking.starts_at.isoformat(),
        "ends_at": booking.ends_at.isoformat(),
        "attendees": booking.attendees,
        "title": booking.title,
    }


def _new_booking(
    *,
    actor: Any,
    booker: Any,
    venue: Venue,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    attendees: int,
    purpose: str,
    organizer: str,
    target: Any,
    series: BookingSeries | None,
) -> Booking:
    title = title.strip()
    if not title:
        raise _refuse(_("Give the booking a title."), "title")
    booker_manages = is_manager(booker, venue)
    state = (
        Booking.State.REQUESTED
        if venue.approval_required and not booker_manages
        else Booking.State.APPROVED
    )
    now = timezone.now()
    booking = Booking(
        venue=venue,
        booker=booker,
        title=title[:200],
        purpose=purpose.strip(),
        organizer=organizer.strip()[:100],
        starts_at=starts_at,
        ends_at=ends_at,
        attendees=attendees,
        state=state,
        series=series,
        created_at=now,
        updated_at=now,
    )
    if target is not None:
        booking.target_type = ContentType.objects.get_for_model(target)
        booking.target_id = target.pk
    if state == Booking.State.APPROVED:
        booking.decided_by = actor if is_manager(actor, venue) and actor is not None else None
    return booking


def booking_request(
    *,
    actor: Any,
    venue: Venue,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    attendees: int = 1,
    purpose: str = "",
    organizer: str = "",
    target: Any = None,
    booker: Any = None,
) -> Booking:
    """Book a venue for a time span: within its opening hours and capacity, by someone it
    admits, in a free slot. Approved at once unless the venue needs approval (its managers'
    own bookings never do); otherwise it waits for a manager, holding the slot meanwhile."""
    booker = booker or actor
    if booker is None:
        raise ValueError("a booking needs a booker")
    _check_booker(actor, booker, venue, attendees)
    _check_time(venue, starts_at, ends_at, timezone.now())
    with transaction.atomic():
        booking = _new_booking(
            actor=actor,
            booker=booker,
            venue=venue,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            attendees=attendees,
            purpose=purpose,
            organizer=organizer,
            target=target,
            series=None,
        )
        _booking_insert(booking)
        audit_record(
            actor=actor, action="booking.request", target=booking, after=_booking_after(booking)
        )
        _notify_on_commit(booking, "requested" if booking.state == "requested" else None, actor)
    return booking


def booking_for(
    target: Any,
    *,
    actor: Any,
    venue: Venue,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    attendees: int = 1,
    purpose: str = "",
    organizer: str = "",
) -> Booking:
    """Book a venue for a meeting or activity of another app (a party activity, an
    association meeting, a club activity): the one way they book. `target` is that row; its
    bookings are `selectors.bookings_for_target(target)`."""
    return booking_request(
        actor=actor,
        venue=venue,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        attendees=attendees,
        purpose=purpose,
        organizer=organizer,
        target=target,
    )


def _transition(
    *,
    actor: Any,
    booking: Booking,
    action: str,
    allowed_from: Iterable[str],
    state: str,
    note: str = "",
    fields: dict[str, Any] | None = None,
) -> Booking:
    """Move a booking from one of `allowed_from` to `state` with one conditional UPDATE: two
    managers deciding at once, or a cancel racing an approval, cannot both win."""
    allowed = list(allowed_from)
    now = timezone.now()
    values = {"state": state, "updated_at": now, **(fields or {})}
    if note:
        values["decision_note"] = note.strip()[:300]
    with transaction.atomic():
        before = booking.state
        changed = Booking.objects.filter(pk=booking.pk, state__in=allowed).update(**values)
        if not changed:
            booking.refresh_from_db(fields=["state"])
            raise _refuse(
                _("The booking is %(state)s and cannot be changed that way.")
                % {"state": booking.get_state_display()},
                "state",
                409,
            )
        for name, value in values.items():
            setattr(booking, name, value)
        audit_record(
            actor=actor,
            action=f"booking.{action}",
            target=booking,
            before={"state": before},
            after={"state": state, **({"note": values["decision_note"]} if note else {})},
        )
        _notify_on_commit(booking, action, actor)
    return booking


def _require_manager(actor: Any, booking: Booking) -> None:
    if not is_manager(actor, booking.venue):
        raise _refuse(_("Only the venue's managers decide on bookings."), "forbidden", 403)


def booking_approve(*, actor: Any, booking: Booking, note: str = "") -> Booking:
    """A manager approves a booking that waits for approval."""
    _require_manager(actor, booking)
    if booking.ends_at <= timezone.now():
        raise _refuse(_("This time is already past."), "past")
    return _transition(
        actor=actor,
        booking=booking,
        action="approve",
        allowed_from=[Booking.State.REQUESTED],
        state=Booking.State.APPROVED,
        note=note,
        fields={"decided_by": actor},
    )


def booking_reject(*, actor: Any, booking: Booking, note: str = "") -> Booking:
    """A manager turns a booking down; its slot is free again."""
    _require_manager(actor, booking)
    if not note.strip():
        raise _refuse(_("Say why the booking is turned down."), "note")
    return _transition(
        actor=actor,
        booking=booking,
        action="reject",
        allowed_from=[Booking.State.REQUESTED],
        state=Booking.State.REJECTED,
        note=note,
        fields={"decided_by": actor},
    )


def booking_cancel(*, actor: Any, booking: Booking, note: str = "") -> Booking:
    """The booker or a manager cancels a booking that has not ended; its slot is free again."""
    if not may_act(actor, booking):
        raise _refuse(_("Only the booker or the venue's managers may cancel."), "forbidden", 403)
    if booking.ends_at <= timezone.now():
        raise _refuse(_("The booking has ended."), "past")
    return _transition(
        actor=actor,
        booking=booking,
        action="cancel",
        allowed_from=[Booking.State.REQUESTED, Booking.State.APPROVED],
        state=Booking.State.CANCELLED,
        note=note,
    )


def booking_check_in(*, actor: Any, booking: Booking) -> Booking:
    """Arrival at the venue: from LOUYU_VENUES_CHECKIN_MINUTES before the start to the end."""
    if not may_act(actor, booking):
        raise _refuse(_("Only the booker or the venue's managers may check in."), "forbidden", 403)
    now = timezone.now()
    opens, closes = check_in_window(booking)
    if now < opens:
        raise _refuse(
            _("Check-in opens at %(time)s.")
            % {"time": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}"},
            "too_early",
        )
    if now > closes:
        raise _refuse(_("The booking has ended."), "past")
    return _transition(
        actor=actor,
        booking=booking,
        action="check_in",
        allowed_from=[Booking.State.APPROVED],
        state=Booking.State.CHECKED_IN,
        fields={"checked_in_at": now},
    )


# --- Series -------------------------------------------------------------------------------------


@dataclass
class SeriesResult:
    series: BookingSeries
    bookings: list[Booking] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def _add_months(day: date, months: int, wanted: int) -> date | None:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if wanted > monthrange(year, month)[1]:
        return None
    return date(year, month, wanted)


def series_dates(
    *, frequency: str, starts_on: date, until: date | None, count: int | None
) -> list[tuple[date, str]]:
    """The dates a series falls on, in order; months without the day come as (day 1 of that
    month, "no_such_day"). Bounded by `until`, `count` and LOUYU_VENUES_SERIES_MAX."""
    limit = settings.LOUYU_VENUES_SERIES_MAX
    if count is not None and count > limit:
        raise _refuse(_("A series has at most %(n)s dates.") % {"n": limit}, "too_many")
    dates: list[tuple[date, str]] = []
    index = 0
    while count is None or len(dates) < count:
        if frequency == BookingSeries.Frequency.WEEKLY:
            day: date | None = starts_on + timedelta(weeks=index)
            fallback = day
        else:
            day = _add_months(starts_on, index, starts_on.day)
            fallback = _add_months(starts_on.replace(day=1), index, 1)
        index += 1
        assert fallback is not None
        if until is not None and fallback > until:
            break
        dates.append((day, "") if day is not None else (fallback, "no_such_day"))
        if len(dates) > limit:
            raise _refuse(_("A series has at most %(n)s dates.") % {"n": limit}, "too_many")
    return dates


def series_create(
    *,
    actor: Any,
    venue: Venue,
    title: str,
    frequency: str,
    starts_on: date,
    start_time: time,
    end_time: time,
    until: date | None = None,
    count: int | None = None,
    exceptions: Iterable[date] = (),
    workdays_only: bool = False,
    attendees: int = 1,
    purpose: str = "",
    organizer: str = "",
    target: Any = None,
) -> SeriesResult:
    """Book the same time every week or month. Dates that are excepted, past, closed, taken,
    or not working days (with `workdays_only`, from the platform's holiday calendar) are
    skipped and reported; the others are booked in one transaction, each like a single
    booking. Refused when no date at all can be booked."""
    if frequency not in BookingSeries.Frequency.values:
        raise _refuse(_("Choose weekly or monthly."), "frequency")
    if until is None and count is None:
        raise _refuse(_("Say until when, or how many times."), "no_end")
    if until is not None and until < starts_on:
        raise _refuse(_("The last date comes before the first."), "time_order")
    if end_time <= start_time:
        raise _refuse(_("The end must come after the start."), "time_order")
    _check_booker(actor, actor, venue, attendees)
    left_out = set(exceptions)
    now = timezone.now()
    with transaction.atomic():
        series = BookingSeries.objects.create(
            venue=venue,
            booker=actor,
            title=title.strip()[:200] or "-",
            frequency=frequency,
            starts_on=starts_on,
            start_time=start_time,
            end_time=end_time,
            until=until,
            count=count,
            workdays_only=workdays_only,
            exceptions=sorted(d.isoformat() for d in left_out),
            created_at=now,
        )
        result = SeriesResult(series=series)

        def skip(day: date, reason: str, detail: str = "") -> None:
            result.skipped.append({"date": day.isoformat(), "reason": reason, "detail": detail})

        for day, problem in series_dates(
            frequency=frequency, starts_on=starts_on, until=until, count=count
        ):
            if problem:
                skip(day, problem)
                continue
            if day in left_out:
                skip(day, "exception")
                continue
            if workdays_only and not is_workday(day):
                skip(day, "holiday")
                continue
            starts_at = timezone.make_aware(datetime.combine(day, start_time))
            ends_at = timezone.make_aware(datetime.combine(day, end_time))
            try:
                _check_time(venue, starts_at, ends_at, now)
            except ApplicationError as error:
                skip(day, "past" if error.code == "past" else "closed")
                continue
            booking = _new_booking(
                actor=actor,
                booker=actor,
                venue=venue,
                title=series.title,
                starts_at=starts_at,
                ends_at=ends_at,
                attendees=attendees,
                purpose=purpose,
                organizer=organizer,
                target=target,
                series=series,
            )
            try:
                _booking_insert(booking)
            except ApplicationError as error:
                skip(day, "conflict", str(error.extra.get("conflict", {}).get("span", "")))
                continue
            result.bookings.append(booking)
        if not result.bookings:
            raise _refuse(_("No date of the series could be booked."), "series_empty", 409)
        series.skipped = result.skipped
        series.save(update_fields=["skipped"])
        audit_record(
            actor=actor,
            action="bookingseries.create",
            target=series,
            after={
                "venue": venue.pk,
                "frequency": frequency,
                "booked": [b.starts_at.isoformat() for b in result.bookings],
                "skipped": result.skipped,
            },
        )
        # One notice for the whole series: the managers' queue lists every date.
        waiting = [b for b in result.bookings if b.state == Booking.State.REQUESTED]
        if waiting:
            _notify_on_commit(waiting[0], "requested", actor)
    return result


def series_cancel(*, actor: Any, series: BookingSeries, from_date: date) -> int:
    """Cancel a series' bookings on and after a date (those not yet begun); returns how many."""
    probe = Booking(venue=series.venue, booker=series.booker)
    if not may_act(actor, probe):
        raise _refuse(_("Only the booker or the venue's managers may cancel."), "forbidden", 403)
    start = timezone.make_aware(datetime.combine(from_date, time()))
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            series.bookings.filter(
                state__in=[Booking.State.REQUESTED, Booking.State.APPROVED],
                starts_at__gte=max(start, now),
            ).select_related("venue", "booker")
        )
        Booking.objects.filter(pk__in=[b.pk for b in rows]).update(
            state=Booking.State.CANCELLED, updated_at=now
        )
        series.cancelled_from = from_date
        series.save(update_fields=["cancelled_from"])
        audit_record(
            actor=actor,
            action="bookingseries.cancel",
            target=series,
            after={"from": from_date.isoformat(), "cancelled": [b.pk for b in rows]},
        )
        for booking in rows:
            booking.state = Booking.State.CANCELLED
            _notify_on_commit(booking, "cancel", actor)
    return len(rows)


# --- Calendar feed links --------------------------------------------------------------------------


def feed_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_token_issue(*, actor: Any) -> tuple[FeedToken, str]:
    """A new secret feed link for the actor (the old one stops working); the secret is returned
    once and only its digest kept."""
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        FeedToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=now)
        token = FeedToken.objects.create(user=actor, digest=feed_digest(secret), created_at=now)
        audit_record(actor=actor, action="feedtoken.issue", target=token)
    return token, secret


def feed_token_revoke(*, actor: Any) -> int:
    """Stop the actor's feed link; returns how many links were stopped."""
    with transaction.atomic():
        tokens = list(FeedToken.objects.filter(user=actor, revoked_at__isnull=True))
        FeedToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
        for token in tokens:
            audit_record(actor=actor, action="feedtoken.revoke", target=token)
    return len(tokens)


# --- Notifications ------------------------------------------------------------------------------


def _notify_on_commit(booking: Booking, event: str | None, actor: Any) -> None:
    """Tell the people a booking concerns: the notification service stores the rows in this
    transaction and delivers them once it commits."""
    if event is None:
        return
    from louyu.venues.notify import booking_notify

    booking_notify(booking, event, actor=actor)
