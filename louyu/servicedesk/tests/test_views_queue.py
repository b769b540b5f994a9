"""The staff work queue: scope by role (community, department, street, district; outsider 404),
filters, SLA lights in words, pinned query counts, the due-today view, and bulk actions that
report each row's failure on its own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from louyu.servicedesk.models import ServiceRequest, Status
from louyu.servicedesk.services.requests import request_accept, request_create, request_dispatch
from louyu.testing import assert_access_matrix

pytestmark = pytest.mark.django_db
QUEUE = "/service/"


def make(desk, title="申领发票", enterprise=None, **extra) -> ServiceRequest:
    enterprise = enterprise or desk.scopes["enterprise"]
    return request_create(
        actor=None,
        requester=None,
        enterprise=enterprise,
        title=title,
        description="",
        channel=extra.pop("channel", "counter"),
        service_item=extra.pop("service_item", desk.item),
        form_data=extra.pop("form_data", {"invoice_kind": "plain"}),
        **extra,
    )


def numbers(response) -> set[str]:
    return {r["req"].number for r in response.context["rows"]}


class QueueAccessTests:
    def test_it_opens_the_queue_to_staff_only(self, desk):
        assert_access_matrix(
            desk.world, "get", QUEUE, allowed={"clerk", "street", "district", "handler_tax"}
        )
        assert_access_matrix(
            desk.world,
            "get",
            reverse("servicedesk:due_today"),
            allowed={"clerk", "street", "district", "handler_tax"},
        )

    def test_it_scopes_rows_by_role(self, desk):
        ours = make(desk, "本社区事项")
        theirs = make(desk, "外社区事项", enterprise=desk.scopes["other_enterprise"])
        dispatched = make(desk, "已派单事项")
        request_accept(actor=None, request=dispatched)
        request_dispatch(actor=None, request=dispatched)
        expected = {
            "clerk": {ours.number, dispatched.number},
            "street": {ours.number, dispatched.number},
            "district": {ours.number, theirs.number, dispatched.number},
            "handler_tax": {dispatched.number},
        }
        for username, rows in expected.items():
            response = desk.world.client_for(username).get(QUEUE)
            assert numbers(response) == rows, username
        assert desk.world.client_for("outsider").get(QUEUE).status_code == 404


class QueueFilterTests:
    def test_it_filters_by_status_category_item_channel_and_building(self, desk):
        a = make(desk, "甲")
        b = make(desk, "乙", service_item=desk.safety_item, form_data={}, channel="phone")
        request_accept(actor=None, request=a)
        client = desk.world.client_for("clerk")
        assert numbers(client.get(QUEUE, {"status": "accepted"})) == {a.number}
        assert numbers(client.get(QUEUE, {"category": "governance"})) == {b.number}
        assert numbers(client.get(QUEUE, {"service_item": desk.item.pk})) == {a.number}
        assert numbers(client.get(QUEUE, {"channel": "phone"})) == {b.number}
        assert numbers(client.get(QUEUE, {"building": desk.building.pk})) == {a.number, b.number}
        assert numbers(client.get(QUEUE, {"q": a.number})) == {a.number}

    def test_it_filters_by_sla_light_and_due_date(self, desk):
        today = timezone.localdate()
        late = make(desk, "逾期")
        ServiceRequest.objects.filter(pk=late.pk).update(response_due_on=today - timedelta(days=10))
        due = make(desk, "今日到期")
        ServiceRequest.objects.filter(pk=due.pk).update(response_due_on=today)
        fine = make(desk, "时间充裕")
        ServiceRequest.objects.filter(pk=fine.pk).update(response_due_on=today + timedelta(days=30))
        client = desk.world.client_for("clerk")
        assert numbers(client.get(QUEUE, {"light": "red"})) == {late.number}
        assert numbers(client.get(QUEUE, {"light": "yellow"})) == {due.number}
        assert numbers(client.get(QUEUE, {"light": "green"})) == {fine.number}
        assert numbers(client.get(QUEUE, {"due": "today"})) == {due.number}
        assert numbers(client.get(QUEUE, {"due": "overdue"})) == {late.number}
        # Lights agree with the model's own computation, and carry words, not colour alone.
        for row in client.get(QUEUE).context["rows"]:
            assert row["light"] == row["req"].light(today)
        page = client.get(QUEUE).content.decode()
        assert "sd-light-red" in page and str(row["light_text"]) in page
        # Sorted by due date: the overdue one first.
        assert [r["req"].number for r in client.get(QUEUE).context["rows"]][0] == late.number
        due_page = client.get(reverse("servicedesk:due_today"))
        assert numbers(due_page) == {late.number, due.number}

    def test_it_writes_the_date_in_the_language_of_the_page(self, desk):
        """Issue 12: English pages kept a hard-coded Chinese date format."""
        client = desk.world.client_for("clerk")
        today = timezone.localdate()
        url = reverse("servicedesk:due_today")
        chinese = client.get(url).content.decode()
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f"时限为{today.year}年{today.month}月{today.day}日或已过期" in chinese
        with translation.override("en"):
            day = formats.date_format(today)  # "Dec. 7, 2026"
        assert f"deadline is {day} or has passed" in english and str(today.year) in day

    def test_it_answers_htmx_with_the_results_fragment_only(self, desk):
        make(desk)
        response = desk.world.client_for("clerk").get(
            QUEUE, {"status": "submitted"}, headers={"HX-Request": "true"}
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in body and "sd-cards" in body

    def test_it_ignores_a_bad_filter_value(self, desk):
        make(desk)
        response = desk.world.client_for("clerk").get(QUEUE, {"status": "nonsense"})
        assert response.status_code == 200


class QueueQueryCountTests:
    def test_it_pins_the_queries_whatever_the_number_of_rows(self, desk, django_assert_num_queries):
        client = desk.world.client_for("clerk")
        for i in range(3):
            make(desk, f"事项{i}")
        client.get(QUEUE)  # warm: content types, session
        with django_assert_num_queries(13) as few:
            client.get(QUEUE)
        for i in range(20):
            make(desk, f"更多事项{i}")
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(QUEUE)
        assert len(response.context["rows"]) == 23


class BulkActionTests:
    def test_it_reports_each_failed_row_and_does_the_others(self, desk):
        ok = make(desk, "可受理")
        stale = make(desk, "他人已受理")
        outsider_row = make(desk, "外社区", enterprise=desk.scopes["other_enterprise"])
        stale_version = stale.version
        request_accept(actor=None, request=stale)  # someone else got there first
        response = desk.world.client_for("clerk").post(
            reverse("servicedesk:queue_bulk"),
            {
                "action": "accept",
                "rows": [
                    f"{ok.pk}:{ok.version}",
                    f"{stale.pk}:{stale_version}",
                    f"{outsider_row.pk}:{outsider_row.version}",
                ],
            },
        )
        assert response.status_code == 200
        results = {r["number"]: r for r in response.context["bulk_results"]}
        assert results[ok.number]["ok"]
        assert not results[stale.number]["ok"]
        assert stale.number in str(results[stale.number]["message"])
        assert not results[f"#{outsider_row.pk}"]["ok"]  # not in this queue: not even named
        assert ServiceRequest.objects.get(pk=ok.pk).status == Status.ACCEPTED
        assert ServiceRequest.objects.get(pk=outsider_row.pk).status == Status.SUBMITTED
        assert response.context["bulk_ok"] == 1 and response.context["bulk_failed"] == 2
        assert "sd-failed" in response.content.decode()

    def test_it_dispatches_the_selected_to_the_lead_department(self, desk):
        a, b = make(desk, "甲"), make(desk, "乙")
        for r in (a, b):
            request_accept(actor=None, request=r)
        a.refresh_from_db()
        b.refresh_from_db()
        response = desk.world.client_for("clerk").post(
            reverse("servicedesk:queue_bulk"),
            {"action": "dispatch", "rows": [f"{a.pk}:{a.version}", f"{b.pk}:{b.version}"]},
        )
        assert response.context["bulk_ok"] == 2
        assert set(
            ServiceRequest.objects.filter(pk__in=[a.pk, b.pk]).values_list("department", flat=True)
        ) == {desk.tax.pk}

    def test_it_refuses_bulk_actions_to_a_handler_and_the_outsider(self, desk):
        a = make(desk)
        for username, status in (("handler_tax", 200), ("outsider", 404)):
            response = desk.world.client_for(username).post(
                reverse("servicedesk:queue_bulk"),
                {"action": "accept", "rows": [f"{a.pk}:{a.version}"]},
            )
            assert response.status_code == status
        assert ServiceRequest.objects.get(pk=a.pk).status == Status.SUBMITTED

    def test_it_asks_for_a_selection(self, desk):
        response = desk.world.client_for("clerk").post(
            reverse("servicedesk:queue_bulk"), {"action": "accept"}
        )
        assert response.status_code == 400
