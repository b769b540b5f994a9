"""Demo data of the service center, written by `core.demo.demo_seed` after the district, the
departments and the personas exist: department duty contacts and handlers, 一楼六员八人 in every
building community (with cross-appointments), the catalog of the five services into the
building, six months of requests in every state with their history, proactive visits, proxy
handling, and ratings whose 综合满意率 is exactly the article's 93.80%.

Deterministic: one seeded RNG, fixed dates (the window ends on DEMO_NOW), rows bulk-written and
summarised by one audit row.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from louyu.accounts.models import Membership, Role
from louyu.core.models import Node
from louyu.core.services import audit_record
from louyu.economy.models import Enterprise
from louyu.lib.workdays import add_workdays, is_workday
from louyu.servicedesk.demo_data import (
    CATALOG,
    CATEGORY_WEIGHTS,
    CHANNEL_WEIGHTS,
    DEPARTMENT_DUTIES,
    EIGHT,
    GIVEN,
    HOURS,
    SURNAMES,
    TITLES,
)
from louyu.servicedesk.models import (
    CallbackTask,
    Channel,
    Department,
    Escalation,
    ProxyDocument,
    ProxyPayment,
    Rating,
    RectificationCase,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
    StaffAssignment,
    Status,
    Visit,
    VisitPlan,
)

SEED = 2026
DEMO_START = date(2026, 5, 25)
# 17:00 in Asia/Shanghai.
DEMO_NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
DEMO_DAY = date(2026, 11, 27)
REQUESTS = 1800
# The article's satisfaction, 93.80%: 1,000 ratings, 938 satisfied (基本满意 counted).
RATING_LEVELS = {5: 610, 4: 248, 3: 80, 2: 45, 1: 17}


def _promise(days: int) -> str:
    return "当场办结" if days == 0 else f"{days} 个工作日内办结"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(5, 9)}{rng.randint(0, 99_999_999):08d}"


def _at(rng: random.Random, day: date) -> datetime:
    minutes = rng.randint(8 * 60 + 30, 17 * 60 + 20)
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def _later(rng: random.Random, moment: datetime, workdays: int) -> datetime:
    day = timezone.localdate(moment)
    if workdays == 0:
        minutes = rng.randint(5, 90)
        return moment + timedelta(minutes=minutes)
    return _at(rng, add_workdays(day, workdays))


@dataclass
class Sim:
    """One request's simulated life: the row's fields and its events up to DEMO_NOW."""

    row: ServiceRequest
    events: list[RequestEvent] = field(default_factory=list)
    done_at: datetime | None = None
    visit: Visit | None = None


def servicedesk_seed(*, actor: Any = None) -> dict[str, int]:
    """Write the service-center demo data; returns row counts. Called by core.demo.demo_seed
    inside its transaction."""
    rng = random.Random(SEED)
    now = DEMO_NOW
    User = get_user_model()
    node_type = ContentType.objects.get_for_model(Node)
    department_type = ContentType.objects.get_for_model(Department)
    unusable = make_password(None)

    # Departments: duty contacts, windows, one handler each (the tax persona for the tax bureau).
    departments = {d.code: d for d in Department.objects.all()}
    for department in departments.values():
        department.duty_contact = _name(rng)
        department.duty_phone = f"0571-8{rng.randint(0, 9_999_999):07d}"
        department.address = f"区行政服务中心 {rng.randint(1, 3)} 楼 {rng.randint(1, 40)} 号窗口"
        department.description = DEPARTMENT_DUTIES.get(department.code, "")
    Department.objects.bulk_update(
        departments.values(), ["duty_contact", "duty_phone", "address", "description"]
    )
    handler_users = User.objects.bulk_create(
        [
            User(
                username=f"h-{code}",
                real_name=_name(rng),
                phone=_phone(rng),
                password=unusable,
            )
            for code in departments
            if code != "tax"
        ]
    )
    handlers: dict[str, Any] = {u.username[2:]: u for u in handler_users}
    tax_handler = User.objects.filter(username="handler_tax").first()
    if tax_handler is not None:
        handlers["tax"] = tax_handler
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                role=Role.DEPARTMENT_HANDLER,
                scope_type=department_type,
                scope_id=departments[code].pk,
                title=departments[code].name,
            )
            for code, user in handlers.items()
            if code != "tax"
        ]
    )

    # 一楼六员八人, with cross-appointments: a street's guide and its tax clerks serve two
    # neighbouring communities.
    communities = list(Node.objects.filter(kind=Node.Kind.COMMUNITY).order_by("path"))
    clerk_persona = User.objects.filter(username="clerk").first()
    people: dict[tuple[int, int], Any] = {}
    new_people: list[Any] = []
    plan_rows: list[tuple[Any, Node, str, str, str, str]] = []
    for index, community in enumerate(communities):
        for slot, (role, kind, agency) in enumerate(EIGHT):
            shared = (
                slot in (0, 4)
                and index % 2 == 1
                and communities[index - 1].parent_id == community.parent_id
            )
            if shared:
                person = people[(index - 1, slot)]
            elif community.name == "环西楼宇社区" and slot == 6 and clerk_persona is not None:
                person = clerk_persona
            else:
                person = User(
                    username=f"s{index + 1:02d}-{slot + 1}",
                    real_name=_name(rng),
                    phone=_phone(rng),
                    password=unusable,
                )
                new_people.append(person)
            people[(index, slot)] = person
            plan_rows.append((person, community, role, kind, agency, rng.choice(HOURS)))
    User.objects.bulk_create(new_people)
    assignments = StaffAssignment.objects.bulk_create(
        [
            StaffAssignment(
                user=person,
                community=community,
                role=role,
                personnel_kind=kind,
                agency=community.name.removesuffix("楼宇社区") + agency,
                contact_phone=person.phone,
                on_site_hours=hours,
            )
            for person, community, role, kind, agency, hours in plan_rows
        ]
    )
    held = set(
        Membership.objects.filter(scope_type=node_type).values_list("user_id", "role", "scope_id")
    )
    grants = {}
    for person, community, role, _kind, agency, _hours in plan_rows:
        key = (person.pk, role, community.pk)
        if key not in held:
            grants[key] = Membership(
                user=person,
                role=role,
                scope_type=node_type,
                scope_id=community.pk,
                title=agency,
            )
    Membership.objects.bulk_create(grants.values())
    desk_people = {
        community.pk: [
            p for (p, c, role, *_rest) in plan_rows if c == community and role == Role.CLERK
        ]
        for community in communities
    }

    # The catalog.
    items: dict[str, ServiceItem] = {}
    for entry in CATALOG:
        (
            code,
            name,
            category,
            kind,
            lead,
            _co,
            statutory,
            promised,
            docs,
            proxy,
            fee,
            role,
            urgent,
            form,
        ) = entry
        items[code] = ServiceItem(
            code=code,
            name=name,
            category=category,
            description=f"{name}：材料齐全的，{_promise(promised)}。",
            kind=kind,
            lead_department=departments[lead],
            default_role=role,
            statutory_days=statutory,
            promised_days=promised,
            documents=[{"name": d, "original": i == 0} for i, d in enumerate(docs)],
            proxy_offered=proxy,
            fee=Decimal(fee),
            form_fields=form,
            urgent=urgent,
        )
    ServiceItem.objects.bulk_create(items.values())
    through = ServiceItem.co_departments.through
    through.objects.bulk_create(
        [
            through(serviceitem_id=items[row[0]].pk, department_id=departments[code].pk)
            for row in CATALOG
            for code in row[5]
            if code in departments
        ]
    )
    by_category: dict[str, list[ServiceItem]] = {}
    for item in items.values():
        by_category.setdefault(item.category, []).append(item)

    # Enterprises per community (operating ones, by id), the persona enterprise first.
    enterprise_rows = list(
        Enterprise.objects.filter(status=Enterprise.Status.OPERATING, building__isnull=False)
        .select_related("building")
        .order_by("pk")
    )
    by_community: dict[int, list[Enterprise]] = {}
    community_of: dict[int, int] = {}
    for enterprise in enterprise_rows:
        assert enterprise.building is not None and enterprise.building.parent_id is not None
        community_of[enterprise.pk] = enterprise.building.parent_id
        by_community.setdefault(enterprise.building.parent_id, []).append(enterprise)
    persona_user = User.objects.filter(username="enterprise").first()
    employee_user = User.objects.filter(username="employee").first()
    persona_enterprise = None
    if persona_user is not None:
        member = persona_user.memberships.filter(role=Role.ENTERPRISE_CONTACT).first()
        persona_enterprise = member.scope if member else None

    # Visit plans (each enterprise once a quarter) and the visits behind visit-channel requests.
    VisitPlan.objects.bulk_create(
        [
            VisitPlan(community=c, interval_days=91, assignee=people[(i, 0)])
            for i, c in enumerate(communities)
        ]
    )

    # Requests.
    workdays = [
        DEMO_START + timedelta(days=i)
        for i in range((DEMO_DAY - DEMO_START).days + 1)
        if is_workday(DEMO_START + timedelta(days=i))
    ]
    community_weights = [3 if c.name == "环西楼宇社区" else 1 for c in communities]
    sims: list[Sim] = []
    visits: list[Visit] = []
    counters: dict[date, int] = {}
    for n in range(REQUESTS):
        day = workdays[int(len(workdays) * (n + rng.random()) / REQUESTS) % len(workdays)]
        if persona_enterprise is not None and n % 120 == 7:
            enterprise = persona_enterprise
        else:
            community = rng.choices(communities, community_weights)[0]
            pool = by_community.get(community.pk) or enterprise_rows
            enterprise = rng.choice(pool)
        community_id = community_of[enterprise.pk]
        category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
        item = rng.choice(by_category[category])
        channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        submitted = _at(rng, day)
        counters[day] = counters.get(day, 0) + 1
        requester = None
        if enterprise == persona_enterprise and channel not in (Channel.VISIT, Channel.COUNTER):
            requester = persona_user if n % 240 != 7 else employee_user
        clerks = desk_people[community_id]
        clerk = rng.choice(clerks)
        visit = None
        if channel == Channel.VISIT:
            visit = Visit(
                enterprise=enterprise,
                community_id=community_id,
                due_on=day,
                reason="季度走访",
                source=Visit.Source.PLAN,
                assignee=clerk,
                status=Visit.Status.DONE,
                checked_in_at=submitted - timedelta(minutes=50),
                findings=f"企业反映：{item.name}相关诉求",
                recorded_at=submitted - timedelta(minutes=5),
            )
            visits.append(visit)
        title = rng.choice(TITLES.get(item.code, [f"{item.name}申请", f"咨询{item.name}"]))
        form_data: dict[str, Any] = {}
        for form_field in item.form_fields:
            if form_field["datatype"] == "singlevaluelist":
                form_data[form_field["code"]] = form_field["values"][0]["key"]
            elif form_field["datatype"] == "number":
                form_data[form_field["code"]] = str(rng.randint(1, 50))
            else:
                form_data[form_field["code"]] = f"浙A{rng.randint(10000, 99999)}"
        row = ServiceRequest(
            number=f"LY{day:%Y%m%d}{counters[day]:05d}",
            title=title,
            description=f"{enterprise.name}：{title}。",
            requester=requester,
            requester_name=requester.real_name if requester else enterprise.legal_representative,
            requester_phone=requester.phone if requester else _phone(rng),
            enterprise=enterprise,
            community_id=community_id,
            building_id=enterprise.building_id,
            service_item=item,
            category=item.category,
            channel=channel,
            source_message_id=(900_000 + n) if channel == Channel.CHAT else None,
            urgent=item.urgent,
            form_data=form_data,
            created_by=clerk
            if channel in (Channel.COUNTER, Channel.PHONE, Channel.VISIT)
            else requester,
            submitted_at=submitted,
            updated_at=submitted,
            response_due_on=add_workdays(day, item.response_days),
        )
        sim = Sim(row=row, visit=visit)
        _simulate(rng, sim, clerk, handlers, departments, now)
        sims.append(sim)

    Visit.objects.bulk_create(visits)
    for sim in sims:
        if sim.visit is not None:
            sim.row.source_visit = sim.visit
    # Upcoming visits on the staff lists.
    upcoming = []
    for i, community in enumerate(communities):
        for enterprise in (by_community.get(community.pk) or [])[:4]:
            upcoming.append(
                Visit(
                    enterprise=enterprise,
                    community=community,
                    due_on=add_workdays(DEMO_DAY, rng.randint(1, 15)),
                    reason=rng.choice(["季度走访", "租约即将到期", "税收同比下降，了解经营情况"]),
                    source=rng.choice([Visit.Source.PLAN, Visit.Source.WARNING]),
                    assignee=people[(i, 0)],
                )
            )
    Visit.objects.bulk_create(upcoming)

    rating_rows = _rate(rng, sims, now)
    rows = ServiceRequest.objects.bulk_create([s.row for s in sims], batch_size=500)
    for sim in sims:
        for event in sim.events:
            event.request = sim.row
    RequestEvent.objects.bulk_create([e for s in sims for e in s.events], batch_size=2000)
    Rating.objects.bulk_create(rating_rows, batch_size=500)
    ratings = len(rating_rows)
    cases, callbacks = _seed_cases(rng, rating_rows, now)
    proxied = _seed_proxy(rng, sims, handlers)

    counts = {
        "staff_assignments": len(assignments),
        "service_items": len(items),
        "service_requests": len(rows),
        "request_events": sum(len(s.events) for s in sims),
        "visits": len(visits) + len(upcoming),
        "ratings": ratings,
        "rectification_cases": cases,
        "callbacks": callbacks,
        "proxy_documents": proxied,
    }
    audit_record(actor=actor, action="servicedesk.demo_seed", after={"seed": SEED, **counts})
    return counts


def _simulate(
    rng: random.Random,
    sim: Sim,
    clerk: Any,
    handlers: dict[str, Any],
    departments: dict[str, Department],
    now: datetime,
) -> None:
    """Walk one request through the workflow with realistic delays, stopping at DEMO_NOW."""
    row = sim.row
    item = row.service_item
    assert item is not None
    moment: datetime = row.submitted_at
    status: str = Status.SUBMITTED
    sim.events.append(
        RequestEvent(
            at=moment,
            actor=row.created_by,
            action="create",
            to_status=status,
            data={"channel": row.channel},
        )
    )

    def step(
        action: str, target: str, delay: int, actor: Any, note: str = "", **changes: Any
    ) -> bool:
        nonlocal moment, status
        at = _later(rng, moment, delay)
        if at > now:
            return False
        sim.events.append(
            RequestEvent(
                at=at,
                actor=actor,
                action=action,
                from_status=status,
                to_status=target,
                note=note,
                data=changes.pop("data", {}),
            )
        )
        moment, status = at, target
        row.status = target
        row.updated_at = at
        for key, value in changes.items():
            setattr(row, key, value(at) if callable(value) else value)
        row.version += 1
        return True

    def finish() -> None:
        if row.is_open and row.current_due_on is not None:
            from louyu.servicedesk.services.escalation import escalation_due

            rung = escalation_due(row, DEMO_DAY)
            for level in range(1, rung + 1):
                sim.events.append(
                    RequestEvent(
                        at=now - timedelta(hours=3 - level),
                        action="escalate",
                        from_status=status,
                        to_status=status,
                        note=str(Escalation(level).label),
                        data={"from": level - 1, "to": level},
                        public=False,
                    )
                )
            if rung:
                row.escalation = rung
                row.escalated_at = now - timedelta(hours=1)
                row.version += rung

    roll = rng.random()
    if roll < 0.04:
        step(
            "refuse",
            Status.REFUSED,
            rng.choice((0, 1)),
            clerk,
            "不属于本中心受理范围，已告知向市级部门申请",
            refuse_reason="不属于本中心受理范围，已告知向市级部门申请",
        )
        if rng.random() < 0.5:
            step("close", Status.CLOSED, rng.randint(1, 3), clerk, closed_at=lambda at: at)
        return finish()
    if roll < 0.12 and item.documents:
        # 补正 before acceptance: the clock starts once everything is in.
        missing = [item.documents[-1]["name"]]
        if not step(
            "request_documents",
            Status.AWAITING_DOCUMENTS,
            0,
            clerk,
            "、".join(missing),
            paused_from=Status.SUBMITTED,
            missing_documents=missing,
            data={"documents": missing},
        ):
            return finish()
        wait = rng.randint(1, 6)
        if not step(
            "documents_received",
            Status.ACCEPTED,
            wait,
            clerk,
            paused_from="",
            missing_documents=[],
            accepted_at=lambda at: at,
            clock_started_on=lambda at: timezone.localdate(at),
            due_on=lambda at: add_workdays(timezone.localdate(at), item.promised_days),
            data={"received_on": ""},
        ):
            return finish()
    else:
        delay = 0 if rng.random() < 0.8 else (1 if rng.random() < 0.85 else 2)
        if not step(
            "accept",
            Status.ACCEPTED,
            delay,
            clerk,
            accepted_at=lambda at: at,
            clock_started_on=lambda at: timezone.localdate(at),
            due_on=lambda at: add_workdays(timezone.localdate(at), item.promised_days),
        ):
            return finish()
    late = rng.random() < 0.1
    if item.kind == ServiceItem.Kind.IMMEDIATE and row.channel == Channel.COUNTER:
        step(
            "complete",
            Status.DONE,
            0,
            clerk,
            "当场办结",
            completed_at=lambda at: at,
            resolution="当场办结",
            handler=clerk,
        )
    else:
        department = item.lead_department
        handler = handlers.get(department.code)
        if not step(
            "dispatch",
            Status.DISPATCHED,
            0,
            clerk,
            dispatched_at=lambda at: at,
            department=department,
            sign_due_on=lambda at: add_workdays(timezone.localdate(at), 1),
            data={"department": department.pk},
        ):
            return finish()
        if rng.random() < 0.03 and "justice" in departments and department.code != "justice":
            other = departments["justice"]
            if not step(
                "transfer",
                Status.DISPATCHED,
                rng.choice((0, 1)),
                handler,
                "经核实属调解类事项，转司法局办理",
                department=other,
                dispatched_at=lambda at: at,
                sign_due_on=lambda at: add_workdays(timezone.localdate(at), 1),
                data={"from_department": department.pk, "department": other.pk},
            ):
                return finish()
            department, handler = other, handlers.get("justice")
        sign_delay = 0 if rng.random() < 0.7 else (1 if rng.random() < 0.9 else 2)
        if not step(
            "sign", Status.SIGNED, sign_delay, handler, signed_at=lambda at: at, handler=handler
        ):
            return finish()
        if not step("start", Status.IN_PROGRESS, 0 if rng.random() < 0.7 else 1, handler):
            return finish()
        days_left = max(0, item.promised_days - 1)
        work = rng.randint(0, days_left) if not late else item.promised_days + rng.randint(1, 5)
        if not step(
            "complete",
            Status.DONE,
            work,
            handler,
            "已按规定办结并告知企业",
            completed_at=lambda at: at,
            resolution="已按规定办结并告知企业",
        ):
            return finish()
    sim.done_at = moment
    return finish()


def _rate(rng: random.Random, sims: list[Sim], now: datetime) -> list[Rating]:
    """Exactly RATING_LEVELS ratings over requests completed at least three days before
    DEMO_NOW (rated, then closed after the revisit); the rest of the done requests are closed
    after the revisit or still wait. Returns the unsaved ratings."""
    done = [s for s in sims if s.done_at is not None and s.done_at < now - timedelta(days=3)]
    total = sum(RATING_LEVELS.values())
    chosen = rng.sample(done, min(total, len(done)))
    levels = [level for level, n in RATING_LEVELS.items() for _ in range(n)]
    rng.shuffle(levels)
    rows = []
    for sim, level in zip(chosen, levels, strict=False):
        request = sim.row
        assert sim.done_at is not None
        at: datetime = sim.done_at + timedelta(hours=rng.randint(2, 60))
        channel = "online" if request.channel in ("web", "mobile", "chat") else "offline"
        indicators = {
            name: max(1, min(5, level + rng.choice((-1, 0, 0, 0, 1))))
            for name in (
                ("efficiency", "convenience") if channel == "online" else ("efficiency", "attitude")
            )
        }
        real_name = rng.random() < 0.9
        rating = Rating(
            request=request,
            level=level,
            indicators=indicators,
            comment=(
                "办理及时，服务周到"
                if level >= 4
                else "基本解决"
                if level == 3
                else "办理时间太长，来回跑了两次"
            ),
            rater=request.requester,
            real_name=real_name,
            channel=channel,
            department_id=request.department_id,
            service_item_id=request.service_item_id,
            community_id=request.community_id,
            handler_id=request.handler_id,
            created_at=at,
        )
        rows.append(rating)
        request.status = Status.RATED
        request.version += 1
        sim.events.append(
            RequestEvent(
                at=at,
                actor=request.requester,
                action="rate",
                from_status=Status.DONE,
                to_status=Status.RATED,
                data={"level": level},
            )
        )
        closed_at = at + timedelta(days=rng.randint(1, 4))
        if closed_at < now - timedelta(days=2):
            request.status = Status.CLOSED
            request.closed_at = closed_at
            request.version += 1
            sim.events.append(
                RequestEvent(
                    at=closed_at,
                    actor=None,
                    action="close",
                    from_status=Status.RATED,
                    to_status=Status.CLOSED,
                    note="已回访",
                )
            )
        request.updated_at = max(e.at for e in sim.events)
    # Requests done but not rated: most closed after the revisit, the recent ones still done.
    rated = {id(s) for s in chosen}
    for sim in sims:
        if (
            sim.done_at is not None
            and id(sim) not in rated
            and sim.done_at < now - timedelta(days=5)
        ):
            at = sim.done_at + timedelta(days=3)
            sim.row.status = Status.CLOSED
            sim.row.closed_at = at
            sim.row.version += 1
            sim.events.append(
                RequestEvent(
                    at=at,
                    actor=None,
                    action="close",
                    from_status=Status.DONE,
                    to_status=Status.CLOSED,
                    note="已回访，企业无意见",
                )
            )
    return rows


def _seed_cases(rng: random.Random, rows: list[Rating], now: datetime) -> tuple[int, int]:
    """Bad ratings open rectification cases at the stage their age implies (a few appealed),
    and real-name ones a callback."""
    cases, callbacks = [], []
    Stage = RectificationCase.Stage
    for rating in rows:
        if rating.level > 2:
            continue
        age = (now - rating.created_at).days
        stage = (
            Stage.CLOSED
            if age > 20
            else Stage.REVISIT
            if age > 12
            else Stage.RECTIFY
            if age > 5
            else Stage.VERIFY
        )
        if rating.level == 1 and age > 5 and rng.random() < 0.15:
            stage = Stage.APPEALED
        day = timezone.localdate(rating.created_at)
        cases.append(
            RectificationCase(
                rating=rating,
                request=rating.request,
                stage=stage,
                due_on=add_workdays(day, 5),
                verification="已电话核实情况属实" if stage != Stage.VERIFY else "",
                rectification="已约谈经办人，优化办理流程"
                if stage in (Stage.REVISIT, Stage.CLOSED)
                else "",
                feedback="已向企业反馈整改情况" if stage in (Stage.REVISIT, Stage.CLOSED) else "",
                revisit="企业对整改结果表示认可" if stage == Stage.CLOSED else "",
                appeal_reason="企业误选评价等级" if stage == Stage.APPEALED else "",
                opened_at=rating.created_at,
                closed_at=rating.created_at + timedelta(days=18) if stage == Stage.CLOSED else None,
            )
        )
        if rating.real_name:
            callbacks.append(
                CallbackTask(
                    rating=rating,
                    due_on=add_workdays(day, 1),
                    done_at=rating.created_at + timedelta(days=1) if age > 2 else None,
                    note="已回访，企业反映办理时间较长" if age > 2 else "",
                )
            )
    RectificationCase.objects.bulk_create(cases)
    CallbackTask.objects.bulk_create(callbacks)
    return len(cases), len(callbacks)


def _seed_proxy(rng: random.Random, sims: list[Sim], handlers: dict[str, Any]) -> int:
    """Custody records for counter requests of proxy-handled items (originals received, most
    returned) and paid traffic fines with receipts."""
    documents, payments = [], []
    for sim in sims:
        request = sim.row
        item = request.service_item
        if item is None or not item.proxy_offered or request.channel != Channel.COUNTER:
            continue
        clerk = request.created_by
        if clerk is None:
            continue
        done_at = sim.done_at
        for index, document in enumerate(item.documents):
            returned = done_at is not None
            documents.append(
                ProxyDocument(
                    request=request,
                    name=document["name"],
                    is_original=index == 0,
                    received_at=request.submitted_at,
                    received_by=clerk,
                    returned_at=done_at + timedelta(days=1) if done_at else None,
                    returned_by=clerk if returned else None,
                    returned_to=request.requester_name if returned else "",
                )
            )
        if item.code == "traffic-fine":
            payments.append(
                ProxyPayment(
                    request=request,
                    purpose="交通违法罚款",
                    amount=Decimal(rng.choice((100, 150, 200))),
                    paid_at=request.submitted_at + timedelta(hours=2),
                    paid_by=clerk,
                    payee="公安交警下城大队",
                    receipt_number=f"NO.3301{rng.randint(0, 99_999_999):08d}",
                    settled=sim.done_at is not None,
                )
            )
    ProxyDocument.objects.bulk_create(documents, batch_size=1000)
    ProxyPayment.objects.bulk_create(payments)
    return len(documents)


__all__ = ["DEMO_NOW", "RATING_LEVELS", "servicedesk_seed"]


def servicedesk_todo_seed(*, actor: Any = None) -> dict[str, int]:
    """A few requests walked through the services on the day the demo is seeded (issue 14), so
    every persona's to-do list has something today: a new request for the clerk, documents
    asked for and a rating to give for the enterprise contact, a request returned to the tax
    bureau for redoing, and the outsider's own request waiting for documents. Called by
    core.demo.demo_seed after the simulated history (whose counts stay as they are)."""
    from louyu.servicedesk.services.requests import (
        request_accept,
        request_complete,
        request_create,
        request_dispatch,
        request_reopen,
        request_request_documents,
        request_sign,
    )

    users = {u.username: u for u in get_user_model().objects.filter(username__in=TODO_PERSONAS)}
    # A tax-bureau item without required extra fields (the walk fills in none).
    item = next(
        (
            i
            for i in ServiceItem.objects.filter(
                lead_department__code="tax", is_active=True
            ).order_by("code")
            if not any(f.get("required") for f in i.form_fields)
        ),
        None,
    )
    if item is None or set(users) != set(TODO_PERSONAS):
        return {"todo_requests": 0}
    contact, clerk, handler = users["enterprise"], users["clerk"], users["handler_tax"]
    enterprise = Enterprise.objects.filter(
        pk__in=Membership.objects.filter(user=contact, role=Role.ENTERPRISE_CONTACT).values(
            "scope_id"
        )
    ).first()

    def new(title: str, requester: Any = contact, on_behalf: Any = enterprise) -> Any:
        return request_create(
            actor=requester,
            requester=requester,
            enterprise=on_behalf,
            title=title,
            description="",
            channel="mobile",
            service_item=item,
        )

    def accepted(title: str) -> Any:
        return request_accept(actor=clerk, request=new(title))

    new("申请开具增值税专用发票")
    request_request_documents(
        actor=clerk, request=accepted("变更财务负责人"), documents=["新任财务负责人身份证复印件"]
    )
    request_complete(actor=clerk, request=accepted("领取税控设备"), resolution="已当场发放。")
    redo = request_sign(
        actor=handler, request=request_dispatch(actor=clerk, request=accepted("退税进度查询"))
    )
    request_complete(actor=handler, request=redo, resolution="已答复退税进度。")
    request_reopen(actor=clerk, request=redo, reason="企业反映答复与实际到账不符，请重新核实。")
    outsider = users["outsider"]
    theirs = Enterprise.objects.filter(
        pk__in=Membership.objects.filter(user=outsider, role=Role.ENTERPRISE_CONTACT).values(
            "scope_id"
        )
    ).first()
    if theirs is not None and theirs.building_id:
        request_request_documents(
            actor=None,
            request=new("办理跨区迁移", requester=outsider, on_behalf=theirs),
            documents=["迁入地接收函"],
        )
    return {"todo_requests": 5}


# The personas the to-do walk needs.
TODO_PERSONAS = ("enterprise", "clerk", "handler_tax", "outsider")
