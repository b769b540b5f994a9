"""Moderation and records: reports, mutes, retention and purge, audited exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.core.events import send_event_on_commit
from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record
from louyu.lib.spreadsheets import safe_cell, write_cell
from louyu.messaging import selectors
from louyu.messaging.models import Attachment, Conversation, Message, Participant, Report


def message_report(*, actor: Any, message: Message, reason: str) -> Report:
    """A member reports a message to the conversation's moderators (once per message)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why you report this message."), code="reason_required")
    if Report.objects.filter(message=message, reporter=actor).exists():
        raise ApplicationError(
            _("You already reported this message."), code="duplicate", status=409
        )
    with transaction.atomic():
        report = Report.objects.create(message=message, reporter=actor, reason=reason[:500])
        audit_record(
            actor=actor, action="message.report", target=message, after={"reason": report.reason}
        )
        moderators = list(
            Participant.objects.filter(
                conversation_id=message.conversation_id, role=Participant.Role.MODERATOR
            ).values_list("user_id", flat=True)
        )
        send_event_on_commit(
            {"type": "chat.report", "conversation": message.conversation_id, "message": message.pk},
            moderators,
        )
    return report


def participant_mute(
    *, actor: Any, conversation: Conversation, user: Any, minutes: int, reason: str = ""
) -> Participant:
    """A moderator stops a member from posting for `minutes` (0 lifts the mute)."""
    if not selectors.can_moderate(actor, conversation):
        raise ApplicationError(
            _("Only moderators can mute members."), code="not_moderator", status=403
        )
    participant = selectors.participant_of(user, conversation)
    if participant is None:
        raise ApplicationError(_("Not found."), code="not_found", status=404)
    if participant.user_id == actor.pk:
        raise ApplicationError(_("You cannot mute yourself."), code="self")
    until = timezone.now() + timedelta(minutes=minutes) if minutes > 0 else None
    before = participant.muted_until
    with transaction.atomic():
        participant.muted_until = until
        participant.save(update_fields=["muted_until"])
        audit_record(
            actor=actor,
            action="participant.mute",
            target=participant,
            before={"muted_until": before.isoformat() if before else None},
            after={"muted_until": until.isoformat() if until else None, "reason": reason},
        )
        send_event_on_commit(
            {
                "type": "chat.muted",
                "conversation": conversation.pk,
                "until": until.isoformat() if until else None,
            },
            [participant.user_id],
        )
    return participant


def retention_days() -> dict[str, int]:
    """Days kept per conversation kind (LOUYU_MESSAGING_RETENTION; 0 keeps forever)."""
    days: dict[str, int] = {}
    for item in settings.LOUYU_MESSAGING_RETENTION.split(","):
        if "=" in item:
            kind, value = item.split("=", 1)
            days[kind.strip()] = max(0, int(value))
    return days


def messages_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete messages older than their conversation kind's retention (one audit row per kind
    that lost messages). Attachment files go with them."""
    now = now or timezone.now()
    result: dict[str, int] = {}
    for kind, days in retention_days().items():
        if days <= 0:
            continue
        old = Message.objects.filter(
            conversation__kind=kind, created_at__lt=now - timedelta(days=days)
        )
        with transaction.atomic():
            files = list(Attachment.objects.filter(message__in=old).values_list("file", flat=True))
            deleted, _counts = old.delete()
            if deleted:
                audit_record(
                    actor=None,
                    action="message.purge",
                    after={"kind": kind, "days": days, "rows": deleted},
                )
                from django.core.files.storage import default_storage

                names = files

                def remove_files(names: list[str] = names) -> None:
                    for name in names:
                        default_storage.delete(name)

                transaction.on_commit(remove_files)
        result[kind] = deleted
    return result


EXPORT_COLUMNS = [
    "id",
    "sent_at",
    "sender",
    "text",
    "reply_to",
    "edited_at",
    "deleted_at",
    "removed_by",
    "attachments",
]


def conversation_export(
    *, actor: Any, conversation: Conversation, fmt: str = "xlsx"
) -> tuple[bytes, str, str]:
    """The whole conversation, deleted and removed messages included (their text from the
    audit log), for an investigation by the audit administrator; the export is audited.
    Returns (content, content type, file name)."""
    from louyu.core.models import AuditLog

    if not selectors.can_export(actor, conversation):
        raise ApplicationError(_("Not found."), code="not_found", status=404)
    if fmt not in {"xlsx", "csv", "json"}:
        raise ApplicationError(_("Choose xlsx, csv or json."), code="format")
    erased = {
        row.target_id: (row.before or {}).get("body", "")
        for row in AuditLog.objects.filter(
            target_type="messaging.message", action__in=["message.delete", "message.remove"]
        ).filter(
            target_id__in=[
                str(i)
                for i in conversation.messages.filter(deleted_at__isnull=False).values_list(
                    "pk", flat=True
                )
            ]
        )
    }
    rows = []
    for m in (
        conversation.messages.select_related("sender", "removed_by")
        .prefetch_related("attachments")
        .order_by("id")
    ):
        rows.append(
            [
                m.pk,
                timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                m.sender.display_name if m.sender else "",
                m.body if m.deleted_at is None else erased.get(str(m.pk), ""),
                m.reply_to_id or "",
                timezone.localtime(m.edited_at).strftime("%Y-%m-%d %H:%M:%S")
                if m.edited_at
                else "",
                timezone.localtime(m.deleted_at).strftime("%Y-%m-%d %H:%M:%S")
                if m.deleted_at
                else "",
                m.removed_by.display_name if m.removed_by else "",
                "; ".join(a.original_name for a in m.attachments.all()),
            ]
        )
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    filename = f"conversation-{conversation.pk}-{stamp}.{fmt}"
    if fmt == "json":
        content = json.dumps(
            {
                "conversation": {"id": conversation.pk, "title": str(conversation)},
                "messages": [dict(zip(EXPORT_COLUMNS, r, strict=True)) for r in rows],
            },
            ensure_ascii=False,
            indent=1,
        ).encode()
        content_type = "application/json"
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows([safe_cell(v) for v in row] for row in rows)
        content = buffer.getvalue().encode("utf-8-sig")  # Excel in Chinese needs the BOM
        content_type = "text/csv; charset=utf-8"
    else:
        import xlsxwriter

        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = book.add_worksheet("messages")
        sheet.write_row(0, 0, EXPORT_COLUMNS)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                write_cell(sheet, i, j, value)
        book.close()
        content = output.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_record(
        actor=actor,
        action="conversation.export",
        target=conversation,
        after={"format": fmt, "messages": len(rows)},
    )
    return content, content_type, filename
