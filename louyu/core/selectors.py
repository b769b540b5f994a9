"""Reads of the jurisdiction tree (and its access helper) and of the holiday calendar."""

from datetime import date
from typing import Any

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from louyu.core.models import CalendarDay, Node
from louyu.lib.workdays import PACKAGE_YEARS, Arrangement, arrangement, is_fallback_year


def get_node_for_user(user: Any, pk: int, *, write: bool = False) -> Node:
    """The node if the user may see it (or, with write=True, change it); 404 otherwise —
    also when it exists but is not the user's."""
    queryset = Node.objects.visible_to(user)
    if write and not user.has_perm("core.change_node"):
        raise Http404
    try:
        return queryset.get(pk=pk)
    except Node.DoesNotExist as exc:
        raise Http404 from exc


# --- The holiday calendar (issue #12) --------------------------------------------------------

CALENDAR_STAMP_KEY = "core:calendar:stamp"


def calendar_arrangement() -> Arrangement:
    """The platform's holiday calendar as `lib.workdays` uses it (one query)."""
    days = dict(
        (day, kind == CalendarDay.Kind.WORKDAY)
        for day, kind in CalendarDay.objects.values_list("day", "kind")
    )
    return Arrangement(days=days, years=frozenset(day.year for day in days))


def calendar_stamp() -> Any:
    """The shared mark that changes whenever any process edits the calendar."""
    return cache.get(CALENDAR_STAMP_KEY)


def calendar_year(year: int) -> list[CalendarDay]:
    """A year's holidays and make-up workdays, in date order."""
    return list(CalendarDay.objects.filter(day__year=year).select_related("updated_by"))


def calendar_year_status(year: int) -> str:
    """Where a year's working days come from: "platform", "package" or "fallback"."""
    if year in arrangement().years:
        return "platform"
    if year in PACKAGE_YEARS:
        return "package"
    return "fallback"


def calendar_missing_year(today: date | None = None) -> int | None:
    """The year whose arrangement the system admin should import now: this year when it is a
    fallback year, or next year from 1 November on (when the State Council has usually
    published it); None when nothing is missing."""
    today = today or timezone.localdate()
    if is_fallback_year(today.year):
        return today.year
    if today.month >= 11 and is_fallback_year(today.year + 1):
        return today.year + 1
    return None
