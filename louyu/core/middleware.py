"""Cross-cutting HTTP middleware: security headers and the request context for audit rows."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from louyu.core.context import client_ip


class ContentSecurityPolicyMiddleware:
    """Send the CSP header (no inline script anywhere) and remember the client IP for audit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            response = self.get_response(request)
        finally:
            client_ip.reset(token)
        response.headers.setdefault("Content-Security-Policy", settings.LOUYU_CSP)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response
