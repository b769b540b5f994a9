from datetime import date

from louyu.core.jobs import discover, registry
from louyu.servicedesk import tasks
from louyu.servicedesk.models import Escalation, ServiceRequest, Visit
from louyu.servicedesk.services import requests as svc
from louyu.servicedesk.services.visits import visit_plan_save
from louyu.servicedesk.tests.test_services_requests import submit


class PeriodicJobTests:
    def test_the_sweeps_are_registered_daily(self):
        discover()
        assert registry["servicedesk.escalate"].every.days == 1
        assert registry["servicedesk.visit_plans"].every.days == 1

    def test_the_escalation_sweep_climbs_overdue_requests(self, desk, fixed_today):
        fixed_today(date(2026, 11, 2))
        request = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=request)
        fixed_today(date(2026, 11, 6))
        assert tasks.escalate() == "escalated 1"
        assert tasks.escalate() == "escalated 0"
        assert ServiceRequest.objects.get(pk=request.pk).escalation == Escalation.URGE

    def test_the_visit_sweep_schedules_plan_visits(self, desk):
        visit_plan_save(actor=None, community=desk.nodes["community"])
        assert tasks.visit_plans() == "scheduled 1"
        assert Visit.objects.get().enterprise == desk.scopes["enterprise"]
