"""Working-day arithmetic on the Chinese calendar (statutory holidays and 调休 make-up days).

Time limits of government services count working days *from the next day* (DESIGN.md §8): a
request accepted on Friday with a limit of 1 working day is due on Monday. 补正 (missing
documents) stops the clock; it restarts from the day after the documents arrive. Years the
chinese-calendar package has no data for fall back to Monday–Friday.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    """True on a working day: Monday–Friday that is not a statutory holiday, or a weekend day
    that is a make-up workday (调休)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


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
