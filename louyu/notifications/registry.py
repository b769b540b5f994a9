"""The notification kinds every app contributes, registered from its `AppConfig.ready()`:

    from louyu.notifications.registry import notification_kind_register
    notification_kind_register(
        "servicedesk.request.accepted", label=_("Request accepted"), pillar="service",
        channels_default=("inapp", "email"), retention_days=365,
    )

A kind fixes its pillar, the channels a person gets it on until they choose otherwise, and how
long its rows are kept. `core` and `accounts` never import this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from louyu.notifications.models import PERSONAL_CHANNELS, Pillar

DEFAULT_RETENTION_DAYS = 365


@dataclass(frozen=True)
class NotificationKind:
    """A registered kind of notification."""

    key: str
    label: Any  # a lazy translation
    pillar: str
    channels_default: tuple[str, ...]
    retention_days: int


registry: dict[str, NotificationKind] = {}


def notification_kind_register(
    key: str,
    *,
    label: Any,
    pillar: str,
    channels_default: tuple[str, ...] = ("inapp",),
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> NotificationKind:
    """Register a kind (again with the same values is a no-op: ready() may run twice in tests)."""
    if pillar not in Pillar.values:
        raise ValueError(f"unknown pillar {pillar!r} for notification kind {key!r}")
    unknown = set(channels_default) - {c.value for c in PERSONAL_CHANNELS}
    if unknown:
        raise ValueError(f"unknown channels {sorted(unknown)} for notification kind {key!r}")
    if retention_days < 1:
        raise ValueError("a notification kind keeps its rows at least one day")
    channels = tuple(dict.fromkeys(("inapp", *channels_default)))
    kind = NotificationKind(key, label, pillar, channels, retention_days)
    existing = registry.get(key)
    if existing is not None and existing != kind:
        raise ValueError(f"notification kind {key!r} is already registered differently")
    registry[key] = kind
    return kind


def notification_kind_get(key: str) -> NotificationKind:
    """The registered kind; an unregistered key is a programming error."""
    try:
        return registry[key]
    except KeyError:
        raise LookupError(f"notification kind {key!r} is not registered") from None


def notification_kinds() -> list[NotificationKind]:
    """Every registered kind, by pillar then key (the preferences page's rows)."""
    return sorted(registry.values(), key=lambda k: (k.pillar, k.key))
