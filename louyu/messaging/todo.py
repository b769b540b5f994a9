"""Messaging's to-do item (issue 14): conversations with messages the user has not read yet —
replies from the service center, direct messages, channel news — as the chat page lists them
at ?todo=unread."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from louyu.messaging.models import Conversation, Message, Participant


def unread_conversations(user: Any) -> QuerySet[Conversation]:
    """The user's conversations with unread messages of others, with `first_unread_at`."""
    from louyu.messaging.selectors import conversation_list

    pointer = Participant.objects.filter(conversation=OuterRef("conversation"), user=user)
    first_unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            id__gt=Coalesce(Subquery(pointer.values("last_read_id")[:1]), 0),
            deleted_at__isnull=True,
        )
        .exclude(sender=user)
        .order_by("id")
        .values("created_at")[:1]
    )
    return (
        conversation_list(user)
        .filter(Q(unread__gt=0))
        .annotate(first_unread_at=Subquery(first_unread))
        .order_by(F("first_unread_at").asc(nulls_last=True), "pk")
    )


def _url(user: Any) -> str:
    return f"{reverse('messaging:chat')}?todo=unread"


def _item_url(row: Conversation) -> str:
    return f"{reverse('messaging:chat')}#c{row.pk}"


def _label(row: Conversation) -> str:
    return f"{row} ({row.unread})"  # type: ignore[attr-defined]


def todo_items_register() -> None:
    """Register messaging's to-do (called from MessagingConfig.ready())."""
    from louyu.accounts.models import ADMIN_ROLES, Role
    from louyu.notifications.todo import todo_register

    todo_register(
        "messaging.unread",
        label=_("Messages to read"),
        roles=set(Role.values) - set(ADMIN_ROLES),
        queryset=unread_conversations,
        url=_url,
        age_field="first_unread_at",
        order=90,
        pillar="messaging",
        item_url=_item_url,
        item_label=_label,
    )
