"""Reads behind the public website, and the access helper for articles."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership, Role
from louyu.core.models import Node
from louyu.website.models import Article

# Who writes the website's news and policies, at the node they hold the role at.
EDITOR_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.STREET_CADRE} | SERVICE_CENTER_ROLES)


def editor_nodes(user: Any) -> list[Node]:
    """The nodes whose pages the user may publish on (and everything under them)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return Membership.objects.filter(user=user).of_role(*EDITOR_ROLES).nodes()


def articles_editable_by(user: Any) -> QuerySet[Article]:
    """Articles (drafts included) published at a node within the user's editing scope."""
    paths = [node.path for node in editor_nodes(user)]
    if not paths:
        return Article.objects.none()
    scope = Q()
    for path in paths:
        scope |= Q(node__path__startswith=path)
    return Article.objects.filter(scope)


def get_article_for_user(user: Any, pk: int, *, write: bool = False) -> Article:
    """A published article for anyone; drafts and edits only within the editor's scope;
    404 otherwise."""
    queryset = articles_editable_by(user) if write else Article.objects.published()
    try:
        return queryset.select_related("node").get(pk=pk)
    except Article.DoesNotExist as exc:
        raise Http404 from exc


def public_communities() -> QuerySet[Node]:
    """Every building community with its street, for the directory of service centers."""
    return (
        Node.objects.filter(kind=Node.Kind.COMMUNITY)
        .select_related("parent")
        .order_by("parent__path", "search_names")
    )


def get_public_community(pk: int) -> Node:
    try:
        return public_communities().get(pk=pk)
    except Node.DoesNotExist as exc:
        raise Http404 from exc


def community_staff(community: Node) -> list[dict[str, Any]]:
    """The published roster of a community's service center (一楼六员八人): one row per person
    with every role they hold there, their contact and on-site hours."""
    from louyu.servicedesk.models import StaffAssignment

    rows: dict[int, dict[str, Any]] = {}
    assignments = (
        StaffAssignment.objects.filter(community=community, is_public=True)
        .select_related("user")
        .order_by("role", "user__username")
    )
    for a in assignments:
        row = rows.setdefault(
            a.user_id,
            {
                "name": a.user.display_name,
                "roles": [],
                "kinds": [],
                "phone": a.contact_phone,
                "hours": a.on_site_hours,
            },
        )
        row["roles"].append(a.get_role_display())
        if a.get_personnel_kind_display() not in row["kinds"]:
            row["kinds"].append(a.get_personnel_kind_display())
    return list(rows.values())


def _public_items() -> QuerySet[Any]:
    from louyu.servicedesk.models import ServiceItem

    return ServiceItem.objects.filter(is_active=True).select_related("lead_department")


def catalog_groups() -> list[dict[str, Any]]:
    """The service catalog (五进楼宇) for the public: each of the five categories with its
    active items, their limits, proxy handling and document checklists."""
    from louyu.servicedesk.models import Category

    items = list(_public_items().prefetch_related("co_departments"))
    return [
        {
            "key": key,
            "label": label,
            "items": [item for item in items if item.category == key],
        }
        for key, label in Category.choices
    ]


def catalog_summary() -> list[dict[str, Any]]:
    """How many items each of the five services offers (for the home page)."""
    return [
        {"key": group["key"], "label": group["label"], "count": len(group["items"])}
        for group in catalog_groups()
    ]


def get_public_service_item(code: str) -> Any:
    from louyu.servicedesk.models import ServiceItem

    try:
        return _public_items().prefetch_related("co_departments").get(code=code)
    except ServiceItem.DoesNotExist as exc:
        raise Http404 from exc


def track_request(number: str, phone_tail: str) -> dict[str, Any] | None:
    """A request's public progress when `number` and the last four digits of the phone it was
    filed with (or its requester's phone) match; None otherwise. No names, no text of notes."""
    from louyu.servicedesk.models import ServiceRequest

    request = (
        ServiceRequest.objects.filter(number=number.strip().upper())
        .select_related("service_item", "department", "requester", "community")
        .first()
    )
    if request is None:
        return None
    phones = [request.requester_phone, getattr(request.requester, "phone", "") or ""]
    digits = ["".join(ch for ch in phone if ch.isdigit()) for phone in phones]
    if not any(d and d.endswith(phone_tail) for d in digits):
        return None
    from louyu.servicedesk.models import Status

    history = (
        request.events.filter(public=True)
        .exclude(to_status="")
        .order_by("at", "pk")
        .values_list("at", "to_status")
    )
    labels = dict(Status.choices)
    return {
        "request": request,
        "history": [{"at": at, "status": labels.get(s, s)} for at, s in history],
    }
