"""Building and enterprise lists and archives (一楼一档, 一企一档).

The building directory is public (no tax); archives are for those whose jurisdiction holds the
building or enterprise (404 for everyone else); tax amounts only for the tax viewers of
`selectors.tax_scope_paths` and, for its own enterprise, the enterprise's contact.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from louyu.accounts.models import Membership, Role
from louyu.core.exceptions import ApplicationError
from louyu.core.uploads import image_response
from louyu.economy.exports import Column, export_params, export_response
from louyu.economy.filtersets import BuildingFilterSet, EnterpriseFilterSet
from louyu.economy.forms import FigureForm
from louyu.economy.models import (
    BuildingPhoto,
    Enterprise,
    Floor,
    Industry,
    Occupancy,
    TargetBuilding,
)
from louyu.economy.selectors import (
    Definition,
    archive_scope_paths,
    building_directory,
    building_enterprise_tax,
    building_indicators,
    building_moves,
    building_tax_history,
    enterprise_personal_visible,
    enterprise_tax_by_year,
    enterprise_tax_visible,
    enterprises_visible_to,
    get_building_for_user,
    get_enterprise_for_user,
    tax_concentration,
    tax_scope_paths,
    tier_of,
)
from louyu.economy.services import building_photo_add as building_photo_add_service
from louyu.economy.services import building_photo_delete as building_photo_delete_service
from louyu.lib.money import ratio

PAGE_SIZE = 25
TIER_LABELS = {
    "10b": _("10-billion building"),
    "1b": _("Billion building"),
    "100m": _("100-million building"),
    "10m": _("10-million building"),
}


def _covered(path: str, roots: list[str]) -> bool:
    return any(path.startswith(root) for root in roots)


def _page(request: HttpRequest, queryset: Any) -> Page:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def mask_name(name: str) -> str:
    """孙浩然 → 孙*然, 张三 → 张*: personal names are masked for roles not cleared."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --- Buildings -------------------------------------------------------------------------------


def _building_rows(request: HttpRequest) -> tuple[BuildingFilterSet, FigureForm, Definition, Any]:
    figures = FigureForm(request.GET)
    year, definition = figures.figures()
    tax_paths = tax_scope_paths(request.user)
    queryset = building_directory(
        request.user, year=year or 0, definition=definition, tax_paths=tax_paths
    )
    filterset = BuildingFilterSet(request.GET, queryset=queryset, request=request)
    if not tax_paths:
        # Tier and tax order mean nothing (and reveal nothing) without tax figures.
        filterset.form.fields.pop("tier")
        filterset.form.fields["sort"].choices = [
            c for c in filterset.form.fields["sort"].choices if "tax" not in c[0]
        ]
    return filterset, figures, definition, tax_paths


def building_list(request: HttpRequest) -> HttpResponse:
    """The building directory: public; tax figures only where the user may see them."""
    filterset, figures, definition, tax_paths = _building_rows(request)
    page = _page(request, filterset.qs)
    open_paths = archive_scope_paths(request.user)
    rows = [
        {
            "building": building,
            "profile": getattr(building, "profile", None),
            "community": building.parent,
            "street": building.parent.parent if building.parent else None,
            "occupancy": ratio(building.occupied_area or 0, building.unit_area or 0),
            "tax": building.tax,
            "tier": TIER_LABELS.get(tier_of(building.tax)) if building.tax is not None else "",
            "can_open": _covered(building.path, open_paths),
        }
        for building in page
    ]
    return render(
        request,
        "economy/building_list.html",
        {
            "filterset": filterset,
            "figures": figures,
            "year": figures.figures()[0],
            "definition": definition,
            "show_tax": bool(tax_paths),
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
        },
    )


def building_export(request: HttpRequest) -> HttpResponse:
    """The directory as it is filtered, as .xlsx or CSV (tax only for tax viewers)."""
    fmt, unit = export_params(request.GET)
    filterset, figures, definition, tax_paths = _building_rows(request)
    year = figures.figures()[0]
    columns = [
        Column("name", _("Building")),
        Column("parent.parent.name", _("Street")),
        Column("parent.name", _("Building community")),
        Column("profile.address", _("Address")),
        Column(lambda b: b.profile.get_grade_display() if _profile(b) else "", _("Grade")),
        Column("profile.gross_floor_area", _("Gross floor area (m²)"), "number"),
        Column(lambda b: ratio(b.occupied_area or 0, b.unit_area or 0), _("Occupancy"), "ratio"),
    ]
    if tax_paths:
        columns.append(Column("tax", _("Tax"), "money"))
    return export_response(
        actor=request.user if request.user.is_authenticated else None,
        rows=filterset.qs,
        columns=columns,
        filename=f"{_('Building directory')}-{year}" if tax_paths else str(_("Building directory")),
        fmt=fmt,
        unit=unit,
        kind="economy.buildings",
        definition=definition if tax_paths else None,
        filters={k: v for k, v in request.GET.items() if k not in ("format", "unit")},
    )


def _profile(building: Any) -> Any:
    return getattr(building, "profile", None)


@login_required
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """一楼一档: profile, floors and units, enterprises now, tax by year (tax viewers only),
    indicators, moves by month and the per-floor vacancy map."""
    building = get_building_for_user(request.user, pk)
    figures = FigureForm(request.GET)
    year, definition = figures.figures()
    today = timezone.localdate()
    show_tax = _covered(building.path, tax_scope_paths(request.user))
    floors = Floor.objects.filter(building=building).prefetch_related("units").order_by("-number")
    occupancies = (
        Occupancy.objects.active_on(today)
        .filter(building=building)
        .select_related("enterprise", "enterprise__industry")
        .prefetch_related("units")
        .order_by("enterprise__search_names")
    )
    visible = set(
        enterprises_visible_to(request.user).filter(building=building).values_list("pk", flat=True)
    )
    moves_year = year or today.year
    indicators = building_indicators(building, on=today)
    dominant = Industry.objects.filter(code=indicators["dominant_industry"]).first()
    context: dict[str, Any] = {
        "building": building,
        "profile": _profile(building),
        "photos": building.photos.all(),
        "ancestors": building.parent and [building.parent.parent, building.parent],
        "target_years": list(
            TargetBuilding.objects.filter(building=building).values_list("year", flat=True)
        ),
        "floors": floors,
        "occupancies": occupancies,
        "visible_enterprises": visible,
        "indicators": indicators,
        "dominant_industry": str(dominant) if dominant else indicators["dominant_industry"],
        "moves": building_moves(building, year=moves_year),
        "moves_year": moves_year,
        "today": today,
        "figures": figures,
        "year": year,
        "definition": definition,
        "show_tax": show_tax,
    }
    if show_tax:
        history = building_tax_history(building, definition=definition)
        for row in history:
            row["tier_label"] = TIER_LABELS.get(row["tier"], "")
        context["tax_history"] = history
        if year:
            enterprises = building_enterprise_tax(building, year=year, definition=definition)
            context["enterprise_tax"] = enterprises
            context["export_query"] = urlencode(
                [
                    ("table", "drill"),
                    ("node", building.pk),
                    ("year", year),
                    ("definition", definition.key),
                ]
            )
            context["top5_share"] = tax_concentration(enterprises)
    return render(request, "economy/building_detail.html", context)


# --- Enterprises -----------------------------------------------------------------------------


def _enterprise_filterset(request: HttpRequest) -> EnterpriseFilterSet:
    """Enterprise lists are for the government staff who keep archives (404 for others)."""
    if not request.user.is_authenticated or not archive_scope_paths(request.user):
        raise Http404
    queryset = enterprises_visible_to(request.user).select_related(
        "industry", "building", "building__parent", "building__parent__parent"
    )
    return EnterpriseFilterSet(request.GET, queryset=queryset, request=request)


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    filterset = _enterprise_filterset(request)
    page = _page(request, filterset.qs)
    return render(
        request,
        "economy/enterprise_list.html",
        {"filterset": filterset, "page": page, "query": _query_without_page(request)},
    )


@login_required
def enterprise_export(request: HttpRequest) -> HttpResponse:
    fmt, unit = export_params(request.GET)
    filterset = _enterprise_filterset(request)
    columns = [
        Column("credit_code", _("Unified social credit code"), "id"),
        Column("name", _("Name")),
        Column(lambda e: e.get_organization_type_display(), _("Organization type")),
        Column(lambda e: str(e.industry) if e.industry else "", _("Industry")),
        Column("building.name", _("Building")),
        Column("registered_address", _("Registered address")),
        Column("registered_in_district", _("Registered in the district"), "bool"),
        Column("tax_in_district", _("Pays tax in the district"), "bool"),
        Column("employees", _("Employees"), "int"),
        Column("registered_capital", _("Registered capital (yuan)"), "number"),
        Column("founded_on", _("Founding date"), "date"),
        Column(lambda e: e.get_status_display(), _("Status")),
    ]
    return export_response(
        actor=request.user,
        rows=filterset.qs,
        columns=columns,
        filename=str(_("Enterprises")),
        fmt=fmt,
        unit=unit,
        kind="economy.enterprises",
        filters={k: v for k, v in request.GET.items() if k not in ("format", "unit")},
    )


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """一企一档: identity, industry, addresses and flags, legal representative (masked unless
    cleared), contacts (phones masked), occupancy history and tax by year (if allowed)."""
    enterprise = get_enterprise_for_user(request.user, pk)
    enterprise = Enterprise.objects.select_related(
        "industry", "building", "building__parent", "building__parent__parent"
    ).get(pk=enterprise.pk)
    figures = FigureForm(request.GET)
    _year, definition = figures.figures()
    cleared = enterprise_personal_visible(request.user, enterprise)
    memberships = Membership.objects.filter(
        role=Role.ENTERPRISE_CONTACT,
        scope_type=ContentType.objects.get_for_model(Enterprise),
        scope_id=enterprise.pk,
    ).select_related("user")
    contacts = [
        {
            "name": m.user.display_name if cleared else mask_name(m.user.display_name),
            "phone": m.user.masked_phone,
            "title": m.title,
        }
        for m in memberships
    ]
    history = list(
        Occupancy.objects.filter(enterprise=enterprise)
        .select_related("building")
        .prefetch_related("units")
        .order_by("start", "pk")
    )
    moves: list[dict[str, Any]] = []
    for occupancy in history:
        moves.append({"day": occupancy.start, "kind": "in", "occupancy": occupancy})
        if occupancy.end:
            moves.append({"day": occupancy.end, "kind": "out", "occupancy": occupancy})
    moves.sort(key=lambda m: m["day"])
    show_tax = enterprise_tax_visible(request.user, enterprise)
    legal = enterprise.legal_representative
    return render(
        request,
        "economy/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "legal_representative": legal if cleared else mask_name(legal),
            "cleared": cleared,
            "contacts": contacts,
            "occupancies": history,
            "moves": moves,
            "today": timezone.localdate(),
            "figures": figures,
            "definition": definition,
            "show_tax": show_tax,
            "tax_rows": enterprise_tax_by_year(enterprise, definition=definition)
            if show_tax
            else [],
        },
    )


# --- Building photos (一楼一档) -------------------------------------------------------------


@login_required
@require_POST
def building_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    building = get_building_for_user(request.user, pk)
    upload = request.FILES.get("image")
    if upload is None:
        messages.error(request, _("Choose a photo to upload."))
    else:
        try:
            building_photo_add_service(
                actor=request.user,
                building=building,
                upload=upload,
                caption=request.POST.get("caption", ""),
            )
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The photo is in the archive."))
    return redirect(f"{reverse('economy:building_detail', args=[building.pk])}#photos")


@login_required
def building_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    building = get_building_for_user(request.user, pk)
    return image_response(get_object_or_404(BuildingPhoto, building=building, pk=photo_pk).image)


@login_required
@require_POST
def building_photo_delete(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    building = get_building_for_user(request.user, pk)
    photo = get_object_or_404(BuildingPhoto, building=building, pk=photo_pk)
    building_photo_delete_service(actor=request.user, photo=photo)
    messages.success(request, _("The photo was removed."))
    return redirect(f"{reverse('economy:building_detail', args=[building.pk])}#photos")
