"""Real-time push. `send_event_on_commit` is the only way code sends anything to browsers."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

EVENT_MESSAGE_TYPE = "louyu.event"


def user_group(user_id: int) -> str:
    """The channel-layer group of every open connection of one user."""
    return f"user.{user_id}"


def send_event_on_commit(event: dict[str, Any], recipients: Iterable[Any]) -> None:
    """Push `event` (a JSON-serialisable dict) to every open connection of each recipient (users
    or user ids) once the current transaction commits; nothing is sent if it rolls back."""
    json.dumps(event)  # fail in the caller, not after commit, when the event cannot be sent
    user_ids = sorted({getattr(r, "pk", r) for r in recipients})
    if not user_ids:
        return

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        group_send = async_to_sync(layer.group_send)
        for user_id in user_ids:
            try:
                group_send(user_group(user_id), {"type": EVENT_MESSAGE_TYPE, "event": event})
            except Exception:
                # The write has committed; a push that fails must not turn it into an error.
                logger.exception("could not push event %s to user %s", event.get("type"), user_id)

    transaction.on_commit(send)
