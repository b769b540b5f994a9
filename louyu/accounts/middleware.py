"""Session security: idle timeout (MLPS asks for ≤ 30 minutes)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)
