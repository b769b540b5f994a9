"""Filters for jurisdiction-node lists, shared by the HTML list and the API; `IdFilter` and
`YearFilter` and `BoolFilter`, the filters every FilterSet uses for an id, a year or a yes/no
typed into a query."""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from louyu.core.models import Node

# The largest id a BigAutoField column holds: a larger one is a validation error, not a query.
ID_MAX = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(django_filters.NumberFilter):
    """An id: a whole number from 1 to ID_MAX (a fraction, 0 or 40 digits is a form error, not a
    database error). A number, not a model choice: validating against all rows would reveal
    which ids exist."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1900, "maximum": 2100})
class YearFilter(IdFilter):
    """A year from 1900 to 2100 (the largest number a query may bring is a form error too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class StrictNullBooleanField(forms.NullBooleanField):
    """true/false (True/False, 1/0); empty or the select's "unknown" for either. Anything else is
    an error rather than silently no filter."""

    default_error_messages = {"invalid": _("Enter true or false.")}
    VALUES = {"true": True, "1": True, "false": False, "0": False, "": None, "unknown": None}

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value is None or isinstance(value, bool):
            return value
        key = str(value).strip().lower()
        if key not in self.VALUES:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return self.VALUES[key]


class RawNullBooleanSelect(forms.NullBooleanSelect):
    """The yes/no select, handing the submitted text to the field as it came (Django's select
    reads anything it does not know as "unknown")."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


@extend_schema_field({"type": "boolean"})
class BoolFilter(django_filters.BooleanFilter):
    field_class = StrictNullBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", RawNullBooleanSelect)
        super().__init__(*args, **kwargs)


class NodeFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Node.Kind.choices)
    parent = IdFilter(label=_("parent"), field_name="parent_id")
    is_target = BoolFilter(label=_("target building"))
    q = django_filters.CharFilter(label=_("name contains"), method="filter_q")

    class Meta:
        model = Node
        fields = ["kind", "parent", "is_target", "q"]

    def filter_q(self, queryset: QuerySet[Node], name: str, value: str) -> QuerySet[Node]:
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset
