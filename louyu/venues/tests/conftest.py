from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from louyu.testing import World
from louyu.venues.models import BookerKind, Venue
from louyu.venues.services import venue_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_WEEK = {str(d): ["08:00", "21:00"] for d in range(7)}


def at(text: str) -> datetime:
    """An aware datetime from "2026-12-09 14:00" in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@dataclass
class Place:
    world: World
    room: Venue
    hall: Venue  # needs approval, enterprises only
    other: Venue  # in the outsider's community

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


class Clock:
    """Sets what `timezone.now()` answers, for the services and views."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = at("2026-12-07 09:00")
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, text: str) -> None:
        self.now = at(text)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def place(world) -> Place:
    room = venue_create(
        actor=world.clerk,
        community=world.community,
        name="三楼会议室",
        kind=Venue.Kind.MEETING_ROOM,
        building=world.building,
        capacity=20,
        opening_hours={**ALL_WEEK, "6": []},
        bookers=[c.value for c in BookerKind],
    )
    hall = venue_create(
        actor=world.clerk,
        community=world.community,
        name="党群服务中心",
        kind=Venue.Kind.PARTY_CENTER,
        capacity=80,
        opening_hours=ALL_WEEK,
        bookers=[BookerKind.ENTERPRISE, BookerKind.PARTY],
        approval_required=True,
    )
    other = venue_create(
        actor=None,
        community=world.other_community,
        name="外经贸会议室",
        capacity=10,
        opening_hours=ALL_WEEK,
        bookers=[BookerKind.ENTERPRISE],
    )
    return Place(world=world, room=room, hall=hall, other=other)
