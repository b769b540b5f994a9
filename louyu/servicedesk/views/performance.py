"""Who keeps their promises: satisfaction (好差评) and on-time rates over the requests the user
oversees, per department, service item, building community and staff member."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.servicedesk.access import requests_visible_to
from louyu.servicedesk.forms import PeriodForm
from louyu.servicedesk.models import Level, Rating
from louyu.servicedesk.selectors import on_time_by, on_time_rate, satisfaction, satisfaction_by
from louyu.servicedesk.views._queries import has_queue

# Each table's title and the heading of its first column.
GROUP_LABELS = {
    "department": (_("By department"), _("Department")),
    "service_item": (_("By service item"), _("Service item")),
    "community": (_("By building community"), _("Building community")),
    "handler": (_("By staff member"), _("Staff member")),
}


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    if not has_queue(request.user):
        raise Http404
    form = PeriodForm(request.GET or None)
    requests = requests_visible_to(request.user)
    period = form.dates(timezone.localdate())
    if period is not None:
        requests = requests.filter(submitted_at__date__range=period)
    ratings = Rating.objects.filter(request__in=requests)
    tables: list[dict[str, Any]] = []
    for group, (title, column) in GROUP_LABELS.items():
        promises = on_time_by(group, requests)
        rows = [
            {
                "label": s.label,
                "responses": s.total,
                "satisfaction": s.rate,
                "bad": s.bad,
                "on_time": promises.pop(s.key, {}).get("rate"),
            }
            for s in satisfaction_by(group, ratings)
        ]
        # Groups with deadlines but no ratings yet still show their on-time rate.
        rows += [
            {
                "label": p["label"],
                "responses": 0,
                "satisfaction": None,
                "bad": 0,
                "on_time": p["rate"],
            }
            for p in promises.values()
        ]
        tables.append({"key": group, "title": title, "column": column, "rows": rows})
    overall = satisfaction(ratings)
    return render(
        request,
        "servicedesk/performance.html",
        {
            "overall": overall,
            "levels": [(label, overall.counts.get(level, 0)) for level, label in Level.choices],
            "on_time": on_time_rate(requests),
            "tables": tables,
            "form": form,
            "period": period,
        },
    )
