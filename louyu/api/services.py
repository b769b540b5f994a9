"""Writes behind the API's own endpoints: issuing, using and revoking API tokens, audited.

Only the SHA-256 of a token's key is stored; audit rows target the account and name the token
by its id and non-secret prefix, never by the key."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.api.models import ApiToken
from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record

# Marks the key as Louyu's in logs and secret scanners; the prefix shown is its first 8 chars.
KEY_PREFIX = "lyt_"
PREFIX_LENGTH = 8
# last_used_at is written at most this often, so a busy client does not write on every call.
LAST_USED_EVERY = timedelta(minutes=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def token_issue(*, actor: Any, name: str = "") -> tuple[ApiToken, str]:
    """A new token for the actor, valid LOUYU_API_TOKEN_DAYS; returns (token row, the key
    itself — shown this once only). Every client gets its own token."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name,
            prefix=key[:PREFIX_LENGTH],
            key_hash=token_digest(key),
            created_at=now,
            expires_at=now + timedelta(days=settings.LOUYU_API_TOKEN_DAYS),
        )
        audit_record(
            actor=actor,
            action="token.issue",
            target=actor,
            after={
                "token": token.pk,
                "prefix": token.prefix,
                "name": name,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return token, key


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Refuse one of the actor's own tokens from now on (the row stays, for the owner's list)."""
    if token.user_id != getattr(actor, "pk", None):
        # Views look the token up with get_token_for_user; this guards every other caller.
        raise ApplicationError(_("No such token."), code="not_found", status=404)
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=ApiToken.RevokedReason.OWNER
        )
        token.refresh_from_db(fields=["revoked_at", "revoked_reason"])
        if updated:
            audit_record(
                actor=actor,
                action="token.revoke",
                target=token.user,
                after={"token": token.pk, "prefix": token.prefix, "reason": token.revoked_reason},
            )
    return token


def tokens_revoke_all(*, user: Any, reason: str, actor: Any = None) -> int:
    """Revoke every unexpired token of `user` (password changed, account disabled); returns
    how many. Audited once, when there was something to revoke."""
    now = timezone.now()
    with transaction.atomic():
        count = (
            ApiToken.objects.owned_by(user)
            .filter(revoked_at__isnull=True, expires_at__gt=now)
            .update(revoked_at=now, revoked_reason=reason)
        )
        if count:
            audit_record(
                actor=actor,
                action="token.revoke",
                target=user,
                after={"tokens": count, "reason": reason},
            )
    return count


def token_mark_used(*, token: ApiToken) -> None:
    """Record that the token was just used, at most once per LAST_USED_EVERY (not audited: a
    usage timestamp shown to the owner, like a session's last activity)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
