"""Per-request context that services read without taking a request argument."""

from contextvars import ContextVar

# The client IP of the request being served, recorded on audit rows.
client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
