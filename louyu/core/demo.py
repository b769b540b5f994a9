"""Demo data: a deterministic, synthetic Xiacheng district (下城区) as it stood at the end of 2013.

Two halves. `demo_plan()` is a pure function from a fixed seed to plain data (no database), so the
data set can be compared and checksummed (`plan_digest`). `demo_seed()` writes one plan: tree
nodes go through `node_create` (paths and one audit row each), accounts through `user_create` and
`membership_grant`; floors, units, enterprises, departments and party organizations are seed rows
written with `bulk_create` and summarised by one "demo.seed" audit row.

The district, its eight streets, its codes until 2021 and what the article names (26 building
communities, 119 target buildings, 环西楼宇社区, 坤和中心, 浙江省外经贸广场, 万华控股 and the 161
SMEs around it) are real; every other name, number and code is generated. The persona table
`PERSONAS` is shared with `louyu/testing.py`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from stdnum.cn import uscc

from louyu.accounts.models import Membership, Role
from louyu.accounts.services import membership_grant, user_create
from louyu.core.models import DivisionCode, Node
from louyu.core.services import audit_record, node_create
from louyu.economy.models import Enterprise, Floor, Unit
from louyu.party.models import PartyOrganization
from louyu.servicedesk.models import Department

SEED = 2013
DISTRICT = "下城区"
MERGED = date(2021, 4, 9)
BEFORE_MERGER = date(2021, 4, 8)
SINCE = date(1983, 1, 1)
# GB/T 2260: Xiacheng 330103 until the 2021 merger into the new Gongshu district (330105).
DISTRICT_CODES: list[tuple[str, date, date | None]] = [
    ("330103", SINCE, BEFORE_MERGER),
    ("330105", MERGED, None),
]
DISTRICT_CODE_NOTES = {
    "330103": "下城区（1983–2021）",
    "330105": "撤销下城区、拱墅区，设立新的拱墅区（浙江省人民政府 2021-03-11 通知）",
}

# street, pinyin slug, local road and place words, building communities (26 in all).
STREETS: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    ("天水街道", "tianshui", ("天水", "凤起", "延安", "中河"), ("天水", "凤起", "延安北")),
    (
        "武林街道",
        "wulin",
        ("武林", "环城", "体育场", "杭州"),
        ("环西", "武林广场", "体育场", "中山", "庆春"),
    ),
    ("长庆街道", "changqing", ("长庆", "建国", "中河", "西湖"), ("长庆", "建国北", "中河")),
    ("潮鸣街道", "chaoming", ("潮鸣", "东园", "艮山", "新华"), ("潮鸣", "东园", "艮山")),
    ("朝晖街道", "zhaohui", ("朝晖", "潮王", "京杭", "运河"), ("朝晖", "潮王", "京杭", "中山北")),
    ("文晖街道", "wenhui", ("文晖", "文化", "西湖", "绍兴"), ("文晖", "西湖文化广场", "绍兴路")),
    ("东新街道", "dongxin", ("东新", "白石", "沈半", "新天地"), ("东新", "白石", "新天地")),
    ("石桥街道", "shiqiao", ("石桥", "华丰", "杭钢", "永丰"), ("石桥", "华丰")),
]
STREET_CODE_NOTE = "演示数据：按 GB/T 10114 格式生成的街道代码"
COMMUNITY_SUFFIX = "楼宇社区"
TARGET_BUILDINGS = 119
OTHER_BUILDINGS = 15
HUANXI = "环西楼宇社区"
KUNHE = "坤和中心"
WAIJINGMAO = "浙江省外经贸广场"
WAIJINGMAO_COMMUNITY = "天水楼宇社区"
# The article: the Huanxi committee rests on Wanhua Holding's, joined by members of 161 SMEs.
HUANXI_ANCHOR = "万华控股集团有限公司"
HUANXI_SMES = 161


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


BUILDING_WORDS = _words(
    "钱塘 西子 湖滨 宝石 吴山 运河 之江 富春 浙商 汇金 金都 恒丰 嘉华 "
    "中豪 东方 新世纪 国信 远洋 天目 紫金 广利 元通 嘉德 华浙 百瑞 同方 "
    "明珠 鼎盛 瑞丰 宏达 永安 星辰 中盈 泰和 润和 恒基 汇丰 锦绣 银座 "
    "华辰"
)
BUILDING_SUFFIXES = _words(
    "大厦 中心 广场 国际 商务中心 金融大厦 科技大厦 发展大厦 商务楼 国际中心 财富中心 时代广场"
)
FIRM_FIRST = "华恒博致鼎晨清锦启星云慧众泽汇睿蓝青卓诚德嘉瑞宏信银新天安和联润越钱宸"
FIRM_SECOND = "远瑞瀚达盛曦源程明河帆通信润智思鲸禾越邦泰丰科创鑫辰航悦峰"
FIRM_TRADES = _words(
    "科技 网络科技 信息技术 投资管理 贸易 文化传媒 建筑设计 企业管理咨询 "
    "供应链管理 人力资源 广告 电子商务 物业管理 餐饮管理 教育科技 医药科技 "
    "检测技术 财务咨询 旅游开发 软件 实业 资产管理 工程技术 数据服务"
)

# (slug, name): the departments an enterprise reaches through its service center (30+).
DEPARTMENTS: list[tuple[str, str]] = [
    ("market", "区市场监管局"),
    ("tax", "区税务局"),
    ("police", "公安下城分局"),
    ("traffic-police", "公安交警下城大队"),
    ("hrss", "区人力资源和社会保障局"),
    ("housing", "区住房和城乡建设局"),
    ("urban-management", "区城市管理局"),
    ("fire", "区消防救援大队"),
    ("ecology", "市生态环境局下城分局"),
    ("health", "区卫生健康局"),
    ("civil-affairs", "区民政局"),
    ("statistics", "区统计局"),
    ("commerce", "区商务局"),
    ("development-reform", "区发展和改革局"),
    ("science-technology", "区科学技术局"),
    ("justice", "区司法局"),
    ("emergency", "区应急管理局"),
    ("housing-fund", "市住房公积金中心下城分中心"),
    ("medical-insurance", "区医疗保障局"),
    ("finance", "区财政局"),
    ("education", "区教育局"),
    ("culture-tourism", "区文化和广电旅游体育局"),
    ("veterans", "区退役军人事务局"),
    ("planning", "市规划和自然资源局下城分局"),
    ("investment", "区投资促进局"),
    ("government-services", "区政务服务中心"),
    ("data-resources", "区数据资源管理局"),
    ("civil-defense", "区人防办"),
    ("financial-office", "区金融办"),
    ("building-office", "区楼宇经济发展办公室"),
    ("organization", "区委组织部（两新工委）"),
    ("trade-union", "区总工会"),
    ("youth-league", "团区委"),
    ("womens-federation", "区妇联"),
    ("federation-commerce", "区工商联"),
    ("disabled-federation", "区残联"),
    ("science-association", "区科协"),
]


class Persona(NamedTuple):
    """One demo and test account: its role, the key of its scope (see `persona_scopes` and
    `louyu.testing.World.scopes`), a Chinese real name, and whether it may use the Django
    admin (the three separated admin roles only)."""

    role: str
    scope: str
    real_name: str
    is_staff: bool


# username → persona: the one table behind `manage.py seed_demo` and `louyu.testing`.
PERSONAS: dict[str, Persona] = {
    "district": Persona(Role.DISTRICT_OFFICER, "district", "陈志华", False),
    "street": Persona(Role.STREET_CADRE, "street", "王丽娟", False),
    "clerk": Persona(Role.CLERK, "community", "李晓燕", False),
    "handler_tax": Persona(Role.DEPARTMENT_HANDLER, "tax", "张建军", False),
    "party_officer": Persona(Role.PARTY_OFFICER, "party_committee", "刘红梅", False),
    "association": Persona(Role.ASSOCIATION_REP, "community", "赵国平", False),
    "enterprise": Persona(Role.ENTERPRISE_CONTACT, "enterprise", "孙浩然", False),
    "employee": Persona(Role.EMPLOYEE, "enterprise", "周婷婷", False),
    "outsider": Persona(Role.ENTERPRISE_CONTACT, "other_enterprise", "吴俊杰", False),
    "sysadmin": Persona(Role.SYSTEM_ADMIN, "district", "郑伟", True),
    "secadmin": Persona(Role.SECURITY_ADMIN, "district", "钱敏", True),
    "auditor": Persona(Role.AUDIT_ADMIN, "district", "冯静", True),
}
# What each persona is called, in Chinese, in the accounts table and on its membership.
PERSONA_TITLES: dict[str, str] = {
    "district": "区楼宇办",
    "street": "街道干部",
    "clerk": "服务中心办事员",
    "handler_tax": "部门经办人",
    "party_officer": "综合党委委员",
    "association": "促进会会员代表",
    "enterprise": "企业联络员",
    "employee": "白领员工",
    "outsider": "企业联络员（外楼宇社区）",
    "sysadmin": "系统管理员",
    "secadmin": "安全管理员",
    "auditor": "审计管理员",
}


def persona_phone(username: str) -> str:
    """A valid mainland mobile number, fixed per persona (139 0571 0001, …)."""
    return f"1390571{list(PERSONAS).index(username) + 1:04d}"


@dataclass(frozen=True, slots=True)
class StreetPlan:
    name: str
    slug: str
    codes: tuple[tuple[str, date, date | None], ...]


@dataclass(frozen=True, slots=True)
class CommunityPlan:
    name: str
    street: str


@dataclass(frozen=True, slots=True)
class BuildingPlan:
    """A building; `floors` is ((floor number, ((unit number, area, state), …)), …)."""

    name: str
    community: str
    is_target: bool
    floors: tuple[tuple[int, tuple[tuple[str, Decimal, str], ...]], ...]


@dataclass(frozen=True, slots=True)
class EnterprisePlan:
    name: str
    credit_code: str
    building: str


@dataclass(frozen=True, slots=True)
class PartyOrganizationPlan:
    name: str
    kind: str
    community: str
    parent: str | None


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything `demo_seed` writes, as plain data."""

    district: str
    district_codes: tuple[tuple[str, date, date | None], ...]
    streets: tuple[StreetPlan, ...]
    communities: tuple[CommunityPlan, ...]
    buildings: tuple[BuildingPlan, ...]
    enterprises: tuple[EnterprisePlan, ...]
    departments: tuple[tuple[str, str], ...]
    party_organizations: tuple[PartyOrganizationPlan, ...]
    persona_enterprise: str
    outsider_enterprise: str

    @property
    def unit_count(self) -> int:
        return sum(len(units) for b in self.buildings for _, units in b.floors)


def organization_code(body: str) -> str:
    """Append the GB 11714 check character to an 8-character organization code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(char, 36) * weight for char, weight in zip(body, weights, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random) -> str:
    """A valid GB 32100 unified social credit code of an enterprise (91…) registered in
    Xiacheng (330103) or, for some, Gongshu (330105); the body is a GB 11714 organization code,
    new-style (MA…) or old-style (digits)."""
    region = "330103" if rng.random() < 0.85 else "330105"
    if rng.random() < 0.5:
        # Organization code characters: digits and capitals, within the USCC alphabet.
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        body = "MA2" + "".join(rng.choice(alphabet) for _ in range(5))
    else:
        body = str(rng.randint(5, 7)) + "".join(rng.choice("0123456789") for _ in range(7))
    stem = "91" + region + organization_code(body)
    return stem + uscc.calc_check_digit(stem)


def _street_codes(index: int) -> tuple[tuple[str, date, date | None], ...]:
    # GB/T 10114 street codes: 330103 + 001…; the post-2021 Gongshu codes are synthetic.
    return (
        (f"330103{index + 1:03d}", SINCE, BEFORE_MERGER),
        (f"330105{index + 21:03d}", MERGED, None),
    )


def _spread(rng: random.Random, total: int, buckets: int, base: int) -> list[int]:
    """`buckets` counts of at least `base` summing to `total`, the rest dealt at random."""
    counts = [base] * buckets
    for _ in range(total - base * buckets):
        counts[rng.randrange(buckets)] += 1
    return counts


def _floors(
    rng: random.Random, is_target: bool
) -> tuple[tuple[int, tuple[tuple[str, Decimal, str], ...]], ...]:
    storeys = rng.randint(12, 35) if is_target else rng.randint(5, 16)
    basements = rng.randint(0, 3) if is_target else rng.randint(0, 1)
    plate = rng.randint(1000, 2600)  # usable m² per floor
    vacancy = rng.uniform(0.03, 0.3)
    sold_share = rng.choice((0.0, 0.0, 0.0, 0.3, 0.6))
    floors: list[tuple[int, tuple[tuple[str, Decimal, str], ...]]] = [
        (-level, ())
        for level in range(basements, 0, -1)  # parking: no lettable units
    ]
    for number in range(1, storeys + 1):
        count = rng.randint(1, 3) if number == 1 else rng.randint(4, 9)
        weights = [rng.uniform(0.6, 1.4) for _ in range(count)]
        units = []
        for index, weight in enumerate(weights, start=1):
            area = Decimal(round(plate * weight / sum(weights) * 100)) / 100
            roll = rng.random()
            if roll < vacancy:
                state = Unit.State.VACANT
            elif roll < vacancy + 0.05:
                state = Unit.State.LET_NOT_MOVED_IN
            elif rng.random() < sold_share:
                state = Unit.State.SOLD
            elif rng.random() < 0.15:
                state = Unit.State.SELF_USED
            else:
                state = Unit.State.OCCUPIED
            units.append((f"{number}{index:02d}", area, state.value))
        floors.append((number, tuple(units)))
    return tuple(floors)


def demo_plan(seed: int = SEED) -> Plan:
    """The whole demo data set, generated from `seed` alone: same seed, same data."""
    rng = random.Random(seed)
    streets = tuple(
        StreetPlan(name, slug, _street_codes(index))
        for index, (name, slug, _, _) in enumerate(STREETS)
    )
    communities = tuple(
        CommunityPlan(short + COMMUNITY_SUFFIX, street)
        for street, _, _, shorts in STREETS
        for short in shorts
    )
    local_words = {
        short + COMMUNITY_SUFFIX: words for _, _, words, shorts in STREETS for short in shorts
    }

    # 119 target buildings (at least 3 a community) and 15 others, in community order.
    targets = _spread(rng, TARGET_BUILDINGS, len(communities), 3)
    others = _spread(rng, OTHER_BUILDINGS, len(communities), 0)
    fixed = {HUANXI: KUNHE, WAIJINGMAO_COMMUNITY: WAIJINGMAO}
    used = set(fixed.values())
    buildings: list[BuildingPlan] = []
    for community, n_target, n_other in zip(communities, targets, others, strict=True):
        for index in range(n_target + n_other):
            is_target = index < n_target
            if index == 0 and community.name in fixed:
                name = fixed[community.name]
            else:
                name = ""
                while not name or name in used:
                    pool = local_words[community.name] if rng.random() < 0.4 else BUILDING_WORDS
                    name = rng.choice(pool) + rng.choice(BUILDING_SUFFIXES)
                used.add(name)
            buildings.append(BuildingPlan(name, community.name, is_target, _floors(rng, is_target)))

    # A few enterprises a building; Huanxi holds Wanhua and its 161 SMEs.
    firm_names: set[str] = set()
    codes: set[str] = set()
    enterprises: list[EnterprisePlan] = []

    def add_enterprise(building: str, name: str = "") -> None:
        while not name or name in firm_names:
            firm = rng.choice(FIRM_FIRST) + rng.choice(FIRM_SECOND)
            city = "杭州" if rng.random() < 0.8 else "浙江"
            name = f"{city}{firm}{rng.choice(FIRM_TRADES)}有限公司"
        code = ""
        while not code or code in codes:
            code = credit_code(rng)
        firm_names.add(name)
        codes.add(code)
        enterprises.append(EnterprisePlan(name, code, building))

    huanxi = [b.name for b in buildings if b.community == HUANXI]
    huanxi_counts = _spread(rng, HUANXI_SMES, len(huanxi), 3)
    for building in buildings:
        if building.community == HUANXI:
            count = huanxi_counts[huanxi.index(building.name)]
            if building.name == huanxi[1]:
                add_enterprise(building.name, HUANXI_ANCHOR)
        else:
            count = rng.randint(3, 8) if building.is_target else rng.randint(1, 3)
        for _ in range(count):
            add_enterprise(building.name)

    # One comprehensive party committee per building community, a few enterprise branches.
    community_of = {b.name: b.community for b in buildings}
    party: list[PartyOrganizationPlan] = []
    for community in communities:
        committee = community.name + "综合党委"
        party.append(
            PartyOrganizationPlan(
                committee, PartyOrganization.Kind.COMMITTEE.value, community.name, None
            )
        )
        hosts = [e for e in enterprises if community_of[e.building] == community.name]
        for host in rng.sample(hosts, min(len(hosts), rng.randint(1, 3))):
            party.append(
                PartyOrganizationPlan(
                    host.name + "党支部",
                    PartyOrganization.Kind.BRANCH.value,
                    community.name,
                    committee,
                )
            )

    departments = list(DEPARTMENTS) + [
        (f"street-{street.slug}", street.name + "办事处") for street in streets
    ]
    return Plan(
        district=DISTRICT,
        district_codes=tuple(DISTRICT_CODES),
        streets=streets,
        communities=communities,
        buildings=tuple(buildings),
        enterprises=tuple(enterprises),
        departments=tuple(departments),
        party_organizations=tuple(party),
        persona_enterprise=next(e.name for e in enterprises if e.building == KUNHE),
        outsider_enterprise=next(e.name for e in enterprises if e.building == WAIJINGMAO),
    )


def plan_digest(plan: Plan) -> str:
    """SHA-256 of the plan's repr (dataclasses, tuples, str, Decimal, date: all stable)."""
    return hashlib.sha256(repr(plan).encode()).hexdigest()


def demo_exists() -> bool:
    """True when the database already holds data the seed would collide with: any
    jurisdiction node, or an account with a persona's username."""
    users = get_user_model().objects.filter(username__in=list(PERSONAS))
    return Node.objects.exists() or users.exists()


def demo_seed(
    *, actor: Any = None, password: str | None = None, plan: Plan | None = None
) -> dict[str, int]:
    """Write the demo data set into an empty database, in one transaction; return row counts.

    The caller checks `demo_exists()` first: the seed adds, it never merges or deletes.
    """
    plan = plan or demo_plan()
    password = password or settings.LOUYU_DEMO_PASSWORD
    with transaction.atomic():
        district = node_create(
            actor=actor,
            kind=Node.Kind.DISTRICT,
            name=plan.district,
            codes=list(plan.district_codes),
        )
        for code, note in DISTRICT_CODE_NOTES.items():
            DivisionCode.objects.filter(node=district, code=code).update(note=note)
        nodes: dict[str, Node] = {plan.district: district}
        for street in plan.streets:
            nodes[street.name] = node_create(
                actor=actor,
                kind=Node.Kind.STREET,
                name=street.name,
                parent=district,
                codes=list(street.codes),
            )
        DivisionCode.objects.filter(node__parent=district).update(note=STREET_CODE_NOTE)
        for community in plan.communities:
            nodes[community.name] = node_create(
                actor=actor,
                kind=Node.Kind.COMMUNITY,
                name=community.name,
                parent=nodes[community.street],
            )
        for building in plan.buildings:
            nodes[building.name] = node_create(
                actor=actor,
                kind=Node.Kind.BUILDING,
                name=building.name,
                parent=nodes[building.community],
                is_target=building.is_target,
            )

        floors = Floor.objects.bulk_create(
            [
                Floor(building=nodes[building.name], number=number)
                for building in plan.buildings
                for number, _ in building.floors
            ],
            batch_size=2000,
        )
        layouts = [units for building in plan.buildings for _, units in building.floors]
        units = Unit.objects.bulk_create(
            [
                Unit(floor=floor, number=number, area=area, state=state)
                for floor, layout in zip(floors, layouts, strict=True)
                for number, area, state in layout
            ],
            batch_size=2000,
        )
        departments = {
            d.code: d
            for d in Department.objects.bulk_create(
                [Department(code=code, name=name) for code, name in plan.departments]
            )
        }
        enterprises = {
            e.name: e
            for e in Enterprise.objects.bulk_create(
                [
                    Enterprise(name=e.name, credit_code=e.credit_code, building=nodes[e.building])
                    for e in plan.enterprises
                ],
                batch_size=2000,
            )
        }
        committees = {
            o.name: o
            for o in PartyOrganization.objects.bulk_create(
                [
                    PartyOrganization(name=o.name, kind=o.kind, community=nodes[o.community])
                    for o in plan.party_organizations
                    if o.parent is None
                ]
            )
        }
        branches = PartyOrganization.objects.bulk_create(
            [
                PartyOrganization(
                    name=o.name,
                    kind=o.kind,
                    community=nodes[o.community],
                    parent=committees[o.parent],
                )
                for o in plan.party_organizations
                if o.parent is not None
            ]
        )

        scopes: dict[str, Any] = {
            "district": district,
            "street": nodes["武林街道"],
            "community": nodes[HUANXI],
            "tax": departments["tax"],
            "party_committee": committees[HUANXI + "综合党委"],
            "enterprise": enterprises[plan.persona_enterprise],
            "other_enterprise": enterprises[plan.outsider_enterprise],
        }
        for username, persona in PERSONAS.items():
            user = user_create(
                actor=actor,
                username=username,
                password=None,
                real_name=persona.real_name,
                phone=persona_phone(username),
                is_staff=persona.is_staff,
            )
            membership_grant(
                actor=actor,
                user=user,
                role=persona.role,
                scope=scopes[persona.scope],
                title=PERSONA_TITLES[username],
            )
        # One Argon2 hash for all: they share the printed demo password, and twelve hashes
        # would be most of the seed's time.
        get_user_model().objects.filter(username__in=list(PERSONAS)).update(
            password=make_password(password)
        )

        counts = {
            "streets": len(plan.streets),
            "communities": len(plan.communities),
            "buildings": len(plan.buildings),
            "target_buildings": sum(b.is_target for b in plan.buildings),
            "floors": len(floors),
            "units": len(units),
            "enterprises": len(enterprises),
            "departments": len(departments),
            "party_organizations": len(committees) + len(branches),
            "accounts": len(PERSONAS),
        }
        audit_record(
            actor=actor,
            action="demo.seed",
            target=district,
            after={"seed": SEED, "digest": plan_digest(plan), **counts},
        )
    return counts


def demo_accounts() -> list[tuple[str, str, str, str]]:
    """(username, real name, Chinese role title, scope) of each persona as the database holds
    it now; a missing account shows as such."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=list(PERSONAS))}
    memberships = {
        (m.user_id, m.role): m
        for m in Membership.objects.filter(user__in=users.values()).prefetch_related("scope")
    }
    rows = []
    for username, persona in PERSONAS.items():
        user = users.get(username)
        membership = memberships.get((user.pk, persona.role)) if user else None
        scope = str(membership.scope) if membership else "—"
        real_name = getattr(user, "real_name", "") if user else "（不存在）"
        rows.append((username, real_name, PERSONA_TITLES[username], scope))
    return rows
