"""Proactive visits (不叫自到): scheduling (by plan, from an economy early warning, by hand),
check-in on site, the record, and turning a finding into a request in one action."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record
from louyu.core.uploads import image_clean
from louyu.economy.models import Enterprise
from louyu.servicedesk.access import community_of, desk_paths
from louyu.servicedesk.models import (
    Channel,
    ServiceItem,
    ServiceRequest,
    Visit,
    VisitPhoto,
    VisitPlan,
)


def _community(enterprise: Enterprise) -> Node:
    community = community_of(enterprise.building)
    if community is None:
        raise ApplicationError(_("The enterprise is not in a building community."), code="invalid")
    return community


def _require_desk(actor: Any, community: Node) -> None:
    if actor is None:
        return
    if not any(community.path.startswith(p) for p in desk_paths(actor)):
        raise ApplicationError(_("You may not do this here."), code="forbidden", status=403)


def _source_ref(source: Any) -> tuple[str, str]:
    if source is None:
        return Visit.Source.MANUAL, ""
    if isinstance(source, VisitPlan):
        return Visit.Source.PLAN, f"visitplan:{source.pk}"
    if hasattr(source, "_meta"):
        return Visit.Source.WARNING, f"{source._meta.label_lower}:{source.pk}"
    return Visit.Source.WARNING, str(source)[:100]


def visit_schedule(
    *,
    actor: Any,
    enterprise: Enterprise,
    due_on: date,
    reason: str,
    source: Any = None,
    assignee: Any = None,
) -> Visit:
    """Schedule a visit to an enterprise. `source` is what caused it: None (by hand), a visit
    plan, or an economy early warning (any model row, kept as "app.model:pk", or a text). An
    open visit from the same source is not scheduled twice."""
    community = _community(enterprise)
    _require_desk(actor, community)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the visit is due."), code="invalid")
    kind, ref = _source_ref(source)
    if ref:
        existing = Visit.objects.filter(
            enterprise=enterprise,
            source_ref=ref,
            status__in=[Visit.Status.SCHEDULED, Visit.Status.CHECKED_IN],
        ).first()
        if existing is not None:
            return existing
    with transaction.atomic():
        visit = Visit.objects.create(
            enterprise=enterprise,
            community=community,
            plan=source if isinstance(source, VisitPlan) else None,
            due_on=due_on,
            reason=reason[:200],
            source=kind,
            source_ref=ref,
            assignee=assignee,
        )
        audit_record(
            actor=actor,
            action="visit.schedule",
            target=visit,
            after={
                "enterprise": enterprise.pk,
                "due_on": due_on.isoformat(),
                "source": ref or kind,
            },
        )
    return visit


def visit_plan_save(
    *,
    actor: Any,
    community: Node,
    building: Node | None = None,
    interval_days: int | None = None,
    lead_days: int = 14,
    assignee: Any = None,
) -> VisitPlan:
    """Visit every operating enterprise of a community (or one building) at least once every
    `interval_days` (LOUYU_SERVICEDESK_VISIT_INTERVAL_DAYS by default: once a quarter)."""
    _require_desk(actor, community)
    if interval_days is None:
        interval_days = settings.LOUYU_SERVICEDESK_VISIT_INTERVAL_DAYS
    if community.kind != Node.Kind.COMMUNITY:
        raise ApplicationError(_("Choose a building community."), code="invalid")
    if building is not None and building.parent_id != community.pk:
        raise ApplicationError(_("The building is not in this community."), code="invalid")
    if interval_days < 1:
        raise ApplicationError(_("The interval must be at least one day."), code="invalid")
    with transaction.atomic():
        plan = VisitPlan.objects.create(
            community=community,
            building=building,
            interval_days=interval_days,
            lead_days=lead_days,
            assignee=assignee,
        )
        audit_record(
            actor=actor,
            action="visitplan.create",
            target=plan,
            after={"community": community.pk, "interval_days": interval_days},
        )
    return plan


def visit_plan_run(*, actor: Any = None, today: date | None = None) -> int:
    """For each active plan, schedule a visit to every operating enterprise whose last visit
    (done or scheduled) is older than the interval, due when the interval ends; returns how
    many were scheduled. Idempotent: an open plan visit stops a second one."""
    today = today or timezone.localdate()
    scheduled = 0
    for plan in VisitPlan.objects.filter(is_active=True).select_related("community", "building"):
        enterprises = Enterprise.objects.filter(status=Enterprise.Status.OPERATING)
        if plan.building_id:
            enterprises = enterprises.filter(building_id=plan.building_id)
        else:
            enterprises = enterprises.filter(building__parent_id=plan.community_id)
        enterprises = enterprises.annotate(
            last_done=Max("visits__recorded_at"),
            open_visits=Max(
                "visits__due_on",
                filter=Q(visits__status__in=[Visit.Status.SCHEDULED, Visit.Status.CHECKED_IN]),
            ),
        )
        for enterprise in enterprises:
            if enterprise.open_visits is not None:
                continue
            last = timezone.localdate(enterprise.last_done) if enterprise.last_done else None
            due = (last + timedelta(days=plan.interval_days)) if last else today
            if due - timedelta(days=plan.lead_days) > today:
                continue
            visit_schedule(
                actor=actor,
                enterprise=enterprise,
                due_on=max(due, today),
                reason=_("Regular visit (every %(days)s days)") % {"days": plan.interval_days},
                source=plan,
                assignee=plan.assignee,
            )
            scheduled += 1
    return scheduled


def visit_check_in(*, actor: Any, visit: Visit) -> Visit:
    """到场: the on-site check-in time."""
    _require_desk(actor, visit.community)
    now = timezone.now()
    with transaction.atomic():
        if not Visit.objects.filter(pk=visit.pk, status=Visit.Status.SCHEDULED).update(
            status=Visit.Status.CHECKED_IN, checked_in_at=now, assignee=actor
        ):
            raise ApplicationError(
                _("This visit is not waiting for a check-in."), code="conflict", status=409
            )
        visit.status, visit.checked_in_at, visit.assignee = Visit.Status.CHECKED_IN, now, actor
        audit_record(
            actor=actor, action="visit.check_in", target=visit, after={"at": now.isoformat()}
        )
    return visit


def visit_record(
    *, actor: Any, visit: Visit, findings: str, photos: list[UploadedFile] | None = None
) -> Visit:
    """The visit record: findings and photos, after the check-in."""
    _require_desk(actor, visit.community)
    findings = (findings or "").strip()
    if not findings:
        raise ApplicationError(_("Write down what you found."), code="invalid")
    # Checked before anything is written: one bad photo records nothing.
    cleaned = [image_clean(photo, stem="visit") for photo in photos or []]
    now = timezone.now()
    with transaction.atomic():
        if not Visit.objects.filter(pk=visit.pk, status=Visit.Status.CHECKED_IN).update(
            status=Visit.Status.DONE, findings=findings, recorded_at=now
        ):
            raise ApplicationError(_("Check in on site first."), code="conflict", status=409)
        visit.status, visit.findings, visit.recorded_at = Visit.Status.DONE, findings, now
        for photo in cleaned:
            VisitPhoto.objects.create(visit=visit, image=photo)
        audit_record(
            actor=actor,
            action="visit.record",
            target=visit,
            after={"photos": len(cleaned)},
        )
    return visit


def visit_finding_to_request(
    *,
    actor: Any,
    visit: Visit,
    title: str,
    description: str = "",
    service_item: ServiceItem | None = None,
    urgent: bool = False,
    form_data: dict[str, Any] | None = None,
) -> ServiceRequest:
    """A finding becomes a request in one action: recorded by the visitor on the enterprise's
    behalf, channel "visit", linked back to the visit."""
    from louyu.servicedesk.services.requests import request_create

    _require_desk(actor, visit.community)
    if visit.status == Visit.Status.CANCELLED:
        raise ApplicationError(_("The visit was cancelled."), code="invalid")
    return request_create(
        actor=actor,
        requester=None,
        enterprise=visit.enterprise,
        title=title,
        description=description or visit.findings,
        channel=Channel.VISIT,
        service_item=service_item,
        source_visit_id=visit.pk,
        urgent=urgent,
        form_data=form_data,
        requester_name=visit.enterprise.legal_representative,
    )
