import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.test import Client

from louyu.accounts.middleware import SESSION_LAST_SEEN
from louyu.asgi import application
from louyu.core.events import send_event_on_commit

IN_MEMORY_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
TIMEOUT = 5  # seconds; an upper bound for a message that is expected, never a wait


class WebsocketCommunicator(ApplicationCommunicator):
    """A WebSocket client for an ASGI app in this process. channels.testing has one, but
    importing that package needs daphne, which Louyu does not use."""

    def __init__(self, app, path: str, headers: list[tuple[bytes, bytes]]):
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers}
        super().__init__(app, scope)

    async def connect(self, timeout: float) -> tuple[bool, object]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept"
        return True, response.get("subprotocol")

    async def send_json_to(self, data: object) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float) -> object:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, timeout: float = TIMEOUT) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(timeout)


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def communicator(cookie: str | None = None, origin: str = "http://testserver"):
    headers = [(b"origin", origin.encode())]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/events/", headers=headers)


def commit_event(event, recipients):
    with transaction.atomic():
        send_event_on_commit(event, recipients)


def roll_back_event(event, recipients):
    try:
        with transaction.atomic():
            send_event_on_commit(event, recipients)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass


# Consumers reach the database from worker threads, so the data must be committed.
@pytest.mark.django_db(transaction=True)
class EventsConsumerTests:
    @pytest.fixture(autouse=True)
    def _layer(self, settings):
        settings.CHANNEL_LAYERS = IN_MEMORY_LAYER

    def test_it_refuses_anonymous_connections(self, world):
        async def scenario():
            ws = communicator()
            connected, _ = await ws.connect(timeout=TIMEOUT)
            await ws.disconnect()
            return connected

        assert async_to_sync(scenario)() is False

    def test_it_refuses_another_sites_origin(self, world):
        cookie = session_cookie(world.users["clerk"])

        async def scenario():
            ws = communicator(cookie, origin="https://evil.example")
            connected, _ = await ws.connect(timeout=TIMEOUT)
            await ws.disconnect()
            return connected

        assert async_to_sync(scenario)() is False

    def test_it_delivers_a_committed_event_to_the_recipient_only(self, world):
        clerk, outsider = world.users["clerk"], world.users["outsider"]
        clerk_cookie, outsider_cookie = session_cookie(clerk), session_cookie(outsider)

        async def scenario():
            clerk_ws, outsider_ws = communicator(clerk_cookie), communicator(outsider_cookie)
            assert (await clerk_ws.connect(timeout=TIMEOUT))[0]
            assert (await outsider_ws.connect(timeout=TIMEOUT))[0]
            await sync_to_async(commit_event)({"type": "test.for_clerk"}, [clerk])
            # Sent after the clerk's event: if that one leaked, it would arrive first.
            await sync_to_async(commit_event)({"type": "test.for_outsider"}, [outsider.pk])
            received = (
                await clerk_ws.receive_json_from(timeout=TIMEOUT),
                await outsider_ws.receive_json_from(timeout=TIMEOUT),
            )
            await clerk_ws.disconnect()
            await outsider_ws.disconnect()
            return received

        for_clerk, for_outsider = async_to_sync(scenario)()
        assert for_clerk == {"type": "test.for_clerk"}
        assert for_outsider == {"type": "test.for_outsider"}

    def test_it_delivers_nothing_from_a_rolled_back_transaction(self, world):
        clerk = world.users["clerk"]
        cookie = session_cookie(clerk)

        async def scenario():
            ws = communicator(cookie)
            assert (await ws.connect(timeout=TIMEOUT))[0]
            await sync_to_async(roll_back_event)({"type": "test.rolled_back"}, [clerk])
            await sync_to_async(commit_event)({"type": "test.committed"}, [clerk])
            first = await ws.receive_json_from(timeout=TIMEOUT)
            await ws.disconnect()
            return first

        assert async_to_sync(scenario)() == {"type": "test.committed"}

    def test_it_reaches_every_open_connection_of_the_user(self, world):
        clerk = world.users["clerk"]
        cookie = session_cookie(clerk)

        async def scenario():
            tabs = [communicator(cookie), communicator(cookie)]
            for tab in tabs:
                assert (await tab.connect(timeout=TIMEOUT))[0]
            await sync_to_async(commit_event)({"type": "test.both"}, [clerk])
            received = [await tab.receive_json_from(timeout=TIMEOUT) for tab in tabs]
            for tab in tabs:
                await tab.disconnect()
            return received

        assert async_to_sync(scenario)() == [{"type": "test.both"}] * 2

    def test_it_ignores_what_the_client_sends(self, world):
        clerk = world.users["clerk"]
        cookie = session_cookie(clerk)

        async def scenario():
            ws = communicator(cookie)
            assert (await ws.connect(timeout=TIMEOUT))[0]
            await ws.send_json_to(
                {"type": "subscribe", "group": f"user.{world.users['outsider'].pk}"}
            )
            await sync_to_async(commit_event)(
                {"type": "test.for_outsider"}, [world.users["outsider"]]
            )
            await sync_to_async(commit_event)({"type": "test.for_clerk"}, [clerk])
            first = await ws.receive_json_from(timeout=TIMEOUT)
            await ws.disconnect()
            return first

        assert async_to_sync(scenario)() == {"type": "test.for_clerk"}


def connects(cookie: str) -> bool:
    async def scenario():
        ws = communicator(cookie)
        connected, _ = await ws.connect(timeout=TIMEOUT)
        await ws.disconnect()
        return connected

    return async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
class EventsConsumerSessionRulesTests:
    """The WebSocket obeys the same session rules as every page (accounts.middleware)."""

    @pytest.fixture(autouse=True)
    def _layer(self, settings):
        settings.CHANNEL_LAYERS = IN_MEMORY_LAYER

    def test_it_refuses_an_idle_session(self, world, settings):
        cookie = session_cookie(world.users["clerk"])
        assert connects(cookie) is True
        store = SessionStore(session_key=cookie)
        store[SESSION_LAST_SEEN] -= settings.LOUYU_IDLE_TIMEOUT + 1
        store.save()
        assert connects(cookie) is False

    def test_it_refuses_staff_who_owe_a_second_factor(self, world, settings):
        settings.LOUYU_REQUIRE_2FA = True
        assert connects(session_cookie(world.users["clerk"])) is False
        # Enterprise people need no second factor.
        assert connects(session_cookie(world.users["enterprise"])) is True
