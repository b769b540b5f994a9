"""Conversations, their participants with read state, messages, reactions, attachments and
reports: the instant-messaging platform (即时通讯平台) of issue #5.

Message ids are the delivery cursor: they only grow, and `services.message_send` makes the
order in which messages commit the order of their ids, so "everything after id N" is exact.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node


class Conversation(models.Model):
    """A channel or a direct conversation. Channels of a building or a building community hang
    on a jurisdiction node and their members are derived from it (see services.
    conversation_members_sync); department work groups and generic groups hang on any row
    (`scope`); direct conversations have only the members they were opened with."""

    class Kind(models.TextChoices):
        BUILDING = "building", _("Building channel")
        SERVICE = "service", _("Service consultation")
        COMMUNITY = "community", _("Building-community channel")
        ANNOUNCEMENT = "announcement", _("Announcements")
        DEPARTMENT = "department", _("Department work group")
        GROUP = "group", _("Group")
        DIRECT = "direct", _("Direct message")

    # Kinds whose members are derived from the jurisdiction and kept by the sync.
    NODE_KINDS = frozenset({Kind.BUILDING, Kind.SERVICE, Kind.COMMUNITY, Kind.ANNOUNCEMENT})

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    node = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("jurisdiction node"),
    )
    scope_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    scope_id = models.PositiveBigIntegerField(null=True, blank=True)
    scope = GenericForeignKey("scope_type", "scope_id")
    # Direct conversations: the sorted member ids ("3,17"), so a 1:1 is opened only once.
    direct_key = models.CharField(max_length=200, blank=True, db_index=True)
    last_message_id = models.BigIntegerField(_("last message"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "node"],
                condition=Q(node__isnull=False),
                name="conversation_one_per_node_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "scope_type", "scope_id"],
                condition=Q(scope_id__isnull=False),
                name="conversation_one_per_scope_kind",
            ),
            models.UniqueConstraint(
                fields=["direct_key"],
                condition=~Q(direct_key=""),
                name="conversation_direct_once",
            ),
        ]

    def __str__(self) -> str:
        if self.title:
            return self.title
        if self.node is not None:
            # Built when shown, so it is in the reader's language.
            return f"{self.node.name} · {self.get_kind_display()}"
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_announcement(self) -> bool:
        return self.kind == self.Kind.ANNOUNCEMENT


class Participant(models.Model):
    """A user in a conversation, with their read pointer and mutes. `derived` rows are kept
    by the jurisdiction sync (added and removed by it); the others were added by hand."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MODERATOR = "moderator", _("Moderator")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    derived = models.BooleanField(_("from the jurisdiction"), default=False)
    last_read_id = models.BigIntegerField(_("last read message"), default=0)
    # The user's own choice: no notifications from this conversation.
    notifications_muted = models.BooleanField(_("notifications muted"), default=False)
    # A moderator's decision: may not post until then.
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_once"),
        ]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.conversation}"

    def is_muted(self, now=None) -> bool:  # type: ignore[no-untyped-def]
        return self.muted_until is not None and self.muted_until > (now or timezone.now())


class Message(models.Model):
    """One message. `id` is the delivery cursor; `prev_id` is the previous message of the same
    conversation, so a client (or the consumer) can tell a gap from a duplicate."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="chat_messages",
        null=True,
        blank=True,
    )
    client_id = models.CharField(_("client id"), max_length=64, blank=True)
    prev_id = models.BigIntegerField(default=0)
    body = models.TextField(_("text"), blank=True)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    mentions = models.JSONField(_("mentioned users"), default=list, blank=True)
    search_tokens = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Service consultation: a question from an enterprise, until staff answer it.
    awaiting_answer = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    service_request_id = models.BigIntegerField(_("service request"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "conversation", "client_id"],
                condition=~Q(client_id=""),
                name="message_client_id_once",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "id"]),
            models.Index(
                fields=["awaiting_answer", "created_at"],
                condition=Q(awaiting_answer=True),
                name="message_awaiting_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.body[:30]}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Reaction(models.Model):
    """One user's reaction (a small fixed set) to a message."""

    class Emoji(models.TextChoices):
        THUMBS_UP = "👍", "👍"
        OK = "👌", "👌"
        THANKS = "🙏", "🙏"
        HEART = "❤️", "❤️"
        SMILE = "😄", "😄"
        DONE = "✅", "✅"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=8, choices=Emoji.choices)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_once"),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} {self.message_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A stored name of our own (never the uploaded name): messaging/2026/11/<uuid>.<ext>."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    now = timezone.now()
    return f"messaging/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """An image or file uploaded into a conversation; linked to its message when sent, served
    only to the conversation's members (views.attachment_download)."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        FILE = "file", _("File")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Report(models.Model):
    """A member's report of a message to the conversation's moderators."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REMOVED = "removed", _("Message removed")
        DISMISSED = "dismissed", _("Dismissed")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message report")
        verbose_name_plural = _("message reports")
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.reason[:30]}"
