"""One error shape for every API error: `{"error": {"code", "message", "fields"?}}`.

DRF's exceptions keep their codes (`not_found`, `permission_denied`, `not_authenticated`,
`authentication_failed`, `throttled`, `method_not_allowed`, `parse_error`, …); every validation
failure is `validation_error` with the per-field messages under `fields`; services'
`ApplicationError` keeps its own code and status. Messages are translated.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import server_error
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from louyu.core.exceptions import ApplicationError, error_body
from louyu.core.views import error_page


class Conflict(exceptions.APIException):
    """The request clashes with the current state of the row (e.g. edited meanwhile)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with the current state.")
    default_code = "conflict"


class LockedOut(exceptions.APIException):
    """Too many failed sign-ins for this account or address (django-axes)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = gettext_lazy("Too many failed sign-ins. Try again later.")
    default_code = "locked_out"


def _validation_body(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        non_field = detail.get(api_settings.NON_FIELD_ERRORS_KEY) or []
        message = str(non_field[0]) if non_field else _("The submitted data is not valid.")
        return error_body("validation_error", message, fields=detail)
    messages = detail if isinstance(detail, list) else [detail]
    return error_body("validation_error", " ".join(str(item) for item in messages), fields={})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF EXCEPTION_HANDLER: render every known error in the one shape; None lets the rest
    become a 500 (which handler500 also answers in this shape under /api/)."""
    if isinstance(exc, ApplicationError):
        set_rollback()
        return Response(error_body(exc.code, exc.message, extra=exc.extra), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None

    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))

    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(exc.detail)
    else:
        code = getattr(exc.detail, "code", None) or exc.default_code
        body = error_body(str(code), exc.detail)
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


def _error(request: HttpRequest, status_code: int, error: type[exceptions.APIException]) -> Any:
    """Under /api/ the JSON error shape, elsewhere the platform's error page."""
    if request.path.startswith("/api/"):
        body = error_body(error.default_code, error.default_detail)
        return JsonResponse(body, status=status_code)
    return error_page(request, status_code)


def handler400(request: HttpRequest, exception: Exception) -> Any:
    """URLconf handler400 (a bad Host header, a broken upload)."""
    return _error(request, status.HTTP_400_BAD_REQUEST, exceptions.ParseError)


def handler403(request: HttpRequest, exception: Exception) -> Any:
    """URLconf handler403."""
    return _error(request, status.HTTP_403_FORBIDDEN, exceptions.PermissionDenied)


def handler404(request: HttpRequest, exception: Exception) -> Any:
    """URLconf handler404: unknown URLs under /api/ answer in the JSON error shape."""
    return _error(request, status.HTTP_404_NOT_FOUND, exceptions.NotFound)


def handler500(request: HttpRequest) -> Any:
    """URLconf handler500: server errors under /api/ answer in the JSON error shape."""
    if request.path.startswith("/api/"):
        body = error_body("server_error", _("Server error. The error has been logged."))
        return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return server_error(request)
