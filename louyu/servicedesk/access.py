"""Who may see or act on service-center rows. One helper per entity; missing and forbidden both
answer 404. Used by HTML, API and the services' own capability checks alike."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership, Role
from louyu.core.models import Node
from louyu.economy.models import Enterprise
from louyu.servicedesk.models import (
    Department,
    ProxyDelegation,
    ProxyPayment,
    ServiceRequest,
    Visit,
)

# Jurisdiction roles that work requests of the communities under their node.
DESK_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.STREET_CADRE} | SERVICE_CENTER_ROLES)


def _cached(user: Any, key: str, compute: Any) -> Any:
    cache = user.__dict__.setdefault("_servicedesk_scope", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def desk_paths(user: Any) -> list[str]:
    """Paths of the jurisdiction nodes under which the user works requests (staff roles)."""

    def compute() -> list[str]:
        ids = Membership.objects.filter(user=user, role__in=DESK_ROLES).scope_ids(Node)
        return list(Node.objects.filter(pk__in=ids).values_list("path", flat=True))

    return _cached(user, "desk_paths", compute)


def handler_department_ids(user: Any) -> list[int]:
    return _cached(
        user,
        "departments",
        lambda: Membership.objects.filter(user=user, role=Role.DEPARTMENT_HANDLER).scope_ids(
            Department
        ),
    )


def contact_enterprise_ids(user: Any) -> list[int]:
    """Enterprises whose requests the user sees as their enterprise contact."""
    return _cached(
        user,
        "enterprises",
        lambda: Membership.objects.filter(user=user, role=Role.ENTERPRISE_CONTACT).scope_ids(
            Enterprise
        ),
    )


def member_enterprise_ids(user: Any) -> list[int]:
    """Enterprises the user belongs to (contact or employee): those they may request for."""
    return _cached(
        user,
        "member_enterprises",
        lambda: Membership.objects.filter(
            user=user, role__in=[Role.ENTERPRISE_CONTACT, Role.EMPLOYEE]
        ).scope_ids(Enterprise),
    )


def _under(paths: list[str], field: str) -> Q:
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


def requests_visible_to(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """Requests the user may see: their own; their enterprise's (contact); their communities'
    (service-center staff, street cadre, district office); their department's (handler)."""
    queryset = ServiceRequest.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    query = Q(requester=user)
    enterprises = contact_enterprise_ids(user)
    if enterprises:
        query |= Q(enterprise_id__in=enterprises)
    paths = desk_paths(user)
    if paths:
        query |= _under(paths, "community__path")
    departments = handler_department_ids(user)
    if departments:
        query |= Q(department_id__in=departments)
    return queryset.filter(query)


def capabilities(user: Any, request: ServiceRequest) -> set[str]:
    """What the user may do to this request: "desk" (service-center staff over its community),
    "department" (handler of its current department), "requester" (the requester or a contact
    of its enterprise). `None` (the system itself) may do everything."""
    if user is None:
        return {"desk", "department", "requester"}
    caps = set()
    path = request.community.path
    if any(path.startswith(root) for root in desk_paths(user)):
        caps.add("desk")
    if request.department_id and request.department_id in handler_department_ids(user):
        caps.add("department")
    if request.requester_id == user.pk or (
        request.enterprise_id and request.enterprise_id in contact_enterprise_ids(user)
    ):
        caps.add("requester")
    return caps


def get_request_for_user(user: Any, pk: Any, *, write: bool = False) -> ServiceRequest:
    """The request if the user may see it (write: act on it as staff or handler); else 404."""
    queryset = requests_visible_to(user).select_related(
        "community", "department", "service_item", "enterprise", "requester"
    )
    try:
        request = queryset.get(pk=pk)
    except (ServiceRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not capabilities(user, request) & {"desk", "department"}:
        raise Http404
    return request


def visits_visible_to(user: Any) -> QuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Visit.objects.none()
    return Visit.objects.filter(Q(assignee=user) | _under(desk_paths(user), "community__path"))


def get_visit_for_user(user: Any, pk: Any) -> Visit:
    try:
        return visits_visible_to(user).select_related("enterprise", "community").get(pk=pk)
    except (Visit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _desk_request_for_user(user: Any, request_pk: Any) -> ServiceRequest:
    request = get_request_for_user(user, request_pk, write=True)
    if "desk" not in capabilities(user, request):
        raise Http404
    return request


def get_delegation_for_user(user: Any, request_pk: Any) -> ProxyDelegation:
    """The signed delegation of a request the user works as desk staff (the proxy panel's
    audience); 404 for everyone else and for a request without one."""
    request = _desk_request_for_user(user, request_pk)
    try:
        delegation = ProxyDelegation.objects.get(request=request)
    except ProxyDelegation.DoesNotExist:
        raise Http404 from None
    delegation.request = request
    return delegation


def get_proxy_payment_for_user(user: Any, request_pk: Any, pk: Any) -> ProxyPayment:
    """A payment made under a request the user works as desk staff; 404 otherwise."""
    request = _desk_request_for_user(user, request_pk)
    try:
        payment = ProxyPayment.objects.get(request=request, pk=pk)
    except (ProxyPayment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    payment.request = request
    return payment


def community_of(node: Node | None) -> Node | None:
    """The building community a building (or the community itself) belongs to."""
    if node is None:
        return None
    if node.kind == Node.Kind.COMMUNITY:
        return node
    if node.kind == Node.Kind.BUILDING:
        return node.parent
    return None
