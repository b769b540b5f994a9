"""Reads of the API's own rows: a person's API tokens, for the API and the account page."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from louyu.api.models import ApiToken, ApiTokenQuerySet


def token_list(*, user: Any) -> ApiTokenQuerySet:
    """The user's own tokens, newest first (revoked and expired ones too: the owner sees when
    each ended)."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.owned_by(user).order_by("-created_at", "-id")


def get_token_for_user(user: Any, pk: Any) -> ApiToken:
    """The user's own token `pk`; someone else's answers 404 exactly like a missing one."""
    try:
        return token_list(user=user).get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
