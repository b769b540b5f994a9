"""Target buildings (目标楼宇): natural key year + building. A row adds the building to that
year's target set; rows already in it are unchanged (removing a target takes a reason, on the
page or the API). Only the district office imports them (or the system, from manage.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _l

from louyu.economy import services
from louyu.economy.imports.fields import Field, Parsed, integer
from louyu.economy.imports.specs.base import (
    BUILDING_FIELD,
    COMMUNITY_FIELD,
    Buildings,
    Context,
    RowError,
    Spec,
)
from louyu.economy.selectors.targets import target_paths


def resolve_targets(
    rows: list[Parsed], ctx: Context, errors: list[RowError]
) -> list[tuple[int, dict[str, Any]]]:
    if ctx.actor is not None:
        paths = ctx.loaded("target_paths", lambda: target_paths(ctx.actor))
        if not paths:
            if not any(e[0] == 0 for e in errors):
                errors.append(
                    (
                        0,
                        "",
                        _("Only the district office sets the target buildings of its district."),
                    )
                )
            return []
        ctx = Context(actor=ctx.actor, paths=paths, _loaded=ctx._loaded)
    buildings = ctx.loaded("buildings", Buildings)
    out = []
    for row in rows:
        found = buildings.find(row, ctx, errors, "楼宇名称")
        if found is None:
            continue
        out.append((row.row, {"year": row.values["year"], "building_id": found[0]}))
    return out


TARGETS = Spec(
    kind="targets",
    title=_l("Target buildings"),
    key_note=gettext_lazy("Year + building"),
    fields=(
        Field(
            "year",
            "年度",
            integer(2000, 2100),
            required=True,
            key=True,
            aliases=("年份", "year"),
            example=2027,
        ),
        replace(BUILDING_FIELD, key=True),
        COMMUNITY_FIELD,
    ),  # fmt: skip
    resolve=resolve_targets,
    upsert=services.targets_upsert,
)
