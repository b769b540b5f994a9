"""Input shapes of the economy pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from louyu.economy.selectors import DEFINITIONS, Definition, definition_get, economy_years


class FigureForm(forms.Form):
    """Which year and which 口径 the tax figures of a page use (`?year=2013&definition=total`).
    Bad or missing values fall back to the latest year and the configured 口径."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    definition = forms.ChoiceField(label=_("Definition (口径)"), required=False)

    def __init__(self, data: Any = None, *, years: list[int] | None = None) -> None:
        super().__init__(data)
        self.years = economy_years() if years is None else years
        year, definition = self.fields["year"], self.fields["definition"]
        assert isinstance(year, forms.ChoiceField) and isinstance(definition, forms.ChoiceField)
        year.choices = [(y, str(y)) for y in reversed(self.years)]
        definition.choices = [(d.key, d.name) for d in DEFINITIONS.values()]

    @property
    def default_year(self) -> int | None:
        return self.years[-1] if self.years else None

    def figures(self) -> tuple[int | None, Definition]:
        """(year, definition) asked for, or the defaults where the input was missing or bad."""
        data = self.cleaned_data if self.is_valid() else {}
        year = data.get("year") or self.default_year
        return year, definition_get(data.get("definition") or None)
