"""Occupancies (入驻记录): natural key credit code + building + move-in date."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from louyu.economy import services
from louyu.economy.imports.fields import (
    Field,
    Parsed,
    boolean,
    day,
    name_list,
)
from louyu.economy.imports.specs.base import (
    BUILDING_FIELD,
    CODE_FIELD,
    COMMUNITY_FIELD,
    UNIT_AREA,
    Buildings,
    Context,
    RowError,
    Spec,
    enterprises_by_code,
)
from louyu.economy.models import Unit

# --- Occupancies ------------------------------------------------------------------------------


def _units() -> dict[tuple[int, str], list[int]]:
    """(building id, unit as a file names it: 1201, 12-1201 or 12F-1201) → unit ids."""
    unit_rows = Unit.objects.values_list("pk", "floor__building_id", "floor__number", "number")
    units: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, building_id, floor, number in unit_rows:
        units[(building_id, number)].append(pk)
        units[(building_id, f"{floor}-{number}")].append(pk)
        units[(building_id, f"{floor}F-{number}".upper())].append(pk)
    return units


def resolve_occupancies(
    rows: list[Parsed], ctx: Context, errors: list[RowError]
) -> list[tuple[int, dict[str, Any]]]:
    buildings = ctx.loaded("buildings", Buildings)
    enterprises = enterprises_by_code({r.values["credit_code"] for r in rows})
    units = ctx.loaded("units", _units)
    out = []
    for row in rows:
        v = row.values
        enterprise = enterprises.get(v["credit_code"])
        if enterprise is None:
            errors.append(
                (
                    row.row,
                    "统一社会信用代码",
                    _("No enterprise with this credit code: import it first."),
                )
            )
            continue
        found = buildings.find(row, ctx, errors, "楼宇名称")
        if found is None:
            continue
        if "end" in v and v["end"] < v["start"]:
            errors.append((row.row, "迁出日期", _("The move-out date is before the move-in date.")))
            continue
        values: dict[str, Any] = {
            "enterprise_id": enterprise[0],
            "building_id": found[0],
        }
        for k in ("start", "end", "area", "lease_expires", "intends_to_leave"):
            if k in v:
                values[k] = v[k]
        if "units" in v:
            ids: list[int] = []
            for number in v["units"]:
                match = units.get((found[0], number.upper())) or units.get((found[0], number))
                if match and len(match) == 1:
                    ids.append(match[0])
                    continue
                reason = (
                    _("No unit “%(unit)s” in this building.")
                    if not match
                    else _("Unit “%(unit)s” is on several floors: write floor-unit, e.g. 8-801.")
                )
                errors.append((row.row, "单元号", reason % {"unit": number}))
            if len(ids) != len(v["units"]):
                continue
            values["unit_ids"] = ids
        out.append((row.row, values))
    return out


OCCUPANCIES = Spec(
    kind="occupancies",
    title=_l("Occupancies"),
    key_note=_l("Credit code + building + move-in date"),
    fields=(
        CODE_FIELD,
        replace(BUILDING_FIELD, key=True),
        COMMUNITY_FIELD,
        Field(
            "start",
            "入驻日期",
            day,
            required=True,
            key=True,
            aliases=("入驻时间", "start", "moved in on"),
            example="2012-03-01",
        ),
        Field("end", "迁出日期", day, aliases=("迁出时间", "end", "moved out on")),
        Field(
            "area",
            "面积（㎡）",
            UNIT_AREA,
            required=True,
            aliases=("面积", "租用面积", "area"),
            example="500.00",
        ),
        Field(
            "units",
            "单元号",
            name_list,
            aliases=("单元", "units"),
            help=_l("Unit numbers separated by 、 (floor-unit when a number repeats)."),
            example="801、802",
        ),
        Field(
            "lease_expires",
            "租约到期日",
            day,
            aliases=("租约到期", "lease expires"),
            example="2015-02-28",
        ),
        Field(
            "intends_to_leave",
            "有意向迁出",
            boolean,
            aliases=("意向迁出", "intends to leave"),
            example="否",
        ),
    ),  # fmt: skip
    resolve=resolve_occupancies,
    upsert=services.occupancies_upsert,
)
