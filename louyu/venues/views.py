"""Pages of the venues (有场地议事): the venues of one's communities, a venue's day/week
calendar, a community's calendar of all its venues, booking from a phone, my bookings, the
managers' approval queue, check-in and cancel, the calendar feed link and .ics downloads."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.uploads import content_disposition, image_response
from louyu.venues import services
from louyu.venues.feeds import booking_event, calendar_bytes, user_feed
from louyu.venues.filtersets import BookingFilterSet
from louyu.venues.forms import (
    BookingForm,
    NoteForm,
    SeriesCancelForm,
    VenueForm,
    VenuePhotoForm,
)
from louyu.venues.models import Booking, FeedToken, VenuePhoto
from louyu.venues.selectors import (
    approval_queue,
    calendar_grid,
    check_in_window,
    get_booking_for_user,
    get_community_for_user,
    get_venue_for_user,
    is_manager,
    managed_community_ids,
    may_act,
    may_book,
    venues_visible_to,
    visible_community_ids,
    week_of,
)

PAGE_SIZE = 20
WEEKDAY_NAMES = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]


def _day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


@login_required
def venue_list(request: HttpRequest) -> HttpResponse:
    """The venues of the user's building communities, by community."""
    communities = list(
        Node.objects.filter(pk__in=list(visible_community_ids(request.user))).order_by("name")
    )
    if not communities:
        raise Http404
    venues = (
        venues_visible_to(request.user)
        .filter(is_active=True)
        .order_by("name")
        .prefetch_related("photos")
    )
    by_community: dict[int, list[Any]] = {}
    bookable = {venue.pk for venue in venues if may_book(request.user, venue)}
    for venue in venues:
        by_community.setdefault(venue.community_id, []).append(venue)
    groups = [(c, by_community.get(c.pk, [])) for c in communities if c.pk in by_community]
    return render(
        request,
        "venues/venue_list.html",
        {
            "groups": groups,
            "bookable": bookable,
            "managed": bool(managed_community_ids(request.user)),
        },
    )


def _calendar_context(request: HttpRequest, venues: list[Any], *, by_venue: bool) -> dict:
    day = _day(request)
    view = "day" if by_venue or request.GET.get("view") == "day" else "week"
    if by_venue:
        days = [day]
        step = timedelta(days=1)
    else:
        days = [day] if view == "day" else week_of(day)
        step = timedelta(days=1 if view == "day" else 7)
    grid = calendar_grid(venues, days, by_venue=by_venue)
    return {
        "grid": grid,
        "day": day,
        "days": days,
        "view": view,
        "prev": (day - step).isoformat(),
        "next": (day + step).isoformat(),
        "today": timezone.localdate(),
    }


@login_required
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A venue's details and its day or week calendar."""
    venue = get_venue_for_user(request.user, pk)
    context = _calendar_context(request, [venue], by_venue=False)
    context.update(
        venue=venue,
        photos=list(venue.photos.all()),
        bookable=venue.is_active and may_book(request.user, venue),
        manager=is_manager(request.user, venue),
        hours=[(WEEKDAY_NAMES[d], venue.hours_on(d)) for d in range(7)],
        photo_form=VenuePhotoForm(),
    )
    return render(request, "venues/venue_detail.html", context)


def _venue_form_page(request: HttpRequest, community: Node, venue: Any = None) -> HttpResponse:
    initial = VenueForm.initial_for(venue) if venue else {"is_active": True, "capacity": 10}
    form = VenueForm(request.POST or None, community=community, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            if venue is None:
                venue = services.venue_create(
                    actor=request.user, community=community, **form.values()
                )
            else:
                services.venue_update(actor=request.user, venue=venue, **form.values())
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, _("The venue was saved."))
            return redirect("venues:venue_detail", pk=venue.pk)
    status = error.status if error else (400 if request.method == "POST" else 200)
    return render(
        request,
        "venues/venue_form.html",
        {"form": form, "community": community, "venue": venue, "error": error},
        status=status,
    )


@login_required
def venue_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new venue of a building community (its service-center staff)."""
    community = get_community_for_user(request.user, pk)
    if community.pk not in managed_community_ids(request.user):
        raise Http404
    return _venue_form_page(request, community)


@login_required
def venue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_venue_for_user(request.user, pk, write=True)
    return _venue_form_page(request, venue.community, venue)


@login_required
def venue_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    venue = get_venue_for_user(request.user, pk)
    return image_response(get_object_or_404(VenuePhoto, venue=venue, pk=photo_pk).image)


@login_required
@require_POST
def venue_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    venue = get_venue_for_user(request.user, pk, write=True)
    form = VenuePhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an image to upload."))
    else:
        services.venue_photo_add(
            actor=request.user,
            venue=venue,
            upload=form.cleaned_data["photo"],
            caption=form.cleaned_data["caption"],
        )
        messages.success(request, _("The photo was added."))
    return redirect("venues:venue_detail", pk=venue.pk)


@login_required
def community_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """One day of every venue of a building community, side by side."""
    community = get_community_for_user(request.user, pk)
    venues = list(community.venues.filter(is_active=True).order_by("name"))
    context: dict[str, Any] = {
        "community": community,
        "venues": venues,
        "manager": community.pk in managed_community_ids(request.user),
    }
    if venues:
        context.update(_calendar_context(request, venues, by_venue=True))
    else:
        context.update(day=_day(request), grid=None)
    return render(request, "venues/community_calendar.html", context)


@login_required
def booking_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Book a venue, once or repeating weekly or monthly."""
    venue = get_venue_for_user(request.user, pk)
    if not venue.is_active or not may_book(request.user, venue):
        raise Http404
    initial = {"day": _day(request), "attendees": 1}
    form = BookingForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["repeat"]:
                result = services.series_create(
                    actor=request.user,
                    venue=venue,
                    title=data["title"],
                    frequency=data["repeat"],
                    starts_on=data["day"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    until=data["until"],
                    exceptions=data["exceptions"],
                    workdays_only=data["workdays_only"],
                    attendees=data["attendees"],
                    purpose=data["purpose"],
                    organizer=data["organizer"],
                )
                messages.success(
                    request,
                    _("%(n)s dates booked.") % {"n": len(result.bookings)},
                )
                if result.skipped:
                    messages.warning(request, _skipped_text(result.skipped))
                return redirect("venues:my_bookings")
            starts_at, ends_at = form.span()
            booking = services.booking_request(
                actor=request.user,
                venue=venue,
                title=data["title"],
                starts_at=starts_at,
                ends_at=ends_at,
                attendees=data["attendees"],
                purpose=data["purpose"],
                organizer=data["organizer"],
            )
        except ApplicationError as exc:
            error = exc
        else:
            if booking.state == Booking.State.REQUESTED:
                messages.success(request, _("Booked. The venue's managers will approve it."))
            else:
                messages.success(request, _("Booked."))
            return redirect("venues:booking_detail", pk=booking.pk)
    status = error.status if error else (400 if request.method == "POST" else 200)
    return render(
        request,
        "venues/booking_form.html",
        {"venue": venue, "form": form, "error": error},
        status=status,
    )


def _skipped_text(skipped: list[dict[str, str]]) -> str:
    parts = []
    for item in skipped:
        reason = str(services.SKIP_REASONS.get(item["reason"], item["reason"]))
        detail = f" {item['detail']}" if item.get("detail") else ""
        parts.append(f"{item['date']}（{reason}{detail}）")
    return _("Skipped: %(dates)s") % {"dates": "、".join(parts)}


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    """The user's bookings: upcoming first, filtered by the shared FilterSet."""
    queryset = (
        Booking.objects.filter(booker_id=request.user.pk)
        .select_related("venue", "venue__community", "series")
        .order_by("-starts_at")
    )
    filterset = BookingFilterSet(request.GET or None, queryset=queryset, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "venues/my_bookings.html",
        {"filterset": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    """The managers' queue of bookings awaiting approval, soonest first, paged."""
    if not managed_community_ids(request.user):
        raise Http404
    page = Paginator(approval_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "venues/approvals.html", {"page": page, "note_form": NoteForm()})


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_booking_for_user(request.user, pk)
    acts = may_act(request.user, booking)
    opens, closes = check_in_window(booking)
    now = timezone.now()
    context = {
        "booking": booking,
        "acts": acts,
        "manager": is_manager(request.user, booking.venue),
        "can_check_in": acts and booking.state == Booking.State.APPROVED and opens <= now <= closes,
        "check_in_opens": opens,
        "can_cancel": acts
        and booking.state in (Booking.State.REQUESTED, Booking.State.APPROVED)
        and booking.ends_at > now,
        "note_form": NoteForm(),
        "series_form": SeriesCancelForm(initial={"from_date": timezone.localdate()}),
    }
    return render(request, "venues/booking_detail.html", context)


ACTIONS: dict[str, tuple[Any, bool, Any]] = {
    "approve": (services.booking_approve, True, gettext_lazy("Approved.")),
    "reject": (services.booking_reject, True, gettext_lazy("Turned down.")),
    "cancel": (services.booking_cancel, True, gettext_lazy("Cancelled.")),
    "check-in": (services.booking_check_in, False, gettext_lazy("Checked in.")),
}


@login_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    booking = get_booking_for_user(request.user, pk, write=True)
    service, takes_note, done = ACTIONS[action]
    kwargs: dict[str, Any] = {"actor": request.user, "booking": booking}
    if takes_note:
        form = NoteForm(request.POST)
        kwargs["note"] = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        service(**kwargs)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    back = request.POST.get("next", "")
    if back == "approvals":
        return redirect("venues:approvals")
    return redirect("venues:booking_detail", pk=booking.pk)


@login_required
@require_POST
def series_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = get_booking_for_user(request.user, pk, write=True)
    if booking.series is None:
        raise Http404
    form = SeriesCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the date to cancel from."))
        return redirect("venues:booking_detail", pk=booking.pk)
    try:
        count = services.series_cancel(
            actor=request.user, series=booking.series, from_date=form.cleaned_data["from_date"]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(n)s dates cancelled.") % {"n": count})
    return redirect("venues:booking_detail", pk=booking.pk)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition("attachment", filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def booking_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One booking as an .ics file, for any booking the user may see."""
    booking = get_booking_for_user(request.user, pk)
    body = calendar_bytes(
        [booking_event(booking)], name=booking.title, base=request.build_absolute_uri("/")
    )
    return _ics(body, f"booking-{booking.pk}.ics")


@login_required
def feed_manage(request: HttpRequest) -> HttpResponse:
    """The user's calendar feed link: issue (or re-issue) and revoke."""
    user: Any = request.user
    secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_token_revoke(actor=request.user)
            messages.success(request, _("The calendar link no longer works."))
            return redirect("venues:feed_manage")
        _token, secret = services.feed_token_issue(actor=request.user)
    active = FeedToken.objects.filter(user=user, revoked_at__isnull=True).first()
    url = request.build_absolute_uri(reverse("venues:feed", args=[secret])) if secret else None
    response = render(request, "venues/feed.html", {"active": active, "feed_url": url})
    response["Cache-Control"] = "no-store"
    return response


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar feed at its secret URL (no sign-in: calendar apps cannot); 404 once
    revoked."""
    row = (
        FeedToken.objects.select_related("user")
        .filter(digest=services.feed_digest(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        raise Http404
    body = user_feed(row.user, base=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
