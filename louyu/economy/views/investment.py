"""Early warning (五色预警) and investment attraction (招商) pages.

Staff pages answer 404 to anyone without a government role over the rows (outsiders, enterprise
contacts, admins); the public vacancy pages show published, available listings to everyone.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from louyu.core.exceptions import ApplicationError
from louyu.core.uploads import image_response
from louyu.economy import services_investment as services
from louyu.economy.forms_investment import (
    LeadForm,
    LeadStageForm,
    VacancyForm,
    WarningFilterForm,
)
from louyu.economy.models import (
    GRADE_COLOURS,
    EnterpriseWarning,
    LeadStage,
    StabilityGrade,
    VacancyListing,
)
from louyu.economy.selectors_investment import (
    get_lead_for_user,
    get_public_vacancy,
    get_vacancy_for_user,
    get_warning_for_user,
    investment_nodes_for,
    investment_paths,
    lead_funnel,
    lead_matches,
    leads_visible_to,
    reason_text,
    vacancies_public,
    vacancies_visible_to,
    warning_counts,
    warning_list,
)

PAGE_SIZE = 25


def _page(request: HttpRequest, rows: Any) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _require_scope(request: HttpRequest, *, write: bool = False) -> None:
    if not investment_paths(request.user, write=write):
        raise Http404


# --- Early warnings ----------------------------------------------------------------------------


def _warning_rows(warnings: list[EnterpriseWarning]) -> list[dict[str, Any]]:
    return [
        {
            "warning": w,
            "colour": GRADE_COLOURS[w.grade],
            "reasons": [reason_text(r) for r in w.reasons],
        }
        for w in warnings
    ]


@login_required
def warning_list_view(request: HttpRequest) -> HttpResponse:
    """Enterprises with a warning under the user's node, worst first, by colour and trigger."""
    _require_scope(request)
    form = WarningFilterForm(request.GET or None)
    grade = trigger = None
    if form.is_valid():
        grade, trigger = form.cleaned_data["grade"], form.cleaned_data["trigger"] or None
    page = _page(request, warning_list(request.user, grade=grade, trigger=trigger))
    counts = warning_counts(request.user)
    return render(
        request,
        "economy/warning_list.html",
        {
            "form": form,
            "page": page,
            "rows": _warning_rows(list(page)),
            "counts": [
                {
                    "colour": GRADE_COLOURS[g],
                    "label": StabilityGrade(g).label,
                    "grade": g,
                    "count": counts[GRADE_COLOURS[g]],
                }
                for g in range(5)
            ],
            "can_write": bool(investment_paths(request.user, write=True)),
            "query": _query_without_page(request),
        },
    )


@login_required
@require_POST
def warning_visit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """安排走访: turn the warning into a proactive visit."""
    warning = get_warning_for_user(request.user, pk, write=True)
    services.enterprise_warning_visit(actor=request.user, warning=warning)
    if request.headers.get("HX-Request") == "true":
        return render(
            request,
            "economy/warning_row.html",
            {"row": _warning_rows([warning])[0], "can_write": True},
        )
    messages.success(
        request,
        _("A visit to %(name)s has been requested.") % {"name": warning.enterprise.name},
    )
    return redirect("economy:warning_list")


# --- Vacancy listings (staff) ----------------------------------------------------------------


@login_required
def vacancy_list_view(request: HttpRequest) -> HttpResponse:
    _require_scope(request)
    rows = (
        vacancies_visible_to(request.user).select_related("building").order_by("-updated_at", "-pk")
    )
    status = request.GET.get("status")
    if status in VacancyListing.Status.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "economy/vacancy_list.html",
        {
            "page": _page(request, rows),
            "statuses": VacancyListing.Status.choices,
            "status": status,
            "can_write": bool(investment_paths(request.user, write=True)),
            "query": _query_without_page(request),
        },
    )


VACANCY_KEYS = (
    "title",
    "area",
    "price",
    "price_unit",
    "available_from",
    "description",
    "contact_name",
    "contact_phone",
    "status",
)
LEAD_KEYS = (
    "node",
    "contact_name",
    "contact_phone",
    "area_min",
    "area_max",
    "industry",
    "budget",
    "move_in_by",
    "source",
    "notes",
)


def _vacancy_values(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in VACANCY_KEYS}


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_create_view(request: HttpRequest) -> HttpResponse:
    _require_scope(request, write=True)
    buildings = investment_nodes_for(request.user)
    form = VacancyForm(
        request.POST or None,
        request.FILES or None,
        buildings=buildings,
        initial={"status": VacancyListing.Status.AVAILABLE, "price_unit": "day"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            listing = services.vacancy_create(
                actor=request.user,
                building=data["building"],
                units=data["units"],
                floor_plan=data["floor_plan"],
                **_vacancy_values(data),
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The listing has been saved."))
            return redirect("economy:vacancy_detail", pk=listing.pk)
    status = 400 if form.errors else 200
    return render(request, "economy/vacancy_form.html", {"form": form}, status=status)


@login_required
def vacancy_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_vacancy_for_user(request.user, pk)
    can_write = vacancies_visible_to(request.user, write=True).filter(pk=pk).exists()
    return render(
        request,
        "economy/vacancy_detail.html",
        {"listing": listing, "units": list(listing.units.all()), "can_write": can_write},
    )


@login_required
@require_http_methods(["GET", "POST"])
def vacancy_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_vacancy_for_user(request.user, pk, write=True)
    initial = {
        "building": listing.building,
        "unit_numbers": ", ".join(listing.units.values_list("number", flat=True)),
        **{key: getattr(listing, key) for key in VACANCY_KEYS},
    }
    form = VacancyForm(
        request.POST or None,
        request.FILES or None,
        buildings=investment_nodes_for(request.user).filter(pk=listing.building_id),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.vacancy_update(
                actor=request.user,
                listing=listing,
                units=data["units"],
                floor_plan=data["floor_plan"],
                **_vacancy_values(data),
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The listing has been saved."))
            return redirect("economy:vacancy_detail", pk=listing.pk)
    status = 400 if form.errors else 200
    return render(
        request, "economy/vacancy_form.html", {"form": form, "listing": listing}, status=status
    )


@login_required
@require_POST
def vacancy_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_vacancy_for_user(request.user, pk, write=True)
    if request.POST.get("publish") == "0":
        services.vacancy_unpublish(actor=request.user, listing=listing)
        messages.success(request, _("The listing is no longer public."))
    else:
        services.vacancy_publish(actor=request.user, listing=listing)
        messages.success(request, _("The listing is now on the public site."))
    return redirect("economy:vacancy_detail", pk=listing.pk)


@login_required
def vacancy_floor_plan_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    return image_response(get_vacancy_for_user(request.user, pk).floor_plan)


# --- Public vacancies ----------------------------------------------------------------------------


def vacancy_public_list_view(request: HttpRequest) -> HttpResponse:
    """Published, available space: open to everyone (the website links here)."""
    return render(
        request,
        "economy/vacancy_public_list.html",
        {"page": _page(request, vacancies_public()), "query": _query_without_page(request)},
    )


def vacancy_public_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request, "economy/vacancy_public_detail.html", {"listing": get_public_vacancy(pk)}
    )


def vacancy_public_floor_plan_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    return image_response(get_public_vacancy(pk).floor_plan)


# --- Leads -------------------------------------------------------------------------------------


@login_required
def lead_list_view(request: HttpRequest) -> HttpResponse:
    """Leads under the user's node with the funnel above them."""
    _require_scope(request)
    leads = leads_visible_to(request.user)
    rows = leads.select_related("node", "industry", "owner").order_by("-created_at", "-pk")
    stage = request.GET.get("stage")
    if stage in LeadStage.values:
        rows = rows.filter(stage=stage)
    funnel = lead_funnel(leads)
    top = max((r["reached"] for r in funnel), default=0) or 1
    for row in funnel:
        row["width"] = round(100 * row["reached"] / top) if row["stage"] != "lost" else 0
    return render(
        request,
        "economy/lead_list.html",
        {
            "page": _page(request, rows),
            "funnel": funnel,
            "stage": stage,
            "can_write": bool(investment_paths(request.user, write=True)),
            "query": _query_without_page(request),
        },
    )


def _lead_values(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in LEAD_KEYS}


@login_required
@require_http_methods(["GET", "POST"])
def lead_create_view(request: HttpRequest) -> HttpResponse:
    _require_scope(request, write=True)
    form = LeadForm(request.POST or None, nodes=investment_nodes_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            values = _lead_values(data)
            lead = services.lead_create(actor=request.user, company=data["company"], **values)
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The lead has been saved."))
            return redirect("economy:lead_detail", pk=lead.pk)
    status = 400 if form.errors else 200
    return render(request, "economy/lead_form.html", {"form": form}, status=status)


@login_required
def lead_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead, its stage and the vacant space that fits it best."""
    lead = get_lead_for_user(request.user, pk)
    can_write = leads_visible_to(request.user, write=True).filter(pk=pk).exists()
    matches = lead_matches(
        lead, vacancies_visible_to(request.user), today=timezone.localdate(), limit=10
    )
    return render(
        request,
        "economy/lead_detail.html",
        {
            "lead": lead,
            "matches": matches,
            "can_write": can_write,
            "stage_form": LeadStageForm(initial={"stage": lead.stage}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk, write=True)
    initial = {"company": lead.company, **{k: getattr(lead, k) for k in LEAD_KEYS}}
    form = LeadForm(request.POST or None, nodes=investment_nodes_for(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lead_update(
                actor=request.user, lead=lead, company=data["company"], **_lead_values(data)
            )
        except ApplicationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The lead has been saved."))
            return redirect("economy:lead_detail", pk=lead.pk)
    status = 400 if form.errors else 200
    return render(request, "economy/lead_form.html", {"form": form, "lead": lead}, status=status)


@login_required
@require_POST
def lead_stage_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk, write=True)
    form = LeadStageForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Unknown stage."), code="unknown_stage")
    services.lead_stage_change(
        actor=request.user,
        lead=lead,
        stage=form.cleaned_data["stage"],
        lost_reason=form.cleaned_data["lost_reason"],
    )
    messages.success(request, _("The stage has been changed."))
    return redirect("economy:lead_detail", pk=lead.pk)
