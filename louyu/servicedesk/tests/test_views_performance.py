from django.urls import reverse

from louyu.servicedesk.models import Level
from louyu.servicedesk.services import ratings
from louyu.servicedesk.tests.test_services_requests import run_to_done, submit
from louyu.testing import assert_access_matrix

URL = reverse("servicedesk:performance")


class PerformanceTests:
    def test_only_staff_with_a_queue_see_the_figures(self, desk):
        assert_access_matrix(
            desk.world, "get", URL, allowed={"district", "street", "clerk", "handler_tax"}
        )

    def test_it_shows_satisfaction_and_on_time_per_department(self, desk):
        for level in (Level.VERY_SATISFIED, Level.DISSATISFIED):
            done = run_to_done(desk, submit(desk))
            ratings.request_rate(actor=desk.users["enterprise"], request=done, level=level)
        page = desk.world.client_for("district").get(URL).content.decode()
        assert "50.00%" in page  # one of two ratings satisfied
        assert "税务局" in page and "100.00%" in page  # both done within the promised days
