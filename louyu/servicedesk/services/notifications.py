"""What the service center tells people, through the one notification service
(`louyu.notifications.services.notification_send`): a stored row per person linking to the
request, pushed live and sent on the channels each person chose; with `bots`, also a message to
the 企业微信 / 钉钉 group bots of the request's community and department (issue 14)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.urls import reverse

from louyu.notifications.models import Notification
from louyu.notifications.services import group_bot_send, notification_send
from louyu.servicedesk.models import ServiceRequest, WebhookTarget


def request_group_bots(request: ServiceRequest) -> list[tuple[str, str]]:
    """(bot kind, webhook URL) of the active group bots of the request's community and
    department."""
    owners = Q(community_id=request.community_id)
    if request.department_id:
        owners |= Q(department_id=request.department_id)
    return list(
        WebhookTarget.objects.filter(owners, is_active=True)
        .order_by("pk")
        .values_list("kind", "url")
    )


def request_notify(
    *,
    kind: str,
    request: ServiceRequest,
    users: Iterable[Any],
    title: str,
    text: str,
    actor: Any = None,
    bots: bool = False,
) -> list[Notification]:
    """Tell `users` about `request` (the kind is registered in ServicedeskConfig.ready());
    the notification opens the request's page. Call inside the transaction of the change."""
    rows = notification_send(
        kind=f"servicedesk.{kind}",
        recipients=users,
        title=title,
        text=text,
        url=reverse("servicedesk:request_detail", args=[request.pk]),
        target=request,
        actor=actor,
    )
    if bots:
        targets = request_group_bots(request)
        if targets:
            group_bot_send(bots=targets, title=title, text=f"{request.number} {text}")
    return rows
