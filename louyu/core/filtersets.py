"""Filters for jurisdiction-node lists, shared by the HTML list and the API."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node


class NodeFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Node.Kind.choices)
    # A number, not a model choice: validating against all nodes would reveal which ids exist.
    parent = django_filters.NumberFilter(label=_("parent"), field_name="parent_id")
    is_target = django_filters.BooleanFilter(label=_("target building"))
    q = django_filters.CharFilter(label=_("name contains"), method="filter_q")

    class Meta:
        model = Node
        fields = ["kind", "parent", "is_target", "q"]

    def filter_q(self, queryset: QuerySet[Node], name: str, value: str) -> QuerySet[Node]:
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset
