"""The enterprise's side, phone first: "My requests" and the submit form (a catalog item of the
five categories, its one-time document checklist and its extra fields)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.core.exceptions import ApplicationError
from louyu.economy.models import Enterprise
from louyu.servicedesk.access import desk_paths, member_enterprise_ids
from louyu.servicedesk.filtersets import ServiceRequestFilterSet
from louyu.servicedesk.forms import SubmitForm
from louyu.servicedesk.models import Category, Channel, ServiceItem
from louyu.servicedesk.services.requests import request_create
from louyu.servicedesk.todo import REQUESTER_TODOS, TODO_CHOICES
from louyu.servicedesk.views._queries import my_requests
from louyu.servicedesk.views.requests import LIGHT_TEXT


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The requests the user filed, and their enterprise's when they are its contact."""
    today = timezone.localdate()
    queryset = my_requests(request.user)
    # ?todo= (issue 14): the requester's to-dos, through the one request FilterSet.
    todo = request.GET.get("todo", "")
    todo_label = dict(TODO_CHOICES).get(todo) if todo in REQUESTER_TODOS else None
    if todo_label is not None:
        queryset = ServiceRequestFilterSet({"todo": todo}, queryset=queryset, request=request).qs
    page = Paginator(queryset, 20).get_page(request.GET.get("page"))
    rows = []
    for req in page:
        light = req.light(today)
        rows.append(
            {"req": req, "light": light, "light_text": LIGHT_TEXT[light], "due": req.current_due_on}
        )
    return render(
        request,
        "servicedesk/mine.html",
        {
            "page": page,
            "rows": rows,
            "query": f"todo={todo}" if todo_label is not None else "",
            "todo_label": todo_label,
            "can_submit": bool(member_enterprise_ids(request.user)),
        },
    )


def _catalog() -> list[dict[str, Any]]:
    items = ServiceItem.objects.filter(is_active=True).order_by("category", "name")
    groups: dict[str, list[ServiceItem]] = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    return [
        {"key": key, "label": label, "items": groups.get(key, [])}
        for key, label in Category.choices
    ]


@login_required
def submit(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the service item (GET ?item=code; "other" for anything else). Step 2:
    its checklist and fields; POST creates the request through `request_create`."""
    user = request.user
    ids = member_enterprise_ids(user)
    # Desk staff without an enterprise of their own record requests for the enterprises of
    # their communities (at the counter, from a phone call).
    staff = not ids and bool(desk_paths(user))
    if ids:
        choices = Enterprise.objects.filter(pk__in=ids)
    elif staff:
        scope = Q()
        for path in desk_paths(user):
            scope |= Q(building__path__startswith=path)
        choices = Enterprise.objects.filter(scope, status=Enterprise.Status.OPERATING)
    else:
        raise Http404
    enterprises = list(choices.order_by("search_names").values_list("pk", "name"))
    code = request.GET.get("item") or request.POST.get("item") or ""
    item = None
    if code and code != "other":
        item = (
            ServiceItem.objects.filter(code=code, is_active=True)
            .select_related("lead_department")
            .first()
        )
        if item is None:
            raise Http404
    if not code:
        return render(request, "servicedesk/submit_choose.html", {"groups": _catalog()})
    form = SubmitForm(request.POST or None, item=item, enterprises=enterprises, staff=staff)
    error = None
    if request.method == "POST" and form.is_valid():
        enterprise = Enterprise.objects.select_related("building").get(
            pk=form.cleaned_data["enterprise"]
        )
        mobile = "Mobi" in request.headers.get("User-Agent", "")
        channel = Channel.MOBILE if mobile else Channel.WEB
        try:
            created = request_create(
                actor=user,
                requester=None if staff else user,
                requester_name=form.cleaned_data.get("requester_name", ""),
                requester_phone=form.cleaned_data.get("requester_phone", ""),
                enterprise=enterprise,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                channel=form.cleaned_data["channel"] if staff else channel,
                service_item=item,
                urgent=form.cleaned_data.get("urgent", False),
                form_data=form.form_data(),
            )
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("Request %(number)s submitted. Keep the number to track it.")
                % {"number": created.number},
            )
            return redirect("servicedesk:request_detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "servicedesk/submit.html",
        {"form": form, "item": item, "code": code, "error": error},
        status=status,
    )
