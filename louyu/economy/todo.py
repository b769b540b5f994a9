"""The building economy's to-do items (issue 14): critical (red) early warnings under the
street cadre's and the district office's node, as the warning list filtered to red shows them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from louyu.economy.models import EnterpriseWarning, StabilityGrade


def red_warnings(user: Any) -> QuerySet[EnterpriseWarning]:
    """The user's red (极危) warnings: the warning list's rows at ?grade=4."""
    from louyu.economy.selectors_investment import warning_list

    return warning_list(user, grade=StabilityGrade.RED)


def _list_url(user: Any) -> str:
    return f"{reverse('economy:warning_list')}?grade={StabilityGrade.RED.value}"


def _enterprise_url(row: EnterpriseWarning) -> str:
    return reverse("economy:enterprise_detail", args=[row.enterprise_id])


def _label(row: EnterpriseWarning) -> str:
    building = row.enterprise.building.name if row.enterprise.building else ""
    return f"{row.enterprise.name} · {building}" if building else row.enterprise.name


def todo_items_register() -> None:
    """Register the economy's to-dos (called from EconomyConfig.ready())."""
    from louyu.accounts.models import Role
    from louyu.notifications.todo import todo_register

    todo_register(
        "economy.red_warnings",
        label=_("Critical early warnings"),
        roles={Role.STREET_CADRE, Role.DISTRICT_OFFICER},
        queryset=red_warnings,
        url=_list_url,
        age_field="since",
        order=20,
        pillar="economy",
        item_url=_enterprise_url,
        item_label=_label,
    )
