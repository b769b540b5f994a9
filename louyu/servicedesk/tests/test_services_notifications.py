"""What each step of a request tells whom (issue 14): the exact stored notifications and their
recipients, nobody else (the outsider, the employee, the district: nothing), and the group bots
through the notification service's channel."""

import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from louyu.accounts.models import Role
from louyu.accounts.services import membership_grant, user_create
from louyu.notifications.models import Delivery, Notification
from louyu.servicedesk.models import Department, Level, WebhookTarget
from louyu.servicedesk.services import escalation, ratings
from louyu.servicedesk.services import requests as svc
from louyu.servicedesk.tests.test_services_requests import submit

NOBODY_ELSE = {"outsider", "employee", "district", "party_officer", "association", "sysadmin"}


class Told:
    """The notifications written since the last look, as (kind, username) pairs."""

    def __init__(self) -> None:
        self.seen = 0

    def __call__(self) -> list[tuple[str, str]]:
        rows = list(
            Notification.objects.filter(pk__gt=self.seen)
            .order_by("pk")
            .values_list("pk", "kind", "recipient__username")
        )
        if rows:
            self.seen = rows[-1][0]
        return sorted((kind.removeprefix("servicedesk."), user) for _pk, kind, user in rows)


@pytest.fixture
def told():
    return Told()


@pytest.fixture
def market(desk):
    """A second department with its own handler, to transfer to."""
    department = Department.objects.create(code="market", name="市场监管局")
    handler = user_create(actor=None, username="handler_market", password=None)
    membership_grant(actor=None, user=handler, role=Role.DEPARTMENT_HANDLER, scope=department)
    return department


class RequestJourneyTests:
    def test_every_step_tells_exactly_the_right_people(self, desk, market, told):
        clerk, handler = desk.users["clerk"], desk.users["handler_tax"]
        request = submit(desk)
        assert told() == [("request.created", "clerk")]

        svc.request_accept(actor=clerk, request=request)
        assert told() == [("request.accepted", "enterprise")]

        svc.request_request_documents(actor=clerk, request=request, documents=["营业执照副本"])
        assert told() == [("request.documents", "enterprise")]
        documents = Notification.objects.get(kind="servicedesk.request.documents")
        assert documents.text == "营业执照副本"

        svc.request_documents_received(actor=clerk, request=request)
        assert told() == [("request.documents_received", "enterprise")]

        svc.request_dispatch(actor=clerk, request=request)
        assert told() == [("request.assigned", "handler_tax"), ("request.dispatched", "enterprise")]

        svc.request_sign(actor=handler, request=request)
        svc.request_start(actor=handler, request=request)
        svc.request_note(actor=handler, request=request, note="内部备注")
        assert told() == []

        svc.request_transfer(actor=handler, request=request, department=market, reason="属市场监管")
        assert told() == [
            ("request.assigned", "handler_market"),
            ("request.transferred", "enterprise"),
        ]

        handler_market = _user("handler_market")
        svc.request_note(actor=handler_market, request=request, note="请补充联系人", public=True)
        assert told() == [("request.reply", "enterprise")]

        svc.request_sign(actor=handler_market, request=request)
        svc.request_complete(actor=handler_market, request=request, resolution="已办结")
        assert told() == [("request.done", "enterprise")]

        later = timezone.now() + timedelta(days=4)
        assert ratings.request_rating_remind(now=later) == 1
        assert told() == [("request.rating_reminder", "enterprise")]
        assert ratings.request_rating_remind(now=later) == 0  # once
        assert told() == []

        ratings.request_rate(
            actor=desk.users["enterprise"], request=request, level=Level.DISSATISFIED
        )
        assert told() == [("rating.bad", "clerk"), ("rating.bad", "handler_market")]

        svc.request_reopen(actor=clerk, request=request, reason="回访不满意")
        assert told() == [
            ("request.assigned", "handler_market"),
            ("request.reopened", "enterprise"),
        ]

        everyone = set(Notification.objects.values_list("recipient__username", flat=True))
        assert everyone == {"clerk", "enterprise", "handler_tax", "handler_market"}
        assert not everyone & NOBODY_ELSE

    def test_each_notification_opens_its_request(self, desk, told):
        request = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=request)
        accepted = Notification.objects.get(kind="servicedesk.request.accepted")
        assert accepted.url == f"/service/requests/{request.pk}/"
        assert accepted.target == request
        assert accepted.pillar == "service"
        assert accepted.title == f"事项 {request.number} 已受理"
        assert accepted.actor_name == "clerk"

    def test_a_refusal_tells_the_requester(self, desk, told):
        request = submit(desk)
        told()
        svc.request_refuse(actor=desk.users["clerk"], request=request, reason="不属于受理范围")
        assert told() == [("request.refused", "enterprise")]
        assert Notification.objects.get(kind="servicedesk.request.refused").text == (
            "不属于受理范围"
        )

    def test_a_request_recorded_for_nobody_tells_no_requester(self, desk, told):
        request = submit(desk, actor=desk.users["clerk"], requester=None, channel="counter")
        told()
        svc.request_accept(actor=desk.users["clerk"], request=request)
        assert told() == []

    def test_a_rolled_back_step_leaves_no_notification(self, desk, told, monkeypatch):
        request = submit(desk)
        told()

        def broken(**kwargs):
            raise RuntimeError("audit store down")

        monkeypatch.setattr("louyu.servicedesk.services.requests.audit_record", broken)
        with pytest.raises(RuntimeError):
            svc.request_accept(actor=desk.users["clerk"], request=request)
        assert told() == []


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


class EscalationTests:
    def test_the_ladder_tells_staff_and_the_street_from_supervision_on(
        self, desk, fixed_today, settings, told
    ):
        settings.LOUYU_SERVICEDESK_SUPERVISE_AFTER = 2
        settings.LOUYU_SERVICEDESK_CIRCULATE_AFTER = 5
        fixed_today(date(2026, 11, 2))
        request = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=request)
        svc.request_dispatch(actor=desk.users["clerk"], request=request)
        told()
        assert request.current_due_on == date(2026, 11, 3)  # the department signs by then
        assert escalation.request_escalate_overdue(today=date(2026, 11, 4)) == 1  # 催办
        assert told() == [("request.escalated", "clerk"), ("request.escalated", "handler_tax")]
        assert escalation.request_escalate_overdue(today=date(2026, 11, 5)) == 1  # 督办
        assert told() == [
            ("request.escalated", "clerk"),
            ("request.escalated", "handler_tax"),
            ("request.escalated", "street"),
        ]
        assert escalation.request_escalate_overdue(today=date(2026, 11, 10)) == 1  # 通报
        assert len(told()) == 3
        assert escalation.request_escalate_overdue(today=date(2026, 11, 10)) == 0
        assert told() == []


@pytest.fixture
def receiver():
    """A group-bot stand-in on 127.0.0.1 (random port): records what it is sent."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "body": json.loads(body)})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


class GroupBotTests:
    def test_an_urgent_request_reaches_the_community_bot_after_commit(
        self, desk, receiver, settings, django_capture_on_commit_callbacks
    ):
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        base, received = receiver
        WebhookTarget.objects.create(
            kind="wecom", url=f"{base}/hook", community=desk.nodes["community"]
        )
        WebhookTarget.objects.create(
            kind="wecom", url=f"{base}/other", community=desk.nodes["other_community"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            request = submit(desk, service_item=desk.safety_item, form_data={})
        assert [r["path"] for r in received] == ["/hook"]
        assert request.number in received[0]["body"]["markdown"]["content"]
        delivery = Delivery.objects.get(channel="groupbot")
        assert delivery.state == Delivery.State.SENT and delivery.attempts == 1

    def test_dispatch_posts_to_the_department_bot(
        self, desk, receiver, settings, django_capture_on_commit_callbacks
    ):
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        base, received = receiver
        WebhookTarget.objects.create(kind="dingtalk", url=f"{base}/tax", department=desk.tax)
        request = submit(desk)
        svc.request_accept(actor=desk.users["clerk"], request=request)
        with django_capture_on_commit_callbacks(execute=True):
            svc.request_dispatch(actor=desk.users["clerk"], request=request)
        assert [r["path"] for r in received] == ["/tax"]
        assert received[0]["body"]["msgtype"] == "markdown"
        assert request.number in received[0]["body"]["markdown"]["text"]

    def test_an_inactive_bot_is_not_posted_to(self, desk):
        WebhookTarget.objects.create(
            kind="wecom",
            url="http://127.0.0.1:9/x",
            community=desk.nodes["community"],
            is_active=False,
        )
        submit(desk, service_item=desk.safety_item, form_data={})
        assert not Delivery.objects.filter(channel="groupbot").exists()
