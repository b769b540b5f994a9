"""Reads of notifications: the one access helper, the inbox list and the bell's count."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from louyu.notifications.models import Delivery, Notification
from louyu.notifications.services import is_delivery_admin, unread_count

__all__ = [
    "deliveries_for_admin",
    "delivery_state_counts",
    "get_delivery_for_user",
    "get_notification_for_user",
    "notification_list",
    "unread_count",
]


def get_notification_for_user(user: Any, pk: int, *, write: bool = False) -> Notification:
    """One of the user's own notifications; another's, like a missing one, is 404."""
    notification = Notification.objects.for_user(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def notification_list(user: Any) -> QuerySet[Notification]:
    """The user's inbox, newest first (the (recipient, read_at, -created_at) index serves it)."""
    return Notification.objects.for_user(user).order_by("-created_at", "-pk")


def deliveries_for_admin(user: Any) -> QuerySet[Delivery]:
    """Deliveries for the system admin's page: failing and given up first."""
    if not is_delivery_admin(user):
        raise Http404
    return Delivery.objects.select_related("notification__recipient").order_by(
        "-next_attempt_at", "-created_at"
    )


def get_delivery_for_user(user: Any, pk: int, *, write: bool = False) -> Delivery:
    """A delivery, for the system admin only; for anyone else 404."""
    delivery = deliveries_for_admin(user).filter(pk=pk).first()
    if delivery is None:
        raise Http404
    return delivery


def delivery_state_counts() -> dict[str, int]:
    """How many deliveries are in each state (the admin page's summary)."""
    counts = dict.fromkeys(Delivery.State.values, 0)
    for row in Delivery.objects.values("state").annotate(n=Count("pk")):
        counts[row["state"]] = row["n"]
    return counts
