"""Tax records: natural key credit code + year + month + tax type."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from louyu.economy import services
from louyu.economy.imports.fields import (
    Field,
    Parsed,
    boolean,
    choice,
    decimal,
    integer,
)
from louyu.economy.imports.specs.base import (
    CODE_FIELD,
    Context,
    RowError,
    Spec,
    enterprises_by_code,
)
from louyu.economy.models import TaxRecord

# --- Tax records ------------------------------------------------------------------------------

TAX_TYPES = {
    "增值税": "vat",
    "营业税": "business",
    "企业所得税": "cit",
    "个人所得税": "iit",
    "其他": "other",
    "其他税收": "other",
    **{t.value: t.value for t in TaxRecord.TaxType},
}


def resolve_tax(
    rows: list[Parsed], ctx: Context, errors: list[RowError]
) -> list[tuple[int, dict[str, Any]]]:
    enterprises = enterprises_by_code({r.values["credit_code"] for r in rows})
    out = []
    for row in rows:
        v = row.values
        enterprise = enterprises.get(v["credit_code"])
        if enterprise is None or not ctx.covers(enterprise[1]):
            errors.append(
                (
                    row.row,
                    "统一社会信用代码",
                    _("No enterprise with this credit code: import it first."),
                )
            )
            continue
        if 0 <= v["amount"] < v["district_share"]:
            errors.append(
                (row.row, "区级留成（元）", _("The district share cannot exceed the amount."))
            )
            continue
        values = {k: x for k, x in v.items() if k != "credit_code"}
        values["enterprise_id"] = enterprise[0]
        out.append((row.row, values))
    return out


MONEY = decimal(2, 16)

TAX = Spec(
    kind="tax",
    title=_l("Tax records"),
    key_note=_l("Credit code + year + month + tax type"),
    fields=(
        CODE_FIELD,
        Field(
            "year",
            "年度",
            integer(1949, 2100),
            required=True,
            key=True,
            aliases=("年份", "year"),
            example=2013,
        ),
        Field(
            "month",
            "月份",
            integer(1, 12),
            required=True,
            key=True,
            aliases=("月", "month"),
            example=6,
        ),
        Field(
            "tax_type",
            "税种",
            choice(TAX_TYPES),
            required=True,
            key=True,
            aliases=("tax type",),
            help=_l("增值税, 营业税, 企业所得税, 个人所得税 or 其他."),
            example="增值税",
        ),
        Field(
            "amount",
            "税额（元）",
            MONEY,
            required=True,
            aliases=("税额", "金额", "amount"),
            help=_l("Yuan, to the fen."),
            example="1000000.00",
        ),
        Field(
            "district_share",
            "区级留成（元）",
            MONEY,
            required=True,
            aliases=("区级留成", "district share"),
            help=_l("Yuan; not more than the amount."),
            example="400000.00",
        ),
        Field(
            "paid_in_district",
            "是否区内缴纳",
            boolean,
            aliases=("区内缴纳", "paid in district"),
            example="是",
        ),
    ),  # fmt: skip
    resolve=resolve_tax,
    upsert=services.tax_records_upsert,
)
