"""The to-do registry (待办, issue 14): what waits for a user, contributed by every app.

Each app registers its kinds of to-do in its AppConfig.ready() with `todo_register`: who sees
it (roles), the rows it counts (a QuerySet built for the user), the list page that shows
exactly those rows, and the timestamp whose oldest value is the group's age. `todo_for(user)`
answers, for the roles the user holds, each group with its count and oldest age — one
aggregate query (COUNT + MIN) per group — and its first few rows (one more query, only when
something waits). core and accounts import no feature app; this module imports none either.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Min, Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

# How many rows a group shows before "see all".
TODO_ITEMS = 3


@dataclass(frozen=True)
class TodoKind:
    """One kind of to-do an app contributes (see `todo_register`)."""

    key: str
    label: str | Promise
    roles: frozenset[str]
    queryset: Callable[[Any], QuerySet[Any]]
    url: str | Callable[[Any], str]
    age_field: str
    order: int
    pillar: str
    item_url: Callable[[Any], str] | None = None
    item_label: Callable[[Any], str] | None = None

    def list_url(self, user: Any) -> str:
        """The list page filtered to exactly the rows this kind counts."""
        return self.url(user) if callable(self.url) else reverse(self.url)


@dataclass(frozen=True)
class TodoItem:
    """One waiting row as the workbench lists it."""

    label: str
    url: str
    at: datetime | None


@dataclass
class TodoGroup:
    """A kind of to-do for one user: how many wait, since when, and the first few."""

    key: str
    label: str | Promise
    pillar: str
    count: int
    oldest: datetime | None
    url: str
    items: list[TodoItem] = field(default_factory=list)

    @property
    def age(self) -> timedelta | None:
        """How long the oldest row has waited (None when nothing waits)."""
        if self.oldest is None or not self.count:
            return None
        return max(timezone.now() - self.oldest, timedelta(0))

    @property
    def age_days(self) -> int | None:
        age = self.age
        return None if age is None else age.days

    @property
    def age_hours(self) -> int | None:
        age = self.age
        return None if age is None else age.seconds // 3600


_KINDS: dict[str, TodoKind] = {}


def todo_register(
    key: str,
    *,
    label: str | Promise,
    roles: Collection[str],
    queryset: Callable[[Any], QuerySet[Any]],
    url: str | Callable[[Any], str],
    age_field: str,
    order: int = 100,
    pillar: str = "",
    item_url: Callable[[Any], str] | None = None,
    item_label: Callable[[Any], str] | None = None,
) -> None:
    """Register (or, when an app's ready() runs again in a test, replace) one kind of to-do.

    `queryset(user)` gives the rows waiting for `user`; `url` is a URL name or a callable
    `url(user)` giving the list page that shows exactly those rows; `age_field` names the
    timestamp (or date) whose oldest value is the group's age; `item_url(row)` and
    `item_label(row)` link a row to its object (default: `str(row)`, the list page)."""
    if not roles:
        raise ValueError(f"to-do {key!r} has no roles")
    _KINDS[key] = TodoKind(
        key=key,
        label=label,
        roles=frozenset(roles),
        queryset=queryset,
        url=url,
        age_field=age_field,
        order=order,
        pillar=pillar,
        item_url=item_url,
        item_label=item_label,
    )


def todo_unregister(key: str) -> None:
    """Forget one kind (tests that register their own)."""
    _KINDS.pop(key, None)


def todo_kinds(user: Any = None) -> list[TodoKind]:
    """The registered kinds in display order; with `user`, only those for the roles they hold."""
    kinds = sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.key))
    if user is None:
        return kinds
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    roles = user.roles()
    return [kind for kind in kinds if kind.roles & roles]


def todo_kind(key: str) -> TodoKind:
    return _KINDS[key]


def _aware(value: datetime | date | None) -> datetime | None:
    """A MIN over a date field is a date: its age counts from the start of that day."""
    if value is None or isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def todo_group(kind: TodoKind, user: Any, *, items: int = TODO_ITEMS) -> TodoGroup:
    """One group for `user`: the count and oldest age in one aggregate query, then (only when
    something waits and `items` > 0) its oldest `items` rows in one more."""
    rows = kind.queryset(user)
    summary = rows.aggregate(count=Count("pk"), oldest=Min(kind.age_field))
    group = TodoGroup(
        key=kind.key,
        label=kind.label,
        pillar=kind.pillar,
        count=summary["count"],
        oldest=_aware(summary["oldest"]),
        url=kind.list_url(user),
    )
    if group.count and items:
        first = rows.order_by(kind.age_field, "pk")[:items]
        group.items = [_item(kind, row, group.url) for row in first]
    return group


def _item(kind: TodoKind, row: Model, default_url: str) -> TodoItem:
    at = _aware(_value(row, kind.age_field))
    label = kind.item_label(row) if kind.item_label else str(row)
    url = kind.item_url(row) if kind.item_url else default_url
    return TodoItem(label=label, url=url, at=at)


def _value(row: Any, path: str) -> Any:
    """The value of `age_field` on a row (a "__" path follows relations already loaded)."""
    value = row
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def todo_for(user: Any, *, items: int = TODO_ITEMS) -> list[TodoGroup]:
    """Every group for the roles `user` holds, in display order (empty groups included)."""
    return [todo_group(kind, user, items=items) for kind in todo_kinds(user)]
