"""Input shape of the sign-in, password and second-factor pages (writes live in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _


def _bootstrap(form: forms.Form) -> None:
    """Bootstrap 5 classes on every widget."""
    for field in form.fields.values():
        css = (
            "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
        )
        field.widget.attrs.setdefault("class", css)


class LoginForm(AuthenticationForm):
    """Username and password; django-axes counts the failures through authenticate()."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        _bootstrap(self)


class PasswordChangeInputForm(PasswordChangeForm):
    """Old password plus the new one twice; `save()` is not used, services.user_password_set
    writes the password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs["autocomplete"] = "current-password"
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs["autocomplete"] = "new-password"
        _bootstrap(self)


class TokenForm(forms.Form):
    """A six-digit code from the authenticator app."""

    token = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{6,8}\s*$",
        max_length=10,
        error_messages={"invalid": _("Enter the digits shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]*",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


class PasswordConfirmForm(forms.Form):
    """Re-enter the password before a security setting is weakened."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your password was entered incorrectly."))
        return password
