import json
import threading
import urllib.parse
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from louyu.notifications.channels import (
    DeliveryError,
    HttpSmsBackend,
    Message,
    WecomWorkMessageBackend,
    WorkMessageChannel,
)

SLOW = object()


class FakeGateway:
    """企业微信's gettoken and message/send, and an SMS gateway at /sms, on 127.0.0.1: records
    every request; an answer queued for a path is given once, else the path's normal answer.
    message/send accepts only the tokens gettoken issued since the last `expire()`."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.queued: dict[str, list] = defaultdict(list)
        self.tokens: list[str] = []
        self.issued = 0
        self.release = threading.Event()

    def queue(self, path: str, answer, status: int = 200) -> None:
        self.queued[path].append((status, answer))

    def expire(self) -> None:
        self.tokens.clear()

    def requests(self, path: str) -> list[dict]:
        return [r for r in self.received if r["path"] == path]

    def answer(self, path: str, query: dict[str, str]):
        if self.queued[path]:
            return self.queued[path].pop(0)
        if path == "/cgi-bin/gettoken":
            self.issued += 1
            self.tokens.append(f"token-{self.issued}")
            return 200, {
                "errcode": 0,
                "errmsg": "ok",
                "access_token": self.tokens[-1],
                "expires_in": 7200,
            }
        if path == "/cgi-bin/message/send":
            if query.get("access_token") not in self.tokens:
                return 200, {"errcode": 42001, "errmsg": "access_token expired"}
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": "m1"}
        if path == "/sms":
            return 200, {"code": 0, "msg": "ok"}
        return 404, {"errcode": 404}


@pytest.fixture
def gateway(settings):
    """A FakeGateway on a random port, with the WeCom and SMS settings pointing at it."""
    fake = FakeGateway()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.handle_request(None)

        def do_POST(self):  # noqa: N802
            self.handle_request(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))

        def handle_request(self, body):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            fake.received.append(
                {"path": url.path, "query": query, "headers": dict(self.headers), "body": body}
            )
            status, answer = fake.answer(url.path, query)
            if answer is SLOW:
                fake.release.wait(10)  # until the test ends: the client has given up by then
                return
            data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    settings.LOUYU_SITE_URL = "https://louyu.example.cn"
    settings.LOUYU_WECOM_BASE_URL = base
    settings.LOUYU_WECOM_CORP_ID = "ww-corp"
    settings.LOUYU_WECOM_CORP_SECRET = "s3cret"
    settings.LOUYU_WECOM_AGENT_ID = 1000002
    settings.LOUYU_SMS_HTTP_URL = f"{base}/sms"
    settings.LOUYU_SMS_HTTP_TOKEN = "sms-token"
    settings.LOUYU_SMS_SIGN = "楼宇社区"
    cache.clear()
    yield fake
    fake.release.set()
    server.shutdown()
    server.server_close()
    cache.clear()


def _send(**kwargs):
    fields = {"account": "zhangsan", "title": "已受理", "text": "LY1", "url": "/service/"} | kwargs
    WecomWorkMessageBackend().send_work_message(**fields)


class WecomWorkMessageBackendTests:
    def test_it_posts_a_text_card_with_an_absolute_link(self, gateway):
        _send()
        (token,) = gateway.requests("/cgi-bin/gettoken")
        assert token["query"] == {"corpid": "ww-corp", "corpsecret": "s3cret"}
        (sent,) = gateway.requests("/cgi-bin/message/send")
        assert sent["query"] == {"access_token": "token-1"}
        assert sent["body"] == {
            "touser": "zhangsan",
            "msgtype": "textcard",
            "agentid": 1000002,
            "textcard": {
                "title": "已受理",
                "description": "LY1",
                "url": "https://louyu.example.cn/service/",
                "btntxt": "详情",
            },
        }

    def test_it_fetches_the_token_once_for_two_sends(self, gateway):
        _send()
        _send(account="lisi", url="https://other.example.cn/x")
        assert len(gateway.requests("/cgi-bin/gettoken")) == 1
        sent = gateway.requests("/cgi-bin/message/send")
        assert [r["query"]["access_token"] for r in sent] == ["token-1", "token-1"]
        assert [r["body"]["touser"] for r in sent] == ["zhangsan", "lisi"]
        assert sent[1]["body"]["textcard"]["url"] == "https://other.example.cn/x"

    def test_it_fetches_a_new_token_and_sends_again_when_the_token_expired(self, gateway):
        _send()
        gateway.expire()
        _send(account="lisi")
        assert len(gateway.requests("/cgi-bin/gettoken")) == 2
        sent = gateway.requests("/cgi-bin/message/send")
        assert [(r["body"]["touser"], r["query"]["access_token"]) for r in sent] == [
            ("zhangsan", "token-1"),
            ("lisi", "token-1"),
            ("lisi", "token-2"),
        ]

    def test_it_retries_only_once(self, gateway):
        gateway.queue("/cgi-bin/message/send", {"errcode": 40014, "errmsg": "invalid token"})
        gateway.queue("/cgi-bin/message/send", {"errcode": 42001, "errmsg": "token expired"})
        with pytest.raises(DeliveryError, match="42001"):
            _send()
        assert len(gateway.requests("/cgi-bin/message/send")) == 2
        assert len(gateway.requests("/cgi-bin/gettoken")) == 2

    def test_it_raises_the_errcode_wecom_answers(self, gateway):
        gateway.queue("/cgi-bin/message/send", {"errcode": 60020, "errmsg": "not allow to access"})
        with pytest.raises(DeliveryError, match="60020: not allow to access"):
            _send()
        assert len(gateway.requests("/cgi-bin/message/send")) == 1

    def test_it_raises_when_gettoken_refuses(self, gateway):
        gateway.queue("/cgi-bin/gettoken", {"errcode": 40001, "errmsg": "invalid credential"})
        with pytest.raises(DeliveryError, match="40001"):
            _send()
        assert gateway.requests("/cgi-bin/message/send") == []

    def test_it_raises_when_wecom_cannot_reach_the_user(self, gateway):
        gateway.queue(
            "/cgi-bin/message/send", {"errcode": 0, "errmsg": "ok", "invaliduser": "zhangsan"}
        )
        with pytest.raises(DeliveryError, match="zhangsan"):
            _send()

    @pytest.mark.parametrize(
        ("status", "answer", "reason"),
        [
            (502, {"errcode": -1}, "HTTP Error 502"),
            (200, b"<html>", "no JSON"),
            (200, SLOW, "timed out"),
        ],
    )
    def test_it_raises_on_a_broken_answer(self, gateway, settings, status, answer, reason):
        settings.LOUYU_SERVICEDESK_WEBHOOK_TIMEOUT = 0.5
        gateway.queue("/cgi-bin/message/send", answer, status=status)
        with pytest.raises(DeliveryError, match=reason) as raised:
            _send()
        assert "token-1" not in str(raised.value)

    @pytest.mark.parametrize(
        "name", ["LOUYU_WECOM_CORP_ID", "LOUYU_WECOM_CORP_SECRET", "LOUYU_WECOM_AGENT_ID"]
    )
    def test_it_names_the_missing_setting(self, gateway, settings, name):
        setattr(settings, name, 0 if name == "LOUYU_WECOM_AGENT_ID" else "")
        with pytest.raises(DeliveryError, match=name):
            _send()
        assert gateway.received == []


class HttpSmsBackendTests:
    def test_it_posts_phone_text_and_sign_with_the_bearer_token(self, gateway):
        HttpSmsBackend().send_sms(phone="13800000000", text="已受理 LY1")
        (sent,) = gateway.requests("/sms")
        assert sent["headers"]["Authorization"] == "Bearer sms-token"
        assert sent["body"] == {
            "phone": "13800000000",
            "text": "已受理 LY1",
            "sign": "楼宇社区",
        }

    def test_it_sends_no_authorization_without_a_token(self, gateway, settings):
        settings.LOUYU_SMS_HTTP_TOKEN = ""
        gateway.queue("/sms", b"OK")
        HttpSmsBackend().send_sms(phone="13800000000", text="x")
        (sent,) = gateway.requests("/sms")
        assert "Authorization" not in sent["headers"]

    @pytest.mark.parametrize("answer", [{"errcode": "0"}, {"code": "OK"}, {"result": "sent"}])
    def test_it_accepts_a_zero_or_ok_code(self, gateway, answer):
        gateway.queue("/sms", answer)
        HttpSmsBackend().send_sms(phone="13800000000", text="x")
        assert len(gateway.requests("/sms")) == 1

    @pytest.mark.parametrize(
        ("status", "answer", "reason"),
        [
            (200, {"code": 1, "msg": "余额不足"}, "code 1: 余额不足"),
            (200, {"errcode": False}, "errcode False"),
            (500, {"code": 0}, "HTTP Error 500"),
        ],
    )
    def test_it_raises_when_the_gateway_refuses(self, gateway, status, answer, reason):
        gateway.queue("/sms", answer, status=status)
        with pytest.raises(DeliveryError, match=reason):
            HttpSmsBackend().send_sms(phone="13800000000", text="x")

    def test_it_raises_without_a_url(self, gateway, settings):
        settings.LOUYU_SMS_HTTP_URL = ""
        with pytest.raises(DeliveryError, match="LOUYU_SMS_HTTP_URL"):
            HttpSmsBackend().send_sms(phone="13800000000", text="x")
        assert gateway.received == []


class WorkMessageChannelTests:
    def test_it_sends_through_the_configured_wecom_backend(self, gateway, settings):
        settings.LOUYU_WORK_MESSAGE_BACKEND = "louyu.notifications.channels.WecomWorkMessageBackend"
        WorkMessageChannel().send(
            Message(address="zhangsan", subject="t", text="x", url="/service/")
        )
        (sent,) = gateway.requests("/cgi-bin/message/send")
        assert sent["body"]["touser"] == "zhangsan"
        assert sent["body"]["textcard"] == {
            "title": "t",
            "description": "x",
            "url": "https://louyu.example.cn/service/",
            "btntxt": "详情",
        }
