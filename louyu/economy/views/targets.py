"""The yearly target set (目标楼宇, /economy/targets/?year=YYYY): the district office sees the
year's target buildings by street and building community, adds one (found by name or pinyin),
removes one with a reason, copies last year's set, and reads the year's change history. Everyone
else gets 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from louyu.core.exceptions import ApplicationError
from louyu.economy import services
from louyu.economy.selectors.targets import (
    get_target_building_for_user,
    target_candidates,
    target_groups,
    target_history,
    target_paths_for_user,
    target_years,
    tax_years_without_targets,
)

ACTIONS = {
    "targetbuilding.add": _("Added"),
    "targetbuilding.remove": _("Removed"),
    "targetbuilding.copy": _("Copied from another year"),
    "targetbuilding.replace": _("Set replaced"),
}


class TargetChangeForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    building = forms.IntegerField()
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TargetCopyForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    from_year = forms.IntegerField(min_value=2000, max_value=2100)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


def _year(raw: str | None) -> int:
    try:
        year = int(raw or "")
    except ValueError:
        years = target_years()
        return years[-1] if years else timezone.localdate().year
    return min(max(year, 2000), 2100)


def _page_url(year: int) -> str:
    return f"{reverse('economy:targets')}?year={year}"


@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    paths = target_paths_for_user(request.user)
    year = _year(request.GET.get("year"))
    query = (request.GET.get("q") or "").strip()
    groups = target_groups(year=year, paths=paths)
    today = timezone.localdate().year
    # The years that have a set or tax, this year and the next, and the shown year's neighbours
    # (the year after the newest set is the one usually being prepared).
    known = target_years()
    years = sorted(
        {*known, *tax_years_without_targets(), today, today + 1, year - 1, year, year + 1}
        | ({known[-1] + 1} if known else set())
    )
    years = [y for y in years if 2000 <= y <= 2100]
    history = [
        {
            "entry": entry,
            "action": ACTIONS.get(entry.action, entry.action),
            "after": entry.after or {},
        }
        for entry in target_history(year=year)
    ]
    return render(
        request,
        "economy/targets.html",
        {
            "year": year,
            "years": list(reversed(years)),
            "groups": groups,
            "count": sum(len(g["buildings"]) for g in groups),
            "query": query,
            "candidates": target_candidates(year=year, paths=paths, query=query) if query else [],
            "previous_year": year - 1,
            "history": history,
        },
    )


def _run(request: HttpRequest, year: int, action: Any) -> None:
    try:
        message = action()
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, message)


def _target_change(request: HttpRequest, service: Any, done: str) -> HttpResponse:
    """Add or remove one building of a year's set: the form, the building through its access
    helper, the service, and `done` (with the name and year) as the message."""
    target_paths_for_user(request.user)
    form = TargetChangeForm(request.POST)
    year = _year(request.POST.get("year"))
    if not form.is_valid():
        messages.error(request, gettext("Give the reason for the change."))
        return redirect(_page_url(year))
    building = get_target_building_for_user(request.user, form.cleaned_data["building"])

    def change() -> str:
        service(
            actor=request.user, year=year, building=building, reason=form.cleaned_data["reason"]
        )
        return done % {"name": building.name, "year": year}

    _run(request, year, change)
    return redirect(_page_url(year))


@login_required
@require_POST
def target_add_view(request: HttpRequest) -> HttpResponse:
    return _target_change(
        request,
        services.target_add,
        gettext("%(name)s is now a target building of %(year)s."),
    )


@login_required
@require_POST
def target_remove_view(request: HttpRequest) -> HttpResponse:
    return _target_change(
        request,
        services.target_remove,
        gettext("%(name)s is no longer a target building of %(year)s."),
    )


@login_required
@require_POST
def target_copy_view(request: HttpRequest) -> HttpResponse:
    target_paths_for_user(request.user)
    form = TargetCopyForm(request.POST)
    year = _year(request.POST.get("year"))
    if not form.is_valid():
        messages.error(request, gettext("Choose a year between 2000 and 2100."))
        return redirect(_page_url(year))
    data = form.cleaned_data

    def copy() -> str:
        added = services.target_set_copy(
            actor=request.user, from_year=data["from_year"], to_year=year, reason=data["reason"]
        )
        return gettext("%(count)s target buildings of %(from)s were added to %(year)s.") % {
            "count": added,
            "from": data["from_year"],
            "year": year,
        }

    _run(request, year, copy)
    return redirect(_page_url(year))
