"""Writes to the jurisdiction tree and the audit log. Every other app's services call
`audit_record` inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from louyu.core.context import client_ip
from louyu.core.models import AuditLog, DivisionCode, Node


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    result: str = AuditLog.Result.SUCCESS,
    ip: str | None = None,
) -> AuditLog:
    """Append one audit row. Call it inside the service's transaction so that the row and the
    change it describes commit or roll back together."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditLog.objects.create(
        actor=actor if is_user else None,
        actor_name=(getattr(actor, "username", "") if is_user else "") or "-",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
        ip=ip or client_ip.get(),
        result=result,
    )


def node_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    parent: Node | None = None,
    is_target: bool = False,
    codes: list[tuple[str, Any, Any]] | None = None,
) -> Node:
    """Create a jurisdiction node with its dated division codes [(code, from, to), …]."""
    if parent is None and kind != Node.Kind.DISTRICT:
        raise ValueError("only a district may be a root node")
    if parent is not None and Node.CHILD_KIND.get(Node.Kind(parent.kind)) != kind:
        raise ValueError(f"a {kind} cannot sit under a {parent.kind}")
    with transaction.atomic():
        node = Node.objects.create(kind=kind, name=name, parent=parent, is_target=is_target)
        node.path = f"{parent.path if parent else '/'}{node.pk}/"
        node.save(update_fields=["path"])
        for code, valid_from, valid_to in codes or []:
            DivisionCode.objects.create(
                node=node, code=code, valid_from=valid_from, valid_to=valid_to
            )
        audit_record(
            actor=actor,
            action="node.create",
            target=node,
            after={"kind": kind, "name": name, "parent": parent.pk if parent else None},
        )
    return node
