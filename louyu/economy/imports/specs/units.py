"""Units: natural key building + floor + unit number."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext_lazy as _l

from louyu.economy import services
from louyu.economy.imports.fields import (
    Field,
    Parsed,
    choice,
    identifier,
    integer,
)
from louyu.economy.imports.specs.base import (
    BUILDING_FIELD,
    COMMUNITY_FIELD,
    UNIT_AREA,
    Buildings,
    Context,
    RowError,
    Spec,
)
from louyu.economy.models import Unit

# --- Units ------------------------------------------------------------------------------------

UNIT_STATES = {
    "自用": "self_used",
    "已租已入驻": "occupied",
    "已出租": "occupied",
    "已租未入驻": "let_not_moved_in",
    "已售": "sold",
    "空置": "vacant",
    **{s.value: s.value for s in Unit.State},
}


def resolve_units(
    rows: list[Parsed], ctx: Context, errors: list[RowError]
) -> list[tuple[int, dict[str, Any]]]:
    buildings = ctx.loaded("buildings", Buildings)
    out = []
    for row in rows:
        found = buildings.find(row, ctx, errors, "楼宇名称")
        if found is None:
            continue
        v = row.values
        values = {"building_id": found[0], "floor": v["floor"], "number": v["number"]}
        values.update({k: v[k] for k in ("area", "state") if k in v})
        out.append((row.row, values))
    return out


UNITS = Spec(
    kind="units",
    title=_l("Units"),
    key_note=_l("Building + floor + unit number"),
    fields=(
        replace(BUILDING_FIELD, key=True),
        COMMUNITY_FIELD,
        Field(
            "floor",
            "楼层",
            integer(-10, 300),
            required=True,
            key=True,
            aliases=("floor",),
            help=_l("Negative for basements."),
            example=8,
        ),
        Field(
            "number",
            "单元号",
            identifier(20),
            required=True,
            key=True,
            aliases=("单元", "房号", "unit", "number"),
            identifier=True,
            example="801",
        ),
        Field(
            "area",
            "面积（㎡）",
            UNIT_AREA,
            required=True,
            aliases=("面积", "area"),
            example="500.00",
        ),
        Field(
            "state",
            "状态",
            choice(UNIT_STATES),
            required=True,
            aliases=("state",),
            help=_l("自用, 已租已入驻, 已租未入驻, 已售 or 空置."),
            example="空置",
        ),
    ),  # fmt: skip
    resolve=resolve_units,
    upsert=services.units_upsert,
)
