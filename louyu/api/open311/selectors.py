"""Reads behind the Open311 endpoint: the public catalog and requests, jurisdictions by their
division code, and the building a reported location points at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.http import Http404

from louyu.api.models import Open311Submission
from louyu.api.open311.geo import distance_m, gcj02_to_wgs84
from louyu.core.models import AuditLog, DivisionCode, Node
from louyu.economy.models import BuildingProfile
from louyu.servicedesk.models import ServiceItem, ServiceRequest

# Audit actions that change what the service list or definitions say (discovery's changeset).
CATALOG_ACTIONS = (
    "serviceitem.create",
    "serviceitem.update",
    "serviceitem.co_departments",
    "department.create",
    "department.update",
)


def open311_services(jurisdiction: Node | None = None) -> QuerySet[ServiceItem]:
    """The active catalog items, in catalog order, with what the list and definitions show."""
    return ServiceItem.objects.filter(is_active=True).select_related("lead_department")


def open311_service(code: str) -> ServiceItem | None:
    return open311_services().filter(code=code).first()


def open311_catalog_changeset() -> datetime | None:
    """When the catalog last changed (None: never through the services)."""
    return AuditLog.objects.filter(action__in=CATALOG_ACTIONS).aggregate(at=Max("at"))["at"]


def open311_jurisdiction(code: str) -> Node | None:
    """The node whose current division code is `code` (the endpoint's jurisdiction_id)."""
    match = DivisionCode.objects.valid_on().filter(code=code).select_related("node").first()
    return match.node if match else None


def open311_requests(jurisdiction: Node | None = None) -> QuerySet[ServiceRequest]:
    """Requests the public may read: those filed against a catalog item (the spec's requests
    all have a service_code), within the jurisdiction when one is given."""
    queryset = (
        ServiceRequest.objects.filter(service_item__isnull=False)
        .select_related(
            "service_item__lead_department",
            "department",
            "building__profile",
            "community",
            "open311",
        )
        .defer(
            # Never shown publicly; skipping them spares decoding JSON for every row.
            "form_data",
            "missing_documents",
            "refuse_reason",
            "resolution",
            "requester_name",
            "requester_phone",
        )
    )
    if jurisdiction is not None:
        queryset = queryset.filter(community__path__startswith=jurisdiction.path)
    return queryset


@dataclass(frozen=True)
class Place:
    """A building with its public address and WGS84 coordinates (when it has them)."""

    building: Node
    address: str
    lat: float | None
    long: float | None


def building_place(building: Node) -> Place:
    """The public address and WGS84 point of a building, from its archive (一楼一档)."""
    try:
        profile = building.profile  # type: ignore[attr-defined]
    except BuildingProfile.DoesNotExist:
        profile = None
    lat = lng = None
    address = building.name
    if profile is not None:
        address = profile.address or building.name
        if profile.latitude is not None and profile.longitude is not None:
            lat, lng = float(profile.latitude), float(profile.longitude)
            if profile.datum == BuildingProfile.Datum.GCJ02:
                lat, lng = gcj02_to_wgs84(lat, lng)
    return Place(building=building, address=address, lat=lat, long=lng)


def _buildings(within: Node | None) -> QuerySet[Node]:
    queryset = Node.objects.filter(kind=Node.Kind.BUILDING).select_related("profile")
    if within is not None:
        queryset = queryset.filter(path__startswith=within.path)
    return queryset


def building_by_id(address_id: str, *, within: Node | None = None) -> Node | None:
    if not address_id.isdigit():
        return None
    return _buildings(within).filter(pk=int(address_id)).first()


def building_near(lat: float, lng: float, *, within: Node | None = None) -> Node | None:
    """The building nearest a WGS84 point, if one is within LOUYU_OPEN311_MATCH_METRES."""
    best: tuple[float, Node] | None = None
    located = _buildings(within).filter(
        profile__latitude__isnull=False, profile__longitude__isnull=False
    )
    for building in located:
        place = building_place(building)
        if place.lat is None or place.long is None:
            continue
        metres = distance_m(lat, lng, place.lat, place.long)
        if best is None or metres < best[0]:
            best = (metres, building)
    if best is None or best[0] > settings.LOUYU_OPEN311_MATCH_METRES:
        return None
    return best[1]


def open311_root() -> Node | None:
    """The one root of the jurisdiction tree (the district), where a submission goes when
    neither its key nor its jurisdiction_id names one; None when there are several."""
    roots = list(Node.objects.filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None


def placeable_buildings(user: Any, jurisdiction: Node | None) -> QuerySet[Node]:
    """Buildings inside `jurisdiction` where the user works at the service desk: where a clerk
    may place an intake submission."""
    from louyu.accounts.models import SERVICE_CENTER_ROLES
    from louyu.accounts.selectors import scope_ids

    paths = Node.objects.filter(pk__in=scope_ids(user, Node, *SERVICE_CENTER_ROLES)).values_list(
        "path", flat=True
    )
    inside = Q()
    for path in paths:
        inside |= Q(path__startswith=path)
    if not inside or jurisdiction is None:
        return Node.objects.none()
    return Node.objects.filter(
        inside, kind=Node.Kind.BUILDING, path__startswith=jurisdiction.path
    ).order_by("name")


def building_by_address(text: str, *, within: Node | None = None) -> Node | None:
    """The building whose name, alias or archived address the address string names (the
    longest match wins: 坤和中心 beats 坤和)."""
    text = "".join(text.split())
    if not text:
        return None
    best: tuple[int, Node] | None = None
    for building in _buildings(within):
        place = building_place(building)
        aliases = list(getattr(getattr(building, "profile", None), "aliases", None) or [])
        for candidate in [building.name, place.address, *aliases]:
            candidate = "".join(str(candidate).split())
            if not candidate:
                continue
            if candidate in text or (len(text) >= 4 and text in candidate):
                score = len(candidate)
                if best is None or score > best[0]:
                    best = (score, building)
    return best[1] if best else None


def requests_in_window(
    queryset: QuerySet[ServiceRequest], start: datetime, end: datetime
) -> QuerySet[ServiceRequest]:
    return queryset.filter(Q(submitted_at__gte=start) & Q(submitted_at__lte=end))


def intake_list(user: Any) -> QuerySet[Open311Submission]:
    """The unplaced submissions the user's jurisdiction overlaps, oldest first."""
    return (
        Open311Submission.objects.placeable_by(user)
        .select_related("service_item", "jurisdiction", "key")
        .order_by("created_at", "id")
    )


def get_intake_for_user(user: Any, pk: Any) -> Open311Submission:
    """One unplaced submission of the user's intake queue; 404 for any other, placed or not."""
    try:
        return intake_list(user).get(pk=pk)
    except (Open311Submission.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
