"""Identifier checks: the unified social credit code (GB 32100-2015) through python-stdnum.

Positions 3–8 of a credit code are the *registering authority's* region at issue time; nothing
here (or anywhere) derives an enterprise's location from them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError


def credit_code_normalize(value: str) -> str:
    """The code in upper case without spaces or dashes; raises ValidationError when the length,
    alphabet (no I, O, Z, S, V) or mod-31 check digit is wrong."""
    try:
        return uscc.validate(value or "")
    except StdnumError as exc:
        raise ValidationError(
            _("Enter a valid unified social credit code (18 characters, GB 32100)."),
            code="invalid_credit_code",
        ) from exc


def validate_credit_code(value: str) -> None:
    """Model-field validator: the stored value must already be valid and normalised."""
    if credit_code_normalize(value) != value:
        raise ValidationError(
            _("Store the unified social credit code in upper case."), code="credit_code_case"
        )
