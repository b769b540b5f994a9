"""Forms of the notification pages: they check shape; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from louyu.notifications.models import NotificationProfile


class ProfileForm(forms.Form):
    digest = forms.ChoiceField(
        label=_("E-mail"), choices=NotificationProfile.Digest.choices, widget=forms.RadioSelect
    )
    work_account = forms.CharField(
        label=_("WeCom / DingTalk account"),
        required=False,
        max_length=100,
        help_text=_("The user id of the work account that work messages go to."),
    )


def preference_choices(data: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], bool]:
    """(kind, channel) → on, from the checkboxes named `pref-<kind>-<channel>` of the form."""
    return {(kind, channel): f"pref-{kind}-{channel}" in data for kind, channel in keys}
