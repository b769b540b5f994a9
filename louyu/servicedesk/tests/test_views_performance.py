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

    def test_it_heads_each_table_with_what_its_rows_are(self, desk):
        page = desk.world.client_for("district").get(URL).content.decode()
        assert '<th scope="col">部门</th>' in page and '<th scope="col">办事人员</th>' in page
        assert '<th scope="col">姓名</th>' not in page

    def test_it_counts_only_requests_submitted_in_the_period(self, desk):
        from datetime import timedelta

        from django.utils import timezone

        from louyu.servicedesk.models import ServiceRequest

        done = run_to_done(desk, submit(desk))
        ratings.request_rate(actor=desk.users["enterprise"], request=done, level=Level.DISSATISFIED)
        client = desk.world.client_for("district")
        assert "0.00%" in client.get(URL, {"period": "month"}).content.decode()
        last_year = timezone.now() - timedelta(days=400)
        ServiceRequest.objects.filter(pk=done.pk).update(submitted_at=last_year)
        page = client.get(URL, {"period": "year"}).content.decode()
        assert "0.00%" not in page and "暂无数据" in page
        day = timezone.localdate(
            last_year
        ).isoformat()  # the day in Beijing, as the filter reads it
        ranged = client.get(URL, {"period": "custom", "start": day, "end": day})
        assert "0.00%" in ranged.content.decode()

    def test_it_explains_a_range_that_ends_before_it_starts(self, desk):
        client = desk.world.client_for("district")
        page = client.get(URL, {"period": "custom", "start": "2026-05-02", "end": "2026-05-01"})
        assert page.status_code == 200 and "结束日期早于开始日期" in page.content.decode()
