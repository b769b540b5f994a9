"""Input shapes of the venue pages. Native date and time pickers (type=date/time) work on every
phone; text inputs have no Enter handling of their own, so an IME's Enter picks a candidate."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node
from louyu.venues.models import BookerKind, BookingSeries, Venue


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"class": "form-control", "step": "900", **(attrs or {})}, format="%H:%M"
        )


def _text(**attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", **attrs})


class BookingForm(forms.Form):
    """One booking, or a recurring one when `repeat` is weekly or monthly."""

    REPEAT_CHOICES = [("", _("Does not repeat")), *BookingSeries.Frequency.choices]

    title = forms.CharField(label=_("Title"), max_length=200, widget=_text())
    day = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Start time"), widget=TimeInput())
    end_time = forms.TimeField(label=_("End time"), widget=TimeInput())
    attendees = forms.IntegerField(
        label=_("Attendees"),
        min_value=1,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    organizer = forms.CharField(
        label=_("Organizer"), max_length=100, required=False, widget=_text()
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    repeat = forms.ChoiceField(
        label=_("Repeat"),
        choices=REPEAT_CHOICES,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    workdays_only = forms.BooleanField(
        label=_("Working days only (skip statutory holidays)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    exceptions = forms.CharField(
        label=_("Dates left out"),
        required=False,
        help_text=_("Dates such as 2026-12-24, separated by commas."),
        widget=_text(inputmode="numeric"),
    )

    def clean_exceptions(self) -> list[date]:
        raw = self.cleaned_data.get("exceptions") or ""
        days = []
        for part in raw.replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                days.append(date.fromisoformat(part))
            except ValueError:
                raise forms.ValidationError(_("Write dates as 2026-12-24.")) from None
        return days

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("repeat") and not data.get("until"):
            self.add_error("until", _("Say until when the booking repeats."))
        return data

    def span(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        return (
            timezone.make_aware(datetime.combine(data["day"], data["start_time"])),
            timezone.make_aware(datetime.combine(data["day"], data["end_time"])),
        )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class SeriesCancelForm(forms.Form):
    from_date = forms.DateField(label=_("Cancel from"), widget=DateInput())


class VenuePhotoForm(forms.Form):
    photo = forms.ImageField(
        label=_("Photo"), widget=forms.ClearableFileInput(attrs={"class": "form-control"})
    )
    caption = forms.CharField(label=_("Caption"), max_length=100, required=False, widget=_text())


WEEKDAY_LABELS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


class VenueForm(forms.Form):
    """A venue's details; opening hours as an opening and a closing time per weekday (both
    empty: closed that day)."""

    name = forms.CharField(label=_("Name"), max_length=100, widget=_text())
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Venue.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Node.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    owner = forms.CharField(label=_("Owner"), max_length=100, required=False, widget=_text())
    location = forms.CharField(label=_("Location"), max_length=200, required=False, widget=_text())
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    equipment = forms.CharField(
        label=_("Equipment"), max_length=300, required=False, widget=_text()
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )
    bookers = forms.MultipleChoiceField(
        label=_("Who may book"),
        choices=BookerKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    approval_required = forms.BooleanField(
        label=_("Bookings need approval"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    is_active = forms.BooleanField(
        label=_("Taking bookings"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, community: Node, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        building = self.fields["building"]
        assert isinstance(building, forms.ModelChoiceField)
        building.queryset = Node.objects.filter(parent=community, kind=Node.Kind.BUILDING)
        for day, label in enumerate(WEEKDAY_LABELS):
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=label, required=False, widget=TimeInput()
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=label, required=False, widget=TimeInput()
            )

    @property
    def weekday_fields(self) -> list[tuple[Any, Any, Any]]:
        return [
            (label, self[f"opens_{day}"], self[f"closes_{day}"])
            for day, label in enumerate(WEEKDAY_LABELS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in range(7):
            opens, closes = data.get(f"opens_{day}"), data.get(f"closes_{day}")
            if bool(opens) != bool(closes):
                self.add_error(f"closes_{day}", _("Give both times, or neither for a closed day."))
        return data

    def values(self) -> dict[str, Any]:
        """Keyword arguments of venue_create / venue_update."""
        data = self.cleaned_data
        hours = {
            str(day): [f"{data[f'opens_{day}']:%H:%M}", f"{data[f'closes_{day}']:%H:%M}"]
            for day in range(7)
            if data.get(f"opens_{day}") and data.get(f"closes_{day}")
        }
        return {
            "name": data["name"],
            "kind": data["kind"],
            "building": data.get("building"),
            "owner": data["owner"],
            "location": data["location"],
            "capacity": data["capacity"],
            "equipment": data["equipment"],
            "description": data["description"],
            "bookers": data["bookers"],
            "approval_required": data["approval_required"],
            "is_active": data["is_active"],
            "opening_hours": hours,
        }

    @staticmethod
    def initial_for(venue: Venue) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(venue, name)
            for name in (
                "name",
                "kind",
                "owner",
                "location",
                "capacity",
                "equipment",
                "description",
                "bookers",
                "approval_required",
                "is_active",
            )
        }
        initial["building"] = venue.building_id
        for day in range(7):
            hours = venue.hours_on(day)
            if hours:
                initial[f"opens_{day}"], initial[f"closes_{day}"] = hours
        return initial
