"""Real-time fan-out of conversation events: one channel-layer group per conversation, joined by
each participant's chat connections (consumers.ChatConsumer). A message is one group_send
however many members the conversation has; per-user events still go through
`louyu.core.events.send_event_on_commit`.

Pushes are at-most-once; nothing is lost because every message has its id and `prev_id`, and
the consumer fetches from the database whatever a push did not bring.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

CHAT_MESSAGE_TYPE = "chat.event"


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def chat_event_on_commit(conversation_id: int, event: dict[str, Any]) -> None:
    """Send `event` to every chat connection of the conversation's members after commit."""
    json.dumps(event)

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(
                conversation_group(conversation_id), {"type": CHAT_MESSAGE_TYPE, "event": event}
            )
        except Exception:
            logger.exception(
                "could not push %s to conversation %s", event.get("type"), conversation_id
            )

    transaction.on_commit(send)
