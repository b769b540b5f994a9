from datetime import date

import pytest
from django.http import Http404

from louyu.accounts.models import Role
from louyu.accounts.services import membership_grant, user_create
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.servicedesk.access import get_request_for_user
from louyu.servicedesk.models import (
    Channel,
    Department,
    Escalation,
    Light,
    RequestEvent,
    ServiceRequest,
    Status,
)
from louyu.servicedesk.models.requests import RequestNumberCounter
from louyu.servicedesk.services import escalation
from louyu.servicedesk.services import requests as svc

# Once the actor's memberships are cached: the staff to notify, then SAVEPOINT (the test's
# transaction), the counter's UPDATE … RETURNING, the request, its history row, the audit row,
# RELEASE. No "highest number so far" query and no retry. Telling the staff (issue 14): the
# active recipients, their notification rows, their preferences, their unread counts.
QUERIES_PER_CREATE = 11


def submit(desk, **kwargs):
    values = {
        "actor": desk.users["enterprise"],
        "requester": desk.users["enterprise"],
        "enterprise": desk.scopes["enterprise"],
        "title": "申请领用增值税专用发票",
        "description": "本月需要 25 份",
        "channel": Channel.MOBILE,
        "service_item": desk.item,
        "form_data": {"invoice_kind": "vat", "count": 25},
    }
    values.update(kwargs)
    return svc.request_create(**values)


def run_to_done(desk, request):
    clerk, handler = desk.users["clerk"], desk.users["handler_tax"]
    svc.request_accept(actor=clerk, request=request)
    svc.request_dispatch(actor=clerk, request=request)
    svc.request_sign(actor=handler, request=request)
    svc.request_start(actor=handler, request=request)
    return svc.request_complete(actor=handler, request=request, resolution="已发放 25 份")


class RequestCreateTests:
    def test_it_numbers_the_request_by_day_and_records_the_history(self, desk, fixed_today):
        fixed_today(date(2026, 11, 27))
        first = submit(desk)
        second = submit(desk)
        assert first.number == "LY2026112700001" and second.number == "LY2026112700002"
        assert first.community == desk.nodes["community"]
        assert first.building == desk.nodes["building"]
        assert first.status == Status.SUBMITTED and first.version == 1
        assert first.response_due_on == date(2026, 11, 30)  # Friday → Monday
        assert first.form_data == {"invoice_kind": "vat", "count": "25"}
        assert list(first.events.values_list("action", flat=True)) == ["create"]
        assert AuditLog.objects.filter(action="request.create", target_id=str(first.pk)).exists()

    def test_the_counter_starts_after_numbers_given_before_it(self, desk, fixed_today):
        fixed_today(date(2026, 11, 27))
        first = submit(desk)
        RequestNumberCounter.objects.all().delete()
        ServiceRequest.objects.filter(pk=first.pk).update(number="LY2026112700041")
        assert submit(desk).number == "LY2026112700042"
        assert RequestNumberCounter.objects.get(day=date(2026, 11, 27)).last == 42

    def test_a_number_written_past_the_counter_is_jumped_over(self, desk, fixed_today):
        fixed_today(date(2026, 11, 27))
        first = submit(desk)
        ServiceRequest.objects.filter(pk=first.pk).update(number="LY2026112700002")
        second = submit(desk)
        assert second.number == "LY2026112700003"
        assert second.events.count() == 1
        assert ServiceRequest.objects.count() == 2

    def test_a_rolled_back_create_gives_its_number_back(self, desk, fixed_today, monkeypatch):
        fixed_today(date(2026, 11, 27))
        assert submit(desk).number == "LY2026112700001"

        def broken(**kwargs):
            raise RuntimeError("audit store down")

        with monkeypatch.context() as patch:
            patch.setattr(svc, "audit_record", broken)
            with pytest.raises(RuntimeError):
                submit(desk)
        assert ServiceRequest.objects.count() == 1
        assert submit(desk).number == "LY2026112700002"

    def test_each_day_has_its_own_sequence(self, desk, fixed_today):
        fixed_today(date(2026, 11, 27))
        submit(desk)
        fixed_today(date(2026, 11, 28))
        assert submit(desk).number == "LY2026112800001"

    def test_it_creates_in_a_fixed_number_of_queries(
        self, desk, fixed_today, django_assert_num_queries
    ):
        fixed_today(date(2026, 11, 27))
        submit(desk)  # the day's counter row exists from now on
        with django_assert_num_queries(QUERIES_PER_CREATE):
            submit(desk)

    def test_it_refuses_bad_form_data_and_writes_nothing(self, desk):
        with pytest.raises(ApplicationError, match="发票种类|invoice"):
            submit(desk, form_data={"count": 3})
        with pytest.raises(ApplicationError):
            submit(desk, form_data={"invoice_kind": "gold"})
        with pytest.raises(ApplicationError):
            submit(desk, form_data={"invoice_kind": "vat", "colour": "red"})
        assert not ServiceRequest.objects.exists()

    def test_an_outsider_cannot_file_for_another_enterprise(self, desk):
        outsider = desk.users["outsider"]
        with pytest.raises(ApplicationError) as error:
            submit(desk, actor=outsider, requester=outsider)
        assert error.value.status == 403
        assert not ServiceRequest.objects.exists()

    def test_only_staff_record_counter_and_phone_requests(self, desk):
        with pytest.raises(ApplicationError):
            submit(desk, channel=Channel.COUNTER)
        request = submit(desk, actor=desk.users["clerk"], channel=Channel.PHONE)
        assert request.created_by == desk.users["clerk"]

    def test_the_messaging_entry_point_keeps_the_source_message(self, desk):
        request = svc.request_create(
            actor=desk.users["employee"],
            requester=desk.users["employee"],
            enterprise=desk.scopes["enterprise"],
            title="空调不制冷",
            description="3 楼会议室",
            channel=Channel.CHAT,
            source_message_id=4711,
        )
        assert request.source_message_id == 4711 and request.service_item is None

    def test_an_urgent_request_notifies_safety_and_manager_at_once(self, desk):
        from louyu.notifications.models import Notification

        safety = user_create(actor=None, username="safety", password=None)
        manager = user_create(actor=None, username="manager", password=None)
        membership_grant(actor=None, user=safety, role=Role.SAFETY, scope=desk.nodes["community"])
        membership_grant(actor=None, user=manager, role=Role.MANAGER, scope=desk.nodes["community"])
        request = submit(desk, service_item=desk.safety_item, form_data={})
        assert request.urgent
        told = Notification.objects.filter(target_id=str(request.pk))
        assert sorted(told.values_list("kind", "recipient__username")) == [
            ("servicedesk.request.created", "clerk"),
            ("servicedesk.request.urgent", "manager"),
            ("servicedesk.request.urgent", "safety"),
        ]


class WorkflowTests:
    def test_the_happy_path_runs_to_closed(self, desk, fixed_today):
        fixed_today(date(2026, 11, 26))  # Thursday
        request = submit(desk)
        done = run_to_done(desk, request)
        assert done.status == Status.DONE and done.handler == desk.users["handler_tax"]
        assert done.due_on == date(2026, 12, 1)  # 3 working days from Friday
        assert done.sign_due_on == date(2026, 11, 27)
        svc.request_close(actor=desk.users["clerk"], request=done)
        assert ServiceRequest.objects.get(pk=request.pk).status == Status.CLOSED
        actions = list(request.events.values_list("action", flat=True))
        assert actions == ["create", "accept", "dispatch", "sign", "start", "complete", "close"]
        assert ServiceRequest.objects.get(pk=request.pk).version == 7

    def test_refusal_needs_a_reason(self, desk):
        request = submit(desk)
        with pytest.raises(ApplicationError):
            svc.request_refuse(actor=desk.users["clerk"], request=request, reason=" ")
        svc.request_refuse(actor=desk.users["clerk"], request=request, reason="不属于受理范围")
        assert request.status == Status.REFUSED and request.refuse_reason

    def test_documents_stop_the_clock_and_restart_it_the_day_after_they_arrive(
        self, desk, fixed_today
    ):
        fixed_today(date(2026, 4, 27))  # Monday
        request = submit(desk)
        clerk = desk.users["clerk"]
        svc.request_accept(actor=clerk, request=request)
        assert request.due_on == date(2026, 4, 30)
        svc.request_request_documents(actor=clerk, request=request, documents=["公章"])
        assert request.light() == Light.PAUSED
        fixed_today(date(2026, 4, 30))
        svc.request_documents_received(actor=clerk, request=request)
        # 1–5 May off; 6, 7, 8 May are the three working days.
        assert request.status == Status.ACCEPTED and request.due_on == date(2026, 5, 8)
        assert request.missing_documents == []

    def test_an_invalid_transition_is_refused_with_409(self, desk):
        request = submit(desk)
        with pytest.raises(ApplicationError) as error:
            svc.request_dispatch(actor=desk.users["clerk"], request=request)
        assert error.value.status == 409 and error.value.code == "invalid_transition"

    def test_only_the_departments_handler_signs(self, desk):
        request = submit(desk)
        clerk = desk.users["clerk"]
        svc.request_accept(actor=clerk, request=request)
        svc.request_dispatch(actor=clerk, request=request)
        with pytest.raises(ApplicationError) as error:
            svc.request_sign(actor=clerk, request=request)
        assert error.value.status == 403
        with pytest.raises(ApplicationError):
            svc.request_accept(actor=desk.users["handler_tax"], request=request)

    def test_transfer_moves_it_to_another_department_with_its_reason(self, desk):
        request = submit(desk)
        clerk, handler = desk.users["clerk"], desk.users["handler_tax"]
        svc.request_accept(actor=clerk, request=request)
        svc.request_dispatch(actor=clerk, request=request)
        svc.request_sign(actor=handler, request=request)
        market = Department.objects.create(code="market", name="市场监管局")
        with pytest.raises(ApplicationError):
            svc.request_transfer(actor=handler, request=request, department=market, reason="")
        svc.request_transfer(
            actor=handler, request=request, department=market, reason="属市场监管职责"
        )
        assert request.status == Status.DISPATCHED and request.department == market
        event = request.events.get(action="transfer")
        assert event.note == "属市场监管职责"
        assert event.data == {"from_department": desk.scopes["tax"].pk, "department": market.pk}
        # The tax handler no longer sees it.
        with pytest.raises(Http404):
            get_request_for_user(handler, request.pk)

    def test_reopen_restarts_the_clock_and_goes_back_to_the_department(self, desk, fixed_today):
        fixed_today(date(2026, 11, 2))
        request = run_to_done(desk, submit(desk))
        fixed_today(date(2026, 11, 20))
        svc.request_reopen(actor=desk.users["clerk"], request=request, reason="问题未解决")
        assert request.status == Status.DISPATCHED
        assert request.clock_started_on == date(2026, 11, 20)
        assert request.due_on == date(2026, 11, 25)
        assert request.completed_at is None

    def test_a_counter_request_is_done_on_the_spot_by_the_clerk(self, desk):
        clerk = desk.users["clerk"]
        request = submit(desk, actor=clerk, channel=Channel.COUNTER)
        svc.request_accept(actor=clerk, request=request)
        svc.request_complete(actor=clerk, request=request, resolution="当场办结")
        assert request.status == Status.DONE and request.handler == clerk


class ConcurrencyTests:
    def test_two_staff_acting_at_once_one_wins_the_other_gets_409(self, desk):
        request = submit(desk)
        first = ServiceRequest.objects.get(pk=request.pk)
        second = ServiceRequest.objects.get(pk=request.pk)
        clerk = desk.users["clerk"]
        svc.request_accept(actor=clerk, request=first)
        with pytest.raises(ApplicationError) as error:
            svc.request_refuse(actor=desk.users["street"], request=second, reason="重复")
        assert error.value.status == 409 and error.value.code == "conflict"
        assert "已受理" in str(error.value) or "Accepted" in str(error.value)
        assert error.value.extra == {"status": Status.ACCEPTED, "version": 2}
        fresh = ServiceRequest.objects.get(pk=request.pk)
        assert fresh.status == Status.ACCEPTED and fresh.refuse_reason == ""
        assert RequestEvent.objects.filter(request=request).count() == 2

    def test_a_stale_expected_version_is_refused(self, desk):
        request = submit(desk)
        with pytest.raises(ApplicationError) as error:
            svc.request_accept(actor=desk.users["clerk"], request=request, expected_version=7)
        assert error.value.status == 409
        assert ServiceRequest.objects.get(pk=request.pk).status == Status.SUBMITTED


class LightTests:
    def test_lights_follow_the_working_days_left(self, desk, fixed_today):
        fixed_today(date(2026, 11, 23))  # Monday
        request = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=request)
        assert request.due_on == date(2026, 11, 26)
        assert request.light(date(2026, 11, 23)) == Light.GREEN
        assert request.light(date(2026, 11, 25)) == Light.YELLOW
        assert request.light(date(2026, 11, 26)) == Light.YELLOW
        assert request.light(date(2026, 11, 27)) == Light.RED


class EscalationTests:
    def test_the_ladder_climbs_once_per_rung(self, desk, fixed_today, settings):
        settings.LOUYU_SERVICEDESK_SUPERVISE_AFTER = 2
        settings.LOUYU_SERVICEDESK_CIRCULATE_AFTER = 5
        fixed_today(date(2026, 11, 2))
        request = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=request)
        assert request.due_on == date(2026, 11, 5)
        assert escalation.request_escalate_overdue(today=date(2026, 11, 5)) == 0
        assert escalation.request_escalate_overdue(today=date(2026, 11, 6)) == 1
        assert escalation.request_escalate_overdue(today=date(2026, 11, 6)) == 0  # exactly once
        request.refresh_from_db()
        assert request.escalation == Escalation.URGE
        assert escalation.request_escalate_overdue(today=date(2026, 11, 9)) == 1
        request.refresh_from_db()
        assert request.escalation == Escalation.SUPERVISE
        assert escalation.request_escalate_overdue(today=date(2026, 11, 12)) == 1
        request.refresh_from_db()
        assert request.escalation == Escalation.CIRCULATE
        rungs = [e.data["to"] for e in request.events.filter(action="escalate")]
        assert rungs == [1, 2, 3]

    def test_a_stale_sweep_does_not_repeat_a_rung(self, desk, fixed_today):
        fixed_today(date(2026, 11, 2))
        request = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=request)
        # Another worker already climbed to 催办: the claim on escalation=0 matches nothing.
        ServiceRequest.objects.filter(pk=request.pk).update(escalation=Escalation.URGE)
        assert escalation.request_escalate_overdue(today=date(2026, 11, 6)) == 0
        assert not request.events.filter(action="escalate").exists()


class AccessTests:
    def test_scope_of_each_persona(self, desk):
        request = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=request)
        svc.request_dispatch(actor=desk.users["clerk"], request=request)
        users = desk.users
        for name in ("enterprise", "clerk", "street", "district", "handler_tax"):
            assert get_request_for_user(users[name], request.pk) == request
        for name in ("outsider", "nobody", "employee", "association", "sysadmin", "party_officer"):
            with pytest.raises(Http404):
                get_request_for_user(users[name], request.pk)
        with pytest.raises(Http404):
            get_request_for_user(users["enterprise"], request.pk, write=True)
        assert get_request_for_user(users["handler_tax"], request.pk, write=True) == request

    def test_an_employee_sees_their_own_request(self, desk):
        employee = desk.users["employee"]
        request = submit(desk, actor=employee, requester=employee)
        assert get_request_for_user(employee, request.pk) == request
        with pytest.raises(Http404):
            get_request_for_user(employee, request.pk + 1000)


@pytest.mark.django_db(transaction=True)
class ThreadedConcurrencyTests:
    def test_two_threads_on_one_request_one_wins_one_gets_409(self, desk):
        import threading

        from django.db import connection

        request = submit(desk)
        barrier = threading.Barrier(2)
        outcomes: dict[str, object] = {}

        def act(name, action):
            stale = ServiceRequest.objects.get(pk=request.pk)
            barrier.wait()
            try:
                action(stale)
                outcomes[name] = "ok"
            except ApplicationError as error:
                outcomes[name] = error.status
            finally:
                connection.close()

        threads = [
            threading.Thread(
                target=act,
                args=("accept", lambda r: svc.request_accept(actor=desk.users["clerk"], request=r)),
            ),
            threading.Thread(
                target=act,
                args=(
                    "refuse",
                    lambda r: svc.request_refuse(
                        actor=desk.users["street"], request=r, reason="重复提交"
                    ),
                ),
            ),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(map(str, outcomes.values())) == ["409", "ok"]
        fresh = ServiceRequest.objects.get(pk=request.pk)
        assert fresh.version == 2 and fresh.events.count() == 2
        winner = next(name for name, outcome in outcomes.items() if outcome == "ok")
        assert fresh.status == {"accept": Status.ACCEPTED, "refuse": Status.REFUSED}[winner]

    def test_concurrent_creates_get_distinct_consecutive_numbers(self, desk, fixed_today):
        import threading

        from django.db import connection

        fixed_today(date(2026, 11, 27))
        clients = 8
        barrier = threading.Barrier(clients)
        numbers: list[str] = []
        failures: list[BaseException] = []

        def create():
            try:
                barrier.wait()
                numbers.append(submit(desk).number)
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                failures.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=create) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert failures == []
        assert sorted(numbers) == [f"LY20261127{n:05d}" for n in range(1, clients + 1)]
        assert RequestEvent.objects.filter(action="create").count() == clients
        assert RequestNumberCounter.objects.get(day=date(2026, 11, 27)).last == clients
