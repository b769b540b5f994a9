"""Forms of the core app: the system admin's holiday calendar."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from louyu.core.exceptions import ApplicationError
from louyu.core.models import CalendarDay
from louyu.lib.tables import ReadError, read_grid


class CalendarDayForm(forms.Form):
    """One date of the arrangement: a holiday or a make-up workday."""

    day = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CalendarDay.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    name = forms.CharField(
        label=_("Name"), max_length=60, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("The State Council notice, e.g. 国办发明电〔2026〕7号."),
    )


class CalendarImportForm(forms.Form):
    """A year's arrangement as a table: 日期, 类型 (休 / 班), 名称[, 来源]."""

    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("Used for rows whose 来源 column is empty."),
    )


class CalendarDeleteForm(forms.Form):
    day = forms.DateField()


def calendar_file_rows(data: bytes, filename: str) -> list[list[Any]]:
    """The cells of an uploaded arrangement, through the platform's one table reader."""
    try:
        return read_grid(data, filename).rows
    except ReadError as exc:
        raise ApplicationError(str(exc), code="invalid") from exc
