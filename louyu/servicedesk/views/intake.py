"""The Open311 intake queue (issue 12): submissions whose location matched no building wait
here, as the client gave them, until a clerk of the right community places them in a building,
which files the request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from louyu.api.open311.selectors import get_intake_for_user, intake_list, placeable_buildings
from louyu.api.open311.services import open311_submission_place
from louyu.core.exceptions import ApplicationError

PAGE_SIZE = 20


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    """Every unplaced submission of the user's jurisdiction, each with the buildings the
    user may place it in (none for a street or district officer: only a clerk files)."""
    from louyu.accounts.models import SERVICE_CENTER_ROLES, Role

    roles = request.user.roles()  # type: ignore[union-attr]
    if not roles & {*SERVICE_CENTER_ROLES, Role.STREET_CADRE, Role.DISTRICT_OFFICER}:
        raise Http404
    page = Paginator(intake_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (record, list(placeable_buildings(request.user, record.jurisdiction)))
        for record in page.object_list
    ]
    return render(request, "servicedesk/intake.html", {"rows": rows, "page": page})


@login_required
@require_POST
def intake_place(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_intake_for_user(request.user, pk)
    assert record.jurisdiction is not None
    chosen = request.POST.get("building", "")
    buildings = placeable_buildings(request.user, record.jurisdiction)
    building = buildings.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if building is None:
        messages.error(request, _("Choose one of the buildings listed."))
        return redirect("servicedesk:intake")
    try:
        filed = open311_submission_place(actor=request.user, record=record, building=building)
    except ApplicationError as error:
        messages.error(request, str(error))
        return redirect("servicedesk:intake")
    messages.success(
        request,
        _("Placed in %(building)s as %(number)s.")
        % {"building": building.name, "number": filed.number},
    )
    return redirect("servicedesk:request_detail", filed.pk)
