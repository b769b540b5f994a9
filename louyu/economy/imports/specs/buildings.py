"""Buildings (楼宇档案): natural key street + building community + building name."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from louyu.core.models import Node
from louyu.economy import services
from louyu.economy.imports.fields import (
    Field,
    Parsed,
    boolean,
    choice,
    decimal,
    integer,
    name_list,
    text,
)
from louyu.economy.imports.specs.base import (
    AREA,
    Context,
    RowError,
    Spec,
)

# --- Buildings --------------------------------------------------------------------------------


def _communities() -> dict[tuple[str, str], list[tuple[int, str]]]:
    """(street name, community name) → [(id, path)] of the building communities."""
    streets = dict(Node.objects.filter(kind=Node.Kind.STREET).values_list("pk", "name"))
    communities: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for pk, name, parent_id, path in Node.objects.filter(kind=Node.Kind.COMMUNITY).values_list(
        "pk", "name", "parent_id", "path"
    ):
        communities[(streets.get(parent_id, ""), name)].append((pk, path))
    return communities


def resolve_buildings(
    rows: list[Parsed], ctx: Context, errors: list[RowError]
) -> list[tuple[int, dict[str, Any]]]:
    communities = ctx.loaded("communities", _communities)
    out = []
    for row in rows:
        v = row.values
        found = [c for c in communities.get((v["street"], v["community"]), []) if ctx.covers(c[1])]
        if len(found) != 1:
            errors.append(
                (
                    row.row,
                    "楼宇社区",
                    _("No building community “%(community)s” in “%(street)s”.")
                    % {"community": v["community"], "street": v["street"]},
                )
            )
            continue
        if ("longitude" in v) != ("latitude" in v):
            errors.append((row.row, "经度", _("Fill in both longitude and latitude, or neither.")))
            continue
        if "longitude" in v and not (-180 <= v["longitude"] <= 180 and -90 <= v["latitude"] <= 90):
            errors.append((row.row, "经度", _("The coordinates are out of range.")))
            continue
        values = {k: x for k, x in v.items() if k not in ("street", "community", "building")}
        values["name"] = v["building"]
        values["community_id"] = found[0][0]
        out.append((row.row, values))
    return out


GRADES = {
    "超甲级": "super_a",
    "超甲": "super_a",
    "super_a": "super_a",
    "甲级": "a",
    "甲": "a",
    "a": "a",
    "乙级": "b",
    "乙": "b",
    "b": "b",
    "未定级": "",
    "无": "",
}
OWNERSHIP = {
    "单一产权": "single",
    "single": "single",
    "分散产权": "strata",
    "strata": "strata",
    "国有": "state",
    "state": "state",
    "混合": "mixed",
    "mixed": "mixed",
}
DATUMS = {
    "WGS84": "wgs84",
    "wgs84": "wgs84",
    "GCJ-02": "gcj02",
    "gcj02": "gcj02",
    "火星坐标": "gcj02",
}


BUILDINGS = Spec(
    kind="buildings",
    title=_l("Buildings"),
    key_note=_l("Street + building community + building name"),
    fields=(
        Field(
            "street",
            "街道",
            text(100),
            required=True,
            key=True,
            aliases=("street",),
            help=_l("The street the building community belongs to."),
            example="武林街道",
        ),
        Field(
            "community",
            "楼宇社区",
            text(100),
            required=True,
            key=True,
            aliases=("community", "building community"),
            help=_l("An existing building community."),
            example="环西楼宇社区",
        ),
        Field(
            "building",
            "楼宇名称",
            text(100),
            required=True,
            key=True,
            aliases=("楼宇", "name", "building"),
            example="坤和中心",
        ),
        Field(
            "is_target",
            "是否目标楼宇",
            boolean,
            aliases=("target", "is_target"),
            help=_l("是 or 否."),
            example="是",
        ),
        Field(
            "aliases",
            "别名",
            name_list,
            aliases=("aliases",),
            help=_l("Other names, separated by 、"),
            example="坤和大厦",
        ),
        Field(
            "address", "地址", text(200), aliases=("address",), example="杭州市下城区环城西路1号"
        ),
        Field("longitude", "经度", decimal(6, 9), aliases=("longitude", "lng"), example="120.16"),
        Field("latitude", "纬度", decimal(6, 9), aliases=("latitude", "lat"), example="30.27"),
        Field(
            "datum",
            "坐标系",
            choice(DATUMS),
            aliases=("datum",),
            help=_l("WGS84 or GCJ-02."),
            example="GCJ-02",
        ),
        Field("floors_above", "地上层数", integer(0, 300), aliases=("floors above",), example=28),
        Field("floors_below", "地下层数", integer(0, 30), aliases=("floors below",), example=3),
        Field(
            "gross_floor_area",
            "建筑面积（㎡）",
            AREA,
            aliases=("建筑面积", "建筑面积(平方米)", "gross floor area"),
            example="52000.00",
        ),
        Field(
            "lettable_area",
            "可租售面积（㎡）",
            AREA,
            aliases=("可租售面积", "lettable area"),
            example="38000.00",
        ),
        Field(
            "land_area",
            "用地面积（㎡）",
            AREA,
            aliases=("用地面积", "land area"),
            example="6666.67",
        ),
        Field(
            "grade",
            "等级",
            choice(GRADES),
            aliases=("grade",),
            help=_l("超甲级, 甲级, 乙级 or 未定级 (GB/T 39069)."),
            example="甲级",
        ),
        Field("star_rating", "星级", integer(1, 5), aliases=("star rating",), example=5),
        Field(
            "ownership",
            "产权性质",
            choice(OWNERSHIP),
            aliases=("ownership",),
            help=_l("单一产权, 分散产权, 国有 or 混合."),
            example="单一产权",
        ),
        Field("operator", "运营方", text(200), aliases=("operator",)),
        Field("property_company", "物业公司", text(200), aliases=("property company",)),
    ),  # fmt: skip
    resolve=resolve_buildings,
    upsert=services.buildings_upsert,
    spelled="name",
)
