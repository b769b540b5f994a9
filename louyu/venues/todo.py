"""The venues' to-do item (issue 14): bookings awaiting the approval of a service-center
member of the venue's building community, as the approvals page lists them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from louyu.venues.models import Booking


def _booking_url(row: Booking) -> str:
    return reverse("venues:booking_detail", args=[row.pk])


def _booking_label(row: Booking) -> str:
    return f"{row.title} · {row.venue.name} · {row.span_label}"


def todo_items_register() -> None:
    """Register the venues' to-do (called from VenuesConfig.ready())."""
    from louyu.accounts.models import SERVICE_CENTER_ROLES
    from louyu.notifications.todo import todo_register
    from louyu.venues.selectors import approval_queue

    todo_register(
        "venues.approvals",
        label=_("Bookings awaiting approval"),
        roles=SERVICE_CENTER_ROLES,
        queryset=approval_queue,
        url="venues:approvals",
        age_field="created_at",
        order=45,
        pillar="venues",
        item_url=_booking_url,
        item_label=_booking_label,
    )
