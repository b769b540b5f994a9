"""Working-day arithmetic on the Chinese calendar (statutory holidays and 调休 make-up days).

Time limits of government services count working days *from the next day* (DESIGN.md §8): a
request accepted on Friday with a limit of 1 working day is due on Monday. 补正 (missing
documents) stops the clock; it restarts from the day after the documents arrive.

Which days are worked comes from one place, in this order (issue #12):
1. the platform's own holiday calendar (`core.CalendarDay`, edited by the system admin and
   seeded from the chinese-calendar package): a year with any row is *arranged*, its other
   days follow the week;
2. the chinese-calendar package, for the years it knows;
3. otherwise the year is a *fallback year*: Monday–Friday are counted as working days, and
   every deadline in or across it is provisional (`is_provisional`).

The platform's rows live in one per-process snapshot. An edit calls `invalidate()` in its own
process and changes a shared stamp (the Django cache: Redis on a cluster); every process reads
the stamp at most every `CHECK_SECONDS` and reloads when it changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import chinese_calendar
from chinese_calendar import constants as _package

ONE_DAY = timedelta(days=1)
# How often a process asks whether another process changed the calendar.
CHECK_SECONDS = 2.0
PACKAGE_YEARS = frozenset(
    range(min(d.year for d in _package.holidays), max(d.year for d in _package.holidays) + 1)
)


@dataclass(frozen=True)
class Arrangement:
    """The platform's holiday calendar: per listed date, whether it is worked; and the years
    those dates arrange."""

    days: Mapping[date, bool]
    years: frozenset[int]


EMPTY = Arrangement(days={}, years=frozenset())


@dataclass
class _Snapshot:
    load: Callable[[], Arrangement] | None = None
    stamp: Callable[[], Any] | None = None
    current: Arrangement | None = None
    seen_stamp: Any = None
    checked_at: float = 0.0


_snapshot = _Snapshot()


def configure(*, load: Callable[[], Arrangement], stamp: Callable[[], Any]) -> None:
    """Where the platform's calendar comes from (core does this in its AppConfig.ready)."""
    _snapshot.load, _snapshot.stamp = load, stamp
    invalidate()


def invalidate() -> None:
    """Forget this process's copy: the next lookup reloads it."""
    _snapshot.current = None


def arrangement() -> Arrangement:
    """This process's copy of the platform's calendar, reloaded when another process changed it."""
    snap = _snapshot
    if snap.load is None:
        return EMPTY
    now = time.monotonic()
    if snap.current is not None and now - snap.checked_at < CHECK_SECONDS:
        return snap.current
    stamp = snap.stamp() if snap.stamp else None
    if snap.current is None or stamp != snap.seen_stamp:
        snap.current = snap.load()
        snap.seen_stamp = stamp
    snap.checked_at = now
    return snap.current


@lru_cache(maxsize=16384)
def _package_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def is_workday(day: date) -> bool:
    """True on a working day: Monday–Friday that is not a statutory holiday, or a weekend day
    that is a make-up workday (调休)."""
    calendar = arrangement()
    listed = calendar.days.get(day)
    if listed is not None:
        return listed
    if day.year in calendar.years:
        return day.weekday() < 5
    return _package_workday(day)


def is_fallback_year(year: int) -> bool:
    """True when neither the platform nor the package knows the year's holidays."""
    return year not in PACKAGE_YEARS and year not in arrangement().years


def is_provisional(start: date, end: date) -> bool:
    """True when a span touches a fallback year: its working-day count may still change."""
    first, last = sorted((start, end))
    return any(is_fallback_year(year) for year in range(first.year, last.year + 1))


def package_days() -> list[tuple[date, bool, str]]:
    """Every date the chinese-calendar package lists: (date, worked, Chinese name), in order —
    the seed of the platform's calendar."""
    names = {holiday.value: holiday.chinese for holiday in chinese_calendar.Holiday}
    days = [(day, False, names.get(name, name)) for day, name in _package.holidays.items()]
    days += [(day, True, names.get(name, name)) for day, name in _package.workdays.items()]
    return sorted(days)


PACKAGE_SOURCE = f"chinese-calendar {chinese_calendar.__version__}（国务院办公厅节假日安排通知）"


def add_workdays(start: date, days: int) -> date:
    """The day on which a limit of `days` working days, counted from the day after `start`, ends.
    `days=0` is `start` itself (done on the spot)."""
    if days < 0:
        raise ValueError("a time limit cannot be negative")
    day = start
    left = days
    while left:
        day += ONE_DAY
        if is_workday(day):
            left -= 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` ≤ `start`)."""
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        if is_workday(day):
            count += 1
    return count


def workdays_left(today: date, due: date) -> int:
    """Working days still available before a deadline: positive before it, 0 on the due day,
    negative (working days overdue) after it."""
    if today <= due:
        return workdays_between(today, due)
    return -workdays_between(due, today)


def deadline_after_resume(documents_received_on: date, days: int) -> date:
    """The new deadline once 补正 documents arrive: the clock restarts from the next day."""
    return add_workdays(documents_received_on, days)
