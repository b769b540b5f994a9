"""The economy dashboard (/economy/): summary cards, ranking, tiers, trends, industry mix and the
drill-down district → street → building community → building → enterprise.

For tax viewers only (the district office, street cadres for their street, tax staff for their
building community); everyone else gets 404. Figures come from the selectors, the charts read
them from a `json_script` block (data, not script: the CSP allows it), and every figure on the
page names its 口径.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node
from louyu.economy.exports import Column, export_params, export_response
from louyu.economy.forms import FigureForm
from louyu.economy.models import Floor
from louyu.economy.selectors import (
    TIERS,
    Definition,
    building_enterprise_tax,
    building_tax_ranking,
    building_watch_list,
    economy_breakdown,
    economy_summary,
    economy_trend,
    industry_mix,
    ranking_row,
    tax_scope_paths,
)
from louyu.economy.selectors.targets import target_paths, tax_years_without_targets
from louyu.lib.money import to_wan, to_yi

RANKING_SIZE = 10
TIER_NAMES = {tier.key: tier.name for tier in TIERS}


class Scope:
    """Where the dashboard stands: a node inside the user's tax scope, or (a user with several
    scopes and no node chosen) the roots of that scope side by side."""

    def __init__(self, request: HttpRequest) -> None:
        self.roots = tax_scope_paths(request.user)
        if not self.roots:
            raise Http404
        self.node = self._node(request.GET.get("node"))

    def _node(self, raw: str | None) -> Node | None:
        if raw:
            try:
                node = Node.objects.get(pk=int(raw))
            except (ValueError, Node.DoesNotExist) as exc:
                raise Http404 from exc
            if not any(node.path.startswith(root) for root in self.roots):
                raise Http404
            return node
        if len(self.roots) == 1:
            return Node.objects.get(path=self.roots[0])
        return None

    @property
    def paths(self) -> list[str]:
        return [self.node.path] if self.node else self.roots

    def breadcrumb(self) -> list[Node]:
        """From the top of the user's scope down to the node."""
        if self.node is None:
            return []
        ancestors = Node.objects.filter(pk__in=self.node.ancestor_ids).order_by("path")
        return [n for n in ancestors if any(n.path.startswith(root) for root in self.roots)]


def _url(node_id: int | None, year: int | None, definition: Definition) -> str:
    query: dict[str, Any] = {"year": year, "definition": definition.key}
    if node_id is not None:
        query["node"] = node_id
    return f"{reverse('economy:dashboard')}?{urlencode(query)}"


def _drill_rows(scope: Scope, year: int, definition: Definition) -> tuple[str, list[dict]]:
    """The rows one level below the scope: ("nodes", children) or ("enterprises", …)."""
    node = scope.node
    if node is not None and node.kind == Node.Kind.BUILDING:
        rows = building_enterprise_tax(node, year=year, definition=definition)
        for row in rows:
            row["name"] = row["enterprise"]["name"]
            row["url"] = reverse("economy:enterprise_detail", args=[row["enterprise"]["id"]])
        return "enterprises", rows
    if node is not None:
        rows = economy_breakdown(year=year, definition=definition, node=node, paths=[node.path])
    else:
        rows = []
        for root in Node.objects.filter(path__in=scope.roots).order_by("path"):
            summary = economy_summary(year=year, definition=definition, paths=[root.path])
            rows.append({**summary, "node": {"id": root.pk, "name": root.name}})
    for row in rows:
        row["name"] = row["node"]["name"]
        row["tax"] = row["tax_total"]
        row["url"] = _url(row["node"]["id"], year, definition)
    return "nodes", rows


def _chart_data(
    *,
    definition: Definition,
    drill: list[dict],
    ranking: list[dict],
    summary: dict[str, Any],
    watch_count: int,
    trend: list[dict],
    industries: list[dict],
) -> dict[str, Any]:
    """What the charts draw, in 万元 / 亿元 as floats (the tables beside them are exact)."""
    tiers = [(TIER_NAMES[key], summary["tiers"][key]) for key in ("10m", "100m", "1b", "10b")]
    return {
        "definition": str(definition.name),
        "labels": {
            "tax_wan": gettext("Tax (10k yuan)"),
            "tax_yi": gettext("Tax (100 million yuan)"),
            "buildings": gettext("Target buildings"),
            "enterprises": gettext("Enterprises"),
        },
        "drill": [
            {"name": r["name"], "value": float(to_wan(r["tax"])), "url": r["url"]} for r in drill
        ],
        "ranking": [
            {
                "name": r["building"]["name"],
                "value": float(to_wan(r["tax"])),
                "url": r["url"],
            }
            for r in ranking
        ],
        "tiers": [{"name": str(name), "value": count} for name, count in tiers]
        + [{"name": gettext("Near 100-million building"), "value": watch_count}],
        "trend": {
            "years": [row["year"] for row in trend],
            "tax": [float(to_yi(row["tax_total"])) for row in trend],
            "buildings": [row["building_count"] for row in trend],
        },
        "industry": [
            {
                "name": f"{r['section']} {r['name']}" if r["section"] else gettext("Unclassified"),
                "value": r["enterprises"],
            }
            for r in industries
        ],
    }


def _no_targets_notice(request: HttpRequest, year: int | None) -> dict[str, Any]:
    """A year with tax but no target set says so instead of showing zeros (issue 12): the year
    asked for (its figures hidden), or the newest such year above the figures shown."""
    missing = tax_years_without_targets()
    if not missing:
        return {}
    try:
        asked = int(request.GET.get("year") or 0)
    except ValueError:
        asked = 0
    notice: dict[str, Any] = {}
    if asked in missing:
        notice = {"no_targets_year": asked, "hide_figures": True}
    elif year is None or missing[-1] > year:
        notice = {"no_targets_year": missing[-1]}
    if notice and target_paths(request.user):
        notice["targets_url"] = f"{reverse('economy:targets')}?year={notice['no_targets_year']}"
    return notice


@login_required
def economy_dashboard(request: HttpRequest) -> HttpResponse:
    scope = Scope(request)
    figures = FigureForm(request.GET)
    year, definition = figures.figures()
    context: dict[str, Any] = {
        "scope": scope,
        "figures": figures,
        "definition": definition,
        "year": year,
        "breadcrumb": scope.breadcrumb(),
        "top_url": _url(None, year, definition) if len(scope.roots) > 1 else None,
        "keep": [("node", scope.node.pk)] if scope.node else [],
    }
    context.update(_no_targets_notice(request, year))
    if year is None or context.get("hide_figures"):
        return render(request, "economy/dashboard.html", context)
    paths = scope.paths
    summary = economy_summary(year=year, definition=definition, paths=paths)
    ranking = [
        ranking_row(row, definition)
        for row in building_tax_ranking(year=year, definition=definition, paths=paths)[
            :RANKING_SIZE
        ]
    ]
    for row in ranking:
        row["url"] = _url(row["building"]["id"], year, definition)
        row["tier_label"] = TIER_NAMES.get(row["tier"], "")
    watch = building_watch_list(year=year, definition=definition, paths=paths)
    trend = economy_trend(years=figures.years, definition=definition, paths=paths)
    industries = industry_mix(paths=paths, on=date(year, 12, 31))
    level, drill = _drill_rows(scope, year, definition)
    if level == "enterprises":
        context["floors"] = (
            Floor.objects.filter(building=scope.node).prefetch_related("units").order_by("-number")
        )
    context.update(
        summary=summary,
        ranking=ranking,
        watch=watch,
        trend=trend,
        industries=industries,
        level=level,
        drill=drill,
        tiers=[(TIER_NAMES[key], summary["tiers"][key]) for key in ("10m", "100m", "1b", "10b")],
        chart_data=_chart_data(
            definition=definition,
            drill=drill,
            ranking=ranking,
            summary=summary,
            watch_count=len(watch),
            trend=trend,
            industries=industries,
        ),
        query=request.GET.urlencode(),
    )
    return render(request, "economy/dashboard.html", context)


@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as .xlsx or CSV: `table=ranking` (every target building in scope,
    ranked) or `table=drill` (the rows one level down), with the 口径 in the file."""
    fmt, unit = export_params(request.GET)
    scope = Scope(request)
    figures = FigureForm(request.GET)
    year, definition = figures.figures()
    if year is None:
        raise Http404
    filters = {"year": year, "node": scope.node.pk if scope.node else None}
    if request.GET.get("table") == "drill":
        level, rows = _drill_rows(scope, year, definition)
        name_label = _("Enterprise") if level == "enterprises" else _("Area")
        columns = [Column("name", name_label), Column("tax", _("Tax"), "money")]
        if level == "nodes":
            columns += [
                Column("building_count", _("Target buildings"), "int"),
                *(
                    Column(f"tiers.{key}", TIER_NAMES[key], "int")
                    for key in ("10m", "100m", "1b", "10b")
                ),
            ]
        title = f"{gettext('Drill-down')}-{year}"
    else:
        queryset = building_tax_ranking(year=year, definition=definition, paths=scope.paths)
        rows = [ranking_row(row, definition) for row in queryset]
        for row in rows:
            row["tier_label"] = str(TIER_NAMES.get(row["tier"], ""))
        columns = [
            Column("rank", _("Rank"), "int"),
            Column("building.name", _("Building")),
            Column("tax", _("Tax"), "money"),
            Column("previous_tax", _("Tax of the year before"), "money"),
            Column("growth", _("Growth"), "ratio"),
            Column("tier_label", _("Tax tier")),
            Column("tax_per_m2", _("Tax per m² (yuan)"), "number"),
            Column("tax_per_mu", _("Tax per mu"), "money"),
        ]
        title = f"{gettext('Building tax ranking')}-{year}"
    return export_response(
        actor=request.user,
        rows=rows,
        columns=columns,
        filename=title,
        fmt=fmt,
        unit=unit,
        kind="economy.dashboard",
        definition=definition,
        filters=filters,
    )
