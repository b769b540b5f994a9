import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from louyu.servicedesk.models import WebhookTarget
from louyu.servicedesk.services import notifications
from louyu.servicedesk.tasks import notification_email_deliver, notification_webhook_deliver
from louyu.servicedesk.tests.test_services_requests import submit


@pytest.fixture
def receiver():
    """A group-bot stand-in on 127.0.0.1 (random port): records what it is sent."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(
                {"path": self.path, "type": self.headers["Content-Type"], "body": json.loads(body)}
            )
            answer = b'{"errcode": 0, "errmsg": "ok"}'
            if self.path.endswith("/broken"):
                answer = b'{"errcode": 310000, "errmsg": "keywords not in content"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()
    server.server_close()


class WebhookTests:
    def test_it_posts_the_wecom_markdown_format(self, desk, receiver):
        base, received = receiver
        target = WebhookTarget.objects.create(
            kind="wecom",
            url=f"{base}/cgi-bin/webhook/send?key=k",
            community=desk.nodes["community"],
        )
        assert notifications.webhook_deliver(target=target, title="督办", text="LY1 逾期")
        assert received == [
            {
                "path": "/cgi-bin/webhook/send?key=k",
                "type": "application/json; charset=utf-8",
                "body": {"msgtype": "markdown", "markdown": {"content": "**督办**\nLY1 逾期"}},
            }
        ]

    def test_it_posts_the_dingtalk_markdown_format_and_reads_errcode(self, desk, receiver):
        base, received = receiver
        target = WebhookTarget.objects.create(
            kind="dingtalk", url=f"{base}/robot/send", department=desk.scopes["tax"]
        )
        assert notifications.webhook_deliver(target=target, title="新派单", text="发票领用")
        assert received[0]["body"] == {
            "msgtype": "markdown",
            "markdown": {"title": "新派单", "text": "#### 新派单\n发票领用"},
        }
        broken = WebhookTarget.objects.create(
            kind="dingtalk", url=f"{base}/broken", department=desk.scopes["tax"]
        )
        assert not notifications.webhook_deliver(target=broken, title="t", text="x")

    def test_an_unreachable_bot_is_reported_not_raised(self, desk):
        target = WebhookTarget.objects.create(
            kind="wecom", url="http://127.0.0.1:9/nothing", community=desk.nodes["community"]
        )
        assert notifications.webhook_deliver(target=target, title="t", text="x") is False

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


class EmailTests:
    def test_it_mails_the_users_with_an_address(self, desk):
        user = desk.users["enterprise"]
        user.email = "sun@example.com"
        user.save(update_fields=["email"])
        sent = notification_email_deliver.call(
            user_ids=[user.pk, desk.users["clerk"].pk], subject="事项已受理", text="LY1"
        )
        assert sent == 1
        assert mail.outbox[0].to == ["sun@example.com"] and mail.outbox[0].subject == "事项已受理"

    def test_the_webhook_task_skips_an_inactive_target(self, desk):
        target = WebhookTarget.objects.create(
            kind="wecom",
            url="http://127.0.0.1:9/x",
            community=desk.nodes["community"],
            is_active=False,
        )
        assert notification_webhook_deliver.call(target_id=target.pk, title="t", text="x") is False


class InAppTests:
    def test_accepting_tells_the_requester_in_app(self, desk, monkeypatch):
        from louyu.servicedesk.services import requests as svc

        sent = []
        monkeypatch.setattr(
            notifications, "send_event_on_commit", lambda event, users: sent.append((event, users))
        )
        request = submit(desk)
        sent.clear()
        svc.request_accept(actor=desk.users["clerk"], request=request)
        assert len(sent) == 1
        event, users = sent[0]
        assert users == [desk.users["enterprise"].pk]
        assert event["type"] == "servicedesk.request.accepted"
        assert event["number"] == request.number and event["status"] == "accepted"
