"""Every write to users, memberships, second-factor devices and lockouts, and the audit of
sign-in events (login, failure, logout, lockout) captured from signals. A password change and
a disabled account also revoke the account's API tokens (issue 13)."""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth import password_validation
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from louyu.accounts.models import SCOPE_KIND, Membership, User
from louyu.api.models import ApiToken
from louyu.api.services import tokens_revoke_all
from louyu.core.models import AuditLog
from louyu.core.services import audit_record, audited_update

# Profile fields that user_update may change (is_active goes through user_set_active).
USER_PROFILE_FIELDS = ("real_name", "phone", "email", "first_name", "last_name", "is_staff")


def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    real_name: str = "",
    phone: str = "",
    is_staff: bool = False,
) -> User:
    """Create an account. `password=None` leaves it unusable until set."""
    user = User(username=username, real_name=real_name, phone=phone, is_staff=is_staff)
    user.set_password(password) if password else user.set_unusable_password()
    user.full_clean()
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor,
            action="user.create",
            target=user,
            after={"username": username, "real_name": real_name, "is_staff": is_staff},
        )
    return user


def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Enable or disable an account; a disabled account's sessions end and its API tokens are
    revoked at once.

    The auth backends already refuse inactive users on every request; deleting the session
    rows and revoking the tokens as well means re-enabling the account revives neither."""
    with transaction.atomic():
        before = {"is_active": user.is_active}
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="user.enable" if active else "user.disable",
            target=user,
            before=before,
            after={"is_active": active},
        )
        if not active:
            tokens_revoke_all(user=user, reason=ApiToken.RevokedReason.DISABLED, actor=actor)
            transaction.on_commit(lambda: user_sessions_end(user=user))
    return user


def user_update(*, actor: Any, user: User, **changes: Any) -> User:
    """Change profile fields (USER_PROFILE_FIELDS) of an account, audited before/after."""
    unknown = set(changes) - set(USER_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"user_update cannot change {sorted(unknown)}")
    audited_update(
        actor=actor, instance=user, changes=changes, action="user.update", exclude=["password"]
    )
    return user


def user_password_set(*, actor: Any, user: User, password: str | None) -> User:
    """Set a new password under the password policy (None: password sign-in disabled).

    Every session of the user signed in with the old password ends, because Django's session
    auth hash no longer matches (a view that keeps the current session calls
    update_session_auth_hash afterwards), and every API token of the user is revoked."""
    if password is None:
        user.set_unusable_password()
    else:
        password_validation.validate_password(password, user)
        user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            action="user.password_change" if actor == user else "user.password_set",
            target=user,
            after={"usable": password is not None},
        )
        tokens_revoke_all(user=user, reason=ApiToken.RevokedReason.PASSWORD, actor=actor)
    return user


def user_sessions_end(*, user: User) -> int:
    """Delete the stored sessions of `user`; returns how many ended.

    Sessions live in the database (the default engine): a scan of the unexpired ones, which
    only account disabling pays for."""
    ended = 0
    user_id = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            session.delete()
            ended += 1
    return ended


def membership_grant(
    *, actor: Any, user: User, role: str, scope: models.Model, title: str = ""
) -> Membership:
    """Give `user` the role `role` at `scope` (idempotent)."""
    scope_type = ContentType.objects.get_for_model(scope)
    if f"{scope_type.app_label}.{scope_type.model}" != SCOPE_KIND[role]:
        raise ValidationError({"role": "This role is granted on a different kind of scope."})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user,
            role=role,
            scope_type=scope_type,
            scope_id=scope.pk,
            defaults={"title": title},
        )
        if created:
            audit_record(
                actor=actor,
                action="membership.grant",
                target=membership,
                after={"user": user.username, "role": role, "scope": str(scope)},
            )
    return membership


def membership_update(*, actor: Any, membership: Membership, title: str) -> Membership:
    """Change what the person is called in a role; role, user and scope never change in place
    (revoke and grant instead) so the audit log shows every grant."""
    if membership.title == title:
        return membership
    with transaction.atomic():
        before = {"title": membership.title}
        membership.title = title
        membership.save(update_fields=["title"])
        audit_record(
            actor=actor,
            action="membership.update",
            target=membership,
            before=before,
            after={"title": title},
        )
    return membership


def membership_revoke(*, actor: Any, membership: Membership) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="membership.revoke",
            target=membership,
            before={"user": membership.user.username, "role": membership.role},
        )
        membership.delete()


# --- Second factor (TOTP) ------------------------------------------------------------------


def totp_device_confirm(*, actor: Any, user: User, key: str, token: str) -> TOTPDevice | None:
    """Enrol the authenticator app holding `key` (hex, kept in the enrolling session until now)
    if `token` is its current code: the device is stored confirmed and becomes the user's only
    TOTP device. Nothing is stored before this (issue 13: opening the enrolment page wrote an
    unconfirmed device and an audit row on every visit). Every attempt is audited."""
    pending = TOTPDevice(user=user, name="TOTP", key=key, confirmed=False)
    check = TOTP(pending.bin_key, pending.step, pending.t0, pending.digits, pending.drift)
    try:
        verified = check.verify(int(token), pending.tolerance)
    except ValueError:
        verified = False
    if not verified:
        audit_record(actor=actor, action="otp.enrol", target=user, result=AuditLog.Result.FAILURE)
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        pending.confirmed = True
        pending.last_t = check.t()
        pending.save()
        audit_record(actor=actor, action="otp.enrol", target=user)
    return pending


def totp_verify(*, actor: Any, user: User, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts `token`, or None. Every attempt is audited; the
    device throttles repeated failures (django-otp's exponential back-off)."""
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        if device.verify_token(token):
            audit_record(actor=actor, action="otp.verify", target=user)
            return device
    audit_record(actor=actor, action="otp.verify", target=user, result=AuditLog.Result.FAILURE)
    return None


def totp_disable(*, actor: Any, user: User) -> int:
    """Remove every TOTP device of `user`; returns how many were removed."""
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(actor=actor, action="otp.disable", target=user, after={"devices": count})
    return count


def totp_device_delete(*, actor: Any, device: TOTPDevice) -> None:
    """Remove one TOTP device (the security administrator resets a lost phone)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="otp.disable",
            target=device.user,
            before={"device": device.name, "confirmed": device.confirmed},
        )
        device.delete()


def lockout_clear(*, actor: Any, attempt: AccessAttempt) -> None:
    """Lift a lockout before its cool-off ends (the security administrator's call)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="auth.lockout_clear",
            before={
                "username": attempt.username,
                "ip": attempt.ip_address,
                "failures": attempt.failures_since_start,
            },
        )
        attempt.delete()


# --- Sign-in events: cross-cutting capture of every login path (pages, admin, API) -----------


@receiver(user_logged_in, dispatch_uid="louyu.accounts.audit_login")
def _audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.login", target=user)
    if request is not None and hasattr(request, "session"):
        from louyu.accounts.middleware import session_mark_login

        session_mark_login(request)


@receiver(user_login_failed, dispatch_uid="louyu.accounts.audit_login_failed")
def _audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    audit_record(
        actor=None,
        action="auth.login",
        after={"username": str(credentials.get("username", ""))[:150]},
        result=AuditLog.Result.FAILURE,
    )


@receiver(user_logged_out, dispatch_uid="louyu.accounts.audit_logout")
def _audit_logout(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is None:
        return
    reason = getattr(request, "louyu_logout_reason", "") if request is not None else ""
    audit_record(
        actor=user, action="auth.logout", target=user, after={"reason": reason} if reason else None
    )


@receiver(user_locked_out, dispatch_uid="louyu.accounts.audit_lockout")
def _audit_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    audit_record(
        actor=None,
        action="auth.lockout",
        after={"username": (username or "")[:150], "ip": ip_address},
        result=AuditLog.Result.DENIED,
        ip=ip_address,
    )
