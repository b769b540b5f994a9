"""The baseline server: a bare ASGI app (no framework) run by the same uvicorn configuration as
`manage.py serve`. HTTP answers every path with the B0 bytes; WebSockets are accepted and held."""

from typing import Any

from bench.payload import BODY

HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": BODY})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
