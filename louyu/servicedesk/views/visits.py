"""The staff visit list (不叫自到): visits due and overdue, check-in on site, the record with
findings and a photo, and a finding turned into a request in one action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from louyu.core.exceptions import ApplicationError
from louyu.servicedesk.access import desk_paths, get_visit_for_user
from louyu.servicedesk.forms import FindingRequestForm, FindingsForm, VisitFilterForm
from louyu.servicedesk.models import Visit
from louyu.servicedesk.selectors import visit_list
from louyu.servicedesk.services.visits import (
    visit_check_in,
    visit_finding_to_request,
    visit_record,
)
from louyu.servicedesk.todo import visits_todo


def _require_desk(user: Any) -> None:
    if not desk_paths(user):
        raise Http404


PAGE_SIZE = 20


def _context(request: HttpRequest, error: ApplicationError | None = None) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    open_visits = visit_list(user, status=None).filter(
        status__in=[Visit.Status.SCHEDULED, Visit.Status.CHECKED_IN]
    )
    counts = open_visits.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due=Count("pk", filter=Q(due_on__gte=today)),
    )
    form = VisitFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    shown = open_visits
    if data.get("show") == "overdue":
        shown = shown.filter(due_on__lt=today)
    elif data.get("show") == "due":
        shown = shown.filter(due_on__gte=today)
    elif data.get("show") == "todo":
        shown = visits_todo(shown)  # the to-do "visits due" (issue 14)
    if data.get("q"):
        term = data["q"].strip()
        shown = shown.filter(
            Q(enterprise__name__icontains=term) | Q(enterprise__search_names__icontains=term)
        )
    if data.get("mine"):
        shown = shown.filter(assignee_id=user.pk)
    query = request.GET.copy()
    query.pop("page", None)
    recorded = list(
        visit_list(user, status=Visit.Status.DONE)
        .filter(~Q(findings=""))
        .prefetch_related("requests")
        .order_by("-recorded_at")[:20]
    )
    return {
        "counts": counts,
        "form": form,
        "page": Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "recorded": recorded,
        "today": today,
        "findings_form": FindingsForm(),
        "request_form": FindingRequestForm(),
        "error": error,
    }


@login_required
def visits(request: HttpRequest) -> HttpResponse:
    _require_desk(request.user)
    return render(request, "servicedesk/visits.html", _context(request))


def _act(request: HttpRequest, call: Any, done: str) -> HttpResponse:
    try:
        result = call()
    except ApplicationError as error:
        context = _context(request, error)
        return render(request, "servicedesk/visits.html", context, status=error.status)
    messages.success(request, done)
    if hasattr(result, "number"):
        return redirect("servicedesk:request_detail", pk=result.pk)
    return redirect("servicedesk:visits")


@login_required
@require_POST
def visit_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    _require_desk(request.user)
    visit = get_visit_for_user(request.user, pk)
    return _act(
        request, lambda: visit_check_in(actor=request.user, visit=visit), _("Checked in on site.")
    )


@login_required
@require_POST
def visit_findings(request: HttpRequest, pk: int) -> HttpResponse:
    _require_desk(request.user)
    visit = get_visit_for_user(request.user, pk)
    form = FindingsForm(request.POST, request.FILES)

    def call() -> Any:
        if not form.is_valid():
            raise ApplicationError(_("Write the findings first."), code="invalid")
        photo = form.cleaned_data.get("photos")
        return visit_record(
            actor=request.user,
            visit=visit,
            findings=form.cleaned_data["findings"],
            photos=[photo] if photo else None,
        )

    return _act(request, call, _("Visit recorded."))


@login_required
@require_POST
def visit_to_request(request: HttpRequest, pk: int) -> HttpResponse:
    _require_desk(request.user)
    visit = get_visit_for_user(request.user, pk)
    form = FindingRequestForm(request.POST)

    def call() -> Any:
        if not form.is_valid():
            raise ApplicationError(_("Write a title for the request."), code="invalid")
        return visit_finding_to_request(
            actor=request.user,
            visit=visit,
            title=form.cleaned_data["title"],
            service_item=form.cleaned_data.get("service_item"),
            urgent=form.cleaned_data.get("urgent", False),
        )

    return _act(request, call, _("The finding is now a request."))
