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
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from stdnum.cn import uscc

from louyu.accounts.models import Membership, Role
from louyu.accounts.services import membership_grant, user_create
from louyu.api.demo import open311_seed
from louyu.core.models import DivisionCode, Node
from louyu.core.services import audit_record, node_create
from louyu.economy.demo_investment import demo_investment_seed
from louyu.economy.industry_data import VERSION as INDUSTRY_VERSION
from louyu.economy.models import (
    BuildingProfile,
    Enterprise,
    Floor,
    Industry,
    Occupancy,
    TargetBuilding,
    TaxRecord,
    Unit,
)
from louyu.economy.services import industry_load, rollup_rebuild
from louyu.lib.pinyin import search_names
from louyu.messaging.demo import messaging_seed
from louyu.notifications.demo import notifications_seed
from louyu.party.models import PartyOrganization
from louyu.servicedesk.demo import servicedesk_seed, servicedesk_todo_seed
from louyu.servicedesk.models import Department
from louyu.venues.demo import venues_seed
from louyu.website import demo as website_demo

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
    """An enterprise; `building` is where it operates now (or last, when it has moved out)."""

    name: str
    credit_code: str
    building: str
    organization_type: str = "economic"
    industry: str = "72"
    registered_in_district: bool = True
    tax_in_district: bool = True
    legal_representative: str = ""
    employees: int = 0
    registered_capital: Decimal = Decimal(0)
    founded_on: date = date(2000, 1, 1)
    status: str = "operating"


@dataclass(frozen=True, slots=True)
class OccupancyPlan:
    """Enterprise (index into Plan.enterprises) in units of a building over a period."""

    enterprise: int
    building: str
    units: tuple[str, ...]
    start: date
    end: date | None
    area: Decimal
    lease_expires: date | None
    intends_to_leave: bool


@dataclass(frozen=True, slots=True)
class TaxYearPlan:
    """One enterprise's tax of one year in fen, expanded into monthly records by `tax_lines`:
    value-added tax in every month it was in the district, corporate income tax in the last."""

    enterprise: int
    year: int
    fen: int
    share_percent: int
    paid_in_district: bool
    months: tuple[int, ...]


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
    target_years: tuple[tuple[int, tuple[str, ...]], ...] = ()
    occupancies: tuple[OccupancyPlan, ...] = ()
    taxes: tuple[TaxYearPlan, ...] = ()

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


# --- Building economy, 2011–2015 -------------------------------------------------------------

YEARS = (2011, 2012, 2013, 2014, 2015)
ARTICLE_YEAR = 2013
# The article, end of 2013: 119 target buildings paid 62.70亿元; 73 of them ≥ 1,000万, 20 ≥ 1亿,
# 1 ≥ 10亿 (cumulative). The generator hits these exactly under the default 口径 ("total").
ARTICLE_TAX_FEN = 6_270_000_000 * 100
ARTICLE_TIERS = {"1b": 1, "100m": 20, "10m": 73}
# Tax of every year relative to 2013 (district-wide trend).
GROWTH = {2011: 0.78, 2012: 0.88, 2013: 1.0, 2014: 1.09, 2015: 1.17}
# GB/T 4754 divisions of office-building tenants, commonest first (72 商务服务, 65 软件 …).
DEMO_INDUSTRIES = _words(
    "72 72 72 65 65 64 51 51 52 67 66 68 69 74 74 73 75 70 70 50 47 62 61 86 87 88 "
    "83 84 80 82 71 54 58 95"
)
STREET_ROADS = _words(
    "延安路 体育场路 环城北路 凤起路 中山北路 建国北路 庆春路 绍兴路 潮王路 东新路"
)
PROPERTY_COMPANIES = _words("绿城物业 南都物业 浙大新宇物业 开元物业 万科物业 中海物业")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
GIVEN_NAMES = _words("伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 建国 志强 海燕")


def _fen_split(total: int, parts: int) -> list[int]:
    """`parts` whole-fen amounts summing exactly to `total`; the last takes the remainder."""
    base = total // parts
    return [base] * (parts - 1) + [total - base * (parts - 1)]


def tax_lines(row: TaxYearPlan) -> list[tuple[int, str, Decimal, Decimal]]:
    """(month, tax type, amount, district share) of one enterprise-year: 70% as value-added tax
    spread over its months, the rest as corporate income tax in its last month."""
    vat = row.fen * 7 // 10
    lines = []
    for month, fen in zip(row.months, _fen_split(vat, len(row.months)), strict=True):
        lines.append((month, "vat", fen))
    lines.append((row.months[-1], "cit", row.fen - vat))
    return [
        (month, kind, Decimal(fen) / 100, Decimal(fen * row.share_percent // 100) / 100)
        for month, kind, fen in lines
    ]


def _months_in(occupancies: list[OccupancyPlan], year: int) -> tuple[int, ...]:
    months = []
    for month in range(1, 13):
        first = date(year, month, 1)
        last = date(year, month, 28)
        if any(o.start <= last and (o.end is None or o.end >= first) for o in occupancies):
            months.append(month)
    return tuple(months)


def _article_building_tax(rng: random.Random, count: int) -> list[int]:
    """Yearly tax (fen) of the 2013 target buildings, biggest first: one ≥ 1 billion, 19 more
    ≥ 100 million, 53 more ≥ 10 million, the rest below, summing exactly to 62.70亿元."""
    yuan = 100
    top = rng.randint(1_050_000_000, 1_300_000_000) * yuan
    tens = [rng.randint(11_000_000, 60_000_000) * yuan for _ in range(53)]
    small = [rng.randint(800_000, 9_500_000) * yuan for _ in range(count - 73)]
    rest = ARTICLE_TAX_FEN - top - sum(tens) - sum(small)
    floor = 105_000_000 * yuan
    weights = [rng.uniform(0.05, 1.0) ** 2 for _ in range(19)]
    spare = rest - floor * 19
    hundreds = [floor + int(spare * w / sum(weights)) for w in weights]
    hundreds[-1] += rest - sum(hundreds)
    assert all(100_000_000 * yuan <= h < 1_000_000_000 * yuan for h in hundreds)
    return [top, *sorted(hundreds, reverse=True), *sorted(tens, reverse=True), *small]


def _economy_plan(
    rng: random.Random, buildings: list[BuildingPlan], enterprises: list[EnterprisePlan]
) -> dict[str, Any]:
    """Target sets 2011–2015, occupancies and yearly tax. 2013 is fitted to the article: after
    everyone else's tax is attributed (with the same rule as the rollup), each building's first
    enterprise (its anchor, there all along) pays exactly what the building still needs."""
    from louyu.economy.selectors import Span, TaxLine, tax_attribution

    names = [b.name for b in buildings]
    targets_2013 = [b.name for b in buildings if b.is_target]
    others = [b.name for b in buildings if not b.is_target]
    droppable = [n for n in targets_2013 if n not in (KUNHE, WAIJINGMAO)]
    dropped = rng.sample(droppable, 11)
    added = rng.sample(others, 6)
    target_years = (
        (2011, tuple(n for n in targets_2013 if n not in dropped)),
        (2012, tuple(n for n in targets_2013 if n not in dropped[:5])),
        (2013, tuple(targets_2013)),
        (2014, (*targets_2013, *added[:3])),
        (2015, (*targets_2013, *added)),
    )

    # 2013 tax of each building: the article's distribution, the biggest to 坤和中心.
    amounts = _article_building_tax(rng, len(targets_2013))
    order = [KUNHE, *rng.sample([n for n in targets_2013 if n != KUNHE], len(targets_2013) - 1)]
    goal = dict(zip(order, amounts, strict=True))
    goal.update({n: rng.randint(500_000, 8_000_000) * 100 for n in others})

    free_units: dict[str, list[tuple[str, Decimal]]] = {}
    for b in buildings:
        pool = [
            (number, area)
            for _, units in b.floors
            for number, area, state in units
            if state in ("occupied", "self_used", "sold")
        ]
        rng.shuffle(pool)
        free_units[b.name] = pool

    anchors: set[int] = set()
    seen: set[str] = set()
    occupancies: list[OccupancyPlan] = []
    by_enterprise: dict[int, list[OccupancyPlan]] = {}
    for index, e in enumerate(enterprises):
        anchor = e.building not in seen
        seen.add(e.building)
        pool = free_units[e.building]
        taken = [pool.pop() for _ in range(rng.randint(1, 3)) if pool] or [
            (f"{rng.randint(2, 5)}01", Decimal(120))
        ]
        units = tuple(number for number, _ in taken)
        area = sum((a for _, a in taken), Decimal(0))
        if anchor:
            anchors.add(index)
            start = date(rng.randint(2003, 2010), rng.randint(1, 12), 1)
            enterprises[index] = replace(e, tax_in_district=True, status="operating")
        else:
            start = date(rng.randint(2004, 2015), rng.randint(1, 12), rng.randint(1, 28))
        spans = []
        if not anchor and start.year >= 2011 and rng.random() < 0.3:
            before = rng.choice([n for n in names if n != e.building])
            spans.append(
                OccupancyPlan(
                    index,
                    before,
                    (),
                    date(rng.randint(2003, 2010), rng.randint(1, 12), 1),
                    start - timedelta(days=1),
                    Decimal(rng.randint(80, 600)),
                    None,
                    False,
                )
            )
        end = None
        if not anchor and rng.random() < 0.05:
            end = date(rng.randint(max(start.year, 2011), 2015), rng.randint(1, 12), 28)
            end = max(end, start)
            enterprises[index] = replace(e, status="moved_out")
        spans.append(
            OccupancyPlan(
                index,
                e.building,
                units,
                start,
                end,
                area,
                None if end else date(rng.randint(2026, 2028), rng.randint(1, 12), 28),
                end is None and rng.random() < 0.04,
            )
        )
        occupancies.extend(spans)
        by_enterprise[index] = spans

    # Everyone but the anchors: a share of the building's tax, by weight, every year.
    members: dict[str, list[int]] = {}
    for index, e in enumerate(enterprises):
        if index not in anchors:
            members.setdefault(e.building, []).append(index)
    taxes: list[TaxYearPlan] = []
    base_fen: dict[int, int] = {}
    for building, indexes in members.items():
        share = rng.uniform(0.3, 0.55)
        weights = [rng.paretovariate(1.5) for _ in indexes]
        for index, weight in zip(indexes, weights, strict=True):
            fen = int(goal[building] * share * weight / sum(weights))
            # Movers are small firms: their tax must not swamp the building they left.
            base_fen[index] = min(fen, 2_000_000) if len(by_enterprise[index]) > 1 else fen
    attributed: dict[str, int] = {}
    for index, fen in base_fen.items():
        e = enterprises[index]
        spans = by_enterprise[index]
        percent = rng.choice((25, 30, 35, 40))
        for year in YEARS:
            months = _months_in(spans, year)
            if not months or fen < 1000:
                continue
            noise = 1.0 if year == ARTICLE_YEAR else rng.uniform(0.85, 1.15)
            row = TaxYearPlan(
                index, year, int(fen * GROWTH[year] * noise), percent, e.tax_in_district, months
            )
            taxes.append(row)
            if year == ARTICLE_YEAR and row.paid_in_district:
                plan_spans = [
                    Span(i, names.index(o.building), o.start, o.end, o.area)
                    for i, o in enumerate(spans)
                ]
                lines = [
                    TaxLine(year, month, amount, share_, True)
                    for month, _, amount, share_ in tax_lines(row)
                ]
                for (where, _, key), value in tax_attribution(
                    plan_spans, lines, real_estate=False
                ).items():
                    if key == "total":
                        name = names[where]
                        attributed[name] = attributed.get(name, 0) + int(value * 100)

    # The anchors close each building's 2013 gap to the fen.
    for index in sorted(anchors):
        building = enterprises[index].building
        need = goal[building] - attributed.get(building, 0)
        assert need > 100_000, (building, need)
        for year in YEARS:
            noise = 1.0 if year == ARTICLE_YEAR else rng.uniform(0.9, 1.1)
            fen = need if year == ARTICLE_YEAR else int(need * GROWTH[year] * noise)
            taxes.append(TaxYearPlan(index, year, fen, 40, True, tuple(range(1, 13))))
    return {
        "target_years": target_years,
        "occupancies": tuple(occupancies),
        "taxes": tuple(sorted(taxes, key=lambda t: (t.enterprise, t.year))),
    }


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
        kind = rng.random()
        enterprises.append(
            EnterprisePlan(
                name,
                code,
                building,
                organization_type="economic"
                if kind < 0.92
                else "social"
                if kind < 0.97
                else "other",
                industry=rng.choice(DEMO_INDUSTRIES),
                registered_in_district=rng.random() < 0.88,
                tax_in_district=rng.random() < 0.9,
                legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
                employees=rng.randint(3, 400),
                registered_capital=Decimal(
                    rng.choice((10, 50, 100, 200, 500, 1000, 5000)) * 10_000
                ),
                founded_on=date(rng.randint(1995, 2012), rng.randint(1, 12), rng.randint(1, 28)),
            )
        )

    huanxi = [b.name for b in buildings if b.community == HUANXI]
    huanxi_counts = _spread(rng, HUANXI_SMES, len(huanxi), 3)
    for building in buildings:
        if building.community == HUANXI:
            count = huanxi_counts[huanxi.index(building.name)]
            if building.name == huanxi[1]:
                add_enterprise(building.name, HUANXI_ANCHOR)
        else:
            count = rng.randint(24, 34) if building.is_target else rng.randint(5, 12)
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
    economy = _economy_plan(random.Random(seed * 7 + 1), buildings, enterprises)
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
        **economy,
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
        industry_load(actor=actor)
        industries = dict(
            Industry.objects.filter(version=INDUSTRY_VERSION).values_list("code", "pk")
        )
        enterprise_rows = Enterprise.objects.bulk_create(
            [
                Enterprise(
                    name=e.name,
                    search_names=search_names(e.name),
                    credit_code=e.credit_code,
                    building=nodes[e.building],
                    organization_type=e.organization_type,
                    industry_id=industries[e.industry],
                    registered_in_district=e.registered_in_district,
                    tax_in_district=e.tax_in_district,
                    legal_representative=e.legal_representative,
                    employees=e.employees,
                    registered_capital=e.registered_capital,
                    founded_on=e.founded_on,
                    status=e.status,
                )
                for e in plan.enterprises
            ],
            batch_size=2000,
        )
        enterprises = {e.name: e for e in enterprise_rows}
        economy = _seed_economy(plan, nodes, units, enterprise_rows)
        economy |= demo_investment_seed()  # warnings, vacancies, leads (economy/demo_investment.py)
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

        articles = website_demo.seed(nodes=nodes, district=district)
        counts = {
            "articles": articles,
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
            **economy,
        }
        counts.update(servicedesk_seed(actor=actor))
        counts.update(messaging_seed(actor=actor))
        counts.update(venues_seed(actor=actor))
        counts.update(notifications_seed(actor=actor))
        counts.update(servicedesk_todo_seed(actor=actor))  # today's to-dos (issue 14)
        counts.update(open311_seed(actor=actor))  # unplaced Open311 reports (issue 12)
        audit_record(
            actor=actor,
            action="demo.seed",
            target=district,
            after={"seed": SEED, "digest": plan_digest(plan), **counts},
        )
    return counts


def _seed_economy(
    plan: Plan, nodes: dict[str, Node], units: list[Unit], enterprises: list[Enterprise]
) -> dict[str, int]:
    """Bulk-write the economy half of the plan (profiles, target sets, occupancies, tax), then
    build the rollup once; the services' per-row maintenance is for everyday writes."""
    rng = random.Random(SEED)
    unit_ids = {(u.floor.building_id, u.number): u.pk for u in units}
    profiles = []
    for building in plan.buildings:
        node = nodes[building.name]
        lettable = sum((a for _, layout in building.floors for _, a, _ in layout), Decimal(0))
        gross = (lettable * Decimal("1.35")).quantize(Decimal("0.01"))
        profiles.append(
            BuildingProfile(
                building=node,
                address=f"杭州市下城区{rng.choice(STREET_ROADS)}{rng.randint(1, 499)}号",
                longitude=Decimal("120.160000") + Decimal(rng.randint(0, 30000)) / 1_000_000,
                latitude=Decimal("30.270000") + Decimal(rng.randint(0, 40000)) / 1_000_000,
                datum=BuildingProfile.Datum.GCJ02,
                floors_above=sum(1 for number, _ in building.floors if number > 0),
                floors_below=sum(1 for number, _ in building.floors if number < 0),
                gross_floor_area=gross,
                lettable_area=lettable,
                land_area=(gross / Decimal(rng.randint(3, 8))).quantize(Decimal("0.01")),
                grade=rng.choice(("super_a", "a", "a", "b", "b", "")),
                ownership=rng.choice(("single", "single", "strata", "state", "mixed")),
                operator=building.name + "运营管理有限公司",
                property_company=rng.choice(PROPERTY_COMPANIES),
            )
        )
    BuildingProfile.objects.bulk_create(profiles, batch_size=2000)
    TargetBuilding.objects.bulk_create(
        [
            TargetBuilding(year=year, building=nodes[name])
            for year, names in plan.target_years
            for name in names
        ],
        batch_size=2000,
    )
    occupancies = Occupancy.objects.bulk_create(
        [
            Occupancy(
                enterprise=enterprises[o.enterprise],
                building=nodes[o.building],
                start=o.start,
                end=o.end,
                area=o.area,
                lease_expires=o.lease_expires,
                intends_to_leave=o.intends_to_leave,
            )
            for o in plan.occupancies
        ],
        batch_size=2000,
    )
    through = Occupancy.units.through
    through.objects.bulk_create(
        [
            through(occupancy_id=row.pk, unit_id=unit_ids[(row.building_id, number)])
            for row, o in zip(occupancies, plan.occupancies, strict=True)
            for number in dict.fromkeys(o.units)
            if (row.building_id, number) in unit_ids
        ],
        batch_size=5000,
    )
    records = 0
    batch: list[TaxRecord] = []
    for row in plan.taxes:
        enterprise = enterprises[row.enterprise]
        for month, tax_type, amount, share in tax_lines(row):
            batch.append(
                TaxRecord(
                    enterprise=enterprise,
                    year=row.year,
                    month=month,
                    tax_type=tax_type,
                    amount=amount,
                    district_share=share,
                    paid_in_district=row.paid_in_district,
                )
            )
        if len(batch) >= 5000:
            TaxRecord.objects.bulk_create(batch)
            records += len(batch)
            batch = []
    TaxRecord.objects.bulk_create(batch)
    records += len(batch)
    rollup_rebuild()
    return {
        "target_years": len(plan.target_years),
        "occupancies": len(occupancies),
        "tax_records": records,
    }


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
