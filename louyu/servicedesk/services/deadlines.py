"""Deadlines follow the holiday calendar: when the system admin changes it, every open request
whose clocks run past the change gets the dates today's calendar gives (issue #12)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from louyu.core.services import audit_record, audit_values
from louyu.lib.workdays import add_workdays
from louyu.servicedesk.models import OPEN_STATUSES, RequestEvent, ServiceRequest, Status
from louyu.servicedesk.services.notifications import request_notify

CLOCK_NAMES = {
    "response_due_on": gettext_lazy("First response due"),
    "sign_due_on": gettext_lazy("Sign-for due"),
    "due_on": gettext_lazy("Completion due"),
}


def request_deadlines(request: ServiceRequest) -> dict[str, date]:
    """The running clocks of a request as today's calendar gives them: the first response while
    it waits to be accepted (from submission), the sign-for while dispatched (from the last
    dispatch), and the completion once its clock started (with the service's promised limit)."""
    item = request.service_item
    clocks: dict[str, date] = {}
    if request.status == Status.SUBMITTED:
        start = timezone.localdate(request.submitted_at)
        clocks["response_due_on"] = add_workdays(start, item.response_days if item else 1)
    if request.status == Status.DISPATCHED and request.dispatched_at:
        clocks["sign_due_on"] = add_workdays(timezone.localdate(request.dispatched_at), 1)
    if item and request.clock_started_on and request.status != Status.AWAITING_DOCUMENTS:
        clocks["due_on"] = add_workdays(request.clock_started_on, item.promised_days)
    return clocks


def request_deadlines_recompute(*, actor: Any, since: date) -> int:
    """Give every open request with a deadline on or after `since` the dates the current
    calendar gives; each change goes on the request's public timeline, into the audit log and
    to the requester. Returns how many requests changed. Called inside the calendar edit's
    transaction (core's calendar listeners)."""
    candidates = (
        ServiceRequest.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(response_due_on__gte=since) | Q(sign_due_on__gte=since) | Q(due_on__gte=since))
        .select_related("service_item")
        .order_by("pk")
    )
    changed = 0
    now = timezone.now()
    for request in candidates:
        fresh = request_deadlines(request)
        moved = {
            clock: value
            for clock, value in fresh.items()
            if getattr(request, clock) is not None and value != getattr(request, clock)
        }
        if not moved:
            continue
        before = {clock: getattr(request, clock) for clock in moved}
        updated = ServiceRequest.objects.filter(pk=request.pk, version=request.version).update(
            version=F("version") + 1, updated_at=now, **moved
        )
        if not updated:  # acted on meanwhile: its own transition set fresh dates
            continue
        changed += 1
        for clock, value in moved.items():
            setattr(request, clock, value)
        request.version += 1
        old, new = audit_values(before), audit_values(moved)
        data = {"before": old, "after": new}
        note = "；".join(f"{CLOCK_NAMES[clock]}：{old[clock]} → {new[clock]}" for clock in moved)
        RequestEvent.objects.create(
            request=request, at=now, actor=None, action="deadline_change", note=note, data=data
        )
        audit_record(
            actor=actor, action="request.deadline_change", target=request, before=old, after=new
        )
        due = request.current_due_on
        request_notify(
            kind="request.deadline",
            request=request,
            users=[request.requester_id] if request.requester_id else [],
            title=_("Request %(number)s: the deadline moved with the holiday calendar")
            % {"number": request.number},
            text=_("Now due on %(date)s.") % {"date": due.isoformat() if due else "-"},
            actor=actor,
        )
    return changed
