"""The staff visit list: due and overdue visits, check-in, the record, and a finding turned
into a request in one action; the outsider and non-staff get 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from louyu.servicedesk.models import ServiceRequest, Visit
from louyu.servicedesk.services.visits import visit_schedule
from louyu.testing import assert_access_matrix

pytestmark = pytest.mark.django_db
VISITS = "/service/visits/"


def scheduled(desk, days: int = 3) -> Visit:
    return visit_schedule(
        actor=None,
        enterprise=desk.scopes["enterprise"],
        due_on=timezone.localdate() + timedelta(days=days),
        reason="季度走访",
    )


class VisitListTests:
    def test_it_opens_the_visit_list_to_desk_staff_only(self, desk):
        scheduled(desk)
        assert_access_matrix(desk.world, "get", VISITS, allowed={"clerk", "street", "district"})

    def test_it_splits_overdue_from_due(self, desk):
        late, soon = scheduled(desk, -2), scheduled(desk, 5)
        Visit.objects.filter(pk=soon.pk).update(source_ref="x")  # two open visits side by side
        client = desk.world.client_for("clerk")
        response = client.get(VISITS)
        assert response.context["counts"] == {"overdue": 1, "due": 1}
        assert [v.pk for v in response.context["page"]] == [late.pk, soon.pk]
        assert [v.pk for v in client.get(VISITS, {"show": "overdue"}).context["page"]] == [late.pk]
        assert [v.pk for v in client.get(VISITS, {"show": "due"}).context["page"]] == [soon.pk]
        assert "sd-late" in response.content.decode()

    def test_it_pages_and_searches_the_open_visits(self, desk):
        # Issue 12: 144 visit cards on one page.
        for days in range(25):
            visit = scheduled(desk, days)
            Visit.objects.filter(pk=visit.pk).update(source_ref=f"r{days}")
        client = desk.world.client_for("clerk")
        first = client.get(VISITS)
        assert len(first.context["page"]) == 20 and first.context["page"].paginator.count == 25
        second = client.get(VISITS, {"page": 2, "show": "due"}).content.decode()
        assert second.count('class="card mb-2') == 5 + second.count("visit_to_request")
        assert "show=due&amp;page=1" in second
        name = desk.scopes["enterprise"].name
        assert client.get(VISITS, {"q": name[:2]}).context["page"].paginator.count == 25
        assert client.get(VISITS, {"q": "不存在的企业"}).context["page"].paginator.count == 0
        assert client.get(VISITS, {"mine": "on"}).context["page"].paginator.count == 0


class VisitFlowTests:
    def test_it_checks_in_records_and_turns_the_finding_into_a_request(self, desk):
        visit = scheduled(desk)
        client = desk.world.client_for("clerk")
        assert client.post(reverse("servicedesk:visit_checkin", args=[visit.pk])).status_code == 302
        response = client.post(
            reverse("servicedesk:visit_findings", args=[visit.pk]),
            {"findings": "企业反映停车位紧张"},
        )
        assert response.status_code == 302
        visit.refresh_from_db()
        assert visit.status == Visit.Status.DONE
        response = client.post(
            reverse("servicedesk:visit_to_request", args=[visit.pk]),
            {"title": "协调停车位", "service_item": ""},
        )
        req = ServiceRequest.objects.get(source_visit=visit)
        assert response.status_code == 302
        assert response.url == reverse("servicedesk:request_detail", args=[req.pk])
        assert req.channel == "visit" and req.description == "企业反映停车位紧张"

    def test_it_says_why_a_record_before_check_in_is_refused(self, desk):
        visit = scheduled(desk)
        response = desk.world.client_for("clerk").post(
            reverse("servicedesk:visit_findings", args=[visit.pk]), {"findings": "x"}
        )
        assert response.status_code == 409
        assert response.context["error"] is not None
        visit.refresh_from_db()
        assert visit.status == Visit.Status.SCHEDULED

    def test_it_refuses_the_outsider_and_the_handler(self, desk):
        visit = scheduled(desk)
        for username in ("outsider", "handler_tax", "enterprise"):
            response = desk.world.client_for(username).post(
                reverse("servicedesk:visit_checkin", args=[visit.pk])
            )
            assert response.status_code == 404, username
        visit.refresh_from_db()
        assert visit.status == Visit.Status.SCHEDULED
