"""Writes to the jurisdiction tree and the audit log. Every other app's services call
`audit_record` inside their own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from louyu.core.context import client_ip
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog, DivisionCode, Node, WorkerHeartbeat
from louyu.lib.pinyin import search_names


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
        node = Node.objects.create(
            kind=kind,
            name=name,
            parent=parent,
            is_target=is_target,
            search_names=search_names(name),
        )
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


# Fields an edit may change; kind, parent and path never change (permissions hang on paths).
NODE_EDITABLE_FIELDS = ("name", "is_target")
DIVISION_CODE_FIELDS = ("code", "valid_from", "valid_to", "note")


def node_update(*, actor: Any, node: Node, **changes: Any) -> Node:
    """Rename a node or change its target flag, audited before/after."""
    unknown = set(changes) - set(NODE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"node_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        audited_update(actor=actor, instance=node, changes=changes, action="node.update")
        if "name" in changes:
            node_search_names_refresh(node)
    return node


def node_search_names_refresh(node: Node, aliases: Iterable[str] | None = None) -> None:
    """Recompute a node's search text from its name and aliases (read from a building's archive
    unless given)."""
    if aliases is None:
        aliases = getattr(getattr(node, "profile", None), "aliases", None) or []
    node.search_names = search_names(node.name, *aliases)
    Node.objects.filter(pk=node.pk).update(search_names=node.search_names)


def division_code_save(
    *, actor: Any, node: Node, division_code: DivisionCode | None = None, **values: Any
) -> DivisionCode:
    """Add a dated division code to a node, or correct one it has."""
    unknown = set(values) - set(DIVISION_CODE_FIELDS)
    if unknown:
        raise ValueError(f"division_code_save cannot set {sorted(unknown)}")
    if division_code is None:
        code = DivisionCode(node=node, **values)
        validate(code)
        with transaction.atomic():
            code.save()
            audit_record(
                actor=actor, action="divisioncode.create", target=code, after=audit_values(values)
            )
        return code
    audited_update(
        actor=actor, instance=division_code, changes=values, action="divisioncode.update"
    )
    return division_code


def audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe copies of field values for an audit row: rows as ids, Decimals as strings,
    dates as ISO strings."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


def validate(instance: models.Model, exclude: Iterable[str] = ()) -> None:
    """full_clean, with the field errors raised as one ApplicationError (rendered alike in HTML
    and JSON)."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ApplicationError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
            code="invalid",
            extra={"fields": exc.message_dict},
        ) from exc


def audited_update(
    *,
    actor: Any,
    instance: models.Model,
    changes: dict[str, Any],
    action: str,
    exclude: Iterable[str] = (),
) -> dict[str, Any]:
    """The one way a service edits fields of a row: set what changed, validate, save only those
    fields and write the audit row with before/after, in one transaction. Returns the changes
    ({} when nothing changed, and then nothing is written)."""
    changed = {k: v for k, v in changes.items() if getattr(instance, k) != v}
    if not changed:
        return {}
    before = {k: getattr(instance, k) for k in changed}
    for key, value in changed.items():
        setattr(instance, key, value)
    validate(instance, exclude)
    with transaction.atomic():
        instance.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            action=action,
            target=instance,
            before=audit_values(before),
            after=audit_values(changed),
        )
    return changed


def audit_purge(*, actor: Any, now: datetime | None = None) -> int:
    """Delete audit rows older than LOUYU_AUDIT_RETENTION_DAYS and record the purge itself.

    Retention is never below 183 days (settings clamp it); on PostgreSQL the append-only trigger
    refuses any younger row anyway. Returns the number of rows deleted.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.LOUYU_AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        deleted, _ = AuditLog.objects.filter(at__lt=cutoff).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="audit.purge",
                after={"deleted": deleted, "older_than": cutoff.isoformat()},
            )
    return deleted


def worker_heartbeat(*, worker: str) -> WorkerHeartbeat:
    """Record that a job worker ("host:pid") is alive; /healthz reads the newest of these.

    Not audited: it is written every few seconds and records no one's action.
    """
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"last_seen": timezone.now()}
    )
    return heartbeat


def worker_heartbeat_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget workers that have not been seen for a while (hosts that went away)."""
    deleted, _ = WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - older_than).delete()
    return deleted


def task_result_prune(*, older_than: timedelta = timedelta(days=14)) -> int:
    """Delete finished background-task results (the django-tasks queue table) past a fortnight;
    the JobRun rows keep the history of periodic jobs."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - older_than
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
