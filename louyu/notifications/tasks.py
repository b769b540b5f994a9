"""Background work of notifications: sending deliveries, the retry sweep, the daily digest and
the retention purge. Thin: call a service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from louyu.core.jobs import DAY, periodic


@task()
def deliveries_send(*, delivery_ids: list[int]) -> int:
    """Send deliveries (first attempts after commit, and retries found by the sweep)."""
    from louyu.notifications.services import deliveries_send as send

    return send(delivery_ids=delivery_ids)


@periodic("notifications.retry", every=timedelta(minutes=1))
def retry() -> str:
    """Send every delivery whose backoff has passed."""
    from louyu.notifications.services import deliveries_retry

    return f"sent {deliveries_retry()}"


@periodic("notifications.digest", every=DAY)
def digest() -> str:
    """One e-mail a day to the people who chose the daily digest."""
    from louyu.notifications.services import notifications_digest_send

    return f"sent {notifications_digest_send()}"


@periodic("notifications.purge", every=DAY)
def purge() -> str:
    """Notifications go once their kind's retention has passed."""
    from louyu.notifications.services import notifications_purge

    return f"purged {notifications_purge()}"
