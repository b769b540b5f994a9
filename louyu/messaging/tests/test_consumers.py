"""The chat connection in this process (ASGI communicator) and against a real uvicorn server
that is stopped and started again while a client is away."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from websockets.sync.client import connect as ws_connect

from louyu.asgi import application
from louyu.core.tests.test_cluster import Deadline, database_url, free_port, http_get
from louyu.core.tests.test_consumers import session_cookie
from louyu.messaging import services
from louyu.messaging.models import Conversation, Message
from louyu.messaging.tests.conftest import channel

IN_MEMORY_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
TIMEOUT = 5  # an upper bound for an expected message, never a wait


class Communicator(ApplicationCommunicator):
    def __init__(self, path: str, cookie: str | None, query: str = ""):
        headers = [(b"origin", b"http://testserver")]
        if cookie:
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
        scope = {
            "type": "websocket",
            "path": path,
            "query_string": query.encode(),
            "headers": headers,
        }
        super().__init__(application, scope)

    async def connect(self) -> bool:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(TIMEOUT)
        return response["type"] == "websocket.accept"

    async def receive(self) -> dict:
        response = await self.receive_output(TIMEOUT)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def until_ready(self) -> list[dict]:
        """Messages delivered before the `chat.ready` marker (the catch-up)."""
        got = []
        while True:
            event = await self.receive()
            if event["type"] == "chat.ready":
                return got
            got.append(event)

    async def close(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(TIMEOUT)


def send(world, username, conversation, body, **kwargs):
    return services.message_send(
        actor=world.users[username], conversation=conversation, body=body, **kwargs
    )[0]


@pytest.mark.django_db(transaction=True)
class ChatConsumerTests:
    @pytest.fixture(autouse=True)
    def _layer(self, settings):
        settings.CHANNEL_LAYERS = IN_MEMORY_LAYER

    def test_it_refuses_the_outsider_at_connect(self, chat):
        conversation = channel(chat, "building")
        cookie = session_cookie(chat.outsider)

        async def scenario():
            client = Communicator(f"/ws/chat/{conversation.pk}/", cookie)
            assert await client.connect() is False
            anonymous = Communicator("/ws/chat/", None)
            assert await anonymous.connect() is False

        async_to_sync(scenario)()

    def test_it_delivers_live_messages_to_members_only(self, chat):
        conversation = channel(chat, "building")
        member, outsider = session_cookie(chat.employee), session_cookie(chat.outsider)

        async def scenario():
            mine = Communicator("/ws/chat/", member)
            theirs = Communicator("/ws/chat/", outsider)
            assert await mine.connect() and await theirs.connect()
            assert await mine.until_ready() == [] and await theirs.until_ready() == []
            message = await sync_to_async(send)(chat, "enterprise", conversation, "实时消息")
            event = await mine.receive()
            assert (event["type"], event["message"]["id"], event["message"]["body"]) == (
                "chat.message",
                message.pk,
                "实时消息",
            )
            assert await theirs.receive_nothing(0.2)
            await mine.close()
            await theirs.close()

        async_to_sync(scenario)()

    def test_it_catches_up_exactly_after_a_disconnect(self, chat):
        conversation = channel(chat, "building")
        cookie = session_cookie(chat.employee)

        async def scenario():
            client = Communicator("/ws/chat/", cookie)
            assert await client.connect()
            await client.until_ready()
            first = await sync_to_async(send)(chat, "enterprise", conversation, "第一条")
            assert (await client.receive())["message"]["id"] == first.pk
            await client.close()
            missed = [
                (await sync_to_async(send)(chat, "enterprise", conversation, f"错过{i}")).pk
                for i in range(3)
            ]
            again = Communicator("/ws/chat/", cookie, f"after={first.pk}")
            assert await again.connect()
            caught = await again.until_ready()
            assert [e["message"]["id"] for e in caught] == missed
            live = await sync_to_async(send)(chat, "enterprise", conversation, "之后")
            assert (await again.receive())["message"]["id"] == live.pk
            assert await again.receive_nothing(0.2)
            await again.close()

        async_to_sync(scenario)()

    def test_it_fills_a_gap_when_a_push_is_lost(self, chat):
        conversation = channel(chat, "building")
        cookie = session_cookie(chat.employee)

        async def scenario():
            client = Communicator("/ws/chat/", cookie)
            assert await client.connect()
            await client.until_ready()
            # A message whose push never arrives (committed without the on-commit push) …
            lost = await sync_to_async(Message.objects.create)(
                conversation=conversation, sender=chat.enterprise, body="推送丢了", prev_id=0
            )
            await sync_to_async(Conversation.objects.filter(pk=conversation.pk).update)(
                last_message_id=lost.pk
            )
            # … is read from the database before the next one is shown.
            after = await sync_to_async(send)(chat, "enterprise", conversation, "下一条")
            got = [(await client.receive())["message"]["id"] for _ in range(2)]
            assert got == [lost.pk, after.pk]
            assert await client.receive_nothing(0.2)
            await client.close()

        async_to_sync(scenario)()

    def test_it_relays_typing_to_the_others(self, chat):
        conversation = channel(chat, "building")
        a, b = session_cookie(chat.employee), session_cookie(chat.enterprise)

        async def scenario():
            typer, reader = Communicator("/ws/chat/", a), Communicator("/ws/chat/", b)
            assert await typer.connect() and await reader.connect()
            await typer.until_ready()
            await reader.until_ready()
            await typer.send_input(
                {
                    "type": "websocket.receive",
                    "text": json.dumps({"type": "typing", "conversation": conversation.pk}),
                }
            )
            event = await reader.receive()
            assert event == {
                "type": "chat.typing",
                "conversation": conversation.pk,
                "user": chat.employee.pk,
                "name": "周婷婷",
            }
            assert await typer.receive_nothing(0.2)
            await typer.send_input(
                {"type": "websocket.receive", "text": json.dumps({"type": "ping"})}
            )
            assert (await typer.receive())["type"] == "pong"
            await typer.close()
            await reader.close()

        async_to_sync(scenario)()

    def test_it_marks_presence_with_a_ttl(self, chat):
        from louyu.messaging.selectors import presence_online

        cookie = session_cookie(chat.employee)

        async def scenario():
            client = Communicator("/ws/chat/", cookie)
            assert await client.connect()
            await client.until_ready()
            await client.close()

        async_to_sync(scenario)()
        assert presence_online([chat.employee.pk, chat.enterprise.pk]) == {chat.employee.pk}


def _serve(port: int, env: dict, logs: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--no-worker", "--port", str(port)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=open(logs / f"serve-{port}.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _ws(port: int, cookie: str, after: int, deadline: Deadline):
    return ws_connect(
        f"ws://127.0.0.1:{port}/ws/chat/?after={after}",
        additional_headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}",
            "Origin": f"http://127.0.0.1:{port}",
        },
        open_timeout=deadline.left(),
    )


def _until_ready(ws, deadline: Deadline) -> list[int]:
    ids = []
    while True:
        event = json.loads(ws.recv(timeout=deadline.left()))
        if event["type"] == "chat.ready":
            return ids
        if event["type"] == "chat.message":
            ids.append(event["message"]["id"])


def _post(port: int, token: str, conversation_id: int, body: str) -> int:
    """Send through the server's own API, so the push starts in the server process."""
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/messaging/conversations/{conversation_id}/messages/",
        data=json.dumps({"body": body}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["id"]


@pytest.mark.django_db(transaction=True)
class RealServerTests:
    def test_it_catches_up_across_a_server_restart(self, chat, tmp_path):
        """A client on a real uvicorn server; the server stops, messages are sent meanwhile,
        another server process starts on another port; the client asks after its last id and
        gets exactly what it missed."""
        from django.db import connection

        deadline = Deadline(float(os.environ.get("LOUYU_CLUSTER_BUDGET", "180")))
        params = connection.settings_dict
        on_postgres = connection.vendor == "postgresql"
        url = database_url(params) if on_postgres else f"sqlite:///{params['NAME']}"
        env = {**os.environ, "DATABASE_URL": url, "LOUYU_PROFILE": "demo", "PYTHONUNBUFFERED": "1"}
        env.pop("REDIS_URL", None)
        conversation = channel(chat, "building")
        from louyu.api.services import token_issue

        cookie = session_cookie(chat.employee)
        token = token_issue(actor=chat.enterprise)[1]
        first_port = free_port()
        server = _serve(first_port, env, tmp_path)
        try:
            deadline.poll("server", lambda: http_get(f"http://127.0.0.1:{first_port}/healthz"))
            with _ws(first_port, cookie, 0, deadline) as ws:
                assert _until_ready(ws, deadline) == []
                seen = _post(first_port, token, conversation.pk, "重启前")
                event = json.loads(ws.recv(timeout=deadline.left()))
                assert event["message"]["id"] == seen
            _stop(server)
            missed = [send(chat, "enterprise", conversation, f"停机期间{i}").pk for i in range(5)]
            second_port = free_port()
            server = _serve(second_port, env, tmp_path)
            deadline.poll(
                "second server", lambda: http_get(f"http://127.0.0.1:{second_port}/healthz")
            )
            with _ws(second_port, cookie, seen, deadline) as ws:
                assert _until_ready(ws, deadline) == missed
                later = _post(second_port, token, conversation.pk, "重启后")
                event = json.loads(ws.recv(timeout=deadline.left()))
                assert event["message"]["id"] == later
        finally:
            _stop(server)
        assert time.monotonic() < deadline.end
