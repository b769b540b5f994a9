"""Demo venues and bookings, written by `core.demo.demo_seed` after the district, the personas
and the service center exist: meeting rooms, a 党群服务中心 and a roof garden in 环西楼宇社区 and
a meeting room in every other building community; bookings over the coming weeks by several
personas (one weekly series, one awaiting approval), all through the services — so the managers
are told of the booking that waits for them.

The bookings are dated from the day the seed runs (the demo should show the coming weeks), so
unlike the rest of the demo they move with the calendar.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from louyu.core.models import Node
from louyu.venues.models import BookerKind, BookingSeries, Venue
from louyu.venues.services import booking_request, series_create, venue_create

HUANXI = "环西楼宇社区"
# The outsider persona's community.
TIANSHUI = "天水楼宇社区"
WEEKDAYS = {str(d): ["08:30", "17:30"] for d in range(5)}
LONG_DAYS = {str(d): ["08:00", "21:00"] for d in range(7)}
EVERYONE = [k.value for k in BookerKind]


def _next(day: date, weekday: int, weeks: int = 0) -> date:
    """The first `weekday` (0 = Monday) after `day`, `weeks` later."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1, weeks=weeks)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def venues_seed(*, actor: Any = None) -> dict[str, int]:
    """Write the demo venues and bookings; returns row counts."""
    huanxi = Node.objects.get(kind=Node.Kind.COMMUNITY, name=HUANXI)
    building = huanxi.children.order_by("pk").first()
    rooms = [
        venue_create(
            actor=actor,
            community=huanxi,
            name="坤和中心三楼会议室",
            kind=Venue.Kind.MEETING_ROOM,
            building=building,
            owner="坤和中心物业",
            location="坤和中心 3 楼 302",
            capacity=20,
            equipment="投影仪、视频会议终端、白板",
            opening_hours=WEEKDAYS,
            bookers=EVERYONE,
        ),
        venue_create(
            actor=actor,
            community=huanxi,
            name="环西党群服务中心",
            kind=Venue.Kind.PARTY_CENTER,
            owner="环西楼宇社区综合党委",
            location="坤和中心 1 楼东侧",
            capacity=80,
            equipment="音响、投影、党建书屋",
            opening_hours=LONG_DAYS,
            bookers=[BookerKind.PARTY, BookerKind.ASSOCIATION, BookerKind.ENTERPRISE],
            approval_required=True,
        ),
        venue_create(
            actor=actor,
            community=huanxi,
            name="屋顶花园",
            kind=Venue.Kind.ROOF_GARDEN,
            building=building,
            owner="坤和中心物业",
            location="坤和中心顶层",
            capacity=40,
            equipment="户外桌椅",
            opening_hours={str(d): ["09:00", "20:00"] for d in range(7)},
            bookers=[BookerKind.ASSOCIATION, BookerKind.ENTERPRISE],
        ),
    ]
    others = [
        venue_create(
            actor=actor,
            community=community,
            name=f"{community.name}会议室",
            kind=Venue.Kind.MEETING_ROOM,
            capacity=16,
            opening_hours=WEEKDAYS,
            bookers=EVERYONE,
        )
        for community in Node.objects.filter(kind=Node.Kind.COMMUNITY)
        .exclude(pk=huanxi.pk)
        .order_by("pk")
    ]
    users = {u.username: u for u in get_user_model().objects.all() if u.username in PERSONAS}
    today = timezone.localdate()
    meeting_room, center, garden = rooms
    bookings = 0
    plan = [
        ("enterprise", meeting_room, _next(today, 1), (10, 0), (11, 30), "客户项目对接会", 8),
        ("employee", meeting_room, _next(today, 3), (14, 0), (15, 0), "部门周会", 6),
        ("clerk", meeting_room, _next(today, 2), (9, 0), (10, 0), "一楼六员工作例会", 8),
        ("association", garden, _next(today, 5, 1), (15, 0), (17, 0), "白领读书会户外分享", 30),
        ("clerk", center, _next(today, 4), (14, 0), (16, 0), "企业政策宣讲会", 60),
    ]
    tianshui = next((v for v in others if v.community.name == TIANSHUI), None)
    if tianshui is not None:
        plan.append(
            ("outsider", tianshui, _next(today, 2), (10, 0), (11, 0), "企业联络员碰头会", 5)
        )
    for username, venue, day, start, end, title, attendees in plan:
        booking_request(
            actor=users[username],
            venue=venue,
            title=title,
            starts_at=_at(day, *start),
            ends_at=_at(day, *end),
            attendees=attendees,
        )
        bookings += 1
    # Waits for the service center's approval: the party committee's 主题党日.
    booking_request(
        actor=users["party_officer"],
        venue=center,
        title="主题党日活动",
        organizer="环西楼宇社区综合党委",
        starts_at=_at(_next(today, 4, 1), 9, 0),
        ends_at=_at(_next(today, 4, 1), 11, 30),
        attendees=45,
        purpose="重温入党誓词，学习贯彻会议精神。",
    )
    bookings += 1
    # Weekly: the association's Thursday 议事 meeting for two months, on working days only.
    first = _next(today, 3)
    series = series_create(
        actor=users["association"],
        venue=meeting_room,
        title="促进会议事会",
        frequency=BookingSeries.Frequency.WEEKLY,
        starts_on=first,
        start_time=time(16, 0),
        end_time=time(17, 0),
        until=first + timedelta(weeks=8),
        workdays_only=True,
        attendees=12,
        organizer="环西楼宇社区促进会",
    )
    bookings += len(series.bookings)
    return {"venues": len(rooms) + len(others), "bookings": bookings}


PERSONAS = {"enterprise", "employee", "clerk", "association", "party_officer", "outsider"}
