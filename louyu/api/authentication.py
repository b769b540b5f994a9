"""The API's token authentication (REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES).

A module of its own: DRF imports it while `rest_framework.views` loads, so it must not import
views itself (api/auth.py does)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from louyu.api.models import ApiToken
from louyu.api.services import token_digest, token_mark_used


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against ApiToken: refuses unknown, revoked and expired
    tokens and those of disabled accounts, each with its own message. Its WWW-Authenticate
    header (`Token`) makes anonymous calls answer 401."""

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = ApiToken.objects.select_related("user").filter(key_hash=token_digest(key)).first()
        if token is None:
            raise AuthenticationFailed(_("The token is not valid."))
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("The token has been revoked. Sign in again."))
        if token.is_expired:
            raise AuthenticationFailed(_("The token has expired. Sign in again."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("This account is disabled."))
        token_mark_used(token=token)
        return token.user, token
