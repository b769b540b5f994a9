"""The browser's real-time connection: one WebSocket per tab at /ws/events/."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from louyu.accounts.middleware import session_refusal
from louyu.core.events import user_group


class EventsConsumer(AsyncJsonWebsocketConsumer):
    """Forwards the events sent to the signed-in user (see events.send_event_on_commit).

    Anonymous connections are refused; a user only ever joins their own group, so no one can
    subscribe to another user's events.
    """

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close()
            return
        # The HTTP session rules hold here too: idle timeout, lifetime, second factor.
        if await database_sync_to_async(session_refusal)(self.scope["session"], user):
            await self.close()
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Clients only listen; anything they send is ignored."""

    async def louyu_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
