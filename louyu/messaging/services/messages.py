"""Messages: send (ordered commits), edit and delete within the window, removal, reactions,
read pointers, mute, presence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.core.events import send_event_on_commit
from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record
from louyu.messaging import search, selectors
from louyu.messaging.events import chat_event_on_commit
from louyu.messaging.models import Attachment, Conversation, Message, Participant, Reaction, Report

MAX_BODY = 5000


# A fixed key for the PostgreSQL advisory lock that orders message commits (see message_send).
SEND_LOCK_KEY = 50_500_505


def _participant_for_write(actor: Any, conversation: Conversation) -> Participant:
    participant = selectors.participant_of(actor, conversation)
    if participant is None:
        raise ApplicationError(_("Not found."), code="not_found", status=404)
    if participant.is_muted():
        raise ApplicationError(
            _("A moderator has muted you in this conversation until %(until)s.")
            % {"until": timezone.localtime(participant.muted_until).strftime("%Y-%m-%d %H:%M")},
            code="muted",
            status=403,
        )
    if conversation.is_announcement and not selectors.is_service_staff_for(actor, conversation):
        raise ApplicationError(
            _("Only service-center staff post in an announcement channel."),
            code="read_only",
            status=403,
        )
    return participant


def _order_commits() -> None:
    """Make message ids commit in id order: on PostgreSQL a transaction-scoped advisory lock held
    from before the id is drawn until commit (SQLite's write transactions are serial anyway).
    So "every message after id N" never skips one that commits late."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEND_LOCK_KEY])


def message_send(
    *,
    actor: Any,
    conversation: Conversation,
    body: str,
    client_id: str = "",
    reply_to: Message | None = None,
    mentions: Iterable[int] = (),
    attachments: Iterable[Attachment] = (),
) -> tuple[Message, bool]:
    """Post a message; returns (message, created). A resend with the same `client_id` returns
    the message of the first send and changes nothing. Pushed to the members after commit."""
    body = (body or "").strip()
    client_id = (client_id or "").strip()[:64]
    attachments = list(attachments)
    if client_id:
        existing = Message.objects.filter(
            sender=actor, conversation=conversation, client_id=client_id
        ).first()
        if existing is not None:
            return existing, False
    participant = _participant_for_write(actor, conversation)
    if not body and not attachments:
        raise ApplicationError(_("Write a message or attach a file."), code="empty")
    if len(body) > MAX_BODY:
        raise ApplicationError(
            _("A message has at most %(n)s characters.") % {"n": MAX_BODY}, code="too_long"
        )
    if reply_to is not None and reply_to.conversation_id != conversation.pk:
        raise ApplicationError(_("You can only reply within the conversation."), code="reply")
    for attachment in attachments:
        if (
            attachment.conversation_id != conversation.pk
            or attachment.uploader_id != actor.pk
            or attachment.message_id is not None
        ):
            raise ApplicationError(_("That attachment cannot be sent here."), code="attachment")
    mention_ids = sorted(
        set(
            Participant.objects.filter(
                conversation=conversation, user_id__in=[int(m) for m in mentions]
            ).values_list("user_id", flat=True)
        )
        - {actor.pk}
    )
    staff = conversation.kind == Conversation.Kind.SERVICE and selectors.is_service_staff_for(
        actor, conversation
    )
    tokens = search.index_tokens(body)
    try:
        with transaction.atomic():
            _order_commits()
            locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
            message = Message.objects.create(
                conversation=conversation,
                sender=actor,
                client_id=client_id,
                prev_id=locked.last_message_id,
                body=body,
                reply_to=reply_to,
                mentions=mention_ids,
                search_tokens=tokens,
                awaiting_answer=conversation.kind == Conversation.Kind.SERVICE and not staff,
            )
            Conversation.objects.filter(pk=conversation.pk).update(last_message_id=message.pk)
            conversation.last_message_id = message.pk
            if attachments:
                Attachment.objects.filter(pk__in=[a.pk for a in attachments]).update(
                    message=message
                )
            if staff:
                # Staff speaking in the service channel answers the questions waiting there.
                Message.objects.filter(conversation=conversation, awaiting_answer=True).update(
                    awaiting_answer=False
                )
            Participant.objects.filter(pk=participant.pk).update(last_read_id=message.pk)
            payload = selectors.message_payload(selectors.message_queryset().get(pk=message.pk))
            chat_event_on_commit(conversation.pk, {"type": "chat.message", "message": payload})
            if mention_ids:
                send_event_on_commit(
                    {
                        "type": "chat.mention",
                        "conversation": conversation.pk,
                        "message": message.pk,
                        "from": actor.display_name,
                    },
                    mention_ids,
                )
    except IntegrityError:
        # The same client_id raced itself: the other send won.
        existing = Message.objects.filter(
            sender=actor, conversation=conversation, client_id=client_id
        ).first()
        if client_id and existing is not None:
            return existing, False
        raise
    return message, True


def _push_update(message: Message) -> None:
    payload = selectors.message_payload(selectors.message_queryset().get(pk=message.pk))
    chat_event_on_commit(
        message.conversation_id, {"type": "chat.message.updated", "message": payload}
    )


def _own_within_window(actor: Any, message: Message) -> None:
    if message.sender_id != actor.pk:
        raise ApplicationError(
            _("You can only change your own messages."), code="not_yours", status=403
        )
    if message.deleted_at is not None:
        raise ApplicationError(_("The message was deleted."), code="deleted", status=409)
    window = timedelta(seconds=settings.LOUYU_MESSAGING_EDIT_WINDOW)
    if timezone.now() - message.created_at > window:
        raise ApplicationError(
            _("Messages can be changed for %(minutes)s minutes after sending.")
            % {"minutes": settings.LOUYU_MESSAGING_EDIT_WINDOW // 60},
            code="edit_window",
            status=409,
        )


def message_edit(*, actor: Any, message: Message, body: str) -> Message:
    """Change the text of one's own message within the edit window (audited)."""
    _own_within_window(actor, message)
    body = (body or "").strip()
    if not body or len(body) > MAX_BODY:
        raise ApplicationError(
            _("Write between 1 and %(n)s characters.") % {"n": MAX_BODY}, code="invalid"
        )
    if body == message.body:
        return message
    before = message.body
    with transaction.atomic():
        message.body = body
        message.search_tokens = search.index_tokens(body)
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "search_tokens", "edited_at"])
        audit_record(
            actor=actor,
            action="message.edit",
            target=message,
            before={"body": before},
            after={"body": body},
        )
        _push_update(message)
    return message


def message_delete(*, actor: Any, message: Message) -> Message:
    """Delete one's own message within the window; the text stays in the audit row only."""
    _own_within_window(actor, message)
    return _erase(actor=actor, message=message, action="message.delete")


def _erase(*, actor: Any, message: Message, action: str, reason: str = "") -> Message:
    before = {
        "body": message.body,
        "attachments": [a.original_name for a in message.attachments.all()],
    }
    with transaction.atomic():
        message.deleted_at = timezone.now()
        message.search_tokens = ""
        message.awaiting_answer = False
        fields = ["deleted_at", "search_tokens", "awaiting_answer", "body"]
        message.body = ""
        if action == "message.remove":
            message.removed_by = actor
            fields.append("removed_by")
        message.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=action,
            target=message,
            before=before,
            after={"reason": reason} if reason else None,
        )
        _push_update(message)
    return message


def message_remove(*, actor: Any, message: Message, reason: str = "") -> Message:
    """A moderator removes a message (any age); its open reports are closed as removed."""
    if not selectors.can_moderate(actor, message.conversation):
        raise ApplicationError(
            _("Only moderators can remove messages."), code="not_moderator", status=403
        )
    if message.deleted_at is not None:
        raise ApplicationError(_("The message was deleted."), code="deleted", status=409)
    with transaction.atomic():
        _erase(actor=actor, message=message, action="message.remove", reason=reason)
        Report.objects.filter(message=message, status=Report.Status.OPEN).update(
            status=Report.Status.REMOVED, resolved_by=actor, resolved_at=timezone.now()
        )
    return message


def reaction_toggle(*, actor: Any, message: Message, emoji: str) -> bool:
    """Add the actor's reaction, or take it back; returns True when it is now there."""
    if emoji not in Reaction.Emoji.values:
        raise ApplicationError(_("Choose one of the offered reactions."), code="emoji")
    if message.deleted_at is not None:
        raise ApplicationError(_("The message was deleted."), code="deleted", status=409)
    with transaction.atomic():
        deleted, _n = Reaction.objects.filter(message=message, user=actor, emoji=emoji).delete()
        if not deleted:
            Reaction.objects.get_or_create(message=message, user=actor, emoji=emoji)
        _push_update(message)
    return not deleted


def conversation_read(*, actor: Any, conversation: Conversation, last_read_id: int) -> int:
    """Move the actor's read pointer forward (never back); returns the pointer."""
    last_read_id = min(int(last_read_id), conversation.last_message_id or 0)
    Participant.objects.filter(
        conversation=conversation, user=actor, last_read_id__lt=last_read_id
    ).update(last_read_id=last_read_id)
    pointer = (
        Participant.objects.filter(conversation=conversation, user=actor)
        .values_list("last_read_id", flat=True)
        .first()
    )
    send_event_on_commit(
        {"type": "chat.read", "conversation": conversation.pk, "last_read_id": pointer}, [actor]
    )
    return pointer or 0


def notifications_mute(*, actor: Any, conversation: Conversation, muted: bool) -> None:
    Participant.objects.filter(conversation=conversation, user=actor).update(
        notifications_muted=muted
    )


def presence_touch(*, user_id: int) -> None:
    """Mark a user online for PRESENCE_TTL seconds (called by the chat consumer)."""
    from django.core.cache import cache

    cache.set(f"messaging:presence:{user_id}", 1, selectors.PRESENCE_TTL)
    # "Away" on the chat page: seen within the last quarter of an hour (views.AWAY_TTL).
    cache.set(f"messaging:seen:{user_id}", 1, 15 * 60)
