"""Input shapes of the early-warning and investment pages (no logic: services do the writes)."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node
from louyu.economy.industry_data import VERSION
from louyu.economy.models import (
    FUNNEL,
    Industry,
    InvestmentLead,
    LeadStage,
    PriceUnit,
    StabilityGrade,
    Unit,
    VacancyListing,
)
from louyu.economy.selectors_investment import TRIGGERS, trigger_labels

DECIMAL: dict[str, Any] = {"max_digits": 10, "decimal_places": 2, "min_value": 0}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_kind_display()} · {obj.name}"


class WarningFilterForm(forms.Form):
    grade = forms.TypedChoiceField(
        label=_("Colour"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All colours"))] + [c for c in StabilityGrade.choices if c[0] > 0],
    )
    trigger = forms.ChoiceField(label=_("Trigger"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = trigger_labels()
        cast(forms.ChoiceField, self.fields["trigger"]).choices = [("", _("All triggers"))] + [
            (key, labels[key]) for key in TRIGGERS
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class VacancyForm(forms.Form):
    building = forms.ModelChoiceField(label=_("Building"), queryset=Node.objects.none())
    unit_numbers = forms.CharField(
        label=_("Units"),
        required=False,
        max_length=200,
        help_text=_("Unit numbers in the building, separated by commas (e.g. 1201, 1202)."),
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    area = forms.DecimalField(label=_("Area (m²)"), **DECIMAL)
    price = forms.DecimalField(label=_("Asking rent (yuan per m²)"), **DECIMAL)
    price_unit = forms.ChoiceField(label=_("Rent period"), choices=PriceUnit.choices)
    available_from = forms.DateField(label=_("Available from"), required=False, widget=DATE)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea
    )
    contact_name = forms.CharField(label=_("Public contact"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("Public contact phone"), required=False, max_length=20)
    status = forms.ChoiceField(label=_("Status"), choices=VacancyListing.Status.choices)
    floor_plan = forms.FileField(
        label=_("Floor plan"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def __init__(self, *args: Any, buildings: QuerySet[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["building"]).queryset = buildings.filter(
            kind=Node.Kind.BUILDING
        ).order_by("name")
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if name != "floor_plan":
                field.widget.attrs.setdefault("class", css)
            else:
                field.widget.attrs["class"] = "form-control"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        building = data.get("building")
        numbers = [n for n in re.split(r"[,，、\s]+", data.get("unit_numbers") or "") if n]
        units = list(Unit.objects.filter(floor__building=building, number__in=numbers))
        missing = sorted(set(numbers) - {u.number for u in units})
        if building is not None and missing:
            self.add_error(
                "unit_numbers",
                _("No such unit in the building: %(units)s") % {"units": "、".join(missing)},
            )
        data["units"] = units
        return data


class LeadForm(forms.Form):
    node = NodeChoiceField(label=_("Scope"), queryset=Node.objects.none())
    company = forms.CharField(label=_("Company"), max_length=200)
    contact_name = forms.CharField(label=_("Contact"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=20)
    area_min = forms.DecimalField(label=_("Area needed, from (m²)"), required=False, **DECIMAL)
    area_max = forms.DecimalField(label=_("Area needed, to (m²)"), required=False, **DECIMAL)
    industry = forms.ModelChoiceField(
        label=_("Industry (GB/T 4754)"), required=False, queryset=Industry.objects.none()
    )
    budget = forms.DecimalField(
        label=_("Rent budget (yuan per m² per month)"), required=False, **DECIMAL
    )
    move_in_by = forms.DateField(label=_("Move in by"), required=False, widget=DATE)
    source = forms.ChoiceField(label=_("Source"), choices=InvestmentLead.Source.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea
    )

    def __init__(self, *args: Any, nodes: QuerySet[Node], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["node"]).queryset = nodes.exclude(
            kind=Node.Kind.BUILDING
        ).order_by("path")
        cast(forms.ModelChoiceField, self.fields["industry"]).queryset = Industry.objects.filter(
            version=VERSION, level=Industry.Level.DIVISION
        ).order_by("code")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class LeadStageForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[(s.value, s.label) for s in FUNNEL] + [(LeadStage.LOST, LeadStage.LOST.label)],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    lost_reason = forms.CharField(
        label=_("Reason lost"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
