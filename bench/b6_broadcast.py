"""B6: a broadcast to N connected members of one building channel (2,000 at full scale).

Louyu: N WebSockets on /ws/chat/ (Redis pub/sub channel layer), messages sent through the
product's API (`POST /api/v1/messaging/conversations/<id>/messages/`: committed, then pushed
to the conversation's group). Baseline, same run: `bare_app` below under the same uvicorn
configuration, which holds the same N WebSockets and on `POST /broadcast` sends the body to
every one in-process (no framework, no Channels, no Redis, no database).

Measured per side: (1) fan-out time of single broadcasts (sent one at a time; from just before
the POST until the last of the N clients has it), median and p99; (2) delivered messages/s
when a burst of broadcasts is posted back to back; (3) whether every client got every message.
The ratio is Louyu's delivered msg/s ÷ the bare app's.

    python -m bench.b6_broadcast client ws://127.0.0.1:8000/ws/chat/ --n 50 --cookies c.txt
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# --- the baseline server ---------------------------------------------------------------------

_sockets: dict[int, Any] = {}


async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Holds WebSockets; `POST /broadcast` sends its body to all of them; other GETs answer 200."""
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        key = id(send)
        _sockets[key] = send
        try:
            while (await receive())["type"] != "websocket.disconnect":
                pass
        finally:
            _sockets.pop(key, None)
        return
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["method"] == "POST" and scope["path"] == "/broadcast":
        text = body.decode()
        for socket_send in list(_sockets.values()):
            with contextlib.suppress(Exception):  # a client that went away
                await socket_send({"type": "websocket.send", "text": text})
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})


# --- the client process ----------------------------------------------------------------------


def _body_of(text: str) -> str | None:
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if data.get("type") == "chat.message":
            return str(data["message"]["body"])
        return None
    return text


async def client_main(url: str, n: int, cookies: list[str], concurrency: int = 32) -> None:
    """Open N sockets, print {"open": …}; then for each stdin line `wait <body> …` print when
    every socket has every named body: {"last": {body: unix time of the last arrival},
    "delivered": count, "expected": count}."""
    from websockets.asyncio.client import connect

    origin = "http://" + url.split("/")[2]
    gate = asyncio.Semaphore(concurrency)
    arrivals: dict[str, list[float]] = {}
    changed = asyncio.Event()

    async def open_one(i: int) -> Any:
        async with gate:
            try:
                return await connect(
                    url,
                    origin=origin,  # type: ignore[arg-type]
                    additional_headers={"Cookie": cookies[i % len(cookies)]}
                    if cookies[0]
                    else None,
                    open_timeout=120,
                    ping_interval=25,
                    ping_timeout=120,
                    max_queue=None,
                )
            except Exception as exc:
                return exc

    async def listen(conn: Any) -> None:
        try:
            async for text in conn:
                body = _body_of(text if isinstance(text, str) else text.decode())
                if body is not None:
                    arrivals.setdefault(body, []).append(time.time())
                    changed.set()
        except Exception:
            return

    results = await asyncio.gather(*(open_one(i) for i in range(n)))
    conns = [r for r in results if not isinstance(r, Exception)]
    errors = sorted(
        {f"{type(r).__name__}: {str(r)[:100]}" for r in results if isinstance(r, Exception)}
    )
    tasks = [asyncio.create_task(listen(c)) for c in conns]
    await asyncio.sleep(1.0)
    print(json.dumps({"open": len(conns), "errors": errors[:3]}), flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        bodies = line.split()[1:]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if all(len(arrivals.get(b, [])) >= len(conns) for b in bodies):
                break
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=1.0)
        report = {
            "last": {b: max(arrivals.get(b, [0.0])) for b in bodies},
            "delivered": sum(min(len(arrivals.get(b, [])), len(conns)) for b in bodies),
            "expected": len(conns) * len(bodies),
        }
        print(json.dumps(report), flush=True)
    for task in tasks:
        task.cancel()
    for conn in conns:
        await conn.close()


# --- the benchmark ---------------------------------------------------------------------------

SINGLES = {"smoke": 5, "small": 10, "full": 20}
BURST = {"smoke": 10, "small": 30, "full": 50}


def _conversation(bench: Any, n: int) -> tuple[int, list[str]]:
    """The first building's channel with the first n generated users (and the officer) in
    it; returns its id and n signed-in session keys of those users."""
    from bench import generate
    from louyu.accounts.models import User
    from louyu.core.models import Node
    from louyu.messaging.models import Conversation, Participant

    building = Node.objects.filter(kind=Node.Kind.BUILDING).order_by("pk").first()
    if building is None:
        raise RuntimeError("no building in the data set")
    Conversation.objects.filter(kind="building", node=building).delete()  # a run that died
    conversation = Conversation.objects.create(kind="building", node=building)
    keys = bench.sessions(n)
    users = list(User.objects.exclude(username=generate.OFFICER).order_by("pk")[:n])
    officer = User.objects.get(username=generate.OFFICER)
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, user=u) for u in users]
        + [Participant(conversation=conversation, user=officer, role="moderator")],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return conversation.pk, keys


def _rep(
    bench: Any, kind: str, n: int, cookies: Path, conversation_id: int, rep: int
) -> dict[str, Any]:
    import subprocess

    from bench.load import PY, ROOT, Server, free_port, http_request

    if kind == "louyu":
        server = bench.louyu_server(f"b6-{rep}").start("/bench/json/")
        url = f"ws://127.0.0.1:{server.port}/ws/chat/"
    else:
        port = free_port()
        argv = [
            PY, "-m", "uvicorn", "bench.b6_broadcast:bare_app", "--host", "127.0.0.1",
            "--port", str(port), "--ws", "websockets-sansio", "--lifespan", "off",
            "--log-level", "warning", "--no-server-header",
        ]  # fmt: skip
        server = Server(
            "bare broadcast", argv, bench.env, port, bench.workdir / f"b6-bare-{rep}.log"
        ).start("/")
        url = f"ws://127.0.0.1:{server.port}/ws/"
    client = subprocess.Popen(
        [PY, "-m", "bench.b6_broadcast", "client", url, "--n", str(n), "--cookies", str(cookies)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert client.stdin is not None and client.stdout is not None
    try:
        opened = json.loads(client.stdout.readline() or "{}")
        if opened.get("open", 0) < n:
            raise RuntimeError(
                f"{kind}: only {opened.get('open')} of {n} WebSockets opened: {opened}"
            )
        token = bench.token(server.port) if kind == "louyu" else ""

        def post(body: str) -> None:
            if kind == "louyu":
                status, answer = http_request(
                    server.port,
                    "POST",
                    f"/api/v1/messaging/conversations/{conversation_id}/messages/",
                    json.dumps({"body": body}).encode(),
                    {"Authorization": f"Token {token}", "Content-Type": "application/json"},
                )
                if status != 201:
                    raise RuntimeError(f"send answered {status}: {answer[:200]!r}")
            else:
                status, _ = http_request(server.port, "POST", "/broadcast", body.encode(), {})
                if status != 200:
                    raise RuntimeError(f"bare broadcast answered {status}")

        def wait(bodies: list[str]) -> dict[str, Any]:
            client.stdin.write("wait " + " ".join(bodies) + "\n")  # type: ignore[union-attr]
            client.stdin.flush()  # type: ignore[union-attr]
            return json.loads(client.stdout.readline())  # type: ignore[union-attr]

        post(f"b6-warm-{kind}-{rep}")
        wait([f"b6-warm-{kind}-{rep}"])
        fanouts, delivered, expected = [], 0, 0
        for i in range(SINGLES[bench.scale]):
            body = f"b6-{kind}-{rep}-single-{i}"
            t0 = time.time()
            post(body)
            report = wait([body])
            fanouts.append((report["last"][body] - t0) * 1000)
            delivered += report["delivered"]
            expected += report["expected"]
        burst = [f"b6-{kind}-{rep}-burst-{i}" for i in range(BURST[bench.scale])]
        t0 = time.time()
        for body in burst:
            post(body)
        report = wait(burst)
        seconds = max(report["last"].values()) - t0
        delivered += report["delivered"]
        expected += report["expected"]
        return {
            "fanout_ms": fanouts,
            "rate": report["delivered"] / seconds if seconds > 0 else 0.0,
            "delivered": delivered,
            "expected": expected,
        }
    finally:
        client.stdin.close()
        try:
            client.wait(timeout=60)
        except subprocess.TimeoutExpired:
            client.kill()
        server.stop()


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-99 * len(ordered) // 100) - 1)]


def b6(bench: Any) -> Any:
    """The B6 row of bench/run.py."""
    from django.conf import settings

    from bench.run import Row, met

    row = Row(
        "B6", "broadcast to N members of one building channel: delivered msg/s ÷ bare fan-out"
    )
    n = bench.size.ws_connections
    conversation_id, keys = _conversation(bench, n)
    cookies = bench.workdir / "b6-cookies.txt"
    cookies.write_text("\n".join(f"{settings.SESSION_COOKIE_NAME}={key}" for key in keys))
    rep = itertools.count(1)
    try:
        runs_a, runs_b = bench.alternate(
            lambda: _rep(bench, "louyu", n, cookies, conversation_id, next(rep)),
            lambda: _rep(bench, "bare", n, cookies, conversation_id, next(rep)),
        )
    finally:
        # Leave the data set as it was: the channel (its members and messages) and sessions go.
        from django.contrib.sessions.models import Session

        from louyu.messaging.models import Conversation

        Session.objects.filter(session_key__in=keys).delete()
        Conversation.objects.filter(pk=conversation_id).delete()
    a_rate = statistics.median(r["rate"] for r in runs_a)
    b_rate = statistics.median(r["rate"] for r in runs_b)
    fan_a = [f for r in runs_a for f in r["fanout_ms"]]
    fan_b = [f for r in runs_b for f in r["fanout_ms"]]
    delivered = sum(r["delivered"] for r in runs_a)
    expected = sum(r["expected"] for r in runs_a)
    share = 100 * delivered / expected if expected else 0.0
    ratio = a_rate / b_rate if b_rate else 0.0
    p99 = _p99(fan_a)
    row.figure = (
        f"{a_rate:,.0f} msg/s delivered; fan-out to {n:,} median {statistics.median(fan_a):,.0f} "
        f"ms, p99 {p99:,.0f} ms; {share:.2f} % delivered"
    )
    row.baseline = f"{b_rate:,.0f} msg/s; fan-out median {statistics.median(fan_b):,.0f} ms"
    row.ratio = f"{ratio:.3f}"
    row.target = "floor ≥ 0.10, 99.9 % delivered, p99 ≤ 1 s; target ≥ 0.25, 100 %, p99 ≤ 500 ms"
    row.met = met(
        ratio >= 0.25 and share == 100 and p99 <= 500,
        ratio >= 0.10 and share >= 99.9 and p99 <= 1000,
    )
    if n < 2000:
        row.met = (
            f"not judged ({n:,} of the spec's 2,000 clients at this scale); would be: {row.met}"
        )
    row.notes.append(
        f"{n:,} WebSockets (one session each, cycling {len(keys)} users) in one building channel; "
        f"per rep {SINGLES[bench.scale]} single broadcasts (fan-out = from before the POST to the "
        f"last client's arrival) and a burst of {BURST[bench.scale]} posted back to back (rate = "
        "deliveries ÷ time from the first POST to the last arrival); Louyu sends through the "
        "messaging API (commit, then one group_send over Redis pub/sub), the bare app fans out "
        "in-process; a fresh server per rep; the spec's 3,000 idle sockets elsewhere are not opened"
    )
    row.notes.append(
        "runs A "
        + ", ".join(f"{r['rate']:,.0f}" for r in runs_a)
        + " msg/s; B "
        + ", ".join(f"{r['rate']:,.0f}" for r in runs_b)
        + f" msg/s; Louyu delivered {delivered:,} of {expected:,}"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["client"])
    parser.add_argument("url")
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--cookies", type=Path)
    args = parser.parse_args()
    cookies = args.cookies.read_text().split() if args.cookies else [""]
    asyncio.run(client_main(args.url, args.n, cookies))


if __name__ == "__main__":
    main()
