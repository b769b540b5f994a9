"""Read-only figures of the building economy: the district summary (the contract external users
rely on), the ranking of target buildings, the watch list, per-building figures, indicators and
moves, the drill-down to enterprises, the trend by year, and an enterprise's own tax. Tax amounts
are for the district office, street cadres (their street) and service-center tax staff (their
building community); an enterprise's contact sees only its own enterprise's tax; everyone else
gets 404. Every figure names the 口径 (definition) or the basis that made it."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from louyu.api.fields import query_data
from louyu.api.pagination import Pagination
from louyu.api.serializers import ErrorSerializer
from louyu.core.models import Node
from louyu.economy.api.serializers import (
    BreakdownRowSerializer,
    BuildingFiguresSerializer,
    DrilldownSerializer,
    EnterpriseTaxRowSerializer,
    EnterpriseTaxSerializer,
    FigureQuerySerializer,
    IndicatorQuerySerializer,
    IndicatorsSerializer,
    MovesSerializer,
    NodeQuerySerializer,
    RankingPageSerializer,
    SummarySerializer,
    TrendQuerySerializer,
    TrendSerializer,
    WatchListQuerySerializer,
    YearDefinitionQuerySerializer,
    YearQuerySerializer,
)
from louyu.economy.selectors import (
    INDICATOR_BASIS,
    Definition,
    building_indicators,
    building_industry_mix,
    building_moves,
    building_tax_figures,
    building_tax_ranking_page,
    building_watch_list,
    definition_get,
    economy_breakdown,
    economy_drilldown,
    economy_summary,
    enterprise_tax_by_month,
    enterprise_tax_visible,
    get_enterprise_for_user,
    node_tax_trend,
    ranking_row,
    tax_scope_for_user,
    tax_scope_node,
    tax_scope_paths,
)

NOT_YOURS = {404: ErrorSerializer}
BAD_OR_NOT_YOURS = {400: ErrorSerializer, 404: ErrorSerializer}


def _query(request: Request, serializer: type) -> dict[str, Any]:
    query = serializer(data=query_data(request))
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


def _figure_query(request: Request) -> tuple[int, Definition, list[str], dict[str, Any]]:
    data = _query(request, FigureQuerySerializer)
    paths = tax_scope_for_user(
        request.user, street=data.get("street"), community=data.get("community")
    )
    return data["year"], definition_get(data.get("definition")), paths, data


def _scope_node(request: Request, node_id: int | None) -> tuple[Node, list[str]]:
    """The node asked for (default: the caller's single scope root) and the caller's paths."""
    paths = tax_scope_paths(request.user)
    if not paths:
        raise Http404
    if node_id is None:
        if len(paths) != 1:
            raise Http404
        node_id = int(paths[0].strip("/").split("/")[-1])
    return tax_scope_node(request.user, node_id, roots=paths), paths


class SummaryApi(APIView):
    """Target buildings of a year: how many, their tax and how many reach each tier."""

    @extend_schema(
        parameters=[FigureQuerySerializer],
        responses={200: SummarySerializer, **BAD_OR_NOT_YOURS},
        description="Over the target buildings of `year` in the caller's scope (or the `street` "
        "/ `community` node asked for). `tax_total` is yuan as a decimal string with two "
        "places; tier counts are cumulative (≥ 10 million, ≥ 100 million, ≥ 1 billion, ≥ 10 "
        "billion yuan); `definition` names the 口径 that made the figures.",
    )
    def get(self, request: Request) -> Response:
        year, definition, paths, _ = _figure_query(request)
        summary = economy_summary(year=year, definition=definition, paths=paths)
        return Response(SummarySerializer(summary).data)


class RankingApi(APIView):
    """Target buildings of a year ranked by tax, with growth, tier, watch flag, per m², per mu.
    One query gives the page and the count (COUNT(*) OVER () on the ranking)."""

    @extend_schema(
        parameters=[FigureQuerySerializer],
        responses={200: RankingPageSerializer, **BAD_OR_NOT_YOURS},
    )
    def get(self, request: Request) -> Response:
        year, definition, paths, _ = _figure_query(request)
        paginator = Pagination()
        size = paginator.get_page_size(request) or 0
        try:
            page = int(request.query_params.get(paginator.page_query_param, 1))
        except ValueError:
            page = 0
        if page < 1:
            raise NotFound
        rows, count = building_tax_ranking_page(
            year=year, definition=definition, paths=paths, start=(page - 1) * size, stop=page * size
        )
        if not rows and page > 1:
            raise NotFound
        url = request.build_absolute_uri()
        param = paginator.page_query_param
        body = {
            "count": count,
            "next": replace_query_param(url, param, page + 1) if page * size < count else None,
            "previous": None
            if page == 1
            else (
                remove_query_param(url, param)
                if page == 2
                else replace_query_param(url, param, page - 1)
            ),
            "definition": definition.as_dict(),
            "results": [ranking_row(row, definition) for row in rows],
        }
        return Response(RankingPageSerializer(body).data)


class WatchListApi(APIView):
    """准亿元楼: target buildings below 100 million yuan within the margin of it (default the
    LOUYU_ECONOMY_WATCH_MARGIN setting), ranked."""

    @extend_schema(
        parameters=[WatchListQuerySerializer],
        responses={200: RankingPageSerializer, **BAD_OR_NOT_YOURS},
    )
    def get(self, request: Request) -> Response:
        data = _query(request, WatchListQuerySerializer)
        paths = tax_scope_for_user(
            request.user, street=data.get("street"), community=data.get("community")
        )
        definition = definition_get(data.get("definition"))
        rows = building_watch_list(
            year=data["year"], definition=definition, paths=paths, margin=data.get("margin")
        )
        body = {
            "count": len(rows),
            "next": None,
            "previous": None,
            "definition": definition.as_dict(),
            "results": rows,
        }
        return Response(RankingPageSerializer(body).data)


class BreakdownApi(APIView):
    """Drill down one level under `street`/`community` (default: the caller's scope root):
    street → building community → building, each child's target buildings, tax and tiers."""

    @extend_schema(
        parameters=[FigureQuerySerializer],
        responses={200: BreakdownRowSerializer(many=True), **BAD_OR_NOT_YOURS},
    )
    def get(self, request: Request) -> Response:
        year, definition, paths, data = _figure_query(request)
        node_id = data.get("community") or data.get("street")
        if node_id is None:
            if len(paths) != 1:
                raise Http404
            node_id = int(paths[0].strip("/").split("/")[-1])
        node = Node.objects.get(pk=node_id)
        rows = economy_breakdown(year=year, definition=definition, node=node, paths=paths)
        return Response(BreakdownRowSerializer(rows, many=True).data)


class DrilldownApi(APIView):
    """One level below `node` (any node in the caller's tax scope; default its scope root):
    district → street → building community → building → enterprise."""

    @extend_schema(
        parameters=[NodeQuerySerializer],
        responses={200: DrilldownSerializer, **BAD_OR_NOT_YOURS},
        description="Below a district, street or community: one row per child (target "
        "buildings of `year`, their tax, tier counts). Below a building (`level` "
        '"enterprise"): one row per enterprise located there during the year, its tax under '
        "the 口径 and its share; `top_share` is the share of the `top` largest.",
    )
    def get(self, request: Request) -> Response:
        data = _query(request, NodeQuerySerializer)
        node, paths = _scope_node(request, data.get("node"))
        definition = definition_get(data.get("definition"))
        result = economy_drilldown(
            year=data["year"], definition=definition, node=node, paths=paths, top=data["top"]
        )
        row_serializer = (
            EnterpriseTaxRowSerializer
            if result["level"] == "enterprise"
            else BreakdownRowSerializer
        )
        result["rows"] = row_serializer(result["rows"], many=True).data
        return Response(DrilldownSerializer(result).data)


class TrendApi(APIView):
    """Tax by year under a node (default: the caller's scope root), for the trend chart."""

    @extend_schema(
        parameters=[TrendQuerySerializer],
        responses={200: TrendSerializer, **BAD_OR_NOT_YOURS},
        description="Per year: for a district, street or community the tax of that year's "
        "target buildings under it; for a building its own tax. Optional `since`/`until` "
        "bound the years.",
    )
    def get(self, request: Request) -> Response:
        data = _query(request, TrendQuerySerializer)
        node, paths = _scope_node(request, data.get("node"))
        definition = definition_get(data.get("definition"))
        since, until = data.get("since"), data.get("until")
        years = range(since or 1949, (until or 2100) + 1) if since or until else None
        rows = node_tax_trend(node=node, definition=definition, paths=paths, years=years)
        body = {
            "node": {"id": node.pk, "name": node.name, "kind": node.kind},
            "definition": definition.as_dict(),
            "years": rows,
        }
        return Response(TrendSerializer(body).data)


def _building(request: Request, pk: int) -> tuple[Node, list[str]]:
    paths = tax_scope_paths(request.user)
    return tax_scope_node(request.user, pk, kind=Node.Kind.BUILDING, roots=paths), paths


class BuildingFiguresApi(APIView):
    """One building's tax figures of a year: rank among the target buildings in the caller's
    scope, tax, last year's, growth, tier, watch flag, per m² and per mu."""

    @extend_schema(
        parameters=[YearDefinitionQuerySerializer],
        responses={200: BuildingFiguresSerializer, **BAD_OR_NOT_YOURS},
    )
    def get(self, request: Request, pk: int) -> Response:
        building, paths = _building(request, pk)
        data = _query(request, YearDefinitionQuerySerializer)
        definition = definition_get(data.get("definition"))
        figures = building_tax_figures(
            building, year=data["year"], definition=definition, paths=paths
        )
        return Response(BuildingFiguresSerializer(figures).data)


class BuildingIndicatorsApi(APIView):
    """A building on a day: registration and tax-in-district rates, occupancy and vacancy by
    area with the let-not-moved-in and intends-to-leave buckets, industry mix."""

    @extend_schema(
        parameters=[IndicatorQuerySerializer],
        responses={200: IndicatorsSerializer, **BAD_OR_NOT_YOURS},
    )
    def get(self, request: Request, pk: int) -> Response:
        building, _ = _building(request, pk)
        on = _query(request, IndicatorQuerySerializer).get("on") or timezone.localdate()
        figures = building_indicators(building, on=on)
        body = {
            **figures,
            "on": on,
            "building": {"id": building.pk, "name": building.name},
            "industry_mix": building_industry_mix(building, on=on),
        }
        return Response(IndicatorsSerializer(body).data)


class BuildingMovesApi(APIView):
    """Moves in and out of a building by month of a year (counts and areas)."""

    @extend_schema(
        parameters=[YearQuerySerializer], responses={200: MovesSerializer, **BAD_OR_NOT_YOURS}
    )
    def get(self, request: Request, pk: int) -> Response:
        building, _ = _building(request, pk)
        year = _query(request, YearQuerySerializer)["year"]
        body = {
            "year": year,
            "building": {"id": building.pk, "name": building.name},
            "months": building_moves(building, year=year),
            "basis": str(INDICATOR_BASIS["moves"]),
        }
        return Response(MovesSerializer(body).data)


class EnterpriseTaxApi(APIView):
    """An enterprise's own tax records of a year by month: for tax viewers whose scope covers
    its building and for its own contact; 404 for everyone else."""

    @extend_schema(
        parameters=[YearQuerySerializer],
        responses={200: EnterpriseTaxSerializer, **BAD_OR_NOT_YOURS},
    )
    def get(self, request: Request, pk: int) -> Response:
        enterprise = get_enterprise_for_user(request.user, pk)
        if not enterprise_tax_visible(request.user, enterprise):
            raise Http404
        year = _query(request, YearQuerySerializer)["year"]
        return Response(
            EnterpriseTaxSerializer(enterprise_tax_by_month(enterprise, year=year)).data
        )
