"""Reads of the messaging platform and the access helpers every entry point (HTML, API,
WebSocket, search) shares: only participants read a conversation; everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership, Role
from louyu.core.models import Node
from louyu.messaging import search
from louyu.messaging.models import Attachment, Conversation, Message, Participant, Reaction

PRESENCE_TTL = 70  # seconds: a tab pings every 25 s


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def conversations_for_user(user: Any) -> QuerySet[Conversation]:
    """The conversations the user takes part in."""
    if not _active(user):
        return Conversation.objects.none()
    return Conversation.objects.filter(participants__user=user)


def get_conversation_for_user(user: Any, pk: int, *, write: bool = False) -> Conversation:
    """The conversation if the user takes part in it; 404 otherwise (also when it exists).

    write=True answers the same 404 to outsiders; whether a participant may post (announcement
    channels, mutes) is the services' rule and answers with its own error.
    """
    try:
        return conversations_for_user(user).select_related("node").get(pk=pk)
    except (Conversation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_message_for_user(user: Any, pk: int) -> Message:
    """A message of a conversation the user takes part in; 404 otherwise."""
    try:
        return (
            Message.objects.filter(conversation__participants__user=user)
            .select_related("conversation", "sender")
            .get(pk=pk)
            if _active(user)
            else Message.objects.none().get(pk=pk)
        )
    except (Message.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_attachment_for_user(user: Any, pk: int, *, write: bool = False) -> Attachment:
    """An attachment of a conversation the user takes part in: a sent one (of a message not
    deleted) for every member, an unsent one for its uploader only; 404 otherwise.

    write=True (attaching it to a message) answers only the uploader's unsent attachments.
    """
    if not _active(user):
        raise Http404
    unsent = Q(message__isnull=True, uploader=user)
    # Issue 13: without message__isnull=False an unsent attachment (message NULL, so also
    # message__deleted_at NULL) was readable by every member.
    visible = (
        unsent if write else unsent | Q(message__isnull=False, message__deleted_at__isnull=True)
    )
    queryset = Attachment.objects.filter(conversation__participants__user=user).filter(visible)
    try:
        return queryset.select_related("conversation").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def participant_of(user: Any, conversation: Conversation) -> Participant | None:
    return Participant.objects.filter(conversation=conversation, user=user).first()


def is_service_staff_for(user: Any, conversation: Conversation) -> bool:
    """Service-center staff (the six roles) at a node on the conversation's path: they post in
    announcement channels, answer service questions and moderate node channels."""
    node = conversation.node
    if node is None or not _active(user):
        return False
    node_ids = node.ancestor_ids
    return Membership.objects.filter(
        user=user,
        role__in=SERVICE_CENTER_ROLES,
        scope_type__app_label="core",
        scope_type__model="node",
        scope_id__in=node_ids,
    ).exists()


def can_moderate(user: Any, conversation: Conversation) -> bool:
    """Moderators of the conversation and service-center staff of its node."""
    participant = participant_of(user, conversation)
    if participant is not None and participant.role == Participant.Role.MODERATOR:
        return True
    return is_service_staff_for(user, conversation)


def _audit_admin_paths(user: Any) -> list[str]:
    """Paths of the nodes the user is the audit administrator of."""
    if not _active(user):
        return []
    return list(
        Node.objects.filter(
            pk__in=Membership.objects.filter(
                user=user,
                role=Role.AUDIT_ADMIN,
                scope_type__app_label="core",
                scope_type__model="node",
            ).values("scope_id")
        ).values_list("path", flat=True)
    )


def exportable_conversations(user: Any) -> QuerySet[Conversation]:
    """Conversations the audit administrator may export: those under their nodes, and those
    hanging on no node."""
    paths = _audit_admin_paths(user)
    if not paths:
        return Conversation.objects.none()
    where = Q(node__isnull=True)
    for path in paths:
        where |= Q(node__path__startswith=path)
    return Conversation.objects.filter(where).select_related("node")


def can_export(user: Any, conversation: Conversation) -> bool:
    """The audit administrator over the conversation's node (or anywhere, for conversations
    that hang on no node)."""
    paths = _audit_admin_paths(user)
    if not paths:
        return False
    if conversation.node is None:
        return True
    return any(conversation.node.path.startswith(path) for path in paths)


def get_conversation_for_export(user: Any, pk: int) -> Conversation:
    try:
        conversation = Conversation.objects.select_related("node").get(pk=pk)
    except (Conversation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can_export(user, conversation):
        raise Http404
    return conversation


def conversation_list(user: Any) -> QuerySet[Conversation]:
    """The user's conversations, newest activity first, annotated with `unread` (messages of
    others after the read pointer), `last_read_id` and `muted` — one query."""
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=user)
    # Inside the Message subquery, OuterRef("pk") would be the message's id (issue 12):
    # the read pointer is looked up by the message's conversation instead.
    my_pointer = Participant.objects.filter(conversation=OuterRef("conversation"), user=user)
    unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            id__gt=Coalesce(Subquery(my_pointer.values("last_read_id")[:1]), 0),
            deleted_at__isnull=True,
        )
        .exclude(sender=user)
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        conversations_for_user(user)
        .select_related("node")
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            last_read_id=Subquery(mine.values("last_read_id")[:1]),
            muted=Subquery(mine.values("notifications_muted")[:1]),
            my_role=Subquery(mine.values("role")[:1]),
        )
        .order_by("-last_message_id", "pk")
    )


def message_queryset() -> QuerySet[Message]:
    """Messages with what their payload needs, in a fixed number of queries."""
    return Message.objects.select_related("sender", "reply_to__sender").prefetch_related(
        Prefetch("reactions", queryset=Reaction.objects.order_by("pk")),
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
    )


def message_page(
    conversation: Conversation,
    *,
    after: int | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[Message]:
    """Up to `limit` messages in id order: the first after `after`, else the last before
    `before` (or the latest)."""
    limit = max(1, min(limit, 200))
    queryset = message_queryset().filter(conversation=conversation)
    if after is not None:
        return list(queryset.filter(id__gt=after).order_by("id")[:limit])
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    return list(reversed(queryset.order_by("-id")[:limit]))


def messages_after_for_user(user: Any, after: int, *, limit: int = 1000) -> list[Message]:
    """Every message after `after` in the user's conversations, in id order (reconnect)."""
    return list(
        message_queryset()
        .filter(conversation__participants__user=user, id__gt=after)
        .order_by("id")[:limit]
    )


def message_payload(message: Message) -> dict[str, Any]:
    """The JSON shape of one message, the same over REST and WebSocket."""
    deleted = message.deleted_at is not None
    reactions: dict[str, list[int]] = {}
    for reaction in message.reactions.all():
        reactions.setdefault(reaction.emoji, []).append(reaction.user_id)
    reply = message.reply_to
    sender = message.sender
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "prev_id": message.prev_id,
        "sender": sender.pk if sender else None,
        "sender_name": sender.display_name if sender else "",
        "client_id": message.client_id,
        "body": "" if deleted else message.body,
        "deleted": deleted,
        "removed": message.removed_by_id is not None,
        "reply_to": (
            {
                "id": reply.pk,
                "sender_name": reply.sender.display_name if reply.sender else "",
                "body": "" if reply.deleted_at else reply.body[:100],
            }
            if reply is not None
            else None
        ),
        "mentions": list(message.mentions),
        "reactions": reactions,
        "attachments": (
            []
            if deleted
            else [
                {
                    "id": a.pk,
                    "kind": a.kind,
                    "name": a.original_name,
                    "size": a.size,
                    "url": f"/messaging/attachments/{a.pk}/",
                }
                for a in message.attachments.all()
            ]
        ),
        "created_at": message.created_at.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
        "escalated": message.escalated_at is not None,
        "service_request": message.service_request_id,
    }


def announcement_reads(message: Message) -> dict[str, int]:
    """How many members of an announcement channel have read up to this message."""
    participants = Participant.objects.filter(conversation_id=message.conversation_id).exclude(
        user=message.sender
    )
    counts = participants.aggregate(
        total=Count("pk"), read=Count("pk", filter=Q(last_read_id__gte=message.pk))
    )
    return {"read": counts["read"], "total": counts["total"]}


def message_search(user: Any, query: str, *, conversation: Conversation | None = None):  # type: ignore[no-untyped-def]
    """Messages matching every term of `query` in conversations the user takes part in, newest
    first. PostgreSQL: the tsvector GIN index; elsewhere: instr on the text."""
    terms = search.query_terms(query)
    if not terms or not _active(user):
        return Message.objects.none()
    queryset = message_queryset().filter(
        conversation__in=conversations_for_user(user), deleted_at__isnull=True
    )
    if conversation is not None:
        queryset = queryset.filter(conversation=conversation)
    if connection.vendor == "postgresql":
        tokens = search.query_tokens(query)
        if tokens:
            queryset = queryset.extra(
                where=[
                    "to_tsvector('simple', messaging_message.search_tokens) @@ "
                    "plainto_tsquery('simple', %s)"
                ],
                params=[" ".join(tokens)],
            )
    for term in terms:
        queryset = queryset.filter(body__icontains=term)
    return queryset.order_by("-id")


def presence_online(user_ids: list[int]) -> set[int]:
    """Which of these users have a chat tab open now (a cache key with a TTL per user)."""
    keys = {f"messaging:presence:{uid}": uid for uid in user_ids}
    found = cache.get_many(list(keys))
    return {keys[key] for key in found}


def member_list(conversation: Conversation) -> list[dict[str, Any]]:
    participants = list(
        Participant.objects.filter(conversation=conversation)
        .select_related("user")
        .order_by("user__real_name", "user__username")[:500]
    )
    online = presence_online([p.user_id for p in participants])
    return [
        {
            "id": p.user_id,
            "name": p.user.display_name,
            "role": p.role,
            "online": p.user_id in online,
            "muted": p.is_muted(),
        }
        for p in participants
    ]


def has_unanswered(conversation: Conversation) -> bool:
    return Message.objects.filter(conversation=conversation, awaiting_answer=True).exists()
