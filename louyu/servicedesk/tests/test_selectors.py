from datetime import UTC, date, datetime

from louyu.servicedesk.models import Light, ServiceRequest
from louyu.servicedesk.selectors import (
    community_staff_ids,
    department_handler_ids,
    on_time_rate,
    request_lights,
    request_queue,
    requests_by_status,
)
from louyu.servicedesk.services import requests as svc
from louyu.servicedesk.tests.test_services_requests import run_to_done, submit


class RecipientTests:
    def test_it_finds_role_holders_at_a_node_and_department_handlers(self, desk):
        assert community_staff_ids(desk.nodes["community"], ["clerk"]) == [desk.users["clerk"].pk]
        assert community_staff_ids(desk.nodes["other_community"], ["clerk"]) == []
        assert department_handler_ids(desk.scopes["tax"].pk) == [desk.users["handler_tax"].pk]
        assert department_handler_ids(None) == []


class SlaFigureTests:
    def test_lights_and_on_time_rate(self, desk, fixed_today):
        fixed_today(date(2026, 11, 2))
        late = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=late)
        done = run_to_done(desk, submit(desk))  # due 5 November, done on the 3rd: on time
        ServiceRequest.objects.filter(pk=done.pk).update(
            completed_at=datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
        )
        fresh = submit(desk)
        today = date(2026, 11, 9)
        counts = request_lights(ServiceRequest.objects.all(), today)
        assert counts == {Light.RED: 2}  # the accepted one and the unanswered one
        fixed_today(today)
        assert str(on_time_rate(ServiceRequest.objects.all(), today)) == "50.00"
        assert requests_by_status(ServiceRequest.objects.all()) == {
            "accepted": 1,
            "done": 1,
            "submitted": 1,
        }
        assert fresh.pk in set(request_queue(desk.users["clerk"]).values_list("pk", flat=True))
        assert not request_queue(desk.users["outsider"]).exists()


class OpenComplaintsTests:
    def test_it_counts_bad_ratings_until_their_case_closes(self, desk):
        from louyu.servicedesk.models import Level, RectificationCase
        from louyu.servicedesk.selectors import open_complaints_count
        from louyu.servicedesk.services import ratings

        mine, other = desk.scopes["enterprise"], desk.scopes["other_enterprise"]
        assert open_complaints_count([mine.pk, other.pk]) == {}
        done = run_to_done(desk, submit(desk))
        ratings.request_rate(actor=desk.users["enterprise"], request=done, level=Level.DISSATISFIED)
        assert open_complaints_count([mine.pk, other.pk]) == {mine.pk: 1}
        RectificationCase.objects.update(stage=RectificationCase.Stage.CLOSED)
        assert open_complaints_count([mine.pk]) == {}
