import importlib
import time
from datetime import date, timedelta

import chinese_calendar
import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from louyu.core.models import CalendarDay
from louyu.core.selectors import CALENDAR_STAMP_KEY
from louyu.lib import workdays
from louyu.lib.workdays import (
    add_workdays,
    deadline_after_resume,
    is_workday,
    workdays_between,
    workdays_left,
)

# The platform's calendar lives in the database (seeded from the package by migration).
pytestmark = pytest.mark.django_db

DAYS = st.dates(min_value=date(2012, 1, 1), max_value=date(2028, 12, 31))
LIMITS = st.integers(min_value=0, max_value=40)


def plain_count(start: date, days: int) -> date:
    """The reference: walk day by day, asking the calendar package directly."""
    day, left = start, days
    while left:
        day += timedelta(days=1)
        try:
            working = chinese_calendar.is_workday(day)
        except NotImplementedError:
            working = day.weekday() < 5
        left -= working
    return day


class IsWorkdayTests:
    def test_it_knows_national_day_and_its_make_up_days(self):
        # 2025: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
        assert not any(is_workday(date(2025, 10, d)) for d in range(1, 9))
        assert is_workday(date(2025, 9, 28)) and is_workday(date(2025, 10, 11))
        assert is_workday(date(2025, 10, 9))

    def test_it_knows_the_spring_festival_and_its_make_up_days(self):
        # 2024: 10–17 February off; Sunday 4 and Sunday 18 February worked.
        assert not any(is_workday(date(2024, 2, d)) for d in range(10, 18))
        assert is_workday(date(2024, 2, 4)) and is_workday(date(2024, 2, 18))

    def test_years_without_data_fall_back_to_weekdays(self):
        assert is_workday(date(2030, 1, 7))  # a Monday
        assert not is_workday(date(2030, 1, 5))  # a Saturday


class AddWorkdaysTests:
    def test_it_counts_from_the_next_day(self):
        friday = date(2026, 11, 27)
        assert add_workdays(friday, 1) == date(2026, 11, 30)
        assert add_workdays(friday, 0) == friday

    def test_it_jumps_national_day_and_counts_the_make_up_saturday(self):
        # Accepted on Tuesday 30 September 2025: 1 working day → Thursday 9 October;
        # 3 working days → Saturday 11 October (a make-up workday) is day 3.
        assert add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
        assert add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)

    def test_it_jumps_the_spring_festival(self):
        # Friday 9 February 2024, 2 working days: Sunday 18 (make-up) and Monday 19.
        assert add_workdays(date(2024, 2, 9), 2) == date(2024, 2, 19)

    def test_a_negative_limit_is_refused(self):
        with pytest.raises(ValueError):
            add_workdays(date(2026, 1, 5), -1)

    @given(DAYS, LIMITS)
    def test_it_matches_a_plain_day_by_day_count(self, start, days):
        assert add_workdays(start, days) == plain_count(start, days)

    @given(DAYS, st.integers(min_value=1, max_value=40))
    def test_the_deadline_is_a_working_day_with_exactly_n_before_it(self, start, days):
        due = add_workdays(start, days)
        assert is_workday(due)
        assert workdays_between(start, due) == days
        assert workdays_between(start, due - timedelta(days=1)) == days - 1


class WorkdaysBetweenTests:
    @given(DAYS, DAYS)
    def test_it_counts_working_days_in_the_half_open_span(self, a, b):
        expected = sum(is_workday(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
        assert workdays_between(a, b) == max(expected, 0)

    @given(DAYS, DAYS, DAYS)
    def test_spans_add_up(self, a, b, c):
        a, b, c = sorted((a, b, c))
        assert workdays_between(a, c) == workdays_between(a, b) + workdays_between(b, c)


class WorkdaysLeftTests:
    def test_it_is_zero_on_the_due_day_and_negative_after(self):
        due = date(2026, 11, 27)  # Friday
        assert workdays_left(due, due) == 0
        assert workdays_left(date(2026, 11, 26), due) == 1
        assert workdays_left(date(2026, 11, 30), due) == -1
        assert workdays_left(date(2026, 11, 29), due) == 0  # a Sunday after: not yet a day late

    @given(DAYS, DAYS)
    def test_it_is_antisymmetric(self, a, b):
        assert workdays_left(a, b) == -workdays_left(b, a)


class DeadlineAfterResumeTests:
    def test_the_clock_restarts_from_the_day_after_documents_arrive(self):
        # Documents arrive on Thursday 30 April 2026 (before the May Day holiday, 1–5 May,
        # with Saturday 9 May worked): 5 working days → 6, 7, 8, 9 (Saturday), 11 May.
        assert deadline_after_resume(date(2026, 4, 30), 5) == date(2026, 5, 11)

    @given(DAYS, DAYS, LIMITS)
    def test_time_spent_before_the_pause_does_not_count(self, accepted, received, days):
        received = max(accepted, received)
        assert deadline_after_resume(received, days) == plain_count(received, days)


class CalendarSourceTests:
    """The platform's rows (core.CalendarDay) over the package over the week (issue #12)."""

    def test_a_year_without_package_data_is_a_fallback_year_and_provisional(self):
        assert 2026 in workdays.PACKAGE_YEARS and 2027 not in workdays.PACKAGE_YEARS
        assert workdays.is_fallback_year(2027)
        assert not workdays.is_fallback_year(2026)
        assert workdays.is_provisional(date(2026, 12, 28), date(2027, 1, 4))
        assert not workdays.is_provisional(date(2026, 12, 1), date(2026, 12, 31))

    def test_a_platform_row_arranges_its_year_and_overrides_the_package(self):
        CalendarDay.objects.create(day=date(2027, 1, 1), kind="holiday", name="元旦")
        CalendarDay.objects.filter(day=date(2026, 10, 10)).delete()  # was a make-up Saturday
        workdays.invalidate()
        assert not workdays.is_fallback_year(2027)
        assert not is_workday(date(2027, 1, 1))
        assert is_workday(date(2027, 1, 4))
        assert not is_workday(date(2026, 10, 10))
        # New Year's Day is no longer a working day: Thursday 31 December + 1 → Monday 4 January.
        assert add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)

    def test_another_process_edit_reaches_this_one_through_the_shared_stamp(self, monkeypatch):
        assert is_workday(date(2027, 1, 1))  # loaded: a fallback Friday
        CalendarDay.objects.create(day=date(2027, 1, 1), kind="holiday", name="元旦")
        assert is_workday(date(2027, 1, 1))  # this process has not been told yet
        cache.set(CALENDAR_STAMP_KEY, "edited elsewhere")
        clock = time.monotonic() + workdays.CHECK_SECONDS + 1
        monkeypatch.setattr(workdays.time, "monotonic", lambda: clock)
        assert not is_workday(date(2027, 1, 1))

    def test_the_migration_seeds_every_package_date_once(self):
        # Run the seed again (a transactional test elsewhere may have flushed the table): it
        # fills what is missing and never doubles a date.
        from django.apps import apps

        seed = importlib.import_module("louyu.core.migrations.0005_calendarday_seed").seed
        CalendarDay.objects.filter(day__year=2026).delete()
        seed(apps, None)
        seed(apps, None)
        seeded = dict(CalendarDay.objects.values_list("day", "kind"))
        package = workdays.package_days()
        assert len(seeded) == len(package) == CalendarDay.objects.count()
        assert all(
            seeded[day] == ("workday" if worked else "holiday") for day, worked, _ in package
        )
        assert CalendarDay.objects.get(day=date(2026, 10, 1)).name == "国庆节"
