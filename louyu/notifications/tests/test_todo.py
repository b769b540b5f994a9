"""The to-do registry (issue 14): registration, who gets which group, one aggregate query per
group, the oldest age from datetime and date fields, and the first rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from louyu.accounts.models import Role
from louyu.core.models import CalendarDay
from louyu.notifications import todo
from louyu.notifications.todo import (
    TodoGroup,
    todo_for,
    todo_group,
    todo_kind,
    todo_kinds,
    todo_register,
    todo_unregister,
)

pytestmark = pytest.mark.django_db

KEY = "test.rows"


def rows_waiting(user):
    return CalendarDay.objects.filter(source="todo.test")


@pytest.fixture
def kind():
    todo_register(
        KEY,
        label="Test rows",
        roles={Role.CLERK},
        queryset=rows_waiting,
        url="workbench",
        age_field="updated_at",
        order=1,
        pillar="test",
        item_label=lambda row: row.name,
        item_url=lambda row: f"/audit/{row.pk}/",
    )
    yield todo_kind(KEY)
    todo_unregister(KEY)


@pytest.fixture
def only_test_kinds(monkeypatch):
    """An empty registry for the test (the apps' kinds come back after it)."""
    monkeypatch.setattr(todo, "_KINDS", {})


def waiting_row(days_ago: float, name: str) -> CalendarDay:
    """A row of the test kind that has waited `days_ago` days."""
    day = date(2099, 1, 1) + timedelta(days=CalendarDay.objects.filter(source="todo.test").count())
    return CalendarDay.objects.create(
        day=day,
        kind=CalendarDay.Kind.HOLIDAY,
        name=name,
        source="todo.test",
        updated_at=timezone.now() - timedelta(days=days_ago),
    )


class TodoRegisterTests:
    def test_it_keeps_each_key_once_and_replaces_on_a_second_registration(self, kind):
        todo_register(
            KEY,
            label="Again",
            roles={Role.CLERK},
            queryset=rows_waiting,
            url="workbench",
            age_field="updated_at",
        )
        assert todo_kind(KEY).label == "Again"
        assert [k.key for k in todo_kinds()].count(KEY) == 1

    def test_it_refuses_a_kind_for_nobody(self):
        with pytest.raises(ValueError, match="no roles"):
            todo_register(
                "test.nobody",
                label="x",
                roles=set(),
                queryset=rows_waiting,
                url="workbench",
                age_field="updated_at",
            )

    def test_it_orders_kinds_by_order_then_key(self, only_test_kinds):
        for key, order in [("b.second", 2), ("a.first", 2), ("c.zero", 0)]:
            todo_register(
                key,
                label=key,
                roles={Role.CLERK},
                queryset=rows_waiting,
                url="workbench",
                age_field="updated_at",
                order=order,
            )
        assert [k.key for k in todo_kinds()] == ["c.zero", "a.first", "b.second"]

    def test_it_lets_every_app_contribute_from_its_ready(self):
        keys = {k.key for k in todo_kinds()}
        assert {"servicedesk.new", "economy.red_warnings", "messaging.unread"} <= keys


class TodoForTests:
    def test_it_gives_only_the_kinds_of_the_roles_held(self, world, kind):
        assert KEY in [g.key for g in todo_for(world.clerk)]
        assert KEY not in [g.key for g in todo_for(world.enterprise)]

    def test_it_gives_nothing_to_anonymous_inactive_or_roleless_users(self, world, kind):
        from django.contrib.auth.models import AnonymousUser

        assert todo_for(AnonymousUser()) == []
        assert todo_for(world.nobody) == []
        world.clerk.is_active = False
        assert todo_for(world.clerk) == []

    def test_it_counts_with_the_oldest_age_and_lists_the_oldest_first(self, world, kind):
        waiting_row(1, "newer")
        waiting_row(3, "oldest")
        waiting_row(2, "middle")
        waiting_row(0.5, "newest")
        group = todo_group(kind, world.clerk)
        assert group.count == 4
        assert group.age_days == 3
        assert [i.label for i in group.items] == ["oldest", "middle", "newer"]
        assert group.items[0].url.startswith("/audit/")
        assert group.url == "/"

    def test_it_costs_one_aggregate_query_when_nothing_waits(
        self, world, kind, django_assert_num_queries
    ):
        with django_assert_num_queries(1) as captured:
            group = todo_group(kind, world.clerk)
        assert group.count == 0 and group.items == [] and group.age is None
        sql = captured.captured_queries[0]["sql"].upper()
        assert "COUNT(" in sql and "MIN(" in sql

    def test_it_costs_two_queries_however_many_rows_wait(
        self, world, kind, django_assert_num_queries
    ):
        for n in range(20):
            waiting_row(n, f"row {n}")
        with django_assert_num_queries(2):
            group = todo_group(kind, world.clerk)
        assert group.count == 20
        assert len(group.items) == todo.TODO_ITEMS

    def test_it_skips_the_rows_when_asked_for_counts_only(
        self, world, kind, django_assert_num_queries
    ):
        waiting_row(1, "one")
        with django_assert_num_queries(1):
            group = todo_group(kind, world.clerk, items=0)
        assert group.count == 1 and group.items == []

    def test_it_ages_a_date_field_from_the_start_of_that_day(self, world, only_test_kinds):
        day = timezone.localdate() - timedelta(days=5)
        CalendarDay.objects.update_or_create(
            day=day, defaults={"kind": CalendarDay.Kind.HOLIDAY, "name": "测试"}
        )
        todo_register(
            "test.days",
            label="Days",
            roles={Role.CLERK},
            queryset=lambda user: CalendarDay.objects.filter(day=day),
            url="workbench",
            age_field="day",
        )
        (group,) = todo_for(world.clerk)
        assert group.count == 1
        assert group.oldest is not None and timezone.is_aware(group.oldest)
        assert timezone.localtime(group.oldest).date() == day
        assert group.age_days == 5
        assert group.items[0].at == group.oldest

    def test_it_takes_a_callable_url_for_the_filtered_list(self, world, only_test_kinds):
        todo_register(
            "test.url",
            label="Url",
            roles={Role.CLERK},
            queryset=rows_waiting,
            url=lambda user: f"/list/?todo=mine&u={user.pk}",
            age_field="updated_at",
        )
        (group,) = todo_for(world.clerk)
        assert group.url == f"/list/?todo=mine&u={world.clerk.pk}"


class TodoGroupTests:
    def test_it_reports_hours_under_a_day(self):
        group = TodoGroup(
            key="k",
            label="l",
            pillar="",
            count=1,
            oldest=timezone.now() - timedelta(hours=5, minutes=10),
            url="/",
        )
        assert (group.age_days, group.age_hours) == (0, 5)

    def test_it_never_reports_a_negative_age(self):
        group = TodoGroup(
            key="k",
            label="l",
            pillar="",
            count=1,
            oldest=timezone.now() + timedelta(days=1),
            url="/",
        )
        assert group.age == timedelta(0)

    def test_it_has_no_age_when_nothing_waits(self):
        group = TodoGroup(key="k", label="l", pillar="", count=0, oldest=None, url="/")
        assert group.age is None and group.age_days is None


def test_aware_keeps_datetimes_and_turns_dates_into_midnight():
    now = timezone.now()
    assert todo._aware(now) is now
    assert todo._aware(None) is None
    midnight = todo._aware(date(2026, 1, 5))
    assert timezone.localtime(midnight).hour == 0
