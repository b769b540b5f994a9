"""Service consultation: unanswered questions escalate, and a message becomes a service-desk
request."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.accounts.models import Membership, Role
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record
from louyu.messaging import selectors
from louyu.messaging.models import Conversation, Message
from louyu.messaging.services.conversations import ENTERPRISE_ROLES
from louyu.messaging.services.messages import _push_update
from louyu.notifications.services import notification_send
from louyu.servicedesk.services import request_create


def service_questions_escalate(*, now: datetime | None = None) -> int:
    """Escalate service-channel questions nobody on staff answered within
    LOUYU_MESSAGING_ESCALATE_AFTER seconds: mark them (a conditional update claims each row
    once, however many workers run this) and tell the building community's managers."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.LOUYU_MESSAGING_ESCALATE_AFTER)
    due = list(
        Message.objects.filter(
            awaiting_answer=True,
            escalated_at__isnull=True,
            created_at__lte=cutoff,
            conversation__kind=Conversation.Kind.SERVICE,
        )
        .select_related("conversation__node", "sender")
        .order_by("id")[:500]
    )
    escalated = 0
    node_type = ContentType.objects.get_for_model(Node)
    for message in due:
        with transaction.atomic():
            claimed = Message.objects.filter(pk=message.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            node = message.conversation.node
            community_ids = [i for i in (node.parent_id, node.pk) if i] if node is not None else []
            managers = list(
                Membership.objects.filter(
                    role=Role.MANAGER, scope_type=node_type, scope_id__in=community_ids
                ).values_list("user_id", flat=True)
            )
            audit_record(
                actor=None,
                action="message.escalate",
                target=message,
                after={
                    "managers": sorted(managers),
                    "waited_seconds": int((now - message.created_at).total_seconds()),
                },
            )
            # Told through the one notification service, so a manager who is offline
            # finds it (issue 14).
            sender = message.sender.display_name if message.sender else ""
            notification_send(
                kind="messaging.question.escalated",
                recipients=managers,
                title=_("Unanswered question in %(building)s")
                % {"building": node.name if node else ""},
                text=f"{sender}：{message.body[:100]}" if sender else message.body[:100],
                url=f"{reverse('messaging:chat')}#c{message.conversation_id}",
                target=message,
            )
            _push_update(message)
            escalated += 1
    return escalated


def message_to_request(*, actor: Any, message: Message, title: str = "") -> Any:
    """Turn a message into a service request (servicedesk), keeping the link both ways: the
    request names the message, the message stores the request's id. Staff only."""
    conversation = message.conversation
    if not selectors.is_service_staff_for(actor, conversation):
        raise ApplicationError(
            _("Only service-center staff can do this."), code="not_staff", status=403
        )
    if message.service_request_id is not None:
        raise ApplicationError(
            _("This message is already a service request."), code="duplicate", status=409
        )
    if message.deleted_at is not None or message.sender is None:
        raise ApplicationError(_("The message was deleted."), code="deleted", status=409)
    from louyu.economy.models import Enterprise

    enterprise_ids = Membership.objects.filter(
        user=message.sender,
        role__in=ENTERPRISE_ROLES,
        scope_type=ContentType.objects.get_for_model(Enterprise),
    ).values_list("scope_id", flat=True)
    enterprise = Enterprise.objects.filter(pk__in=list(enterprise_ids)).first()
    with transaction.atomic():
        request = request_create(
            actor=actor,
            requester=message.sender,
            enterprise=enterprise,
            title=(title or message.body.splitlines()[0] if message.body else str(conversation))[
                :100
            ],
            description=message.body,
            channel="chat",
            source_message_id=message.pk,
            building=conversation.node
            if conversation.node and conversation.node.kind == Node.Kind.BUILDING
            else None,
        )
        Message.objects.filter(pk=message.pk).update(
            service_request_id=request.pk, awaiting_answer=False
        )
        message.service_request_id = request.pk
        audit_record(
            actor=actor, action="message.to_request", target=message, after={"request": request.pk}
        )
        _push_update(message)
    return request
