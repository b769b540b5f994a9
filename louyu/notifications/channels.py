"""Channels beyond the app, behind one interface: `channel.send(message)` either returns or raises
`DeliveryError` (or any exception) — it never hides a failure, so the delivery can be retried.

- e-mail: Django's mail (`EMAIL_BACKEND`; SMTP in production, from the EMAIL_* settings);
- SMS: a gateway class named by `LOUYU_SMS_BACKEND` (default: write to the log;
  `HttpSmsBackend` posts JSON to an HTTP gateway);
- work messages (企业微信 / 钉钉 to a person's work account): `LOUYU_WORK_MESSAGE_BACKEND`
  (default: write to the log; `WecomWorkMessageBackend` sends 企业微信 application messages);
- group bots (企业微信 / 钉钉 群机器人 of a building community or department): their webhooks.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A channel could not deliver; the message says why (kept on the delivery)."""


@dataclass(frozen=True)
class Message:
    """What a channel sends: to whom (an address the channel understands), subject and body."""

    address: str
    subject: str
    text: str
    url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Channel(Protocol):
    def send(self, message: Message) -> None: ...


def site_url(path: str) -> str:
    """`path` as an absolute address on this site (notifications store same-site paths)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.LOUYU_SITE_URL.rstrip('/')}/{path.lstrip('/')}"


def http_call(url: str, *, payload: Any = None, headers: dict[str, str] | None = None) -> bytes:
    """GET `url` (or POST `payload` as JSON) within LOUYU_SERVICEDESK_WEBHOOK_TIMEOUT: the body of
    a 2xx answer. Anything else (HTTP error, timeout, refused) is a DeliveryError whose text
    never holds the URL, which may carry a secret."""
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    all_headers = {} if data is None else {"Content-Type": "application/json; charset=utf-8"}
    all_headers.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=all_headers)
    try:
        with urllib.request.urlopen(  # noqa: S310 - URLs are configured by admins
            req, timeout=settings.LOUYU_SERVICEDESK_WEBHOOK_TIMEOUT
        ) as response:
            return bytes(response.read())
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(str(exc) or type(exc).__name__) from exc


# --- E-mail ----------------------------------------------------------------------------------


class EmailChannel:
    """Django mail with `fail_silently=False`: an SMTP error reaches the delivery."""

    def send(self, message: Message) -> None:
        if not message.address:
            raise DeliveryError("the user has no e-mail address")
        body = message.text
        if message.url:
            body = f"{body}\n\n{site_url(message.url)}"
        sent = send_mail(
            message.subject,
            body,
            settings.LOUYU_NOTIFICATIONS_EMAIL_FROM,
            [message.address],
            fail_silently=False,
        )
        if sent != 1:
            raise DeliveryError("the mail backend accepted no message")


# --- SMS -------------------------------------------------------------------------------------


class SmsBackend(Protocol):
    def send_sms(self, *, phone: str, text: str) -> None: ...


class LogSmsBackend:
    """The default SMS gateway: writes the message to the log (a real gateway is configured with
    LOUYU_SMS_BACKEND, a class with `send_sms(*, phone, text)` that raises on failure)."""

    def send_sms(self, *, phone: str, text: str) -> None:
        logger.info("SMS to %s: 【%s】%s", phone, settings.LOUYU_SMS_SIGN, text)


class HttpSmsBackend:
    """A generic HTTP SMS gateway (the JSON POST most SMS resellers accept): `{phone, text, sign}`
    to LOUYU_SMS_HTTP_URL with a bearer LOUYU_SMS_HTTP_TOKEN. Success is a 2xx answer whose
    `code` / `errcode`, where the answer has one, is 0, "0" or "OK"."""

    def send_sms(self, *, phone: str, text: str) -> None:
        if not settings.LOUYU_SMS_HTTP_URL:
            raise DeliveryError("SMS gateway: LOUYU_SMS_HTTP_URL is not set")
        headers = {}
        if settings.LOUYU_SMS_HTTP_TOKEN:
            headers["Authorization"] = f"Bearer {settings.LOUYU_SMS_HTTP_TOKEN}"
        payload = {"phone": phone, "text": text, "sign": settings.LOUYU_SMS_SIGN}
        try:
            body = http_call(settings.LOUYU_SMS_HTTP_URL, payload=payload, headers=headers)
        except DeliveryError as exc:
            raise DeliveryError(f"SMS gateway failed: {exc}") from exc
        try:
            answer = json.loads(body)
        except ValueError:
            return  # a plain-text 2xx answer: nothing more to check
        if not isinstance(answer, dict):
            return
        for key in ("code", "errcode"):
            if key in answer and not _sms_code_ok(answer[key]):
                reason = answer.get("msg") or answer.get("message") or answer.get("errmsg") or ""
                raise DeliveryError(f"SMS gateway answered {key} {answer[key]}: {reason}".strip())


def _sms_code_ok(code: Any) -> bool:
    return not isinstance(code, bool) and code in (0, "0", "OK")


class SmsChannel:
    def send(self, message: Message) -> None:
        if not message.address:
            raise DeliveryError("the user has no phone number")
        backend: SmsBackend = import_string(settings.LOUYU_SMS_BACKEND)()
        backend.send_sms(phone=message.address, text=f"{message.subject} {message.text}")


# --- Work messages (企业微信 / 钉钉 to a person) -------------------------------------------------


class WorkMessageBackend(Protocol):
    def send_work_message(self, *, account: str, title: str, text: str, url: str) -> None: ...


class LogWorkMessageBackend:
    """The default: writes the work message to the log. A real backend calls the 企业微信
    message/send or 钉钉 工作通知 API for `account` and raises on a non-zero errcode."""

    def send_work_message(self, *, account: str, title: str, text: str, url: str) -> None:
        logger.info("work message to %s: %s %s %s", account, title, text, url)


# WeCom's errcodes for an invalid / an expired access_token: fetch a new one and send again.
WECOM_TOKEN_ERRCODES = frozenset({40014, 42001})
# A cached access_token is dropped this many seconds before WeCom's `expires_in` ends.
WECOM_TOKEN_MARGIN_SECONDS = 300


class WecomWorkMessageBackend:
    """企业微信 application messages: a text card (title, text, 详情 link) from the application
    LOUYU_WECOM_AGENT_ID to the member whose userid is `account`. The access_token is cached and
    fetched again once when WeCom calls it invalid or expired; any other non-zero errcode, or a
    member WeCom cannot reach (`invaliduser`), is a DeliveryError."""

    def send_work_message(self, *, account: str, title: str, text: str, url: str) -> None:
        for name in ("LOUYU_WECOM_CORP_ID", "LOUYU_WECOM_CORP_SECRET", "LOUYU_WECOM_AGENT_ID"):
            if not getattr(settings, name):
                raise DeliveryError(f"WeCom: {name} is not set")
        payload = {
            "touser": account,
            "msgtype": "textcard",
            "agentid": settings.LOUYU_WECOM_AGENT_ID,
            "textcard": {
                "title": title,
                "description": text,
                "url": site_url(url),
                "btntxt": "详情",
            },
        }
        answer = self._send(payload, token=self._token())
        if answer.get("errcode") in WECOM_TOKEN_ERRCODES:
            cache.delete(self._token_key())
            answer = self._send(payload, token=self._token())
        if answer.get("errcode") != 0:
            raise DeliveryError(
                f"WeCom message/send answered {answer.get('errcode')}: {answer.get('errmsg')}"
            )
        if answer.get("invaliduser"):
            raise DeliveryError(f"WeCom cannot reach user {answer['invaliduser']}")

    def _send(self, payload: dict[str, Any], *, token: str) -> dict[str, Any]:
        query = urllib.parse.urlencode({"access_token": token})
        return _wecom_call(
            f"{settings.LOUYU_WECOM_BASE_URL.rstrip('/')}/cgi-bin/message/send?{query}", payload
        )

    def _token_key(self) -> str:
        corp, agent = settings.LOUYU_WECOM_CORP_ID, settings.LOUYU_WECOM_AGENT_ID
        return f"notifications:wecom:token:{corp}:{agent}"

    def _token(self) -> str:
        """The application's access_token, from the cache or from WeCom's gettoken."""
        key = self._token_key()
        token = cache.get(key)
        if token:
            return str(token)
        query = urllib.parse.urlencode(
            {"corpid": settings.LOUYU_WECOM_CORP_ID, "corpsecret": settings.LOUYU_WECOM_CORP_SECRET}
        )
        answer = _wecom_call(
            f"{settings.LOUYU_WECOM_BASE_URL.rstrip('/')}/cgi-bin/gettoken?{query}"
        )
        if answer.get("errcode") != 0 or not answer.get("access_token"):
            raise DeliveryError(
                f"WeCom gettoken answered {answer.get('errcode')}: {answer.get('errmsg')}"
            )
        token = str(answer["access_token"])
        expires_in = answer.get("expires_in")
        if isinstance(expires_in, int) and expires_in > WECOM_TOKEN_MARGIN_SECONDS:
            cache.set(key, token, timeout=expires_in - WECOM_TOKEN_MARGIN_SECONDS)
        return token


def _wecom_call(url: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """One WeCom API call: its JSON answer, or a DeliveryError naming the endpoint."""
    endpoint = urllib.parse.urlsplit(url).path
    try:
        body = http_call(url, payload=payload)
        answer = json.loads(body)
    except DeliveryError as exc:
        raise DeliveryError(f"WeCom {endpoint} failed: {exc}") from exc
    except ValueError as exc:
        raise DeliveryError(f"WeCom {endpoint} answered no JSON") from exc
    if not isinstance(answer, dict):
        raise DeliveryError(f"WeCom {endpoint} answered no JSON object")
    return answer


class WorkMessageChannel:
    def send(self, message: Message) -> None:
        if not message.address:
            raise DeliveryError("the user has no WeCom / DingTalk account")
        backend: WorkMessageBackend = import_string(settings.LOUYU_WORK_MESSAGE_BACKEND)()
        backend.send_work_message(
            account=message.address, title=message.subject, text=message.text, url=message.url
        )


# --- Group bots (企业微信 / 钉钉 群机器人) -------------------------------------------------------


def wecom_payload(title: str, text: str) -> dict[str, Any]:
    """企业微信 group bot: a markdown message (`msgtype` markdown, `markdown.content`)."""
    return {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}


def dingtalk_payload(title: str, text: str) -> dict[str, Any]:
    """钉钉 group bot: a markdown message (`markdown.title` shows in the notification)."""
    return {"msgtype": "markdown", "markdown": {"title": title, "text": f"#### {title}\n{text}"}}


GROUP_BOT_PAYLOADS = {"wecom": wecom_payload, "dingtalk": dingtalk_payload}


class GroupBotChannel:
    """POST to a group bot's webhook; anything but errcode 0 is a failure."""

    def send(self, message: Message) -> None:
        payload = GROUP_BOT_PAYLOADS[message.extra["bot"]](message.subject, message.text)
        try:
            answer = json.loads(http_call(message.address, payload=payload) or b"{}")
        except (DeliveryError, ValueError) as exc:
            raise DeliveryError(f"webhook failed: {exc}") from exc
        if answer.get("errcode", 0) != 0:
            raise DeliveryError(f"webhook answered {answer.get('errcode')}: {answer.get('errmsg')}")


CHANNELS: dict[str, Channel] = {
    "email": EmailChannel(),
    "sms": SmsChannel(),
    "work": WorkMessageChannel(),
    "groupbot": GroupBotChannel(),
}


def channel_get(code: str) -> Channel:
    return CHANNELS[code]
