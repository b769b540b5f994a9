"""Background work of the service center: the daily sweeps (SLA escalation, visit plans, rating
reminders). Notifications are delivered by louyu.notifications. Thin: call a service."""

from __future__ import annotations

from louyu.core.jobs import DAY, periodic


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


@periodic("servicedesk.rating_reminders", every=DAY)
def rating_reminders() -> str:
    """Remind requesters of done requests they have not rated."""
    from louyu.servicedesk.services.ratings import request_rating_remind

    return f"reminded {request_rating_remind()}"
