"""The staff work queue: the requests the user may work (service-center staff their community's,
handlers their department's, street cadres their street's, the district office all), filtered,
sorted by due date, with SLA lights in words, and bulk accept / dispatch through the services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from louyu.core.exceptions import ApplicationError
from louyu.servicedesk.access import capabilities
from louyu.servicedesk.filtersets import ServiceRequestFilterSet
from louyu.servicedesk.forms import BulkForm, QueueFilterForm
from louyu.servicedesk.models import ServiceRequest, Status
from louyu.servicedesk.selectors import request_queue
from louyu.servicedesk.services.requests import request_accept, request_dispatch
from louyu.servicedesk.views._queries import (
    has_queue,
    light_q,
    open_q,
    queue_buildings,
    with_current_due,
)
from louyu.servicedesk.views.requests import LIGHT_TEXT

PAGE_SIZE = 25


def _filtered(
    form: QueueFilterForm, queryset: QuerySet[ServiceRequest], user: Any = None
) -> QuerySet[ServiceRequest]:
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    # The filters the API has too go through the one FilterSet (same meaning in both).
    shared = QueryDict(mutable=True)
    for field in ("q", "status", "category", "channel"):
        if data.get(field):
            shared[field] = data[field]
    if data.get("service_item"):
        shared["service_item"] = str(data["service_item"].pk)
    if data.get("todo"):
        shared["todo"] = data["todo"]
    filterset = ServiceRequestFilterSet(shared, queryset=queryset, user=user)
    queryset = with_current_due(filterset.qs)
    if not data.get("status") and not data.get("todo"):
        # Without a status the queue shows what is still open (a to-do says its own statuses).
        queryset = queryset.filter(open_q())
    if data.get("building"):
        queryset = queryset.filter(building_id=data["building"])
    if data.get("escalation"):
        queryset = queryset.filter(escalation=data["escalation"])
    if data.get("light"):
        queryset = queryset.filter(light_q(data["light"], today))
    if data.get("due") == "today":
        queryset = queryset.filter(Q(current_due=today))
    elif data.get("due") == "overdue":
        queryset = queryset.filter(Q(current_due__lt=today))
    sort = data.get("sort") or "due"
    if sort == "-submitted":
        return queryset.order_by("-submitted_at", "-id")
    if sort == "submitted":
        return queryset.order_by("submitted_at", "id")
    return queryset.order_by(F("current_due").asc(nulls_last=True), "-urgent", "submitted_at", "id")


def _rows(page: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    rows = []
    for req in page:
        light = req.light(today)
        left = req.workdays_left(today)
        rows.append(
            {
                "req": req,
                "light": light,
                "light_text": LIGHT_TEXT[light],
                "left": left,
                "late": -left if left is not None and left < 0 else 0,
                "due": req.current_due_on,
                "selectable": req.status in (Status.SUBMITTED, Status.ACCEPTED),
            }
        )
    return rows


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def queue_context(request: HttpRequest, *, title: Any = None) -> dict[str, Any]:
    user = request.user
    form = QueueFilterForm(request.GET or None, buildings=queue_buildings(user))
    queryset = _filtered(form, request_queue(user), user)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "form": form,
        "page": page,
        "rows": _rows(page),
        "query": _query_without_page(request),
        "bulk_form": BulkForm(),
        "title": title or _("Work queue"),
        "today": timezone.localdate(),
    }


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The queue; htmx filter changes get the results fragment only."""
    if not has_queue(request.user):
        raise Http404
    context = queue_context(request)
    if request.headers.get("HX-Request") == "true":
        return render(request, "servicedesk/_queue_results.html", context)
    return render(request, "servicedesk/queue.html", context)


@login_required
def due_today(request: HttpRequest) -> HttpResponse:
    """ "What is due today": open requests whose current deadline is today or already past."""
    if not has_queue(request.user):
        raise Http404
    user = request.user
    today = timezone.localdate()
    queryset = (
        with_current_due(request_queue(user))
        .filter(open_q(), Q(current_due__lte=today))
        .order_by(F("current_due").asc(nulls_last=True), "-urgent", "submitted_at", "id")
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _rows(page),
        "query": "",
        "title": _("Due today"),
        "today": today,
    }
    return render(request, "servicedesk/due_today.html", context)


@login_required
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """Accept or dispatch the selected requests, one service call each: a row that fails (stale
    version, wrong state, not allowed) is reported on its own and the others go through."""
    user = request.user
    if not has_queue(user):
        raise Http404
    form = BulkForm(request.POST)
    results: list[dict[str, Any]] = []
    if form.is_valid():
        selected = form.selected()
        by_pk = {
            r.pk: r
            for r in request_queue(user)
            .select_related("service_item__lead_department")
            .filter(pk__in=[pk for pk, _v in selected])
        }
        action = form.cleaned_data["action"]
        department = form.cleaned_data.get("department")
        for pk, version in selected:
            req = by_pk.get(pk)
            if req is None:
                results.append({"number": f"#{pk}", "ok": False, "message": _("Not found.")})
                continue
            try:
                if "desk" not in capabilities(user, req):
                    raise ApplicationError(_("You may not accept or dispatch this request."))
                if action == "accept":
                    request_accept(actor=user, request=req, expected_version=version)
                else:
                    request_dispatch(
                        actor=user, request=req, department=department, expected_version=version
                    )
            except ApplicationError as error:
                results.append(
                    {"req": req, "number": req.number, "ok": False, "message": error.message}
                )
            else:
                results.append({"req": req, "number": req.number, "ok": True, "message": ""})
    context = queue_context(request)
    context["bulk_results"] = results
    context["bulk_errors"] = form.errors if not form.is_valid() else None
    context["bulk_ok"] = sum(1 for r in results if r["ok"])
    context["bulk_failed"] = sum(1 for r in results if not r["ok"])
    status = 200 if form.is_valid() else 400
    return render(request, "servicedesk/queue.html", context, status=status)
