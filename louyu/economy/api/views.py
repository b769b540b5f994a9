"""Read-only figures of the building economy: the district summary (the contract external users
rely on), the ranking of target buildings and the drill-down. Tax amounts are for the district
office, street cadres (their street) and service-center tax staff (their building community);
everyone else gets 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.api.pagination import Pagination
from louyu.api.serializers import ErrorSerializer
from louyu.core.models import Node
from louyu.economy.api.serializers import (
    BreakdownRowSerializer,
    FigureQuerySerializer,
    RankingRowSerializer,
    SummarySerializer,
)
from louyu.economy.selectors import (
    Definition,
    building_tax_ranking,
    definition_get,
    economy_breakdown,
    economy_summary,
    ranking_row,
    tax_scope_for_user,
)


def _figure_query(request: Request) -> tuple[int, Definition, list[str], dict[str, Any]]:
    query = FigureQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    paths = tax_scope_for_user(
        request.user, street=data.get("street"), community=data.get("community")
    )
    return data["year"], definition_get(data.get("definition")), paths, data


class SummaryApi(APIView):
    """Target buildings of a year: how many, their tax and how many reach each tier."""

    @extend_schema(
        parameters=[FigureQuerySerializer],
        responses={200: SummarySerializer, 400: ErrorSerializer, 404: ErrorSerializer},
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
    """Target buildings of a year ranked by tax, with growth, tier, watch flag, per m², per mu."""

    @extend_schema(
        parameters=[FigureQuerySerializer],
        responses={200: RankingRowSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        year, definition, paths, _ = _figure_query(request)
        paginator = Pagination()
        queryset = building_tax_ranking(year=year, definition=definition, paths=paths)
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        rows = [ranking_row(row, definition) for row in page]
        return paginator.get_paginated_response(RankingRowSerializer(rows, many=True).data)


class BreakdownApi(APIView):
    """Drill down one level under `node` (default: the caller's scope root): street → building
    community → building, each child's target buildings, tax and tier counts."""

    @extend_schema(
        parameters=[FigureQuerySerializer],
        responses={200: BreakdownRowSerializer(many=True), 404: ErrorSerializer},
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
