"""Who may see, book and manage venues, and the reads of the calendar pages.

A user sees the venues of every building community their scope reaches (a role at the district,
street or community, a party organization of the community, an enterprise in one of its
buildings). The managers of a community's venues are its service-center staff. Missing and
forbidden rows both answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership, Role
from louyu.accounts.selectors import scope_node_paths
from louyu.core.models import Node
from louyu.venues.models import ACTIVE_STATES, BookerKind, Booking, Venue

PARTY_ROLES = (Role.PARTY_OFFICER, Role.BRANCH_SECRETARY, Role.PARTY_MEMBER)
ASSOCIATION_ROLES = (Role.ASSOCIATION_REP, Role.CLUB_LEADER)
ENTERPRISE_ROLES = (Role.ENTERPRISE_CONTACT, Role.EMPLOYEE)
# Roles that are a kind of booker somewhere (the menu offers venues to them).
BOOKER_ROLES = frozenset(
    {*SERVICE_CENTER_ROLES, *PARTY_ROLES, *ASSOCIATION_ROLES, *ENTERPRISE_ROLES}
)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _cached(user: Any, key: str, compute: Any) -> Any:
    cache = user.__dict__.setdefault("_venues_scope", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _communities_under(node_ids: Iterable[int]) -> set[int]:
    """Building communities at or below these nodes, and those of buildings among them."""
    nodes = list(Node.objects.filter(pk__in=list(node_ids)).only("pk", "kind", "path", "parent"))
    if not nodes:
        return set()
    ids = {n.parent_id for n in nodes if n.kind == Node.Kind.BUILDING and n.parent_id}
    query = Q(pk__in=[])
    for node in nodes:
        if node.kind != Node.Kind.BUILDING:
            query |= Q(path__startswith=node.path)
    ids |= set(Node.objects.filter(query, kind=Node.Kind.COMMUNITY).values_list("pk", flat=True))
    return ids


def visible_community_ids(user: Any) -> set[int]:
    """Building communities whose venues and calendars the user may see."""
    if not _signed_in(user):
        return set()

    def compute() -> set[int]:
        paths = scope_node_paths(user)
        ids = Node.objects.filter(path__in=paths).values_list("pk", flat=True)
        return _communities_under(ids)

    return _cached(user, "visible", compute)


def managed_community_ids(user: Any) -> set[int]:
    """Communities whose venues the user manages: service-center staff there (or above)."""
    if not _signed_in(user):
        return set()
    return _cached(
        user,
        "managed",
        lambda: _communities_under(
            Membership.objects.filter(user=user, role__in=SERVICE_CENTER_ROLES).scope_ids(Node)
        ),
    )


def booker_kinds(user: Any, community_id: int) -> set[str]:
    """The kinds of booker (BookerKind) the user is in one building community."""
    if not _signed_in(user):
        return set()

    def compute() -> dict[str, set[int]]:
        from louyu.economy.models import Enterprise
        from louyu.party.models import PartyOrganization

        memberships = Membership.objects.filter(user=user)
        party = memberships.of_role(*PARTY_ROLES).scope_ids(PartyOrganization)
        enterprises = memberships.of_role(*ENTERPRISE_ROLES).scope_ids(Enterprise)
        return {
            BookerKind.SERVICE_CENTER: managed_community_ids(user),
            BookerKind.PARTY: set(
                PartyOrganization.objects.filter(pk__in=party).values_list(
                    "community_id", flat=True
                )
            ),
            BookerKind.ASSOCIATION: _communities_under(
                memberships.of_role(*ASSOCIATION_ROLES).scope_ids(Node)
            ),
            BookerKind.ENTERPRISE: {
                pk
                for pk in Enterprise.objects.filter(
                    pk__in=enterprises, building__parent__isnull=False
                ).values_list("building__parent_id", flat=True)
                if pk is not None
            },
        }

    kinds = _cached(user, "bookers", compute)
    return {kind for kind, ids in kinds.items() if community_id in ids}


def is_manager(user: Any, venue: Venue) -> bool:
    """None (the system itself) manages everything."""
    return user is None or venue.community_id in managed_community_ids(user)


def may_book(user: Any, venue: Venue) -> bool:
    """Managers always; others when the venue admits a kind of booker they are."""
    if user is None or is_manager(user, venue):
        return True
    return bool(booker_kinds(user, venue.community_id) & set(venue.bookers))


def venues_visible_to(user: Any) -> QuerySet[Venue]:
    return Venue.objects.filter(community_id__in=visible_community_ids(user))


def get_venue_for_user(user: Any, pk: Any, *, write: bool = False) -> Venue:
    """The venue if the user may see it (write: manage it); else 404."""
    try:
        venue = venues_visible_to(user).select_related("community", "building").get(pk=pk)
    except (Venue.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not is_manager(user, venue):
        raise Http404
    return venue


def get_community_for_user(user: Any, pk: Any) -> Node:
    if not _signed_in(user):
        raise Http404
    try:
        return Node.objects.get(
            pk=pk, kind=Node.Kind.COMMUNITY, pk__in=list(visible_community_ids(user))
        )
    except (Node.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def bookings_visible_to(user: Any) -> QuerySet[Booking]:
    """Bookings on the calendars the user sees, and their own anywhere."""
    if not _signed_in(user):
        return Booking.objects.none()
    return Booking.objects.filter(
        Q(booker=user) | Q(venue__community_id__in=visible_community_ids(user))
    )


def may_act(user: Any, booking: Booking) -> bool:
    """The booker and the venue's managers act on a booking."""
    return user is None or booking.booker_id == user.pk or is_manager(user, booking.venue)


def get_booking_for_user(user: Any, pk: Any, *, write: bool = False) -> Booking:
    """The booking if the user may see it (write: cancel or check in — its booker or a manager
    of its venue); else 404."""
    try:
        booking = (
            bookings_visible_to(user)
            .select_related("venue", "venue__community", "booker", "series")
            .get(pk=pk)
        )
    except (Booking.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not may_act(user, booking):
        raise Http404
    return booking


def check_in_window(booking: Booking) -> tuple[datetime, datetime]:
    """From LOUYU_VENUES_CHECKIN_MINUTES before the start to the end."""
    from django.conf import settings

    opens = booking.starts_at - timedelta(minutes=settings.LOUYU_VENUES_CHECKIN_MINUTES)
    return opens, booking.ends_at


def approval_queue(user: Any) -> QuerySet[Booking]:
    """Bookings awaiting the user's approval, soonest first."""
    return (
        Booking.objects.filter(
            venue__community_id__in=managed_community_ids(user),
            state=Booking.State.REQUESTED,
            ends_at__gt=timezone.now(),
        )
        .select_related("venue", "booker")
        .order_by("starts_at", "pk")
    )


def bookings_for_target(target: Any) -> QuerySet[Booking]:
    """The bookings made for a meeting or activity through `booking_for`."""
    from django.contrib.contenttypes.models import ContentType

    return Booking.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )


# --- Calendar grid -------------------------------------------------------------------------------

SLOT_MINUTES = 30
DAY_SLOTS = 24 * 60 // SLOT_MINUTES


@dataclass
class GridItem:
    booking: Booking
    row: int  # 1-based grid row of the start (one row per half hour shown)
    span: int


@dataclass
class GridColumn:
    label: str
    day: date
    venue: Venue | None
    items: list[GridItem]
    is_today: bool


@dataclass
class Grid:
    first_slot: int
    rows: list[str]  # "08:00", "08:30", … labels of the shown half hours
    columns: list[GridColumn]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight of a day in Beijing time."""
    start = timezone.make_aware(datetime.combine(day, time()))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))


def _slot(moment: datetime, day: date) -> int:
    local = timezone.localtime(moment)
    if local.date() < day:
        return 0
    if local.date() > day:
        return DAY_SLOTS
    return (local.hour * 60 + local.minute) // SLOT_MINUTES


def _end_slot(moment: datetime, day: date) -> int:
    local = timezone.localtime(moment)
    if local.date() > day:
        return DAY_SLOTS
    if local.date() < day:
        return 0
    minutes = local.hour * 60 + local.minute
    return -(-minutes // SLOT_MINUTES)


def calendar_grid(venues: list[Venue], days: list[date], *, by_venue: bool) -> Grid:
    """A server-rendered grid of active bookings: one column per day of one venue (week view)
    or one per venue on one day (community view); rows are the half hours between the earliest
    opening and the latest closing (08:00–18:00 when all are closed)."""
    today = timezone.localdate()
    start, _ignored = day_bounds(days[0])
    _ignored, end = day_bounds(days[-1])
    bookings = list(
        Booking.objects.filter(venue__in=venues, state__in=ACTIVE_STATES)
        .overlapping(start, end)
        .select_related("booker")
        .order_by("starts_at")
    )
    first, last = DAY_SLOTS, 0
    for venue in venues:
        for day in days:
            hours = venue.hours_on(day.weekday())
            if hours:
                first = min(first, (hours[0].hour * 60 + hours[0].minute) // SLOT_MINUTES)
                last = max(last, -(-(hours[1].hour * 60 + hours[1].minute) // SLOT_MINUTES))
    for booking in bookings:
        for day in days:
            a, b = _slot(booking.starts_at, day), _end_slot(booking.ends_at, day)
            if b > a:
                first, last = min(first, a), max(last, b)
    if first >= last:
        first, last = 16, 36
    columns: list[GridColumn] = []
    pairs = [(venue, days[0]) for venue in venues] if by_venue else [(venues[0], d) for d in days]
    for venue, day in pairs:
        items = []
        for booking in bookings:
            if booking.venue_id != venue.pk:
                continue
            a, b = (
                max(_slot(booking.starts_at, day), first),
                min(_end_slot(booking.ends_at, day), last),
            )
            if b > a:
                items.append(GridItem(booking=booking, row=a - first + 1, span=b - a))
        label = venue.name if by_venue else ""
        columns.append(
            GridColumn(label=label, day=day, venue=venue, items=items, is_today=day == today)
        )
    rows = [f"{s * SLOT_MINUTES // 60:02d}:{s * SLOT_MINUTES % 60:02d}" for s in range(first, last)]
    return Grid(first_slot=first, rows=rows, columns=columns)


def week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]
