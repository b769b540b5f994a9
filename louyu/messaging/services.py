"""Every write of the messaging platform: keyword-only, explicit `actor`, one transaction,
audited where a record matters (edits, deletions, moderation, exports, escalations), pushed
after commit.

Plain sends, reactions and read pointers are not audit rows: the message row itself records who
said what when, and a read pointer is the user's own state.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership, Role
from louyu.core.events import send_event_on_commit
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record
from louyu.messaging import search, selectors
from louyu.messaging.events import chat_event_on_commit
from louyu.messaging.models import Attachment, Conversation, Message, Participant, Reaction, Report

MAX_BODY = 5000
MAX_DIRECT_MEMBERS = 20
# A fixed key for the PostgreSQL advisory lock that orders message commits (see message_send).
SEND_LOCK_KEY = 50_500_505
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
FILE_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".ofd": "application/ofd",
}
ENTERPRISE_ROLES = (Role.ENTERPRISE_CONTACT, Role.EMPLOYEE)


# --- Conversations and derived membership ---------------------------------------------------


def _enterprises_by_building(building_ids: Iterable[int] | None) -> dict[int, set[int]]:
    """building id → operating enterprises in it today: an occupancy covering today, or, for an
    enterprise with no occupancy record at all, its `building`."""
    from louyu.economy.models import Enterprise, Occupancy

    today = timezone.localdate()
    result: dict[int, set[int]] = defaultdict(set)
    occupancies = Occupancy.objects.active_on(today).filter(
        enterprise__status=Enterprise.Status.OPERATING
    )
    enterprises = Enterprise.objects.filter(
        status=Enterprise.Status.OPERATING, building__isnull=False, occupancies__isnull=True
    )
    if building_ids is not None:
        ids = list(building_ids)
        occupancies = occupancies.filter(building_id__in=ids)
        enterprises = enterprises.filter(building_id__in=ids)
    for building_id, enterprise_id in occupancies.values_list("building_id", "enterprise_id"):
        result[building_id].add(enterprise_id)
    for building_id, enterprise_id in enterprises.values_list("building_id", "pk"):
        result[building_id].add(enterprise_id)
    return result


def _people_by_enterprise(enterprise_ids: set[int]) -> dict[int, set[int]]:
    from louyu.economy.models import Enterprise

    result: dict[int, set[int]] = defaultdict(set)
    rows = Membership.objects.filter(
        role__in=ENTERPRISE_ROLES,
        scope_type=ContentType.objects.get_for_model(Enterprise),
        scope_id__in=enterprise_ids,
        user__is_active=True,
    ).values_list("scope_id", "user_id")
    for enterprise_id, user_id in rows:
        result[enterprise_id].add(user_id)
    return result


def _node_roles(node_ids: set[int], roles: Iterable[str]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    rows = Membership.objects.filter(
        role__in=list(roles),
        scope_type=ContentType.objects.get_for_model(Node),
        scope_id__in=node_ids,
        user__is_active=True,
    ).values_list("scope_id", "user_id")
    for node_id, user_id in rows:
        result[node_id].add(user_id)
    return result


def _desired_members(conversations: list[Conversation]) -> dict[int, dict[int, str]]:
    """conversation id → {user id: participant role} the jurisdiction says it has.

    Building and service channels: people of the enterprises in the building, plus service-
    center staff at the building or above it (moderators). Community channels and
    announcements: people of every enterprise in the community's buildings, association
    representatives and club leaders at the community, and service-center staff at or above it
    or at one of its buildings (moderators).
    """
    nodes: dict[int, Node] = {c.node.pk: c.node for c in conversations if c.node is not None}
    buildings: dict[int, list[int]] = {}  # node id → building ids it covers
    building_nodes: dict[int, Node] = {}
    communities = [n.pk for n in nodes.values() if n.kind != Node.Kind.BUILDING]
    children: dict[int, list[Node]] = defaultdict(list)
    for child in Node.objects.filter(parent_id__in=communities, kind=Node.Kind.BUILDING):
        children[child.parent_id].append(child)  # type: ignore[index]
    for node in nodes.values():
        if node.kind == Node.Kind.BUILDING:
            buildings[node.pk] = [node.pk]
            building_nodes[node.pk] = node
        else:
            buildings[node.pk] = [child.pk for child in children[node.pk]]
            building_nodes.update({child.pk: child for child in children[node.pk]})
    all_buildings = {b for ids in buildings.values() for b in ids}
    enterprises = _enterprises_by_building(all_buildings)
    people = _people_by_enterprise({e for ids in enterprises.values() for e in ids})
    path_ids = {
        i for node in [*nodes.values(), *building_nodes.values()] for i in node.ancestor_ids
    }
    staff = _node_roles(path_ids, SERVICE_CENTER_ROLES)
    reps = _node_roles(set(nodes), (Role.ASSOCIATION_REP, Role.CLUB_LEADER))

    result: dict[int, dict[int, str]] = {}
    for conversation in conversations:
        if conversation.node is None:
            continue
        node = conversation.node
        members: dict[int, str] = {}
        for building_id in buildings[node.pk]:
            for enterprise_id in enterprises.get(building_id, ()):
                for user_id in people.get(enterprise_id, ()):
                    members[user_id] = Participant.Role.MEMBER
        if node.kind == Node.Kind.COMMUNITY:
            for user_id in reps.get(node.pk, ()):
                members[user_id] = Participant.Role.MEMBER
            staff_nodes = set(node.ancestor_ids) | set(buildings[node.pk])
        else:
            staff_nodes = set(node.ancestor_ids)
        for node_id in staff_nodes:
            for user_id in staff.get(node_id, ()):
                members[user_id] = Participant.Role.MODERATOR
        result[conversation.pk] = members
    return result


def _apply_members(
    conversation: Conversation, desired: dict[int, str], current: dict[int, Participant]
) -> tuple[list[Participant], list[Participant], dict[str, Any] | None]:
    """What makes the derived participants of a conversation equal `desired` (hand-added ones
    stay): (to add, to remove, audit detail or None). Role changes are saved here."""
    add = [
        Participant(conversation=conversation, user_id=uid, role=role, derived=True)
        for uid, role in desired.items()
        if uid not in current
    ]
    remove = [p for uid, p in current.items() if p.derived and uid not in desired]
    for uid, p in current.items():
        if uid in desired and p.derived and p.role != desired[uid]:
            p.role = desired[uid]
            p.save(update_fields=["role"])
    if not add and not remove:
        return add, remove, None
    joined = sorted(p.user_id for p in add)
    left = sorted(p.user_id for p in remove)
    if joined:
        send_event_on_commit({"type": "chat.joined", "conversation": conversation.pk}, joined)
    if left:
        send_event_on_commit({"type": "chat.left", "conversation": conversation.pk}, left)
    return add, remove, {"added": joined, "removed": left}


def conversation_members_sync(*, nodes: Iterable[Node] | None = None) -> dict[str, int]:
    """Create the node channels (building, service, community, announcement) of `nodes` (every
    building and community by default) and bring their derived members in line with the
    jurisdiction, in a fixed number of queries. Called by the periodic job and after economy or
    role changes; one audit row records what changed."""
    if nodes is None:
        nodes = Node.objects.filter(kind__in=[Node.Kind.BUILDING, Node.Kind.COMMUNITY])
    kinds_of: dict[str, list[str]] = {
        Node.Kind.BUILDING: [Conversation.Kind.BUILDING, Conversation.Kind.SERVICE],
        Node.Kind.COMMUNITY: [Conversation.Kind.COMMUNITY, Conversation.Kind.ANNOUNCEMENT],
    }
    wanted = {(kind, node.pk): node for node in nodes for kind in kinds_of.get(node.kind, [])}
    with transaction.atomic():
        existing = {
            (c.kind, c.node_id): c
            for c in Conversation.objects.filter(
                node_id__in={key[1] for key in wanted}, kind__in=Conversation.NODE_KINDS
            )
        }
        missing = [key for key in wanted if key not in existing]
        if missing:
            Conversation.objects.bulk_create(
                [Conversation(kind=kind, node_id=node_id) for kind, node_id in missing],
                ignore_conflicts=True,
            )
            existing = {
                (c.kind, c.node_id): c
                for c in Conversation.objects.filter(
                    node_id__in={key[1] for key in wanted}, kind__in=Conversation.NODE_KINDS
                )
            }
        conversations = []
        for key, node in wanted.items():
            conversation = existing[key]
            conversation.node = node
            conversations.append(conversation)
        desired = _desired_members(conversations)
        current: dict[int, dict[int, Participant]] = defaultdict(dict)
        for participant in Participant.objects.filter(conversation__in=conversations):
            current[participant.conversation_id][participant.user_id] = participant
        adds: list[Participant] = []
        removes: list[int] = []
        detail: dict[str, Any] = {}
        for conversation in conversations:
            add, remove, changes = _apply_members(
                conversation, desired.get(conversation.pk, {}), current[conversation.pk]
            )
            adds += add
            removes += [p.pk for p in remove]
            if changes is not None:
                detail[str(conversation.pk)] = changes
        Participant.objects.bulk_create(adds, ignore_conflicts=True, batch_size=2000)
        Participant.objects.filter(pk__in=removes).delete()
        if missing or detail:
            audit_record(
                actor=None,
                action="conversation.members_sync",
                after={
                    "created": len(missing),
                    "added": len(adds),
                    "removed": len(removes),
                    "conversations": detail if len(detail) <= 50 else len(detail),
                },
            )
    return {"conversations": len(conversations), "added": len(adds), "removed": len(removes)}


def building_members_sync(building: Node) -> dict[str, int]:
    """Re-derive the channels of one building and of its building community (call after an
    occupancy or an enterprise role changed)."""
    nodes = [building]
    if building.parent_id is not None:
        nodes.append(Node.objects.get(pk=building.parent_id))
    return conversation_members_sync(nodes=nodes)


def department_group_sync(*, department: Any) -> Conversation:
    """The work group of a department: its department handlers."""
    scope_type = ContentType.objects.get_for_model(type(department))
    with transaction.atomic():
        conversation, created = Conversation.objects.get_or_create(
            kind=Conversation.Kind.DEPARTMENT,
            scope_type=scope_type,
            scope_id=department.pk,
            defaults={"title": f"{department} · {_('work group')}"},
        )
        if created:
            audit_record(actor=None, action="conversation.create", target=conversation)
        desired: dict[int, str] = {
            uid: Participant.Role.MEMBER
            for uid in Membership.objects.filter(
                role=Role.DEPARTMENT_HANDLER, scope_type=scope_type, scope_id=department.pk
            ).values_list("user_id", flat=True)
        }
        current = {p.user_id: p for p in Participant.objects.filter(conversation=conversation)}
        add, remove, changes = _apply_members(conversation, desired, current)
        Participant.objects.bulk_create(add, ignore_conflicts=True)
        Participant.objects.filter(pk__in=[p.pk for p in remove]).delete()
        if changes is not None:
            audit_record(
                actor=None, action="conversation.members_sync", target=conversation, after=changes
            )
    return conversation


def group_create(
    *, actor: Any, title: str, members: Iterable[Any] = (), scope: Any = None
) -> Conversation:
    """A generic group (a club, a party organization …); the creator moderates it."""
    title = title.strip()
    if not title:
        raise ApplicationError(_("Give the group a name."), code="title_required")
    with transaction.atomic():
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.GROUP,
            title=title[:200],
            scope_type=ContentType.objects.get_for_model(type(scope)) if scope else None,
            scope_id=scope.pk if scope else None,
        )
        Participant.objects.create(
            conversation=conversation, user=actor, role=Participant.Role.MODERATOR
        )
        Participant.objects.bulk_create(
            [
                Participant(conversation=conversation, user_id=getattr(m, "pk", m))
                for m in members
                if getattr(m, "pk", m) != actor.pk
            ],
            ignore_conflicts=True,
        )
        audit_record(
            actor=actor, action="conversation.create", target=conversation, after={"title": title}
        )
    return conversation


def direct_open(*, actor: Any, users: Iterable[Any]) -> Conversation:
    """The direct conversation of the actor with `users` (one for each set of people). The
    others must share a conversation with the actor already."""
    others = {getattr(u, "pk", u) for u in users} - {actor.pk}
    if not others or len(others) >= MAX_DIRECT_MEMBERS:
        raise ApplicationError(
            _("Choose between 1 and %(n)s people.") % {"n": MAX_DIRECT_MEMBERS - 1},
            code="direct_size",
        )
    reachable = set(
        Participant.objects.filter(
            conversation__participants__user=actor, user_id__in=others
        ).values_list("user_id", flat=True)
    )
    if reachable != others:
        raise ApplicationError(
            _("You can only message people who share a channel with you."), code="unreachable"
        )
    key = ",".join(str(i) for i in sorted(others | {actor.pk}))
    existing = Conversation.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                kind=Conversation.Kind.DIRECT, direct_key=key
            )
            Participant.objects.bulk_create(
                [Participant(conversation=conversation, user_id=uid) for uid in others | {actor.pk}]
            )
            audit_record(
                actor=actor,
                action="conversation.create",
                target=conversation,
                after={"kind": "direct", "members": sorted(others | {actor.pk})},
            )
            send_event_on_commit({"type": "chat.joined", "conversation": conversation.pk}, others)
            return conversation
    except IntegrityError:
        return Conversation.objects.get(direct_key=key)


# --- Messages --------------------------------------------------------------------------------


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


# --- Attachments -----------------------------------------------------------------------------


def attachment_upload(
    *, actor: Any, conversation: Conversation, upload: UploadedFile
) -> Attachment:
    """Check and store an upload: images must open in Pillow as JPEG/PNG/GIF/WebP, other files
    must have an allowed extension; the stored name is ours, never the uploaded one."""
    from PIL import Image, UnidentifiedImageError

    _participant_for_write(actor, conversation)
    size = upload.size or 0
    if size <= 0:
        raise ApplicationError(_("The file is empty."), code="empty_file")
    if size > settings.LOUYU_MESSAGING_MAX_UPLOAD:
        raise ApplicationError(
            _("Files may be at most %(mb)s MB.")
            % {"mb": settings.LOUYU_MESSAGING_MAX_UPLOAD // (1024 * 1024)},
            code="too_large",
        )
    name = PurePosixPath((upload.name or "file").replace("\\", "/")).name[:200] or "file"
    suffix = PurePosixPath(name).suffix.lower()
    width = height = None
    try:
        with Image.open(upload) as image:
            image.verify()
            image_format = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        image_format = ""
    upload.seek(0)
    if image_format in IMAGE_TYPES:
        kind, content_type = Attachment.Kind.IMAGE, IMAGE_TYPES[image_format]
        expected = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}[image_format]
        if suffix not in {expected, ".jpeg" if image_format == "JPEG" else expected}:
            name = PurePosixPath(name).stem + expected
    elif suffix in FILE_TYPES and suffix not in {".jpg", ".jpeg", ".png", ".gif", ".webp"}:
        kind, content_type = Attachment.Kind.FILE, FILE_TYPES[suffix]
    else:
        raise ApplicationError(
            _("This kind of file cannot be sent. Allowed: images, PDF, Office documents, text."),
            code="file_type",
        )
    upload.name = name
    with transaction.atomic():
        attachment = Attachment.objects.create(
            conversation=conversation,
            uploader=actor,
            kind=kind,
            file=upload,
            original_name=name,
            content_type=content_type,
            size=size,
            width=width,
            height=height,
        )
        audit_record(
            actor=actor,
            action="attachment.upload",
            target=attachment,
            after={"conversation": conversation.pk, "name": name, "size": size, "kind": kind},
        )
    return attachment


# --- Moderation and records ------------------------------------------------------------------


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
        writer.writerows(rows)
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
                sheet.write_string(i, j, str(value))
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


# --- Service consultation --------------------------------------------------------------------


def service_questions_escalate(*, now: datetime | None = None) -> int:
    """Escalate service-channel questions nobody on staff answered within
    LOUYU_MESSAGING_ESCALATE_AFTER seconds: mark them (a conditional update claims each row
    once, however many workers run this) and tell the building community's managers."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.LOUYU_MESSAGING_ESCALATE_AFTER)
    due = list(
        Message.objects.filter(
            awaiting_answer=True,
            escalated_at__isnull=True,
            created_at__lte=cutoff,
            conversation__kind=Conversation.Kind.SERVICE,
        )
        .select_related("conversation__node", "sender")
        .order_by("id")[:500]
    )
    escalated = 0
    node_type = ContentType.objects.get_for_model(Node)
    for message in due:
        with transaction.atomic():
            claimed = Message.objects.filter(pk=message.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            node = message.conversation.node
            community_ids = [i for i in (node.parent_id, node.pk) if i] if node is not None else []
            managers = list(
                Membership.objects.filter(
                    role=Role.MANAGER, scope_type=node_type, scope_id__in=community_ids
                ).values_list("user_id", flat=True)
            )
            audit_record(
                actor=None,
                action="message.escalate",
                target=message,
                after={
                    "managers": sorted(managers),
                    "waited_seconds": int((now - message.created_at).total_seconds()),
                },
            )
            send_event_on_commit(
                {
                    "type": "chat.escalated",
                    "conversation": message.conversation_id,
                    "message": message.pk,
                    "building": node.name if node else "",
                    "from": message.sender.display_name if message.sender else "",
                    "text": message.body[:100],
                },
                managers,
            )
            _push_update(message)
            escalated += 1
    return escalated


def _servicedesk_request_create() -> Any:
    """servicedesk's request_create, imported when first needed (the apps are built apart)."""
    try:
        from louyu.servicedesk.services import request_create  # type: ignore[attr-defined]
    except ImportError:
        try:
            from louyu.servicedesk.services.requests import request_create
        except ImportError as exc:
            raise ApplicationError(
                _("Service requests are not available yet."),
                code="servicedesk_missing",
                status=503,
            ) from exc
    return request_create


def message_to_request(*, actor: Any, message: Message, title: str = "") -> Any:
    """Turn a message into a service request (servicedesk), keeping the link both ways: the
    request names the message, the message stores the request's id. Staff only."""
    conversation = message.conversation
    if not selectors.is_service_staff_for(actor, conversation):
        raise ApplicationError(
            _("Only service-center staff can do this."), code="not_staff", status=403
        )
    if message.service_request_id is not None:
        raise ApplicationError(
            _("This message is already a service request."), code="duplicate", status=409
        )
    if message.deleted_at is not None or message.sender is None:
        raise ApplicationError(_("The message was deleted."), code="deleted", status=409)
    request_create = _servicedesk_request_create()
    from louyu.economy.models import Enterprise

    enterprise_ids = Membership.objects.filter(
        user=message.sender,
        role__in=ENTERPRISE_ROLES,
        scope_type=ContentType.objects.get_for_model(Enterprise),
    ).values_list("scope_id", flat=True)
    enterprise = Enterprise.objects.filter(pk__in=list(enterprise_ids)).first()
    with transaction.atomic():
        request = request_create(
            actor=actor,
            requester=message.sender,
            enterprise=enterprise,
            title=(title or message.body.splitlines()[0] if message.body else str(conversation))[
                :100
            ],
            description=message.body,
            channel="chat",
            source_message_id=message.pk,
            building=conversation.node
            if conversation.node and conversation.node.kind == Node.Kind.BUILDING
            else None,
        )
        Message.objects.filter(pk=message.pk).update(
            service_request_id=request.pk, awaiting_answer=False
        )
        message.service_request_id = request.pk
        audit_record(
            actor=actor, action="message.to_request", target=message, after={"request": request.pk}
        )
        _push_update(message)
    return request


def presence_touch(*, user_id: int) -> None:
    """Mark a user online for PRESENCE_TTL seconds (called by the chat consumer)."""
    from django.core.cache import cache

    cache.set(f"messaging:presence:{user_id}", 1, selectors.PRESENCE_TTL)
    # "Away" on the chat page: seen within the last quarter of an hour (views.AWAY_TTL).
    cache.set(f"messaging:seen:{user_id}", 1, 15 * 60)
