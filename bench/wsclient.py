"""B7's client, run as its own process: open N WebSockets (one session cookie each, cycling the
list), report how many stay open as one JSON line, hold them idle until stdin closes.

    python -m bench.wsclient ws://127.0.0.1:18080/ws/events/ --n 50 --cookies cookies.txt
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.protocol import State


async def open_one(url: str, origin: str, cookie: str, gate: asyncio.Semaphore) -> Any:
    async with gate:
        try:
            # The client answers the server's pings; it sends its own every 25 s (a heartbeat).
            return await connect(
                url,
                origin=origin,  # type: ignore[arg-type]
                additional_headers={"Cookie": cookie} if cookie else None,
                ping_interval=25,
                ping_timeout=60,
                open_timeout=60,
                max_queue=16,
            )
        except Exception as exc:
            return exc


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--cookies", type=Path)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    cookies = args.cookies.read_text().split() if args.cookies else [""]
    origin = "http://" + args.url.split("/")[2]
    gate = asyncio.Semaphore(args.concurrency)
    results = await asyncio.gather(
        *(open_one(args.url, origin, cookies[i % len(cookies)], gate) for i in range(args.n))
    )
    conns: list[ClientConnection] = [r for r in results if isinstance(r, ClientConnection)]
    errors = sorted(
        {type(r).__name__ + ": " + str(r)[:120] for r in results if isinstance(r, Exception)}
    )
    # A server that refuses after the handshake closes at once: give it a moment to show.
    await asyncio.sleep(1.0)
    open_count = sum(1 for c in conns if c.state is State.OPEN)
    print(
        json.dumps({"open": open_count, "failed": args.n - open_count, "errors": errors[:3]}),
        flush=True,
    )
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
