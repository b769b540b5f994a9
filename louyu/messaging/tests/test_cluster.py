"""Delivery across two ASGI processes through Redis (DESIGN.md §6): a client of server A gets
a message sent through server B; it then leaves, misses messages, reconnects to server B with
its last id and gets exactly those. Runs in the PostgreSQL + Redis pass like core's cluster
test (and creates its own PostgreSQL database on a SQLite run)."""

from __future__ import annotations

import json
import os
import tempfile
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from websockets.sync.client import connect as ws_connect

from louyu.core.tests.test_cluster import (  # noqa: F401 (fixtures)
    Deadline,
    Processes,
    cluster_database,
    cluster_redis,
    cluster_template,
    free_port,
    http_get,
)

pytestmark = pytest.mark.cluster

# Seconds for the whole test, an upper bound (two servers, a driver and a world on a busy
# two-core machine).
BUDGET = float(os.environ.get("LOUYU_CLUSTER_BUDGET", "180"))


@pytest.fixture
def deadline() -> Deadline:
    return Deadline(BUDGET)


# Builds the test world in the cluster's database, syncs the channels and prints what the
# clients need: a member's session cookie, a sender's API token, the building channel's id.
DRIVER = """
import json

from django.conf import settings
from django.test import Client

from louyu.api.services import token_issue
from louyu.messaging.models import Conversation
from louyu.messaging.services import conversation_members_sync
from louyu.testing import build_world

world = build_world()
conversation_members_sync()
client = Client()
client.force_login(world.employee)
print(json.dumps({
    "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
    "token": token_issue(actor=world.enterprise)[1],
    "conversation": Conversation.objects.get(kind="building", node=world.nodes["building"]).pk,
}), flush=True)
"""


def post(port: int, token: str, conversation: int, body: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/messaging/conversations/{conversation}/messages/",
        data=json.dumps({"body": body}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["id"]


def recv_messages(ws, deadline: Deadline, until_ready: bool = False, count: int = 0) -> list[int]:
    ids: list[int] = []
    while (until_ready or len(ids) < count) and deadline.left():
        event = json.loads(ws.recv(timeout=deadline.left()))
        if event["type"] == "chat.ready" and until_ready:
            break
        if event["type"] == "chat.message":
            ids.append(event["message"]["id"])
    return ids


@pytest.mark.django_db(transaction=True)
def test_it_delivers_across_two_servers_and_catches_up_on_the_other(
    deadline,
    cluster_database,  # noqa: F811
    cluster_redis,  # noqa: F811
):
    redis_url, prefix = cluster_redis
    env = {
        **os.environ,
        "DATABASE_URL": cluster_database,
        "REDIS_URL": redis_url,
        "LOUYU_CACHE_PREFIX": prefix,
        "LOUYU_PROFILE": "demo",
        "DJANGO_SETTINGS_MODULE": "louyu.settings",
        "PYTHONUNBUFFERED": "1",
    }
    ports = {"a": free_port(), "b": free_port()}
    with tempfile.TemporaryDirectory(prefix="louyu-chat-cluster-") as logs:
        processes = Processes(env, Path(logs))
        try:
            driver = processes.start(
                "driver", ["manage.py", "shell", "--no-imports", "-c", DRIVER], piped=True
            )
            for name, port in ports.items():
                processes.start(
                    f"server_{name}", ["manage.py", "serve", "--no-worker", "--port", str(port)]
                )
            facts = json.loads(processes.read_line(driver, deadline))
            for port in ports.values():
                deadline.poll(
                    "servers", lambda port=port: http_get(f"http://127.0.0.1:{port}/healthz")
                )
            a, b = ports["a"], ports["b"]
            cookie = f"{settings.SESSION_COOKIE_NAME}={facts['cookie']}"

            def connect(port: int, after: int):
                return ws_connect(
                    f"ws://127.0.0.1:{port}/ws/chat/?after={after}",
                    additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
                    open_timeout=deadline.left(),
                )

            with connect(a, 0) as ws:
                assert recv_messages(ws, deadline, until_ready=True) == []
                sent = post(b, facts["token"], facts["conversation"], "从B服务器发出")
                assert recv_messages(ws, deadline, count=1) == [sent]
            missed = [post(b, facts["token"], facts["conversation"], f"离线{i}") for i in range(4)]
            with connect(b, sent) as ws:
                assert recv_messages(ws, deadline, until_ready=True) == missed
                later = post(a, facts["token"], facts["conversation"], "从A服务器发出")
                assert recv_messages(ws, deadline, count=1) == [later]
        except BaseException:
            print(processes.tails())
            raise
        finally:
            processes.stop_all()
