"""Operational endpoints of the core app."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from louyu.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def _check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _check_cache() -> bool:
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    ok = cache.get(key) == value
    cache.delete(key)
    return ok


def _check_worker() -> bool:
    fresh_since = timezone.now() - timedelta(seconds=settings.LOUYU_WORKER_STALE_SECONDS)
    return WorkerHeartbeat.objects.filter(last_seen__gte=fresh_since).exists()


CHECKS: dict[str, Callable[[], bool]] = {
    "database": _check_database,
    "cache": _check_cache,
    "worker": _check_worker,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, the cache round-trips and a worker beat recently; else 503
    naming the failing parts. Public, so it says which part failed and never why."""
    checks = {}
    for name, check in CHECKS.items():
        try:
            ok = check()
        except Exception:
            logger.exception("healthz: %s check failed", name)
            ok = False
        checks[name] = "ok" if ok else "error"
    failing = [name for name, state in checks.items() if state != "ok"]
    if failing:
        return JsonResponse({"status": "error", "failing": failing, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})
