"""Periodic work of the API app."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from louyu.core.jobs import DAY, periodic


@periodic("api.idempotency_purge", every=DAY)
def idempotency_purge() -> str:
    """Answers kept for Idempotency-Key replays go once their window has passed."""
    from louyu.api.models import IdempotencyRecord

    since = timezone.now() - timedelta(hours=settings.LOUYU_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=since).delete()
    return f"purged {deleted}"
