"""Excel in and out (issue #3): the import pages (upload → dry run with progress → preview or
every error → confirm → progress → result), template downloads, and exports of the ranking and
drill-down reports with the same query and scope as the API.

Who may import: the district office (everything under its district) and street cadres (their
street only: buildings of their communities, units, occupancies and enterprises of their
buildings, tax of those enterprises). Everyone else gets 404, as for a page that is not theirs.
Reports export tax amounts only to those `tax_scope_for_user` lets see them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from louyu.accounts.models import Membership, Role
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.economy.exports import Column, export_params, export_response
from louyu.economy.imports import KINDS, SPECS, ImportResult
from louyu.economy.imports.jobs import job_confirm, job_for_user, job_start
from louyu.economy.imports.template import template_bytes, template_filename
from louyu.economy.selectors import (
    TIERS,
    building_tax_ranking,
    definition_get,
    economy_breakdown,
    ranking_row,
    tax_scope_for_user,
)
from louyu.lib.tables import EXTENSIONS

IMPORT_ROLES = (Role.DISTRICT_OFFICER, Role.STREET_CADRE)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ACTIONS = {"create": _("New"), "update": _("Changed"), "unchanged": _("Unchanged")}
PHASES = {
    "": _("Waiting for a worker"),
    "reading": _("Reading the file"),
    "checking": _("Checking rows"),
    "writing": _("Writing"),
    "done": _("Done"),
}


def import_paths(user: Any) -> list[str]:
    """Paths under which the user may import (district officer, street cadre); 404 if none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404
    node_ids = Membership.objects.filter(user=user).of_role(*IMPORT_ROLES).scope_ids(Node)
    paths = sorted(Node.objects.filter(pk__in=node_ids).values_list("path", flat=True))
    if not paths:
        raise Http404
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What to import"), choices=[(k, SPECS[k].title) for k in KINDS]
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(".xlsx, or CSV in UTF-8 or GB18030; at most 50 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    """The upload form; a valid upload starts a dry run and goes to its progress page."""
    paths = import_paths(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job_id = job_start(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            filename=upload.name,
            data=upload.read(),
            paths=paths,
        )
        return redirect("economy:import_job", job_id=job_id)
    templates = [(k, SPECS[k].title, SPECS[k].key_note) for k in KINDS]
    limits = {
        "megabytes": settings.LOUYU_IMPORT_MAX_BYTES // 2**20,
        "rows": f"{settings.LOUYU_IMPORT_MAX_ROWS:,}",
        "columns": settings.LOUYU_IMPORT_MAX_COLUMNS,
        "cells": f"{settings.LOUYU_IMPORT_MAX_CELLS:,}",
    }
    return render(
        request,
        "economy/import_form.html",
        {"form": form, "templates": templates, "limits": limits},
    )


def _job_context(state: dict[str, Any]) -> dict[str, Any]:
    result = ImportResult.from_dict(state["result"]) if state.get("result") else None
    total = state.get("total") or 0
    percent = int(100 * state.get("done", 0) / total) if total else 0
    preview = []
    if result is not None:
        for line in result.preview:
            cells = [line["values"].get(c, "") for c in result.columns]
            preview.append({"row": line["row"], "action": ACTIONS[line["action"]], "cells": cells})
    return {
        "job": state,
        "spec": SPECS[state["kind"]],
        "result": result,
        "preview": preview,
        "finished": state["status"] in ("finished", "failed"),
        "percent": percent if state["status"] not in ("finished", "failed") else 100,
        "phase": PHASES.get(state.get("phase") or "", ""),
    }


@login_required
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """A job's page: the progress bar until it is done, then the preview or the errors."""
    import_paths(request.user)
    state = job_for_user(job_id, request.user)
    return render(request, "economy/import_job.html", _job_context(state))


@login_required
def import_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """The progress fragment htmx polls every second; once done it stops polling and shows the
    result."""
    import_paths(request.user)
    state = job_for_user(job_id, request.user)
    return render(request, "economy/import_progress.html", _job_context(state))


@login_required
@require_POST
def import_confirm(request: HttpRequest, job_id: str) -> HttpResponse:
    """Import for real the file a clean dry run checked."""
    import_paths(request.user)
    new_id = job_confirm(job_id=job_id, user=request.user)
    return redirect("economy:import_job", job_id=new_id)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """The blank .xlsx template of one kind."""
    import_paths(request.user)
    if kind not in SPECS:
        raise Http404
    response = HttpResponse(
        template_bytes(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, template_filename(kind))
    return response


# --- Report exports ---------------------------------------------------------------------------


class FigureQueryForm(forms.Form):
    """`?year=2013&definition=total&street=<id>&community=<id>` as in the economy API."""

    year = forms.IntegerField(min_value=1949, max_value=2100)
    definition = forms.CharField(required=False)
    street = forms.IntegerField(min_value=1, required=False)
    community = forms.IntegerField(min_value=1, required=False)


def _figure_query(request: HttpRequest) -> tuple[int, Any, list[str], dict[str, Any]]:
    form = FigureQueryForm(request.GET)
    if not form.is_valid():
        raise ApplicationError(_("Give the year, e.g. ?year=2013."), code="invalid_query")
    data = form.cleaned_data
    paths = tax_scope_for_user(request.user, street=data["street"], community=data["community"])
    return data["year"], definition_get(data["definition"] or None), paths, data


TIER_LABELS = {tier.key: tier.name for tier in TIERS}


@login_required
def export_ranking(request: HttpRequest) -> HttpResponse:
    """The ranking of target buildings (as GET /api/v1/economy/ranking/) as .xlsx or CSV."""
    fmt, unit = export_params(request.GET)
    year, definition, paths, data = _figure_query(request)
    rows = [
        ranking_row(row, definition)
        for row in building_tax_ranking(year=year, definition=definition, paths=paths)
    ]
    for row in rows:
        row["tier_label"] = str(TIER_LABELS.get(row["tier"], ""))
        row["near_label"] = str(TIER_LABELS.get(row["near_tier"], ""))
    columns = [
        Column("rank", _("Rank"), "int"),
        Column("building.id", _("Building id"), "id"),
        Column("building.name", _("Building")),
        Column("tax", _("Tax"), "money"),
        Column("previous_tax", _("Tax of the year before"), "money"),
        Column("growth", _("Growth"), "ratio"),
        Column("tier_label", _("Tier")),
        Column("near_label", _("Near the tier")),
        Column("tax_per_m2", _("Tax per m² (yuan)"), "number"),
        Column("tax_per_mu", _("Tax per mu (yuan)"), "number"),
    ]
    return export_response(
        actor=request.user,
        rows=rows,
        columns=columns,
        filename=f"{_t('Building tax ranking')}-{year}",
        fmt=fmt,
        unit=unit,
        kind="economy.ranking",
        definition=definition,
        filters={k: v for k, v in data.items() if v},
    )


@login_required
def export_breakdown(request: HttpRequest) -> HttpResponse:
    """The drill-down one level under the street / community asked for (or the user's scope),
    as GET /api/v1/economy/breakdown/, as .xlsx or CSV."""
    fmt, unit = export_params(request.GET)
    year, definition, paths, data = _figure_query(request)
    node_id = data["community"] or data["street"]
    if node_id is None:
        if len(paths) != 1:
            raise Http404
        node_id = int(paths[0].strip("/").split("/")[-1])
    node = Node.objects.get(pk=node_id)
    rows = economy_breakdown(year=year, definition=definition, node=node, paths=paths)
    columns = [
        Column("node.name", _("Area")),
        Column("building_count", _("Target buildings"), "int"),
        Column("tax_total", _("Tax"), "money"),
        *(Column(f"tiers.{t.key}", t.name, "int") for t in reversed(TIERS)),
    ]
    return export_response(
        actor=request.user,
        rows=rows,
        columns=columns,
        filename=f"{_t('Tax by area')}-{node.name}-{year}",
        fmt=fmt,
        unit=unit,
        kind="economy.breakdown",
        definition=definition,
        filters={k: v for k, v in data.items() if v},
    )
