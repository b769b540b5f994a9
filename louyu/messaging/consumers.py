"""The chat connection: /ws/chat/ (all the user's conversations) or /ws/chat/<id>/ (one).

`?after=<message id>` asks for every message after that id first (reconnect catch-up), then
live ones. Each message names the previous message of its conversation (`prev_id`); when a push
arrives whose predecessor this connection has not delivered, the consumer reads the gap from
the database before it, so a client sees each message exactly once, in order per
conversation, however pushes are lost or reordered between processes. Outsiders of a
conversation are refused before the handshake completes.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from louyu.accounts.middleware import session_refusal
from louyu.core.events import user_group
from louyu.messaging import selectors, services
from louyu.messaging.events import conversation_group
from louyu.messaging.models import Message, Participant

CATCH_UP_LIMIT = 1000
TYPING_EVERY = 3.0


def _conversation_ids(user: Any) -> set[int]:
    return set(Participant.objects.filter(user=user).values_list("conversation_id", flat=True))


def _latest_id() -> int:
    last = Message.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def _payloads_after(user: Any, after: int, conversation_ids: set[int]) -> list[dict[str, Any]]:
    messages = selectors.messages_after_for_user(user, after, limit=CATCH_UP_LIMIT)
    return [selectors.message_payload(m) for m in messages if m.conversation_id in conversation_ids]


def _gap(conversation_id: int, after: int) -> list[dict[str, Any]]:
    messages = selectors.message_queryset().filter(conversation_id=conversation_id, id__gt=after)
    return [selectors.message_payload(m) for m in messages.order_by("id")[:CATCH_UP_LIMIT]]


class ChatConsumer(AsyncJsonWebsocketConsumer):
    user: Any = None
    only: int | None = None
    after: int = 0
    conversations: set[int]
    last: dict[int, int]
    typing_at: dict[int, float]

    async def connect(self) -> None:
        self.conversations, self.last, self.typing_at = set(), {}, {}
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close()
            return
        if await database_sync_to_async(session_refusal)(self.scope["session"], user):
            await self.close()
            return
        self.user = user
        ids = await database_sync_to_async(_conversation_ids)(user)
        only = self.scope["url_route"]["kwargs"].get("conversation_id")
        if only is not None:
            if only not in ids:
                await self.close()  # not found: the same answer as the REST 404
                return
            ids = {only}
        self.only = only
        self.conversations = ids
        query = parse_qs(self.scope.get("query_string", b"").decode())
        after_values = query.get("after") or []
        after = int(after_values[0]) if after_values and after_values[0].isdigit() else None
        # Join first, read second: whatever commits in between arrives twice, never zero times.
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        for conversation_id in ids:
            await self.channel_layer.group_add(
                conversation_group(conversation_id), self.channel_name
            )
        await self.accept()
        await database_sync_to_async(services.presence_touch)(user_id=user.pk)
        if after is None:
            self.after = await database_sync_to_async(_latest_id)()
        else:
            self.after = after
            payloads = await database_sync_to_async(_payloads_after)(user, after, ids)
            for payload in payloads:
                await self._deliver(payload)
            if len(payloads) >= CATCH_UP_LIMIT:
                await self.send_json({"type": "chat.reset"})
        await self.send_json({"type": "chat.ready", "after": self.after})

    async def disconnect(self, code: int) -> None:
        if self.user is None:
            return
        await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)
        for conversation_id in self.conversations:
            await self.channel_layer.group_discard(
                conversation_group(conversation_id), self.channel_name
            )

    async def _deliver(self, payload: dict[str, Any]) -> None:
        self.last[payload["conversation"]] = payload["id"]
        await self.send_json({"type": "chat.message", "message": payload})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Clients send typing notices and presence pings; messages go through the REST API."""
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "ping":
            await database_sync_to_async(services.presence_touch)(user_id=self.user.pk)
            await self.send_json({"type": "pong"})
        elif kind == "typing":
            conversation_id = content.get("conversation")
            if conversation_id not in self.conversations:
                return
            now = time.monotonic()
            if now - self.typing_at.get(conversation_id, 0.0) < TYPING_EVERY:
                return
            self.typing_at[conversation_id] = now
            await self.channel_layer.group_send(
                conversation_group(conversation_id),
                {
                    "type": "chat.event",
                    "event": {
                        "type": "chat.typing",
                        "conversation": conversation_id,
                        "user": self.user.pk,
                        "name": self.user.display_name,
                    },
                },
            )

    async def chat_event(self, message: dict[str, Any]) -> None:
        event = message["event"]
        kind = event.get("type")
        if kind == "chat.message":
            payload = event["message"]
            conversation_id = payload["conversation"]
            if conversation_id not in self.conversations:
                return
            known = self.last.get(conversation_id, self.after)
            if payload["id"] <= known:
                return  # delivered already (catch-up, or a push that came twice)
            if payload["prev_id"] <= known:
                await self._deliver(payload)
                return
            # A predecessor has not reached us yet: read the gap, this message included.
            for missing in await database_sync_to_async(_gap)(conversation_id, known):
                await self._deliver(missing)
            return
        if kind == "chat.typing" and event.get("user") == self.user.pk:
            return
        await self.send_json(event)

    async def louyu_event(self, message: dict[str, Any]) -> None:
        """Per-user events (joined, left, read, mention, escalation) for this user."""
        event = message["event"]
        kind = event.get("type")
        conversation_id = event.get("conversation")
        if (
            kind == "chat.joined"
            and self.only is None
            and conversation_id not in self.conversations
        ):
            self.conversations.add(conversation_id)
            await self.channel_layer.group_add(
                conversation_group(conversation_id), self.channel_name
            )
        elif kind == "chat.left" and conversation_id in self.conversations:
            self.conversations.discard(conversation_id)
            await self.channel_layer.group_discard(
                conversation_group(conversation_id), self.channel_name
            )
        await self.send_json(event)
