"""The service desk's feed source: the deadlines of the requests a user handles or submitted,
as all-day events in their calendar feed (registered in ServicedeskConfig.ready())."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.servicedesk.models import ServiceRequest
from louyu.servicedesk.models.requests import OPEN_STATUSES
from louyu.venues.feeds import FeedEvent


def request_deadlines(user: Any, start: datetime, end: datetime) -> Iterable[FeedEvent]:
    """Open requests of which the user is the handler or the requester, due within the window."""
    first, last = timezone.localdate(start), timezone.localdate(end)
    requests = ServiceRequest.objects.filter(
        Q(handler=user) | Q(requester=user),
        status__in=OPEN_STATUSES,
    ).filter(
        Q(due_on__range=(first, last))
        | Q(sign_due_on__range=(first, last))
        | Q(response_due_on__range=(first, last))
    )
    events = []
    for request in requests.only(
        "pk", "number", "title", "status", "due_on", "sign_due_on", "response_due_on"
    ):
        due = request.current_due_on
        if due is None or not first <= due <= last:
            continue
        events.append(
            FeedEvent(
                uid=f"request-{request.pk}-due@louyu",
                summary=_("Due: %(number)s %(title)s")
                % {"number": request.number, "title": request.title},
                start=due,
                end=due + timedelta(days=1),
                description=request.get_status_display(),
                url=reverse("servicedesk:request_detail", args=[request.pk]),
            )
        )
    return events
