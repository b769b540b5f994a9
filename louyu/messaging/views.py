"""The chat page (/messaging/), its fragments (search, people of a conversation, presence),
attachment downloads (members only) and the audit administrator's export list.

Writes go through /api/v1/messaging/ (services, audited); these views only read."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership
from louyu.core.uploads import file_response
from louyu.lib import pinyin
from louyu.messaging import selectors
from louyu.messaging.models import Conversation, Message, Participant, Reaction
from louyu.messaging.todo import unread_conversations

# A tab that pinged within PRESENCE_TTL is online; one seen within this many seconds is away.
AWAY_TTL = 15 * 60


def presence_states(user_ids: list[int]) -> dict[int, str]:
    """online / away / offline for each user, from the cache keys the chat consumer sets."""
    online = selectors.presence_online(user_ids)
    seen_keys = {f"messaging:seen:{uid}": uid for uid in user_ids}
    seen = {seen_keys[key] for key in cache.get_many(list(seen_keys))}
    return {
        uid: "online" if uid in online else "away" if uid in seen else "offline" for uid in user_ids
    }


def _node_staff_ids(user: Any) -> set[int]:
    return set(
        Membership.objects.filter(
            user=user,
            role__in=SERVICE_CENTER_ROLES,
            scope_type__app_label="core",
            scope_type__model="node",
        ).values_list("scope_id", flat=True)
    )


def _unread_mentions(user: Any, conversations: list[Conversation]) -> dict[int, int]:
    """conversation id → unread messages that mention the user."""
    pointers = {
        c.pk: getattr(c, "last_read_id", 0) or 0 for c in conversations if getattr(c, "unread", 0)
    }
    if not pointers:
        return {}
    counts: dict[int, int] = {}
    rows = (
        Message.objects.filter(
            conversation_id__in=list(pointers),
            id__gt=min(pointers.values()),
            deleted_at__isnull=True,
        )
        .exclude(sender=user)
        .exclude(mentions=[])
        .values_list("conversation_id", "id", "mentions")
    )
    for conversation_id, message_id, mentions in rows:
        if message_id > pointers[conversation_id] and user.pk in (mentions or []):
            counts[conversation_id] = counts.get(conversation_id, 0) + 1
    return counts


def _direct_others(user: Any, conversations: list[Conversation]) -> dict[int, list[Any]]:
    """conversation id → the other participants (users) of the user's direct conversations."""
    direct = [c.pk for c in conversations if c.kind == Conversation.Kind.DIRECT]
    others: dict[int, list[Any]] = {pk: [] for pk in direct}
    for p in (
        Participant.objects.filter(conversation_id__in=direct)
        .exclude(user=user)
        .select_related("user")
        .order_by("user__real_name", "user_id")
    ):
        others[p.conversation_id].append(p.user)
    return others


@login_required
@require_GET
def chat(request: HttpRequest) -> HttpResponse:
    """Conversation list with unread and mention badges and presence of direct contacts; the
    pane and composer are driven by chat-app.js over the REST API and /ws/chat/."""
    user = request.user
    # ?todo=unread: the workbench's "messages to read" (issue 14), exactly the ones it counted.
    only_unread = request.GET.get("todo") == "unread"
    listed = unread_conversations(user) if only_unread else selectors.conversation_list(user)
    conversations = list(listed)
    latest = max((c.last_message_id for c in conversations), default=0)
    mentions = _unread_mentions(user, conversations)
    others = _direct_others(user, conversations)
    states = presence_states(sorted({u.pk for users in others.values() for u in users}))
    staff_nodes = _node_staff_ids(user)
    for c in conversations:
        c.mention_count = mentions.get(c.pk, 0)  # type: ignore[attr-defined]
        c.can_moderate = c.my_role == Participant.Role.MODERATOR or bool(  # type: ignore[attr-defined]
            c.node is not None and staff_nodes & set(c.node.ancestor_ids)
        )
        if c.pk in others:
            c.others = [  # type: ignore[attr-defined]
                {"id": u.pk, "name": u.display_name, "state": states[u.pk]} for u in others[c.pk]
            ]
            c.display_title = "、".join(o["name"] for o in c.others) or str(c)  # type: ignore[attr-defined]
        else:
            c.others = []  # type: ignore[attr-defined]
            c.display_title = str(c)  # type: ignore[attr-defined]
    return render(
        request,
        "messaging/chat.html",
        {
            "conversations": conversations,
            "latest_id": latest,
            "emojis": Reaction.Emoji.values,
            "me": user,
            "can_export": selectors.exportable_conversations(user).exists(),
            "only_unread": only_unread,
        },
    )


@login_required
@require_GET
def people(request: HttpRequest, pk: int) -> HttpResponse:
    """The members of a conversation (members only, else 404) as an HTML fragment: presence,
    a direct-message action and, for moderators, a mute action. `q` filters by name or pinyin
    initials."""
    conversation = selectors.get_conversation_for_user(request.user, pk)
    members = selectors.member_list(conversation)
    states = presence_states([m["id"] for m in members])
    query = (request.GET.get("q") or "").strip().lower()[:50]
    rows = []
    for m in members:
        keys = f"{m['name'].lower()} {pinyin.initials(m['name'])} {pinyin.spelling(m['name'])}"
        if query and query not in keys:
            continue
        rows.append({**m, "state": states[m["id"]], "me": m["id"] == request.user.pk})
    return render(
        request,
        "messaging/_people.html",
        {
            "conversation": conversation,
            "members": rows,
            "can_moderate": selectors.can_moderate(request.user, conversation),
            "direct": conversation.kind == Conversation.Kind.DIRECT,
        },
    )


@login_required
@require_GET
def mention_candidates(request: HttpRequest, pk: int) -> JsonResponse:
    """Members to offer after "@" (members only, else 404): id, name, pinyin initials and
    full spelling, so "zt" or "zhou" finds 周婷婷."""
    conversation = selectors.get_conversation_for_user(request.user, pk)
    members = selectors.member_list(conversation)
    return JsonResponse(
        [
            {
                "id": m["id"],
                "name": m["name"],
                "initials": pinyin.initials(m["name"]),
                "spelling": pinyin.spelling(m["name"]),
            }
            for m in members
            if m["id"] != request.user.pk
        ],
        safe=False,
    )


@login_required
@require_GET
def presence(request: HttpRequest) -> JsonResponse:
    """Presence of the other members of the user's direct conversations (the list's dots)."""
    user: Any = request.user
    direct = selectors.conversations_for_user(user).filter(kind=Conversation.Kind.DIRECT)
    ids = sorted(
        set(
            Participant.objects.filter(conversation__in=direct)
            .exclude(user=user)
            .values_list("user_id", flat=True)
        )
    )
    return JsonResponse({str(uid): state for uid, state in presence_states(ids).items()})


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """The audit administrator's list of conversations to export (404 for everyone else)."""
    conversations = selectors.exportable_conversations(request.user)
    if not conversations.exists():
        raise Http404
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        conversations = conversations.filter(
            Q(title__icontains=query) | Q(node__name__icontains=query)
        )
    return render(
        request,
        "messaging/export_list.html",
        {"conversations": conversations.order_by("-last_message_id", "pk")[:200], "query": query},
    )


@login_required
@require_GET
def search_results(request: HttpRequest) -> HttpResponse:
    """Search results as an HTML fragment for htmx."""
    query = (request.GET.get("q") or "").strip()[:100]
    results = list(selectors.message_search(request.user, query)[:30]) if query else []
    return render(
        request,
        "messaging/_search_results.html",
        {"query": query, "results": results},
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file, to members only (404 for everyone else); never rendered inline unless an image."""
    attachment = selectors.get_attachment_for_user(request.user, pk)
    return file_response(attachment.file, filename=attachment.original_name)
