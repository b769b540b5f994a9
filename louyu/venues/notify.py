"""What a booking tells whom, through the one notification service: a booking awaiting approval
tells the venue's managers; an approval, a rejection or a cancellation tells the booker (unless
the booker did it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership
from louyu.core.models import Node
from louyu.venues.models import Booking

KINDS = {
    "requested": ("venues.booking.requested", gettext_lazy("Booking awaiting approval")),
    "approve": ("venues.booking.approved", gettext_lazy("Booking approved")),
    "reject": ("venues.booking.rejected", gettext_lazy("Booking turned down")),
    "cancel": ("venues.booking.cancelled", gettext_lazy("Booking cancelled")),
}


def kinds_register() -> None:
    """Called from VenuesConfig.ready()."""
    from louyu.notifications.registry import notification_kind_register

    for key, label in KINDS.values():
        notification_kind_register(key, label=label, pillar="service", retention_days=180)


def venue_managers(booking: Booking) -> list[Any]:
    """The service-center staff of the venue's community (granted there or above it)."""
    community = booking.venue.community
    node_ids = community.ancestor_ids
    user_ids = Membership.objects.filter(
        role__in=SERVICE_CENTER_ROLES, scope_id__in=node_ids
    ).filter(scope_type__app_label="core", scope_type__model=Node._meta.model_name)
    return list(get_user_model().objects.filter(pk__in=user_ids.values("user_id")))


def booking_notify(booking: Booking, event: str, *, actor: Any = None) -> None:
    """Send the notification of one booking event (inside the service's transaction)."""
    from louyu.notifications.services import notification_send

    if event not in KINDS:
        return
    kind, label = KINDS[event]
    if event == "requested":
        recipients = venue_managers(booking)
        url = reverse("venues:approvals")
    else:
        recipients = [booking.booker]
        url = reverse("venues:booking_detail", args=[booking.pk])
    if actor is not None:
        recipients = [r for r in recipients if r.pk != actor.pk]
    text = _("%(venue)s, %(span)s: %(title)s") % {
        "venue": booking.venue.name,
        "span": booking.span_label,
        "title": booking.title,
    }
    if booking.decision_note and event != "requested":
        text = f"{text}\n{booking.decision_note}"
    notification_send(
        kind=kind,
        recipients=recipients,
        title=str(label),
        text=text,
        url=url,
        target=booking,
        actor=actor,
    )
