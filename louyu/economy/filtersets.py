"""One FilterSet per listed model of the building economy, shared by the HTML lists and the API.

Search takes what people type — "坤和", "kunhe", "khzx" — and matches every word against the
`search_names` column (name, aliases or former names, their pinyin and initials). The default
order is by pinyin, which is the order of that column.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.forms import NullBooleanSelect
from django.utils.translation import gettext_lazy as _

from louyu.core.filtersets import YearFilter
from louyu.core.models import Node
from louyu.economy.models import BuildingProfile, Enterprise, Industry
from louyu.economy.selectors import TIERS
from louyu.lib.pinyin import search_terms

NEAR_100M = "near_100m"
TIER_CHOICES = [
    *((tier.key, tier.name) for tier in reversed(TIERS)),
    (NEAR_100M, _("Near 100-million building")),
]
BUILDING_SORTS = {
    "name": ("search_names",),
    "-name": ("-search_names",),
    "tax": ("tax",),
    "-tax": ("-tax",),
    "area": ("profile__gross_floor_area",),
    "-area": ("-profile__gross_floor_area",),
    "occupancy": ("occupancy",),
    "-occupancy": ("-occupancy",),
}
BUILDING_SORT_CHOICES = [
    ("name", _("Name (pinyin)")),
    ("-tax", _("Tax, highest first")),
    ("tax", _("Tax, lowest first")),
    ("-area", _("Floor area, largest first")),
    ("area", _("Floor area, smallest first")),
    ("-occupancy", _("Occupancy, highest first")),
    ("occupancy", _("Occupancy, lowest first")),
    ("-name", _("Name (pinyin), Z to A")),
]
ENTERPRISE_SORTS = {
    "name": ("search_names",),
    "-name": ("-search_names",),
    "-employees": ("-employees",),
    "-capital": ("-registered_capital",),
    "founded": ("founded_on",),
    "-founded": ("-founded_on",),
}
ENTERPRISE_SORT_CHOICES = [
    ("name", _("Name (pinyin)")),
    ("-employees", _("Employees, most first")),
    ("-capital", _("Registered capital, largest first")),
    ("-founded", _("Founding date, newest first")),
    ("founded", _("Founding date, oldest first")),
    ("-name", _("Name (pinyin), Z to A")),
]


def search_query(value: str) -> Q:
    """Every word of `value` occurs in `search_names` (which is kept in lower case)."""
    query = Q()
    for term in search_terms(value):
        query &= Q(search_names__icontains=term)
    return query


def _order(queryset: QuerySet, keys: tuple[str, ...]) -> QuerySet:
    """Order by `keys` with empty values last either way, then by pinyin and id (stable pages)."""
    fields = [
        F(key[1:]).desc(nulls_last=True) if key.startswith("-") else F(key).asc(nulls_last=True)
        for key in keys
    ]
    return queryset.order_by(*fields, "search_names", "pk")


def _sections() -> list[tuple[str, str]]:
    sections = Industry.objects.filter(level=Industry.Level.SECTION).order_by("section")
    return [(s.section, f"{s.section} {s.name}") for s in sections.distinct()]


def _nodes(kind: str) -> Any:
    return Node.objects.filter(kind=kind).order_by("search_names")


class StyledFilterSet(django_filters.FilterSet):
    """Bootstrap classes on the form's widgets (the same form serves phones and desktops), and
    "All" rather than dashes for an unset choice."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            is_select = hasattr(field.widget, "choices")
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"
            if getattr(field, "empty_label", None) == "---------":
                field.empty_label = _("All")
            if isinstance(field.widget, NullBooleanSelect):
                field.widget.choices = [
                    ("unknown", _("All")),
                    ("true", _("Yes")),
                    ("false", _("No")),
                ]


class BuildingFilterSet(StyledFilterSet):
    """The building directory. `tier` and sorting by tax need the `tax` annotation of
    `selectors.building_directory` (None where the user may not see tax)."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    street = django_filters.ModelChoiceFilter(
        queryset=_nodes(Node.Kind.STREET), method="filter_under", label=_("Street")
    )
    community = django_filters.ModelChoiceFilter(
        queryset=_nodes(Node.Kind.COMMUNITY), method="filter_under", label=_("Building community")
    )
    grade = django_filters.ChoiceFilter(
        field_name="profile__grade",
        choices=[c for c in BuildingProfile.Grade.choices if c[0]],
        label=_("Grade"),
    )
    target_year = YearFilter(field_name="target_years__year", label=_("Target building of year"))
    tier = django_filters.ChoiceFilter(choices=TIER_CHOICES, method="filter_tier", label=_("Tier"))
    sort = django_filters.ChoiceFilter(
        choices=BUILDING_SORT_CHOICES, method="filter_sort", label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Node
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(search_query(value))

    def filter_under(self, queryset: QuerySet, name: str, value: Node) -> QuerySet:
        return queryset.filter(path__startswith=value.path)

    def filter_tier(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == NEAR_100M:
            threshold = Decimal(100_000_000)
            margin = Decimal(str(settings.LOUYU_ECONOMY_WATCH_MARGIN))
            # As `selectors.tier_near`: a 千万元楼 within the margin of 100 million yuan.
            floor = max(threshold * margin, Decimal(10_000_000))
            return queryset.filter(tax__lt=threshold, tax__gte=floor)
        tier = next(t for t in TIERS if t.key == value)
        return queryset.filter(tax__gte=tier.threshold)

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _order(queryset, BUILDING_SORTS[value])

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("sort"):
            queryset = _order(queryset, BUILDING_SORTS["name"])
        return super().filter_queryset(queryset)


class EnterpriseFilterSet(StyledFilterSet):
    """Enterprises (两新组织 included), over the rows the user may see."""

    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    section = django_filters.ChoiceFilter(
        field_name="industry__section", choices=_sections, label=_("Industry section")
    )
    street = django_filters.ModelChoiceFilter(
        queryset=_nodes(Node.Kind.STREET), method="filter_under", label=_("Street")
    )
    community = django_filters.ModelChoiceFilter(
        queryset=_nodes(Node.Kind.COMMUNITY), method="filter_under", label=_("Building community")
    )
    building = django_filters.ModelChoiceFilter(
        queryset=_nodes(Node.Kind.BUILDING), method="filter_under", label=_("Building")
    )
    status = django_filters.ChoiceFilter(choices=Enterprise.Status.choices, label=_("Status"))
    organization_type = django_filters.ChoiceFilter(
        choices=Enterprise.OrganizationType.choices, label=_("Organization type")
    )
    registered_in_district = django_filters.BooleanFilter(label=_("Registered in the district"))
    tax_in_district = django_filters.BooleanFilter(label=_("Pays tax in the district"))
    sort = django_filters.ChoiceFilter(
        choices=ENTERPRISE_SORT_CHOICES, method="filter_sort", label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Enterprise
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A credit code typed or pasted in (in any case) finds its enterprise too: codes are
        # stored in upper case, so the unique index answers.
        return queryset.filter(search_query(value) | Q(credit_code=value.strip().upper()))

    def filter_under(self, queryset: QuerySet, name: str, value: Node) -> QuerySet:
        return queryset.filter(building__path__startswith=value.path)

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _order(queryset, ENTERPRISE_SORTS[value])

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("sort"):
            queryset = _order(queryset, ENTERPRISE_SORTS["name"])
        return super().filter_queryset(queryset)
