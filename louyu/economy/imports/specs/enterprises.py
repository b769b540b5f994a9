"""Enterprises (企业档案): natural key the unified social credit code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from louyu.economy import services
from louyu.economy.imports.fields import (
    Field,
    Parsed,
    boolean,
    choice,
    day,
    decimal,
    integer,
    text,
)
from louyu.economy.imports.specs.base import (
    CODE_FIELD,
    Buildings,
    Context,
    RowError,
    Spec,
    enterprises_by_code,
)
from louyu.economy.industry_data import VERSION
from louyu.economy.models import Industry

# --- Enterprises ------------------------------------------------------------------------------

ORGANIZATION_TYPES = {
    "新经济组织": "economic",
    "企业": "economic",
    "economic": "economic",
    "新社会组织": "social",
    "社会组织": "social",
    "social": "social",
    "其他": "other",
    "other": "other",
}
STATUSES = {
    "在营": "operating",
    "存续": "operating",
    "operating": "operating",
    "已迁出": "moved_out",
    "迁出": "moved_out",
    "moved_out": "moved_out",
    "注销": "deregistered",
    "deregistered": "deregistered",
    "吊销": "revoked",
    "revoked": "revoked",
}


def _industries() -> dict[str, int]:
    return dict(Industry.objects.filter(version=VERSION).values_list("code", "pk"))


def resolve_enterprises(
    rows: list[Parsed], ctx: Context, errors: list[RowError]
) -> list[tuple[int, dict[str, Any]]]:
    industries = ctx.loaded("industries", _industries)
    buildings = (
        ctx.loaded("buildings", Buildings) if any("building" in r.values for r in rows) else None
    )
    # Who may change which enterprise matters only for a jurisdiction-bound importer.
    existing = (
        enterprises_by_code({r.values["credit_code"] for r in rows})
        if ctx.paths is not None
        else {}
    )
    out = []
    for row in rows:
        v = row.values
        values = dict(v)
        values.pop("industry", None)
        values.pop("building", None)
        values.pop("community", None)
        bad = False
        if "industry" in v:
            code = v["industry"].upper()
            code = "0" + code if code.isdigit() and len(code) == 1 else code
            if code not in industries:
                errors.append(
                    (
                        row.row,
                        "行业代码",
                        _("Unknown GB/T 4754 industry code “%(code)s”.") % {"code": v["industry"]},
                    )
                )
                bad = True
            else:
                values["industry_id"] = industries[code]
        path = None
        if "building" in v and buildings is not None:
            found = buildings.find(row, ctx, errors, "所在楼宇")
            if found is None:
                bad = True
            else:
                values["building_id"], path = found
        current = existing.get(v["credit_code"])
        if ctx.paths is not None:
            if current is not None and not ctx.covers(current[1]):
                errors.append(
                    (
                        row.row,
                        "统一社会信用代码",
                        _("This enterprise is outside your jurisdiction."),
                    )
                )
                bad = True
            elif current is None and path is None and not bad:
                errors.append((row.row, "所在楼宇", _("Fill in the building of a new enterprise.")))
                bad = True
        if not bad:
            out.append((row.row, values))
    return out


INDUSTRY_CODE = text(5)

ENTERPRISES = Spec(
    kind="enterprises",
    title=_l("Enterprises"),
    key_note=_l("Unified social credit code"),
    fields=(
        CODE_FIELD,
        Field(
            "name",
            "企业名称",
            text(200),
            required=True,
            aliases=("名称", "name"),
            example="杭州坤和科技有限公司",
        ),
        Field(
            "organization_type",
            "组织类型",
            choice(ORGANIZATION_TYPES),
            aliases=("两新组织类型", "organization type"),
            help=_l("新经济组织, 新社会组织 or 其他."),
            example="新经济组织",
        ),
        Field(
            "industry",
            "行业代码",
            INDUSTRY_CODE,
            aliases=("行业", "industry"),
            help=_l("GB/T 4754-2017 section letter or division code."),
            example="65",
            identifier=True,
        ),
        Field(
            "building",
            "所在楼宇",
            text(100),
            aliases=("楼宇名称", "楼宇", "building"),
            help=_l("Taken while the enterprise has no occupancy record."),
            example="坤和中心",
        ),
        Field(
            "community",
            "楼宇社区",
            text(100),
            aliases=("community",),
            help=_l("Needed only when two buildings share a name."),
        ),
        Field("registered_address", "注册地址", text(200), aliases=("registered address",)),
        Field(
            "registered_in_district",
            "是否区内注册",
            boolean,
            aliases=("registered in district",),
            example="是",
        ),
        Field(
            "tax_in_district", "是否区内纳税", boolean, aliases=("tax in district",), example="是"
        ),
        Field(
            "legal_representative",
            "法定代表人",
            text(50),
            aliases=("法人代表", "legal representative"),
        ),
        Field("employees", "从业人数", integer(0, 10_000_000), aliases=("employees",), example=120),
        Field(
            "registered_capital",
            "注册资本（元）",
            decimal(2, 16, minimum=Decimal(0)),
            aliases=("注册资本", "registered capital"),
            example="10000000.00",
        ),
        Field(
            "founded_on",
            "成立日期",
            day,
            aliases=("founded on", "founding date"),
            example="2010-05-01",
        ),
        Field(
            "status",
            "经营状态",
            choice(STATUSES),
            aliases=("状态", "status"),
            help=_l("在营, 已迁出, 注销 or 吊销."),
            example="在营",
        ),
    ),  # fmt: skip
    resolve=resolve_enterprises,
    upsert=services.enterprises_upsert,
    spelled="name",
)
