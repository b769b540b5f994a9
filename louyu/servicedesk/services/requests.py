"""Requests and their workflow. Every transition is one service: it checks who may act, moves
the state with one conditional UPDATE on `version` (two staff acting at once: one wins, the other
gets a 409), writes the history row and the audit row, and notifies on commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.accounts.models import Role
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record, audit_values
from louyu.economy.models import Enterprise
from louyu.lib.workdays import add_workdays
from louyu.servicedesk.access import (
    capabilities,
    community_of,
    member_enterprise_ids,
)
from louyu.servicedesk.models import (
    Channel,
    Department,
    Escalation,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
    Status,
)
from louyu.servicedesk.models.requests import RequestNumberCounter
from louyu.servicedesk.selectors import community_staff_ids, department_handler_ids
from louyu.servicedesk.services.catalog import form_data_validate
from louyu.servicedesk.services.notifications import request_notify

S = Status
STAFF_CHANNELS = frozenset({Channel.COUNTER, Channel.VISIT, Channel.PHONE})


def _today() -> date:
    return timezone.localdate()


def _forbidden() -> ApplicationError:
    return ApplicationError(_("You may not do this to this request."), code="forbidden", status=403)


def _require(actor: Any, request: ServiceRequest, *allowed: str) -> None:
    if not capabilities(actor, request) & set(allowed):
        raise _forbidden()


def _highest_given(prefix: str) -> int:
    """The highest sequence already given under `prefix` (0 if none): the counter starts after
    it, so requests numbered before the counter existed (or loaded from elsewhere) keep theirs."""
    last = (
        ServiceRequest.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    tail = last[len(prefix) :] if last else ""
    return int(tail) if tail.isdigit() else 0


def _number(day: date, *, resync: bool = False) -> str:
    """The day's next request number, LY + yyyymmdd + a 5-digit sequence, from the day's
    counter row: one `UPDATE … SET last = last + 1 … RETURNING last`. The row stays locked until
    the creating transaction ends, so concurrent creates queue on it (no collision, no retry)
    and a rolled-back create gives its number back (the numbers stay consecutive). The day's
    first request inserts the row with one INSERT … ON CONFLICT DO UPDATE, which is race-free on
    PostgreSQL and SQLite alike. Call it inside a transaction."""
    prefix = f"LY{day:%Y%m%d}"
    qn = connection.ops.quote_name
    table, last, pk = qn(RequestNumberCounter._meta.db_table), qn("last"), qn("day")
    value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        if resync:  # someone wrote numbers past the counter: jump over them
            highest = _highest_given(prefix)
            cursor.execute(
                f"UPDATE {table} SET {last} = %s WHERE {pk} = %s AND {last} < %s",
                [highest, value, highest],
            )
        cursor.execute(
            f"UPDATE {table} SET {last} = {last} + 1 WHERE {pk} = %s RETURNING {last}", [value]
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {table} ({pk}, {last}) VALUES (%s, %s) "
                f"ON CONFLICT ({pk}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}",
                [value, _highest_given(prefix) + 1],
            )
            row = cursor.fetchone()
    assert row is not None
    return f"{prefix}{row[0]:05d}"


def request_create(
    *,
    actor: Any,
    requester: Any,
    enterprise: Enterprise | None,
    title: str,
    description: str,
    channel: str,
    service_item: ServiceItem | None = None,
    source_message_id: int | None = None,
    source_visit_id: int | None = None,
    urgent: bool = False,
    form_data: dict[str, Any] | None = None,
    building: Node | None = None,
    requester_name: str = "",
    requester_phone: str = "",
) -> ServiceRequest:
    """Submit a request: by the requester themself (web, phone, chat) or recorded by staff
    (counter, visit, phone call). It gets a trackable number (LY + date + sequence) and a
    first-response deadline; urgent ones notify the community's safety officer and manager."""
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("Give the request a title."), code="invalid")
    if channel not in Channel.values:
        raise ApplicationError(_("Unknown channel."), code="invalid")
    if len(description or "") > 4000:
        raise ApplicationError(_("The description is too long (4000 characters at most)."))
    if enterprise is not None:
        building = building or enterprise.building
    community = community_of(building)
    if community is None:
        raise ApplicationError(
            _("Choose the enterprise or building the request is about."), code="invalid"
        )
    if building is not None and building.kind != Node.Kind.BUILDING:
        building = None
    # Who may file it: the requester for an enterprise they belong to, or desk staff.
    if actor is not None:
        probe = ServiceRequest(community=community, requester=requester, enterprise=enterprise)
        is_staff = "desk" in capabilities(actor, probe)
        if not is_staff:
            own = requester is not None and requester.pk == actor.pk
            member = enterprise is None or enterprise.pk in member_enterprise_ids(actor)
            if not (own and member) or channel in STAFF_CHANNELS:
                raise _forbidden()
    cleaned = form_data_validate(service_item, form_data or {})
    if service_item is not None and not service_item.is_active:
        raise ApplicationError(_("This service is not offered at present."), code="invalid")
    urgent = urgent or bool(service_item and service_item.urgent)
    now = timezone.now()
    today = _today()
    response_days = service_item.response_days if service_item else 1
    request = ServiceRequest(
        title=title[:200],
        description=description or "",
        requester=requester,
        requester_name=requester_name or (requester.display_name if requester else ""),
        requester_phone=requester_phone or (getattr(requester, "phone", "") or ""),
        enterprise=enterprise,
        community=community,
        building=building,
        service_item=service_item,
        category=service_item.category if service_item else "",
        channel=channel,
        source_message_id=source_message_id,
        source_visit_id=source_visit_id,
        urgent=urgent,
        form_data=cleaned,
        created_by=actor,
        submitted_at=now,
        updated_at=now,
        response_due_on=add_workdays(today, response_days),
    )
    roles: list[str] = [Role.CLERK]
    if service_item and service_item.default_role:
        roles.append(service_item.default_role)
    staff = community_staff_ids(community, roles)
    responders = community_staff_ids(community, [Role.SAFETY, Role.MANAGER]) if urgent else []
    for attempt in range(2):
        try:
            with transaction.atomic():
                request.number = _number(today, resync=attempt > 0)
                request.save(force_insert=True)
                _created(request, actor=actor, now=now, staff=staff, responders=responders)
            break
        except IntegrityError:
            # Only when a number was written past the counter by hand: resync once, retry.
            request.pk = None
            request._state.adding = True
    else:
        raise ApplicationError(_("Please try again."), code="conflict", status=409)
    return request


def _created(
    request: ServiceRequest, *, actor: Any, now: Any, staff: list[int], responders: list[int]
) -> None:
    """The rest of a create, in its transaction: the history row, the audit row, the news."""
    RequestEvent.objects.create(
        request=request,
        at=now,
        actor=actor,
        action="create",
        to_status=S.SUBMITTED,
        data={"channel": request.channel},
    )
    audit_record(
        actor=actor,
        action="request.create",
        target=request,
        after={
            "number": request.number,
            "channel": request.channel,
            "enterprise": request.enterprise_id,
            "service_item": request.service_item_id,
            "urgent": request.urgent,
        },
    )
    request_notify(
        kind="request.created",
        request=request,
        users=staff,
        title=_("New request %(number)s") % {"number": request.number},
        text=request.title,
        actor=actor,
    )
    if request.urgent:
        # 一叫就到: the responsible roles hear of an urgent request at once.
        request_notify(
            kind="request.urgent",
            request=request,
            users=responders,
            title=_("Urgent request %(number)s") % {"number": request.number},
            text=request.title,
            actor=actor,
            bots=True,
        )


def _conflict(request: ServiceRequest) -> ApplicationError:
    current = ServiceRequest.objects.filter(pk=request.pk).values("status", "version").first()
    status = Status(current["status"]).label if current else ""
    return ApplicationError(
        _(
            "Someone else has just acted on request %(number)s (it is now “%(status)s”). "
            "Reload it and try again."
        )
        % {"number": request.number, "status": status},
        code="conflict",
        status=409,
        extra=dict(current or {}),
    )


def _transition(
    *,
    actor: Any,
    request: ServiceRequest,
    action: str,
    sources: Iterable[str],
    target: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Move `request` from one of `sources` to `target` with one conditional UPDATE."""
    if expected_version is not None and expected_version != request.version:
        raise _conflict(request)
    if request.status not in set(sources):
        raise ApplicationError(
            _("Request %(number)s is “%(status)s”; this cannot be done to it now.")
            % {"number": request.number, "status": request.get_status_display()},
            code="invalid_transition",
            status=409,
        )
    now = timezone.now()
    values = {**(changes or {}), "status": target, "updated_at": now}
    before: dict[str, Any] = {"status": request.status, "version": request.version}
    with transaction.atomic():
        updated = ServiceRequest.objects.filter(
            pk=request.pk, version=request.version, status=request.status
        ).update(version=F("version") + 1, **values)
        if not updated:
            raise _conflict(request)
        for key, value in values.items():
            setattr(request, key, value)
        request.version += 1
        RequestEvent.objects.create(
            request=request,
            at=now,
            actor=actor,
            action=action,
            from_status=before["status"],
            to_status=target,
            note=note,
            data=data or {},
            public=public,
        )
        audit_record(
            actor=actor,
            action=f"request.{action}",
            target=request,
            before=before,
            after=audit_values({**values, "version": request.version, **(data or {})}),
        )
    return request


def _requester_ids(request: ServiceRequest) -> list[int]:
    return [request.requester_id] if request.requester_id else []


def _completion_due(request: ServiceRequest, start: date) -> date | None:
    item = request.service_item
    return add_workdays(start, item.promised_days) if item else None


def request_accept(
    *, actor: Any, request: ServiceRequest, note: str = "", expected_version: int | None = None
) -> ServiceRequest:
    """受理: the completion clock starts (the promised limit counts from the next day)."""
    _require(actor, request, "desk")
    today = _today()
    with transaction.atomic():
        _transition(
            actor=actor,
            request=request,
            action="accept",
            sources=[S.SUBMITTED],
            target=S.ACCEPTED,
            changes={
                "accepted_at": timezone.now(),
                "clock_started_on": today,
                "due_on": _completion_due(request, today),
            },
            note=note,
            expected_version=expected_version,
        )
        request_notify(
            kind="request.accepted",
            request=request,
            users=_requester_ids(request),
            title=_("Request %(number)s accepted") % {"number": request.number},
            text=_due_text(request),
            actor=actor,
        )
    return request


def request_refuse(
    *, actor: Any, request: ServiceRequest, reason: str, expected_version: int | None = None
) -> ServiceRequest:
    """不予受理, with the reason (and remedy) the requester is told."""
    _require(actor, request, "desk")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for refusing."), code="invalid")
    with transaction.atomic():
        _transition(
            actor=actor,
            request=request,
            action="refuse",
            sources=[S.SUBMITTED, S.ACCEPTED],
            target=S.REFUSED,
            changes={"refuse_reason": reason, "closed_at": None},
            note=reason,
            expected_version=expected_version,
        )
        request_notify(
            kind="request.refused",
            request=request,
            users=_requester_ids(request),
            title=_("Request %(number)s refused") % {"number": request.number},
            text=reason,
            actor=actor,
        )
    return request


def request_request_documents(
    *,
    actor: Any,
    request: ServiceRequest,
    documents: list[str],
    note: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """补正: tell the requester at once everything missing (一次性告知); the clock stops."""
    _require(actor, request, "desk", "department")
    documents = [d.strip() for d in documents if d and d.strip()]
    if not documents:
        raise ApplicationError(_("List the documents that are missing."), code="invalid")
    with transaction.atomic():
        _transition(
            actor=actor,
            request=request,
            action="request_documents",
            sources=[S.SUBMITTED, S.ACCEPTED, S.SIGNED, S.IN_PROGRESS],
            target=S.AWAITING_DOCUMENTS,
            changes={"paused_from": request.status, "missing_documents": documents},
            note=note,
            data={"documents": documents},
            expected_version=expected_version,
        )
        request_notify(
            kind="request.documents",
            request=request,
            users=_requester_ids(request),
            title=_("Request %(number)s needs documents") % {"number": request.number},
            text="、".join(documents),
            actor=actor,
        )
    return request


def request_documents_received(
    *,
    actor: Any,
    request: ServiceRequest,
    received_on: date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """The missing documents arrived: the clock restarts from the next day with the full
    limit. A request paused before acceptance counts as accepted now."""
    _require(actor, request, "desk", "department")
    received_on = received_on or _today()
    resume = request.paused_from or S.ACCEPTED
    changes: dict[str, Any] = {
        "paused_from": "",
        "missing_documents": [],
        "clock_started_on": received_on,
        "due_on": _completion_due(request, received_on),
    }
    if resume == S.SUBMITTED:
        resume = S.ACCEPTED
        changes["accepted_at"] = timezone.now()
    with transaction.atomic():
        _transition(
            actor=actor,
            request=request,
            action="documents_received",
            sources=[S.AWAITING_DOCUMENTS],
            target=resume,
            changes=changes,
            note=note,
            data={"received_on": received_on.isoformat()},
            expected_version=expected_version,
        )
        # The requester learns the clock restarted; the handler working on it, that it is back.
        users = {*_requester_ids(request), request.handler_id} - {None, getattr(actor, "pk", None)}
        request_notify(
            kind="request.documents_received",
            request=request,
            users=users,
            title=_("Request %(number)s: documents received") % {"number": request.number},
            text=_due_text(request),
            actor=actor,
        )
    return request


def _due_text(request: ServiceRequest) -> str:
    due = request.current_due_on
    if due is None:
        return request.title
    return _("%(title)s — due on %(date)s") % {"title": request.title, "date": due.isoformat()}


def _dispatch_notify(request: ServiceRequest, *, actor: Any, requester_kind: str = "") -> None:
    """The department's handlers are assigned the request (and its group bots told); with
    `requester_kind`, the requester learns where it went."""
    request_notify(
        kind="request.assigned",
        request=request,
        users=department_handler_ids(request.department_id),
        title=_("Request %(number)s for your department") % {"number": request.number},
        text=_due_text(request),
        actor=actor,
        bots=True,
    )
    if requester_kind:
        name = request.department.name if request.department else ""
        titles = {
            "request.dispatched": _("Request %(number)s dispatched to %(department)s"),
            "request.transferred": _("Request %(number)s transferred to %(department)s"),
            "request.reopened": _("Request %(number)s reopened"),
        }
        request_notify(
            kind=requester_kind,
            request=request,
            users=_requester_ids(request),
            title=titles[requester_kind] % {"number": request.number, "department": name},
            text=request.title,
            actor=actor,
        )


def request_dispatch(
    *,
    actor: Any,
    request: ServiceRequest,
    department: Department | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> ServiceRequest:
    """派单 to a department (the service item's lead department by default); it must sign for
    the request within one working day."""
    _require(actor, request, "desk")
    department = department or (
        request.service_item.lead_department if request.service_item else None
    )
    if department is None:
        raise ApplicationError(_("Choose the department to dispatch to."), code="invalid")
    if not department.is_active:
        raise ApplicationError(_("This department does not take requests."), code="invalid")
    with transaction.atomic():
        _transition(
            actor=actor,
            request=request,
            action="dispatch",
            sources=[S.ACCEPTED],
            target=S.DISPATCHED,
            changes={
                "department": department,
                "dispatched_at": timezone.now(),
                "sign_due_on": add_workdays(_today(), 1),
                "handler": None,
            },
            note=note,
            data={"department": department.pk},
            expected_version=expected_version,
        )
        _dispatch_notify(request, actor=actor, requester_kind="request.dispatched")
    return request


def request_transfer(
    *,
    actor: Any,
    request: ServiceRequest,
    department: Department,
    reason: str,
    expected_version: int | None = None,
) -> ServiceRequest:
    """转办: hand the request to another department, with the reason; it signs for it anew."""
    _require(actor, request, "desk", "department")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the transfer."), code="invalid")
    if department.pk == request.department_id:
        raise ApplicationError(_("The request is already with this department."), code="invalid")
    previous = request.department_id
    with transaction.atomic():
        _transition(
            actor=actor,
            request=request,
            action="transfer",
            sources=[S.DISPATCHED, S.SIGNED, S.IN_PROGRESS],
            target=S.DISPATCHED,
            changes={
                "department": department,
                "dispatched_at": timezone.now(),
                "sign_due_on": add_workdays(_today(), 1),
                "handler": None,
                "signed_at": None,
            },
            note=reason,
            data={"from_department": previous, "department": department.pk},
            expected_version=expected_version,
        )
        _dispatch_notify(request, actor=actor, requester_kind="request.transferred")
    return request


def request_sign(
    *, actor: Any, request: ServiceRequest, expected_version: int | None = None
) -> ServiceRequest:
    """签收 by a handler of the department (within one working day of dispatch)."""
    _require(actor, request, "department")
    return _transition(
        actor=actor,
        request=request,
        action="sign",
        sources=[S.DISPATCHED],
        target=S.SIGNED,
        changes={"signed_at": timezone.now(), "handler": actor},
        expected_version=expected_version,
    )


def request_start(
    *, actor: Any, request: ServiceRequest, note: str = "", expected_version: int | None = None
) -> ServiceRequest:
    _require(actor, request, "department")
    return _transition(
        actor=actor,
        request=request,
        action="start",
        sources=[S.SIGNED],
        target=S.IN_PROGRESS,
        note=note,
        expected_version=expected_version,
    )


def request_complete(
    *,
    actor: Any,
    request: ServiceRequest,
    resolution: str,
    expected_version: int | None = None,
) -> ServiceRequest:
    """办结, with the result told to the requester, who may then rate it once. Desk staff
    complete a request they accepted themselves (即办件 at the counter); handlers theirs."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise ApplicationError(_("Say how the request was resolved."), code="invalid")
    caps = capabilities(actor, request)
    if request.status == S.ACCEPTED:
        if "desk" not in caps:
            raise _forbidden()
    elif not caps & {"department", "desk"}:
        raise _forbidden()
    changes: dict[str, Any] = {"completed_at": timezone.now(), "resolution": resolution}
    if request.handler_id is None and actor is not None:
        changes["handler"] = actor
    with transaction.atomic():
        _transition(
            actor=actor,
            request=request,
            action="complete",
            sources=[S.ACCEPTED, S.SIGNED, S.IN_PROGRESS],
            target=S.DONE,
            changes=changes,
            note=resolution,
            expected_version=expected_version,
        )
        request_notify(
            kind="request.done",
            request=request,
            users=_requester_ids(request),
            title=_("Request %(number)s done: please rate it") % {"number": request.number},
            text=resolution,
            actor=actor,
        )
    return request


def request_reopen(
    *, actor: Any, request: ServiceRequest, reason: str, expected_version: int | None = None
) -> ServiceRequest:
    """重办: back to the department (or the desk) with the clocks restarted from today, and the
    owner told again."""
    _require(actor, request, "desk")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for reopening."), code="invalid")
    today = _today()
    changes: dict[str, Any] = {
        "clock_started_on": today,
        "due_on": _completion_due(request, today),
        "completed_at": None,
        "closed_at": None,
        "escalation": Escalation.NONE,
        "escalated_at": None,
    }
    if request.department_id:
        target = S.DISPATCHED
        changes.update(
            dispatched_at=timezone.now(), sign_due_on=add_workdays(today, 1), signed_at=None
        )
    else:
        target = S.ACCEPTED
    with transaction.atomic():
        _transition(
            actor=actor,
            request=request,
            action="reopen",
            sources=[S.DONE, S.RATED, S.CLOSED],
            target=target,
            changes=changes,
            note=reason,
            expected_version=expected_version,
        )
        if request.department_id:
            _dispatch_notify(request, actor=actor, requester_kind="request.reopened")
        else:
            request_notify(
                kind="request.reopened",
                request=request,
                users=_requester_ids(request),
                title=_("Request %(number)s reopened") % {"number": request.number},
                text=request.title,
                actor=actor,
            )
    return request


def request_close(
    *, actor: Any, request: ServiceRequest, note: str = "", expected_version: int | None = None
) -> ServiceRequest:
    """Close a done, rated or refused request (after the revisit, 回访)."""
    _require(actor, request, "desk")
    return _transition(
        actor=actor,
        request=request,
        action="close",
        sources=[S.DONE, S.RATED, S.REFUSED],
        target=S.CLOSED,
        changes={"closed_at": timezone.now()},
        note=note,
        expected_version=expected_version,
    )


def request_note(
    *, actor: Any, request: ServiceRequest, note: str, public: bool = False
) -> RequestEvent:
    """A note on the history (internal unless `public`), no state change."""
    _require(actor, request, "desk", "department")
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Write the note."), code="invalid")
    with transaction.atomic():
        event = RequestEvent.objects.create(
            request=request, actor=actor, action="note", note=note, public=public
        )
        audit_record(actor=actor, action="request.note", target=request, after={"public": public})
        if public:
            # A public note is the desk's or department's reply to the requester.
            request_notify(
                kind="request.reply",
                request=request,
                users=_requester_ids(request),
                title=_("Reply on request %(number)s") % {"number": request.number},
                text=note[:500],
                actor=actor,
            )
    return event
