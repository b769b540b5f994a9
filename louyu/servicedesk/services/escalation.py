"""The supervision ladder for overdue requests: 催办 → 督办 → 通报, climbed by the daily job.
Each rung is claimed with a conditional UPDATE, so however many workers sweep at once each rung
is recorded and announced exactly once."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from louyu.accounts.models import Role
from louyu.core.services import audit_record
from louyu.lib.workdays import is_workday, workdays_left
from louyu.servicedesk.models import (
    OPEN_STATUSES,
    Escalation,
    RequestEvent,
    ServiceRequest,
    Status,
)
from louyu.servicedesk.selectors import community_staff_ids, department_handler_ids
from louyu.servicedesk.services.notifications import request_notify

S = Status


def escalation_due(request: ServiceRequest, today: date) -> int:
    """The rung an open request should be on today: 催办 once overdue, 督办 and 通报 once it is
    LOUYU_SERVICEDESK_SUPERVISE_AFTER / _CIRCULATE_AFTER working days overdue."""
    due = request.current_due_on
    if due is None or request.status not in OPEN_STATUSES:
        return Escalation.NONE
    late = -workdays_left(today, due)
    if today <= due:
        return Escalation.NONE
    if late >= settings.LOUYU_SERVICEDESK_CIRCULATE_AFTER:
        return Escalation.CIRCULATE
    if late >= settings.LOUYU_SERVICEDESK_SUPERVISE_AFTER:
        return Escalation.SUPERVISE
    return Escalation.URGE


def request_escalate_overdue(*, today: date | None = None) -> int:
    """Move every overdue open request up the ladder. Each rung is claimed with a conditional
    UPDATE on (pk, escalation), so however many workers sweep at once each rung is recorded and
    announced exactly once. Returns how many requests climbed."""
    today = today or timezone.localdate()
    if not is_workday(today):
        return 0
    climbed = 0
    candidates = (
        ServiceRequest.objects.open()
        .exclude(status=S.AWAITING_DOCUMENTS)
        .filter(escalation__lt=Escalation.CIRCULATE)
        .select_related("community", "department")
    )
    for request in candidates.iterator():
        rung = escalation_due(request, today)
        if rung <= request.escalation:
            continue
        with transaction.atomic():
            claimed = ServiceRequest.objects.filter(
                pk=request.pk, escalation=request.escalation
            ).update(escalation=rung, escalated_at=timezone.now(), version=F("version") + 1)
            if not claimed:
                continue
            previous, request.escalation = request.escalation, rung
            request.version += 1
            label = Escalation(rung).label
            RequestEvent.objects.create(
                request=request,
                action="escalate",
                from_status=request.status,
                to_status=request.status,
                note=str(label),
                data={"from": previous, "to": rung},
                public=False,
            )
            audit_record(
                actor=None,
                action="request.escalate",
                target=request,
                before={"escalation": previous},
                after={"escalation": rung},
            )
            users = set(community_staff_ids(request.community, [Role.CLERK, Role.GUIDE]))
            users |= set(department_handler_ids(request.department_id))
            if rung >= Escalation.SUPERVISE:
                street = request.community.parent
                if street is not None:
                    users |= set(community_staff_ids(street, [Role.STREET_CADRE]))
            request_notify(
                kind="request.escalated",
                request=request,
                users=users,
                title=f"{label}：{request.number}",
                text=request.title,
                bots=rung >= Escalation.SUPERVISE,
            )
            climbed += 1
    return climbed
