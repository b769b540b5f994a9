"""Every write to users and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from louyu.accounts.models import SCOPE_KIND, Membership, User
from louyu.core.services import audit_record


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
    """Enable or disable an account; a disabled account's sessions stop working at once."""
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
    return user


def membership_grant(
    *, actor: Any, user: User, role: str, scope: models.Model, title: str = ""
) -> Membership:
    """Give `user` the role `role` at `scope` (idempotent)."""
    scope_type = ContentType.objects.get_for_model(scope)
    if f"{scope_type.app_label}.{scope_type.model}" != SCOPE_KIND[role]:
        raise ValidationError({"role": "This role is granted on a different kind of scope."})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, role=role, scope_type=scope_type, scope_id=scope.pk, defaults={"title": title}
        )
        if created:
            audit_record(
                actor=actor,
                action="membership.grant",
                target=membership,
                after={"user": user.username, "role": role, "scope": str(scope)},
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
