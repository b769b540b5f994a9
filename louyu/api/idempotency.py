"""`Idempotency-Key` for every API create (issue #13).

A client that sends `POST /api/...` with an `Idempotency-Key` header (any printable ASCII up to
255 characters, e.g. a UUID) may safely send it again — after a timeout, a dropped connection, a
double tap: within LOUYU_IDEMPOTENCY_HOURS the same key returns the first answer (with
`Idempotent-Replayed: true`) and creates nothing; the same key with a different request is
refused with 422. Keys are per user.

The middleware covers every API view, those later modules add included. The record and the
view's own writes commit in one transaction: two concurrent requests with one key meet at the
unique (user, key) index, the second waits for the first and then replays its answer; an answer of
5xx (or an exception) rolls both back, so the key can be tried again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

HEADER = "Idempotency-Key"
MAX_KEY = 255


def _user(request: HttpRequest) -> Any:
    """The user the API view will see, or None: the session's, else DRF's authenticators (a
    token). A failed authentication is the view's to answer."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return request.user
    try:
        user = Request(request, authenticators=APIView().get_authenticators()).user
    except APIException:  # refused credentials: the view answers 401/403 itself
        return None
    return user if user is not None and user.is_authenticated else None


def fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what the request asks: method, path, query, and its body — for a multipart
    upload its fields and each file's name, size and content."""
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.content_type or ""):
        digest.update(part.encode() + b"\0")
    if request.content_type == "multipart/form-data":
        fields = sorted((name, request.POST.getlist(name)) for name in request.POST)
        digest.update(json.dumps(fields, ensure_ascii=False).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"\0{name}\0{upload.name}\0{upload.size}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _refusal(status: int, message: str) -> HttpResponse:
    return JsonResponse({"detail": message, "code": "idempotency_key"}, status=status)


def _replay(record: Any) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        user = _user(request)
        if user is None:
            return self.get_response(request)
        if not key or len(key) > MAX_KEY or not key.isascii() or not key.isprintable():
            return _refusal(
                400,
                _("The Idempotency-Key header must be 1 to %(max)s printable ASCII characters.")
                % {"max": MAX_KEY},
            )
        return self._once(request, user, key, fingerprint(request))

    def _once(self, request: HttpRequest, user: Any, key: str, print_: str) -> HttpResponse:
        from louyu.api.models import IdempotencyRecord

        since = timezone.now() - timedelta(hours=settings.LOUYU_IDEMPOTENCY_HOURS)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user, key=key, fingerprint=print_
                    )
            except IntegrityError:
                record = IdempotencyRecord.objects.select_for_update().get(user=user, key=key)
                if record.created_at >= since:
                    if record.fingerprint != print_:
                        return _refusal(
                            422,
                            _(
                                "This Idempotency-Key was used for a different request; use a "
                                "new key for a new request."
                            ),
                        )
                    return _replay(record)
                record.delete()  # expired: the key starts afresh
                record = IdempotencyRecord.objects.create(user=user, key=key, fingerprint=print_)
            response = self.get_response(request)
            if response.status_code >= 500 or response.streaming:
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.location = response.get("Location", "")
            record.body = response.content
            record.save(update_fields=["status", "content_type", "location", "body"])
        return response
