"""Background work of the service center: notification delivery and the daily sweeps (SLA
escalation, visit plans). Thin: load by id, call a service."""

from __future__ import annotations

from django_tasks import task

from louyu.core.jobs import DAY, periodic
from louyu.servicedesk.models import WebhookTarget


@task()
def notification_email_deliver(*, user_ids: list[int], subject: str, text: str) -> int:
    from louyu.servicedesk.services.notifications import email_deliver

    return email_deliver(user_ids=user_ids, subject=subject, text=text)


@task()
def notification_webhook_deliver(*, target_id: int, title: str, text: str) -> bool:
    from louyu.servicedesk.services.notifications import webhook_deliver

    target = WebhookTarget.objects.filter(pk=target_id, is_active=True).first()
    if target is None:
        return False
    return webhook_deliver(target=target, title=title, text=text)


@periodic("servicedesk.escalate", every=DAY)
def escalate() -> str:
    """Climb the 催办 → 督办 → 通报 ladder for overdue requests."""
    from louyu.servicedesk.services.escalation import request_escalate_overdue

    return f"escalated {request_escalate_overdue()}"


@periodic("servicedesk.visit_plans", every=DAY)
def visit_plans() -> str:
    """Schedule the proactive visits the plans make due."""
    from louyu.servicedesk.services.visits import visit_plan_run

    return f"scheduled {visit_plan_run(actor=None)}"
