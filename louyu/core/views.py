"""Operational endpoints of the core app, and the system admin's holiday calendar."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from louyu.core import selectors, services
from louyu.core.exceptions import ApplicationError
from louyu.core.forms import (
    CalendarDayForm,
    CalendarDeleteForm,
    CalendarImportForm,
    calendar_file_rows,
)
from louyu.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def _check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _check_cache() -> bool:
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    ok = cache.get(key) == value
    cache.delete(key)
    return ok


def _check_worker() -> bool:
    fresh_since = timezone.now() - timedelta(seconds=settings.LOUYU_WORKER_STALE_SECONDS)
    return WorkerHeartbeat.objects.filter(last_seen__gte=fresh_since).exists()


CHECKS: dict[str, Callable[[], bool]] = {
    "database": _check_database,
    "cache": _check_cache,
    "worker": _check_worker,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, the cache round-trips and a worker beat recently; else 503
    naming the failing parts. Public, so it says which part failed and never why."""
    checks = {}
    for name, check in CHECKS.items():
        try:
            ok = check()
        except Exception:
            logger.exception("healthz: %s check failed", name)
            ok = False
        checks[name] = "ok" if ok else "error"
    failing = [name for name, state in checks.items() if state != "ok"]
    if failing:
        return JsonResponse({"status": "error", "failing": failing, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


# --- The holiday calendar (issue #12) --------------------------------------------------------

CALENDAR_PERMISSION = "core.change_calendarday"
# A holiday arrangement is a few dozen rows; anything much larger is not one.
CALENDAR_MAX_UPLOAD = 512 * 1024


def _calendar_admin(request: HttpRequest) -> None:
    if not request.user.has_perm(CALENDAR_PERMISSION):
        raise Http404


def _calendar_year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or 0)
    except ValueError:
        year = 0
    return year if 1990 <= year <= 2100 else timezone.localdate().year


@login_required
@require_http_methods(["GET", "POST"])
def holiday_calendar(request: HttpRequest) -> HttpResponse:
    """节假日安排: a year's holidays and make-up workdays, with forms to set or remove a date and
    to import a whole year (system admin only; everyone else gets 404)."""
    _calendar_admin(request)
    year = _calendar_year(request)
    day_form = CalendarDayForm(prefix="day")
    import_form = CalendarImportForm(prefix="import")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "save":
                day_form = CalendarDayForm(request.POST, prefix="day")
                if day_form.is_valid():
                    data = day_form.cleaned_data
                    row, moved = services.calendar_day_save(
                        actor=request.user,
                        day=data["day"],
                        kind=data["kind"],
                        name=data["name"],
                        source=data["source"],
                    )
                    messages.success(request, _calendar_saved(str(row), moved))
                    return redirect(f"{reverse('core:holidays')}?year={row.day.year}")
            elif action == "delete":
                delete_form = CalendarDeleteForm(request.POST)
                if delete_form.is_valid():
                    day = delete_form.cleaned_data["day"]
                    moved = services.calendar_day_delete(actor=request.user, day=day)
                    messages.success(request, _calendar_saved(day.isoformat(), moved))
                    return redirect(f"{reverse('core:holidays')}?year={day.year}")
            elif action == "import":
                import_form = CalendarImportForm(request.POST, request.FILES, prefix="import")
                if import_form.is_valid():
                    upload = import_form.cleaned_data["file"]
                    if upload.size > CALENDAR_MAX_UPLOAD:
                        raise ApplicationError(
                            _("The file is too large for a holiday arrangement (512 KB at most)."),
                            code="invalid",
                        )
                    imported, days, moved = services.calendar_year_import(
                        actor=request.user,
                        rows=calendar_file_rows(upload.read(), upload.name),
                        source=import_form.cleaned_data["source"],
                    )
                    messages.success(
                        request,
                        _calendar_saved(
                            _("%(year)s: %(count)s dates") % {"year": imported, "count": len(days)},
                            moved,
                        ),
                    )
                    return redirect(f"{reverse('core:holidays')}?year={imported}")
        except ApplicationError as error:
            errors = (error.extra or {}).get("errors") or [str(error)]
            target = import_form if action == "import" else day_form
            for message in errors:
                target.add_error(None, message)
        status = 400
    rows = selectors.calendar_year(year)
    return render(
        request,
        "core/holidays.html",
        {
            "year": year,
            "rows": rows,
            "holidays": sum(not row.is_workday for row in rows),
            "workdays": sum(row.is_workday for row in rows),
            "status": selectors.calendar_year_status(year),
            "years": range(timezone.localdate().year - 3, timezone.localdate().year + 3),
            "day_form": day_form,
            "import_form": import_form,
        },
        status=status,
    )


def _calendar_saved(what: str, moved: int) -> str:
    return _("Saved: %(what)s. Open deadlines moved: %(count)s.") % {"what": what, "count": moved}


# --- Error pages (issue 12) ---------------------------------------------------------------


# What an error page says for the statuses views answer without a page of their own.
ERROR_PAGES = {
    400: (
        gettext_lazy("Bad request"),
        gettext_lazy("The request could not be understood. Please check the address."),
    ),
    403: (
        gettext_lazy("Access denied"),
        gettext_lazy(
            "You are not allowed to do this. If you think you should be, ask your system "
            "administrator."
        ),
    ),
    404: (
        gettext_lazy("Page not found"),
        gettext_lazy("The page does not exist, or you do not have access to it."),
    ),
    405: (
        gettext_lazy("This address cannot be opened this way"),
        gettext_lazy(
            "This address only accepts a form being sent. Go back and use the page's buttons."
        ),
    ),
    413: (
        gettext_lazy("Request too large"),
        gettext_lazy("What you sent is larger than the platform accepts."),
    ),
    429: (gettext_lazy("Too many requests"), gettext_lazy("Please wait a moment and try again.")),
}
GENERIC_ERROR = (gettext_lazy("Error"), gettext_lazy("The request could not be completed."))


def error_page(
    request: HttpRequest, status: int, *, headers: HttpResponse | None = None
) -> HttpResponse:
    """The platform's error page for `status`; headers such as Allow and Retry-After carry over."""
    title, message = ERROR_PAGES.get(status, GENERIC_ERROR)
    if not hasattr(request, "user"):  # refused before authentication (a bad Host header)
        request.user = AnonymousUser()
    page = render(
        request, "error.html", {"title": title, "message": message, "status": status}, status=status
    )
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if headers is not None and headers.has_header(name):
            page[name] = headers[name]
    return page
