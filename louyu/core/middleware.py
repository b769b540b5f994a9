"""Cross-cutting HTTP middleware: security headers and the request context for audit rows."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from louyu.core.context import client_ip
from louyu.core.views import error_page


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


class ErrorPageMiddleware:
    """Every error status a page answers without a body (a GET on a POST-only view answers an
    empty 405, issue 12) gets the platform's page in the user's language; the API and Open311
    keep their own error shapes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or response.streaming
            or response.content
            or request.path.startswith(("/api/", "/open311/"))
        ):
            return response
        return error_page(request, response.status_code, headers=response)
