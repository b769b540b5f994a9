"""The notification pages (phone first): the inbox with its filters, opening an item, mark
read / mark all read, the preferences, and the system admin's page of failing deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from louyu.notifications import selectors, services
from louyu.notifications.filtersets import (
    DeliveryFilterSet,
    NotificationFilterSet,
    kind_choices,
)
from louyu.notifications.forms import ProfileForm, preference_choices
from louyu.notifications.models import PERSONAL_CHANNELS, Delivery, NotificationProfile
from louyu.notifications.registry import notification_kinds


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, filtered by unread / kind / pillar."""
    filterset = NotificationFilterSet(
        request.GET or None, queryset=selectors.notification_list(request.user), request=request
    )
    page = Paginator(filterset.qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "filterset": filterset,
            "page": page,
            "query": _query_without_page(request),
            "unread": selectors.unread_count(request.user),
            "kinds": kind_choices(),
            "is_delivery_admin": services.is_delivery_admin(request.user),
        },
    )


def _safe_next(request: HttpRequest, url: str) -> bool:
    return services.url_is_local(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and open its object. A GET, as a link must be (opening an
    item is reading it); only a same-site path is followed, anything else lands on the inbox."""
    notification = selectors.get_notification_for_user(request.user, pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if notification.url and _safe_next(request, notification.url):
        return redirect(notification.url)
    return redirect("notifications:inbox")


def _back(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    if back and _safe_next(request, back):
        return redirect(back)
    return redirect("notifications:inbox")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.get_notification_for_user(request.user, pk, write=True)
    services.notification_mark_read(actor=request.user, notification=notification)
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    changed = services.notifications_mark_all_read(
        actor=request.user, kind=request.POST.get("kind") or None
    )
    messages.success(request, _("%(count)d notifications marked read.") % {"count": changed})
    return _back(request)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Each kind × channel on or off (in-app always on), e-mail now or as a daily digest, and
    the work-message account."""
    kinds = notification_kinds()
    keys = [(k.key, c.value) for k in kinds for c in PERSONAL_CHANNELS]
    user: Any = request.user
    profile = NotificationProfile.objects.filter(user=user).first()
    initial = {
        "digest": profile.digest if profile else NotificationProfile.Digest.IMMEDIATE,
        "work_account": profile.work_account if profile else "",
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            actor=request.user, choices=preference_choices(request.POST, keys)
        )
        if form.cleaned_data != initial:
            services.profile_set(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    table = services.channels_table(request.user)
    rows = [
        {
            "kind": k,
            "cells": [
                {
                    "channel": c,
                    "name": f"pref-{k.key}-{c.value}",
                    "on": table[(k.key, c.value)],
                    "locked": c.value == "inapp",
                }
                for c in PERSONAL_CHANNELS
            ],
        }
        for k in kinds
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "rows": rows, "channels": PERSONAL_CHANNELS},
    )


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """The system admin's view of deliveries: what failed, why, and what was given up."""
    queryset = selectors.deliveries_for_admin(request.user)
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = Delivery.State.GAVE_UP
    filterset = DeliveryFilterSet(data, queryset=queryset, request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    counts = selectors.delivery_state_counts()
    return render(
        request,
        "notifications/deliveries.html",
        {
            "filterset": filterset,
            "page": page,
            "query": _query_without_page(request),
            "counts": counts,
        },
    )


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = selectors.get_delivery_for_user(request.user, pk, write=True)
    services.delivery_retry_now(actor=request.user, delivery=delivery)
    messages.success(request, _("The delivery will be sent again."))
    return redirect("notifications:deliveries")
