"""Channels beyond the app, behind one interface: `channel.send(message)` either returns or raises
`DeliveryError` (or any exception) — it never hides a failure, so the delivery can be retried.

- e-mail: Django's mail (`EMAIL_BACKEND`; SMTP in production, from the EMAIL_* settings);
- SMS: a gateway class named by `LOUYU_SMS_BACKEND` (default: write to the log);
- work messages (企业微信 / 钉钉 to a person's work account): `LOUYU_WORK_MESSAGE_BACKEND`
  (default: write to the log);
- group bots (企业微信 / 钉钉 群机器人 of a building community or department): their webhooks.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
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


# --- E-mail ----------------------------------------------------------------------------------


class EmailChannel:
    """Django mail with `fail_silently=False`: an SMTP error reaches the delivery."""

    def send(self, message: Message) -> None:
        if not message.address:
            raise DeliveryError("the user has no e-mail address")
        body = message.text
        if message.url:
            body = f"{body}\n\n{settings.LOUYU_SITE_URL.rstrip('/')}{message.url}"
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
        logger.info("SMS to %s: %s", phone, text)


class SmsChannel:
    def send(self, message: Message) -> None:
        if not message.address:
            raise DeliveryError("the user has no phone number")
        backend: SmsBackend = import_string(settings.LOUYU_SMS_BACKEND)()
        backend.send_sms(
            phone=message.address, text=f"【楼宇社区】{message.subject} {message.text}"
        )


# --- Work messages (企业微信 / 钉钉 to a person) -------------------------------------------------


class WorkMessageBackend(Protocol):
    def send_work_message(self, *, account: str, title: str, text: str, url: str) -> None: ...


class LogWorkMessageBackend:
    """The default: writes the work message to the log. A real backend calls the 企业微信
    message/send or 钉钉 工作通知 API for `account` and raises on a non-zero errcode."""

    def send_work_message(self, *, account: str, title: str, text: str, url: str) -> None:
        logger.info("work message to %s: %s %s %s", account, title, text, url)


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
        body = json.dumps(payload, ensure_ascii=False).encode()
        req = urllib.request.Request(
            message.address,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(  # noqa: S310 - URLs are configured by admins
                req, timeout=settings.LOUYU_SERVICEDESK_WEBHOOK_TIMEOUT
            ) as response:
                answer = json.loads(response.read() or b"{}")
        except (OSError, ValueError) as exc:
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
