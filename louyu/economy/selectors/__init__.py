"""Reads of the building economy: the 口径 (definitions), tax attribution, rankings, tiers, the
district summary, drill-down and per-building indicators, and who may see tax figures.

Every figure carries the `Definition` that made it. Building tax for a year is the sum of the
tax, paid in the district, of the enterprises located in the building in that period (DESIGN.md
§9); the per-year figures come from the `BuildingYearTax` rollup, never from a scan of tax rows.

A package split by topic: `definitions` (口径, tiers, attribution, constants), `scope` (who may
see what), `ranking` (summary, ranking, watch list, breakdown), `buildings`, `enterprises` and
`trends`. Everything callers use is re-exported here; the modules import each other directly.
"""

from __future__ import annotations

from louyu.economy.selectors.buildings import (
    OCCUPIED_STATES,
    building_directory,
    building_enterprise_tax,
    building_indicators,
    building_industry_mix,
    building_moves,
    building_tax_figures,
    building_tax_history,
    economy_drilldown,
    tax_concentration,
)
from louyu.economy.selectors.definitions import (
    DEFINITIONS,
    INDICATOR_BASIS,
    MONEY,
    MU_IN_SQUARE_METRES_DENOMINATOR,
    TIERS,
    ZERO,
    Definition,
    Span,
    TaxLine,
    Tier,
    building_of_month,
    definition_get,
    indicator_basis,
    tax_attribution,
    tier_near,
    tier_of,
)
from louyu.economy.selectors.enterprises import enterprise_tax_by_month, enterprise_tax_by_year
from louyu.economy.selectors.ranking import (
    building_tax_ranking,
    building_tax_ranking_page,
    building_watch_list,
    economy_breakdown,
    economy_summary,
    ranking_row,
)
from louyu.economy.selectors.scope import (
    ARCHIVE_ROLES,
    TAX_ROLES,
    archive_scope_paths,
    enterprise_personal_visible,
    enterprise_tax_visible,
    enterprises_visible_to,
    get_building_for_user,
    get_enterprise_for_user,
    tax_scope_for_user,
    tax_scope_node,
    tax_scope_paths,
)
from louyu.economy.selectors.trends import (
    economy_trend,
    economy_years,
    industry_mix,
    node_tax_trend,
)

__all__ = [
    "ARCHIVE_ROLES",
    "DEFINITIONS",
    "Definition",
    "INDICATOR_BASIS",
    "MONEY",
    "MU_IN_SQUARE_METRES_DENOMINATOR",
    "OCCUPIED_STATES",
    "Span",
    "TAX_ROLES",
    "TIERS",
    "TaxLine",
    "Tier",
    "ZERO",
    "archive_scope_paths",
    "building_directory",
    "building_enterprise_tax",
    "building_indicators",
    "building_industry_mix",
    "building_moves",
    "building_of_month",
    "building_tax_figures",
    "building_tax_history",
    "building_tax_ranking",
    "building_tax_ranking_page",
    "building_watch_list",
    "definition_get",
    "economy_breakdown",
    "economy_drilldown",
    "economy_summary",
    "economy_trend",
    "economy_years",
    "enterprise_personal_visible",
    "enterprise_tax_by_month",
    "enterprise_tax_by_year",
    "enterprise_tax_visible",
    "enterprises_visible_to",
    "get_building_for_user",
    "get_enterprise_for_user",
    "indicator_basis",
    "industry_mix",
    "node_tax_trend",
    "ranking_row",
    "tax_attribution",
    "tax_concentration",
    "tax_scope_for_user",
    "tax_scope_node",
    "tax_scope_paths",
    "tier_near",
    "tier_of",
]
