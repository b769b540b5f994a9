"""Every write of notifications. `notification_send` is the one way any app tells a person
something: it stores a row per recipient inside the caller's transaction and, once that commits,
pushes the new unread count to the recipient's open pages and sends the channels they chose.

Deliveries beyond the app are rows (`Delivery`): a failure is recorded, retried with backoff
(`LOUYU_NOTIFICATIONS_RETRY_SECONDS` × 4^(attempt−1)) up to `LOUYU_NOTIFICATIONS_MAX_ATTEMPTS`,
then given up and shown to the system admin.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.accounts.models import Role
from louyu.core.events import send_event_on_commit
from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record
from louyu.notifications.channels import Message, channel_get
from louyu.notifications.models import (
    PERSONAL_CHANNELS,
    Channel,
    Delivery,
    Notification,
    NotificationPreference,
    NotificationProfile,
)
from louyu.notifications.registry import (
    DEFAULT_RETENTION_DAYS,
    notification_kind_get,
    registry,
)

logger = logging.getLogger(__name__)

EVENT_NEW = "notification.new"
EVENT_READ = "notification.read"
BELL_CACHE_SECONDS = 300
# A claimed delivery is not claimed again for this long (a worker that died mid-send).
CLAIM_LEASE = timedelta(minutes=10)


def is_delivery_admin(user: Any) -> bool:
    """The system admin (or a superuser) sees failed deliveries and exports anyone's data."""
    return bool(
        getattr(user, "is_superuser", False)
        or (getattr(user, "is_authenticated", False) and user.has_role(Role.SYSTEM_ADMIN))
    )


def url_is_local(url: str) -> bool:
    """Only a same-site path may be stored and followed: "/x/", never "//host" or "http://"."""
    return url == "" or (url.startswith("/") and not url.startswith("//") and "\\" not in url)


def unread_count(user: Any) -> int:
    """The bell's figure: one indexed count."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _bell_key(user_id: int, joined: datetime) -> str:
    # The account's creation time is in the key: a reused id (a test database) never reads
    # another account's figure.
    return f"notifications:unread:{user_id}:{joined.timestamp():.6f}"


def unread_count_cached(user: Any) -> int:
    """The bell in every page's header: from the cache, which every write of the user's
    notifications clears on commit (and which expires after BELL_CACHE_SECONDS anyway)."""
    key = _bell_key(user.pk, user.date_joined)
    count = cache.get(key)
    if count is None:
        count = unread_count(user)
        cache.set(key, count, BELL_CACHE_SECONDS)
    return int(count)


def bell_warm(sender: Any = None, *, user: Any = None, **kwargs: Any) -> None:
    """Put the user's unread count in the bell's cache (at sign-in: cache capture only)."""
    if user is not None and getattr(user, "pk", None):
        cache.set(_bell_key(user.pk, user.date_joined), unread_count(user), BELL_CACHE_SECONDS)


def _bell_clear_on_commit(keys: list[str]) -> None:
    transaction.on_commit(lambda: cache.delete_many(keys))


def _unread_counts(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
        .values("recipient_id")
        .annotate(n=Count("pk"))
    )
    return {row["recipient_id"]: row["n"] for row in rows}


def _event(kind: str, count: int, notification: Notification | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": kind, "unread": count}
    if notification is not None:
        event.update(
            id=notification.pk,
            kind=notification.kind,
            title=notification.title,
            text=notification.text,
            url=notification.url,
        )
    return event


def channels_enabled(user_ids: list[int], kind: str) -> dict[int, set[str]]:
    """The channels each user gets `kind` on: the kind's defaults, changed by their choices."""
    default = set(notification_kind_get(kind).channels_default)
    chosen: dict[int, set[str]] = {pk: set(default) for pk in user_ids}
    for pref in NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind):
        if pref.enabled:
            chosen[pref.user_id].add(pref.channel)
        else:
            chosen[pref.user_id].discard(pref.channel)
    for channels in chosen.values():
        channels.add(Channel.INAPP)
    return chosen


def notification_send(
    *,
    kind: str,
    recipients: Iterable[Any],
    title: str,
    text: str,
    url: str = "",
    target: models.Model | None = None,
    actor: Any = None,
) -> list[Notification]:
    """Tell each recipient (users or user ids; None and duplicates ignored, inactive accounts
    skipped) one thing: store a row each, push their unread count live and schedule the other
    channels they chose, all on commit of the caller's transaction. `url` opens the object and
    must be a same-site path. Returns the stored rows."""
    spec = notification_kind_get(kind)
    if not url_is_local(url):
        raise ValueError(f"a notification links only to a same-site path, not {url!r}")
    wanted = {getattr(r, "pk", r) for r in recipients if r is not None}
    if not wanted:
        return []
    # One query: who is active, and which addresses they have (no address, no delivery).
    people: dict[int, dict[str, str]] = {}
    bells = []
    for pk, email, phone, work, joined in (
        get_user_model()
        .objects.filter(pk__in=wanted, is_active=True)
        .values_list("pk", "email", "phone", "notification_profile__work_account", "date_joined")
        .order_by("pk")
    ):
        people[pk] = {"email": email, "sms": phone, "work": work}
        bells.append(_bell_key(pk, joined))
    if not people:
        return []
    user_ids = list(people)
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    actor_name = getattr(actor, "username", "") if actor is not None else ""
    # No savepoint of its own: the rows commit or roll back with the caller's change.
    with transaction.atomic(savepoint=False):
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk,
                    kind=kind,
                    pillar=spec.pillar,
                    title=str(title)[:200],
                    text=str(text),
                    url=url,
                    target_type=target_type,
                    target_id=str(target.pk) if target is not None else "",
                    actor_name=actor_name,
                )
                for pk in user_ids
            ]
        )
        enabled = channels_enabled(user_ids, kind)
        outside = {pk: channels - {Channel.INAPP} for pk, channels in enabled.items()}
        daily: set[int] = set()
        if any(Channel.EMAIL in channels for channels in outside.values()):
            daily = set(
                NotificationProfile.objects.filter(
                    user_id__in=user_ids, digest=NotificationProfile.Digest.DAILY
                ).values_list("user_id", flat=True)
            )
        now = timezone.now()
        deliveries = []
        for row in rows:
            for channel in sorted(outside[row.recipient_id]):
                if not people[row.recipient_id].get(channel):
                    continue
                digest = channel == Channel.EMAIL and row.recipient_id in daily
                deliveries.append(
                    Delivery(
                        notification=row,
                        channel=channel,
                        digest=digest,
                        next_attempt_at=None if digest else now,
                    )
                )
        if deliveries:
            Delivery.objects.bulk_create(deliveries)
        counts = _unread_counts(user_ids)
        _bell_clear_on_commit(bells)
        for row in rows:
            event = _event(EVENT_NEW, counts.get(row.recipient_id, 0), row)
            send_event_on_commit(event, [row.recipient_id])
        _deliveries_enqueue_on_commit([d.pk for d in deliveries if not d.digest])
    return rows


def group_bot_send(*, bots: Iterable[tuple[str, str]], title: str, text: str) -> list[Delivery]:
    """Post one message to group bots — (kind "wecom"/"dingtalk", webhook URL) pairs — on
    commit, with the same retries and visibility as deliveries to people."""
    now = timezone.now()
    rows = Delivery.objects.bulk_create(
        [
            Delivery(
                channel=Channel.GROUP_BOT,
                payload={"bot": bot, "url": webhook, "title": str(title), "text": str(text)},
                next_attempt_at=now,
            )
            for bot, webhook in bots
        ]
    )
    _deliveries_enqueue_on_commit([d.pk for d in rows])
    return rows


def _deliveries_enqueue_on_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    from louyu.notifications import tasks

    transaction.on_commit(lambda: tasks.deliveries_send.enqueue(delivery_ids=delivery_ids))


# --- Reading ---------------------------------------------------------------------------------


def _check_own(actor: Any, notification: Notification) -> None:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This notification is not yours."), code="not_yours", status=404)


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (again is a no-op) and update their bells."""
    _check_own(actor, notification)
    if notification.read_at is not None:
        return notification
    with transaction.atomic():
        now = timezone.now()
        changed = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        notification.read_at = now
        if changed:
            _bell_clear_on_commit([_bell_key(actor.pk, actor.date_joined)])
            send_event_on_commit(_event(EVENT_READ, unread_count(actor)), [actor.pk])
    return notification


def notifications_mark_all_read(*, actor: Any, kind: str | None = None) -> int:
    """Mark all the actor's unread notifications read (of one kind if given); how many."""
    with transaction.atomic():
        unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
        if kind:
            unread = unread.filter(kind=kind)
        changed = unread.update(read_at=timezone.now())
        if changed:
            _bell_clear_on_commit([_bell_key(actor.pk, actor.date_joined)])
            send_event_on_commit(_event(EVENT_READ, unread_count(actor)), [actor.pk])
    return changed


# --- Preferences -----------------------------------------------------------------------------


def preference_set(*, actor: Any, kind: str, channel: str, enabled: bool) -> NotificationPreference:
    """The actor turns one kind on or off on one channel. In-app stays on."""
    if kind not in registry:
        raise ApplicationError(_("Unknown kind of notification."), code="unknown_kind")
    if channel not in {c.value for c in PERSONAL_CHANNELS}:
        raise ApplicationError(_("Unknown channel."), code="unknown_channel")
    if channel == Channel.INAPP and not enabled:
        raise ApplicationError(
            _("Notifications in the app cannot be turned off."), code="inapp_always_on"
        )
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.update_or_create(
            user=actor, kind=kind, channel=channel, defaults={"enabled": enabled}
        )
        audit_record(
            actor=actor,
            action="notifications.preference_set",
            target=pref,
            after={"kind": kind, "channel": channel, "enabled": enabled},
        )
    return pref


def preferences_save(*, actor: Any, choices: dict[tuple[str, str], bool]) -> int:
    """Save a whole preferences form: (kind, channel) → on. Only changed rows are written;
    returns how many changed."""
    current = channels_table(actor)
    changed = 0
    with transaction.atomic():
        for (kind, channel), enabled in choices.items():
            if channel == Channel.INAPP:
                continue
            if current.get((kind, channel)) != enabled:
                preference_set(actor=actor, kind=kind, channel=channel, enabled=enabled)
                changed += 1
    return changed


def channels_table(user: Any) -> dict[tuple[str, str], bool]:
    """(kind, channel) → on, for every registered kind and personal channel."""
    own = {(p.kind, p.channel): p.enabled for p in NotificationPreference.objects.filter(user=user)}
    table = {}
    for spec in registry.values():
        for channel in PERSONAL_CHANNELS:
            default = channel in spec.channels_default
            table[(spec.key, channel.value)] = own.get((spec.key, channel.value), default)
        table[(spec.key, Channel.INAPP.value)] = True
    return table


def profile_set(*, actor: Any, digest: str, work_account: str) -> NotificationProfile:
    """The actor's e-mail rhythm (immediate or daily digest) and work-message account."""
    if digest not in NotificationProfile.Digest.values:
        raise ApplicationError(_("Unknown digest choice."), code="unknown_digest")
    with transaction.atomic():
        profile, _created = NotificationProfile.objects.update_or_create(
            user=actor, defaults={"digest": digest, "work_account": work_account.strip()}
        )
        audit_record(
            actor=actor,
            action="notifications.profile_set",
            target=profile,
            after={"digest": digest, "work_account": bool(work_account.strip())},
        )
    return profile


# --- Delivery --------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the `attempts`-th failure: base, 4×base, 16×base …"""
    return timedelta(seconds=settings.LOUYU_NOTIFICATIONS_RETRY_SECONDS * 4 ** (attempts - 1))


def _address(delivery: Delivery) -> str:
    if delivery.channel == Channel.GROUP_BOT:
        return str(delivery.payload.get("url", ""))
    assert delivery.notification is not None
    user = delivery.notification.recipient
    if delivery.channel == Channel.EMAIL:
        return user.email
    if delivery.channel == Channel.SMS:
        return getattr(user, "phone", "")
    profile = NotificationProfile.objects.filter(user=user).first()
    return profile.work_account if profile else ""


def _message(delivery: Delivery) -> Message:
    if delivery.channel == Channel.GROUP_BOT:
        return Message(
            address=_address(delivery),
            subject=delivery.payload.get("title", ""),
            text=delivery.payload.get("text", ""),
            extra={"bot": delivery.payload.get("bot", "wecom")},
        )
    assert delivery.notification is not None
    n = delivery.notification
    return Message(address=_address(delivery), subject=n.title, text=n.text, url=n.url)


def _digest_message(deliveries: list[Delivery]) -> Message:
    user = deliveries[0].notification.recipient  # type: ignore[union-attr]
    lines = []
    for d in deliveries:
        n = d.notification
        assert n is not None
        stamp = timezone.localtime(n.created_at).strftime("%Y-%m-%d %H:%M")
        link = f" {settings.LOUYU_SITE_URL.rstrip('/')}{n.url}" if n.url else ""
        lines.append(f"{stamp} {n.title}\n{n.text}{link}")
    return Message(
        address=user.email,
        subject=_("Louyu: %(count)d notifications today") % {"count": len(deliveries)},
        text="\n\n".join(lines),
    )


def _record(deliveries: list[Delivery], error: str | None, now: datetime) -> None:
    """Write the outcome of one attempt (one send may carry several digest deliveries)."""
    for d in deliveries:
        d.attempts += 1
        if error is None:
            d.state, d.sent_at, d.next_attempt_at, d.last_error = (
                Delivery.State.SENT,
                now,
                None,
                "",
            )
        elif d.attempts >= settings.LOUYU_NOTIFICATIONS_MAX_ATTEMPTS:
            d.state, d.next_attempt_at, d.last_error = Delivery.State.GAVE_UP, None, error
            logger.error("delivery %s given up after %s attempts: %s", d.pk, d.attempts, error)
        else:
            d.state, d.next_attempt_at, d.last_error = (
                Delivery.State.FAILED,
                now + retry_delay(d.attempts),
                error,
            )
    Delivery.objects.bulk_update(
        deliveries, ["attempts", "state", "sent_at", "next_attempt_at", "last_error"]
    )


def _attempt(deliveries: list[Delivery], message: Message, channel: str) -> bool:
    try:
        channel_get(channel).send(message)
    except Exception as exc:  # any failure of a channel is recorded, retried, then given up
        logger.warning("delivery %s failed", [d.pk for d in deliveries], exc_info=True)
        _record(deliveries, f"{type(exc).__name__}: {exc}"[:2000], timezone.now())
        return False
    _record(deliveries, None, timezone.now())
    return True


def _claim(delivery_ids: list[int], *, now: datetime) -> list[Delivery]:
    """Claim the due ones with a conditional update, so two workers never send one twice."""
    claimed = []
    for pk in delivery_ids:
        if Delivery.objects.due(now).filter(pk=pk).update(next_attempt_at=now + CLAIM_LEASE):
            claimed.append(pk)
    return list(
        Delivery.objects.filter(pk__in=claimed)
        .select_related("notification__recipient")
        .order_by("pk")
    )


def deliveries_send(*, delivery_ids: list[int]) -> int:
    """Attempt the given deliveries that are due; digest ones go as one e-mail per person.
    Returns how many were sent."""
    deliveries = _claim(delivery_ids, now=timezone.now())
    sent = 0
    digests: dict[int, list[Delivery]] = defaultdict(list)
    for d in deliveries:
        if d.digest and d.notification is not None:
            digests[d.notification.recipient_id].append(d)
        elif _attempt([d], _message(d), d.channel):
            sent += 1
    for group in digests.values():
        if _attempt(group, _digest_message(group), Channel.EMAIL):
            sent += len(group)
    return sent


def deliveries_retry() -> int:
    """The sweep: send every delivery whose next attempt is due (failed ones after their
    backoff, and pending ones whose task was lost). Returns how many it sent."""
    due = list(Delivery.objects.due(timezone.now()).values_list("pk", flat=True)[:1000])
    return deliveries_send(delivery_ids=due) if due else 0


def notifications_digest_send() -> int:
    """The daily digest: make every waiting digest delivery due and send them, one e-mail per
    person. Returns how many deliveries it sent."""
    now = timezone.now()
    waiting = Delivery.objects.filter(
        digest=True, state=Delivery.State.PENDING, next_attempt_at__isnull=True
    )
    ids = list(waiting.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids, next_attempt_at__isnull=True).update(next_attempt_at=now)
    return deliveries_send(delivery_ids=ids) if ids else 0


def delivery_retry_now(*, actor: Any, delivery: Delivery) -> Delivery:
    """The system admin sends a given-up or failed delivery again (attempts start over)."""
    if delivery.state not in {Delivery.State.FAILED, Delivery.State.GAVE_UP}:
        raise ApplicationError(_("Only a failed delivery can be retried."), code="not_failed")
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        audit_record(actor=actor, action="notifications.delivery_retry", target=delivery)
        _deliveries_enqueue_on_commit([delivery.pk])
    delivery.refresh_from_db()
    return delivery


# --- Retention and personal data -------------------------------------------------------------


def notifications_purge(*, now: datetime | None = None) -> int:
    """Delete notifications older than their kind's retention (unregistered kinds: the default)
    and group-bot deliveries older than the default. Returns how many notifications went."""
    now = now or timezone.now()
    deleted = 0
    kinds = set(Notification.objects.values_list("kind", flat=True).distinct())
    for kind in sorted(kinds):
        spec = registry.get(kind)
        days = spec.retention_days if spec else DEFAULT_RETENTION_DAYS
        _total, per_model = Notification.objects.filter(
            kind=kind, created_at__lt=now - timedelta(days=days)
        ).delete()
        deleted += per_model.get(Notification._meta.label, 0)
    Delivery.objects.filter(
        notification__isnull=True, created_at__lt=now - timedelta(days=DEFAULT_RETENTION_DAYS)
    ).delete()
    if deleted:
        audit_record(actor=None, action="notifications.purge", after={"deleted": deleted})
    return deleted


def notifications_export(*, actor: Any, user: Any) -> dict[str, Any]:
    """A person's notification data (PIPL access right): their notifications, deliveries,
    preferences and settings, as JSON-ready values. Audited."""
    if actor is not None and actor.pk != user.pk and not is_delivery_admin(actor):
        raise ApplicationError(
            _("Only the person or the system admin may export this."), code="forbidden"
        )
    notifications = [
        {
            "id": n.pk,
            "kind": n.kind,
            "pillar": n.pillar,
            "title": n.title,
            "text": n.text,
            "url": n.url,
            "from": n.actor_name,
            "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None,
            "deliveries": [
                {
                    "channel": d.channel,
                    "state": d.state,
                    "attempts": d.attempts,
                    "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                }
                for d in n.deliveries.all()
            ],
        }
        for n in Notification.objects.filter(recipient=user)
        .prefetch_related("deliveries")
        .order_by("created_at", "pk")
    ]
    profile = NotificationProfile.objects.filter(user=user).first()
    data = {
        "user": user.get_username(),
        "exported_at": timezone.now().isoformat(),
        "settings": {
            "digest": profile.digest if profile else NotificationProfile.Digest.IMMEDIATE,
            "work_account": profile.work_account if profile else "",
        },
        "preferences": [
            {"kind": p.kind, "channel": p.channel, "enabled": p.enabled}
            for p in NotificationPreference.objects.filter(user=user).order_by("kind", "channel")
        ],
        "notifications": notifications,
    }
    audit_record(
        actor=actor,
        action="notifications.export",
        target=user,
        after={"notifications": len(notifications)},
    )
    return data
