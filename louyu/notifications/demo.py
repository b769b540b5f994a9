"""Demo notifications (issue 14): what each persona would have been told by the demo's service
requests in the weeks before DEMO_NOW, derived from the requests' history, the newest unread;
and a welcome for every persona. Rows are bulk-written with the events' own times."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from louyu.core.services import audit_record
from louyu.notifications.models import Notification
from louyu.servicedesk.demo import DEMO_NOW
from louyu.servicedesk.models import BAD_LEVELS, Escalation, RequestEvent, ServiceRequest

# How far back the inbox goes, how many each persona keeps, and how many of those are unread.
WINDOW = timedelta(days=45)
PER_PERSONA = 40
UNREAD = 6


def _texts(event: RequestEvent) -> dict[str, tuple[str, str]]:
    """kind → (title, text) for what `event` tells, in the services' own words."""
    request = event.request
    number = {"number": request.number}
    department = request.department.name if request.department else ""
    documents = "、".join((event.data or {}).get("documents", [])) or event.note
    return {
        "request.created": (_("New request %(number)s") % number, request.title),
        "request.accepted": (_("Request %(number)s accepted") % number, request.title),
        "request.refused": (_("Request %(number)s refused") % number, event.note),
        "request.documents": (_("Request %(number)s needs documents") % number, documents),
        "request.documents_received": (
            _("Request %(number)s: documents received") % number,
            request.title,
        ),
        "request.dispatched": (
            _("Request %(number)s dispatched to %(department)s")
            % {**number, "department": department},
            request.title,
        ),
        "request.transferred": (
            _("Request %(number)s transferred to %(department)s")
            % {**number, "department": department},
            request.title,
        ),
        "request.assigned": (
            _("Request %(number)s for your department") % number,
            request.title,
        ),
        "request.done": (_("Request %(number)s done: please rate it") % number, event.note),
        "request.escalated": (f"{event.note}：{request.number}", request.title),
        "rating.bad": (_("Bad rating on %(number)s") % number, request.title),
    }


def notifications_seed(*, actor: Any = None) -> dict[str, int]:
    """Write the personas' notifications. Returns {"notifications": n}."""
    with translation.override("zh-hans"):
        return _seed(actor)


def _seed(actor: Any) -> dict[str, int]:
    from louyu.accounts.models import Membership, Role
    from louyu.core.demo import PERSONAS

    User = get_user_model()
    personas = {u.username: u for u in User.objects.filter(username__in=list(PERSONAS))}
    if not personas:
        return {"notifications": 0}

    def scope_of(username: str, role: str) -> int | None:
        user = personas.get(username)
        if user is None:
            return None
        member = Membership.objects.filter(user=user, role=role).first()
        return member.scope_id if member else None

    clerk_community = scope_of("clerk", Role.CLERK)
    tax = scope_of("handler_tax", Role.DEPARTMENT_HANDLER)
    street = scope_of("street", Role.STREET_CADRE)
    requesters = {personas[n].pk: personas[n] for n in ("enterprise", "employee") if n in personas}

    inbox: dict[str, list[tuple[Any, str, RequestEvent]]] = {name: [] for name in personas}
    events = (
        RequestEvent.objects.filter(at__gte=DEMO_NOW - WINDOW, at__lte=DEMO_NOW)
        .select_related("request__department", "request__community", "actor")
        .order_by("-at", "-pk")
    )
    for event in events.iterator(chunk_size=2000):
        request = event.request
        told: list[tuple[str, str]] = []
        action = event.action
        mine = request.requester_id in requesters
        if mine:
            for_requester = {
                "accept": "request.accepted",
                "refuse": "request.refused",
                "request_documents": "request.documents",
                "documents_received": "request.documents_received",
                "dispatch": "request.dispatched",
                "transfer": "request.transferred",
                "complete": "request.done",
            }.get(action)
            if for_requester and request.requester_id is not None:
                requester = requesters[request.requester_id]
                told.append((requester.username, for_requester))
        in_community = request.community_id == clerk_community
        for_tax = request.department_id is not None and request.department_id == tax
        if action == "create" and in_community:
            told.append(("clerk", "request.created"))
        if action in {"dispatch", "transfer"} and for_tax:
            told.append(("handler_tax", "request.assigned"))
        if action == "escalate":
            if in_community:
                told.append(("clerk", "request.escalated"))
            if for_tax:
                told.append(("handler_tax", "request.escalated"))
            rung = (event.data or {}).get("to", 0)
            if rung >= Escalation.SUPERVISE and request.community.parent_id == street:
                told.append(("street", "request.escalated"))
        if action == "rate" and (event.data or {}).get("level") in BAD_LEVELS:
            if in_community:
                told.append(("clerk", "rating.bad"))
            if for_tax:
                told.append(("handler_tax", "rating.bad"))
        for username, kind in told:
            if username in inbox and len(inbox[username]) < PER_PERSONA:
                inbox[username].append((event.at, kind, event))

    request_type = ContentType.objects.get_for_model(ServiceRequest)
    rows = []
    for username, items in inbox.items():
        user = personas[username]
        for index, (at, kind, event) in enumerate(items):
            title, text = _texts(event)[kind]
            rows.append(
                Notification(
                    recipient=user,
                    kind=f"servicedesk.{kind}",
                    pillar="service",
                    title=title[:200],
                    text=text or "",
                    url=reverse("servicedesk:request_detail", args=[event.request_id]),
                    target_type=request_type,
                    target_id=str(event.request_id),
                    actor_name=event.actor.username if event.actor else "",
                    created_at=at,
                    read_at=None if index < UNREAD else at + timedelta(hours=2),
                )
            )
        # Everyone has the welcome; those with nothing else leave it unread.
        rows.append(
            Notification(
                recipient=user,
                kind="notifications.welcome",
                pillar="system",
                title=_("Welcome to Louyu"),
                text=_(
                    "What the platform tells you is kept here; choose how else to hear of it "
                    "in the notification settings."
                ),
                url=reverse("notifications:preferences"),
                created_at=DEMO_NOW - WINDOW,
                read_at=DEMO_NOW - WINDOW + timedelta(hours=1) if items else None,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=1000)
    audit_record(actor=actor, action="notifications.demo_seed", after={"notifications": len(rows)})
    return {"notifications": len(rows)}
