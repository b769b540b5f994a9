"""Notifications: in-app (real time, `send_event_on_commit`), e-mail and 企业微信 / 钉钉 group-bot
webhooks. E-mail and webhooks are sent from background tasks after the transaction commits."""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from louyu.core.events import send_event_on_commit
from louyu.servicedesk.models import ServiceRequest, WebhookTarget

logger = logging.getLogger(__name__)


def wecom_payload(title: str, text: str) -> dict[str, Any]:
    """企业微信 group bot: a markdown message (`msgtype` markdown, `markdown.content`)."""
    return {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}


def dingtalk_payload(title: str, text: str) -> dict[str, Any]:
    """钉钉 group bot: a markdown message (`markdown.title` shows in the notification)."""
    return {"msgtype": "markdown", "markdown": {"title": title, "text": f"#### {title}\n{text}"}}


PAYLOADS = {WebhookTarget.Kind.WECOM: wecom_payload, WebhookTarget.Kind.DINGTALK: dingtalk_payload}


def webhook_deliver(*, target: WebhookTarget, title: str, text: str) -> bool:
    """POST one message to a group bot; True when the bot answered errcode 0."""
    payload = PAYLOADS[WebhookTarget.Kind(target.kind)](title, text)
    body = json.dumps(payload, ensure_ascii=False).encode()
    req = urllib.request.Request(
        target.url,
        data=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - URLs are configured by admins
            req, timeout=settings.LOUYU_SERVICEDESK_WEBHOOK_TIMEOUT
        ) as response:
            answer = json.loads(response.read() or b"{}")
    except (OSError, ValueError):
        logger.warning("webhook %s failed", target.pk, exc_info=True)
        return False
    return answer.get("errcode", 0) == 0


def email_deliver(*, user_ids: list[int], subject: str, text: str) -> int:
    """E-mail the users that have an address; returns how many were sent."""
    addresses = list(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not addresses:
        return 0
    sent = 0
    for address in addresses:
        sent += send_mail(
            subject, text, settings.LOUYU_SERVICEDESK_EMAIL_FROM, [address], fail_silently=True
        )
    return sent


def notify(
    *,
    kind: str,
    request: ServiceRequest | None,
    users: Iterable[Any],
    title: str,
    text: str,
    email: bool = True,
    webhooks: bool = False,
    extra: dict[str, Any] | None = None,
) -> None:
    """Tell `users` in app at once and, after commit, by e-mail; with `webhooks`, also post to
    the group bots of the request's community and department."""
    from louyu.servicedesk import tasks

    user_ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    event: dict[str, Any] = {"type": f"servicedesk.{kind}", "title": title, "text": text}
    if request is not None:
        event.update(request=request.pk, number=request.number, status=request.status)
    event.update(extra or {})
    send_event_on_commit(event, user_ids)
    if email and user_ids:
        transaction.on_commit(
            lambda: tasks.notification_email_deliver.enqueue(
                user_ids=user_ids, subject=title, text=text
            )
        )
    if webhooks and request is not None:
        owners = Q(community_id=request.community_id)
        if request.department_id:
            owners |= Q(department_id=request.department_id)
        targets = list(
            WebhookTarget.objects.filter(owners, is_active=True).values_list("pk", flat=True)
        )

        def post() -> None:
            for target_id in targets:
                tasks.notification_webhook_deliver.enqueue(
                    target_id=target_id, title=title, text=text
                )

        if targets:
            transaction.on_commit(post)
