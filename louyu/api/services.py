"""Writes behind the API's own endpoints: issuing and revoking API tokens, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token

from louyu.core.services import audit_record


def token_issue(*, actor: Any) -> tuple[Token, bool]:
    """The actor's API token, created on first request; returns (token, created)."""
    with transaction.atomic():
        token, created = Token.objects.get_or_create(user=actor)
        # Target the user, never the token: its primary key is the secret itself.
        audit_record(actor=actor, action="token.issue", target=actor, after={"created": created})
    return token, created


def token_revoke(*, actor: Any) -> bool:
    """Delete the actor's API token; clients holding it are refused from now on."""
    with transaction.atomic():
        deleted, _ = Token.objects.filter(user=actor).delete()
        audit_record(
            actor=actor, action="token.revoke", target=actor, after={"deleted": bool(deleted)}
        )
    return bool(deleted)
