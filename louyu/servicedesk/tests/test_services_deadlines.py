"""Open deadlines follow the holiday calendar (issue #12)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from louyu.core import services as core_services
from louyu.core.models import AuditLog
from louyu.notifications.models import Notification
from louyu.servicedesk.models import RequestEvent, ServiceRequest, Status
from louyu.servicedesk.services import requests as svc
from louyu.servicedesk.tests.test_services_requests import submit

NEW_YEAR_2027 = [["日期", "类型", "名称"], *[[f"2027-01-0{d}", "休", "元旦"] for d in (1, 2, 3)]]


@pytest.fixture
def fixed_today(fixed_today, monkeypatch):
    """Pin both today and now (submission and dispatch times start the clocks)."""

    def pin(day: date) -> None:
        fixed_today(day)
        moment = datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return pin


def accepted(desk, fixed_today, day):
    fixed_today(day)
    request = submit(desk)
    svc.request_accept(actor=desk.users["clerk"], request=request)
    return request


class DeadlineRecomputeTests:
    def test_a_deadline_in_a_fallback_year_is_provisional_until_the_year_is_imported(
        self, desk, fixed_today, monkeypatch
    ):
        # Accepted Tuesday 29 December 2026, promised 3 working days: 30, 31 December and
        # Friday 1 January 2027, counted as a working day while 2027 is unknown.
        request = accepted(desk, fixed_today, date(2026, 12, 29))
        assert request.due_on == date(2027, 1, 1)
        assert request.due_provisional
        told = Notification.objects.filter(kind="servicedesk.request.deadline")
        _year, _days, moved = core_services.calendar_year_import(
            actor=desk.users["sysadmin"], rows=NEW_YEAR_2027
        )
        assert moved == 1
        request.refresh_from_db()
        assert request.due_on == date(2027, 1, 4)
        assert not request.due_provisional
        event = RequestEvent.objects.get(request=request, action="deadline_change")
        assert event.public and "2027-01-01 → 2027-01-04" in event.note
        assert event.data == {"before": {"due_on": "2027-01-01"}, "after": {"due_on": "2027-01-04"}}
        audit = AuditLog.objects.get(action="request.deadline_change")
        assert audit.actor == desk.users["sysadmin"] and audit.target_id == str(request.pk)
        assert list(told.values_list("recipient__username", "target_id", "text")) == [
            ("enterprise", str(request.pk), "新的期限为 2027-01-04。")
        ]

    def test_only_open_requests_with_a_deadline_after_the_change_move(self, desk, fixed_today):
        crossing = accepted(desk, fixed_today, date(2026, 12, 29))
        earlier = accepted(desk, fixed_today, date(2026, 12, 1))  # due 4 December
        closed = accepted(desk, fixed_today, date(2026, 12, 29))
        ServiceRequest.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
        core_services.calendar_year_import(actor=desk.users["sysadmin"], rows=NEW_YEAR_2027)
        due = dict(ServiceRequest.objects.values_list("pk", "due_on"))
        assert due[crossing.pk] == date(2027, 1, 4)
        assert due[earlier.pk] == date(2026, 12, 4)
        assert due[closed.pk] == date(2027, 1, 1)

    def test_a_first_response_and_a_sign_for_clock_move_too(self, desk, fixed_today):
        fixed_today(date(2026, 12, 31))
        waiting = submit(desk)  # first response due the next working day
        dispatched = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=dispatched)
        svc.request_dispatch(actor=desk.users["clerk"], request=dispatched)
        assert waiting.response_due_on == dispatched.sign_due_on == date(2027, 1, 1)
        core_services.calendar_year_import(actor=desk.users["sysadmin"], rows=NEW_YEAR_2027)
        waiting.refresh_from_db()
        dispatched.refresh_from_db()
        assert waiting.response_due_on == dispatched.sign_due_on == date(2027, 1, 4)

    def test_the_version_moves_so_a_stale_form_is_refused(self, desk, fixed_today):
        request = accepted(desk, fixed_today, date(2026, 12, 29))
        version = request.version
        core_services.calendar_year_import(actor=desk.users["sysadmin"], rows=NEW_YEAR_2027)
        request.refresh_from_db()
        assert request.version == version + 1


class ProvisionalShownTests:
    def test_the_api_and_the_pages_mark_a_provisional_deadline(self, desk, fixed_today):
        request = accepted(desk, fixed_today, date(2026, 12, 29))
        clerk = desk.world.client_for("clerk")
        row = clerk.get(f"/api/v1/servicedesk/requests/{request.pk}/").json()
        assert row["due_provisional"] is True
        assert "sd-provisional" in clerk.get(f"/service/requests/{request.pk}/").content.decode()
        assert "sd-provisional" in clerk.get("/service/").content.decode()
        core_services.calendar_year_import(actor=desk.users["sysadmin"], rows=NEW_YEAR_2027)
        row = clerk.get(f"/api/v1/servicedesk/requests/{request.pk}/").json()
        assert row["due_provisional"] is False
        page = clerk.get(f"/service/requests/{request.pk}/").content.decode()
        assert "sd-provisional" not in page and "2027年1月4日" in page
