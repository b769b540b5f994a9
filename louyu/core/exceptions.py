"""The one domain error services raise, and the one shape every error takes on the wire.

Services raise `ApplicationError` when a domain rule refuses a request ("the request is already
closed"). The API's exception handler renders it; `ApplicationErrorMiddleware` renders it for
HTML views: JSON for API/htmx/JSON callers, otherwise a message and a redirect back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme


class ApplicationError(Exception):
    """A domain-rule violation, with a human (translated) message and a machine code.

    `status` is the HTTP status it answers with (400 by default, 409 for conflicts); `extra` is
    any JSON-serialisable detail the caller may need (e.g. the current state of a row).
    """

    def __init__(
        self,
        message: str | Promise,
        code: str = "application_error",
        status: int = 400,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)


def error_body(
    code: str,
    message: Any,
    *,
    fields: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`{"error": {"code", "message", "fields"?, "extra"?}}`: the shape of every API error."""
    error: dict[str, Any] = {"code": code, "message": str(message)}
    if fields is not None:
        error["fields"] = fields
    if extra:
        error["extra"] = extra
    return {"error": error}


def wants_json(request: HttpRequest) -> bool:
    """API paths, htmx requests and callers that ask for JSON get errors as JSON."""
    if request.path.startswith("/api/") or request.headers.get("HX-Request") == "true":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def application_error_response(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    """Render an ApplicationError for a non-DRF view, the same way the API does."""
    if wants_json(request):
        body = error_body(error.code, error.message, extra=error.extra)
        response: HttpResponse = JsonResponse(body, status=error.status)
        if request.headers.get("HX-Request") == "true":
            # htmx does not swap 4xx bodies; the page shows the message from this event.
            response.headers["HX-Trigger"] = json.dumps(
                {"louyu:error": body["error"]}, ensure_ascii=False
            )
        return response
    referer = request.headers.get("Referer", "")
    safe_referer = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if referer and safe_referer and hasattr(request, "_messages"):
        messages.error(request, str(error.message))
        return HttpResponseRedirect(referer)
    try:
        content = render_to_string(
            "application_error.html",
            {"message": str(error.message), "code": error.code},
            request=request,
        )
    except TemplateDoesNotExist:
        return HttpResponse(
            str(error.message), status=error.status, content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(content, status=error.status)


class ApplicationErrorMiddleware:
    """Turn an ApplicationError escaping an HTML view into a message (or JSON), never a 500.

    Place it after MessageMiddleware so that `messages` is available.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ApplicationError):
            return application_error_response(request, exception)
        return None
