"""Conversations and their derived membership: building and community channels follow the
jurisdiction tree and occupancies; department groups, groups and direct conversations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership, Role
from louyu.core.events import send_event_on_commit
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record
from louyu.messaging.models import Conversation, Participant

MAX_DIRECT_MEMBERS = 20


ENTERPRISE_ROLES = (Role.ENTERPRISE_CONTACT, Role.EMPLOYEE)


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
