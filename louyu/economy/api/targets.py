"""/api/v1/economy/targets/: the yearly target set (目标楼宇) — list a year's targets, add or
remove one (with a reason), copy another year's set. The district office's alone, as on the
page: everyone else (and every building outside its district) gets 404."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.api.serializers import ErrorSerializer
from louyu.economy import services
from louyu.economy.selectors.targets import (
    get_target_building_for_user,
    target_buildings,
    target_paths_for_user,
)
from louyu.economy.services.targets import MAX_YEAR, MIN_YEAR


class TargetYearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)


class TargetBuildingSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The building's node id.")
    name = serializers.CharField()
    community = serializers.CharField(help_text="楼宇社区")
    street = serializers.CharField(help_text="街道")


class TargetSetSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    count = serializers.IntegerField()
    buildings = TargetBuildingSerializer(many=True)


class TargetChangeSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    building = serializers.IntegerField(help_text="The building's node id.")
    reason = serializers.CharField(max_length=200, help_text="Why (recorded in the audit log).")


class TargetCopySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        help_text="The year to fill.", min_value=MIN_YEAR, max_value=MAX_YEAR
    )
    from_year = serializers.IntegerField(
        required=False,
        help_text="The year to copy (default: the year before).",
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TargetCopyResultSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    from_year = serializers.IntegerField()
    added = serializers.IntegerField(help_text="How many buildings were added.")
    count = serializers.IntegerField(help_text="The year's target buildings now.")


def target_set_data(user: Any, year: int) -> dict[str, Any]:
    paths = target_paths_for_user(user)
    rows = []
    for target in target_buildings(year=year, paths=paths):
        building = target.building
        community = building.parent
        street = community.parent if community else None
        rows.append(
            {
                "id": building.pk,
                "name": building.name,
                "community": community.name if community else "",
                "street": street.name if street else "",
            }
        )
    return {"year": year, "count": len(rows), "buildings": rows}


class TargetSetApi(APIView):
    """A year's target buildings (GET ?year=), or add one to it (POST)."""

    @extend_schema(
        parameters=[TargetYearQuerySerializer],
        responses={200: TargetSetSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        target_paths_for_user(request.user)
        query = TargetYearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(TargetSetSerializer(target_set_data(request.user, query.data["year"])).data)

    @extend_schema(
        request=TargetChangeSerializer,
        responses={201: TargetSetSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="Add a building to the year's target set; 400 when it is one already.",
    )
    def post(self, request: Request) -> Response:
        target_paths_for_user(request.user)
        body = TargetChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        building = get_target_building_for_user(request.user, data["building"])
        services.target_add(
            actor=request.user, year=data["year"], building=building, reason=data["reason"]
        )
        return Response(
            TargetSetSerializer(target_set_data(request.user, data["year"])).data,
            status=status.HTTP_201_CREATED,
        )


class TargetRemoveApi(APIView):
    """Take a building out of the year's target set, with the reason."""

    @extend_schema(
        request=TargetChangeSerializer,
        responses={200: TargetSetSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        description="400 when the building is not a target of that year.",
    )
    def post(self, request: Request) -> Response:
        target_paths_for_user(request.user)
        body = TargetChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        building = get_target_building_for_user(request.user, data["building"])
        services.target_remove(
            actor=request.user, year=data["year"], building=building, reason=data["reason"]
        )
        return Response(TargetSetSerializer(target_set_data(request.user, data["year"])).data)


class TargetCopyApi(APIView):
    """Copy another year's target set (default: the year before) into a year."""

    @extend_schema(
        request=TargetCopySerializer,
        responses={
            200: TargetCopyResultSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="Buildings already in the year stay; 409 when the source year is the year "
        "itself or has no target buildings.",
    )
    def post(self, request: Request) -> Response:
        target_paths_for_user(request.user)
        body = TargetCopySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        year = data["year"]
        from_year = data.get("from_year") or year - 1
        added = services.target_set_copy(
            actor=request.user, from_year=from_year, to_year=year, reason=data.get("reason", "")
        )
        count = target_set_data(request.user, year)["count"]
        return Response(
            TargetCopyResultSerializer(
                {"year": year, "from_year": from_year, "added": added, "count": count}
            ).data
        )


urlpatterns = [
    path("targets/", TargetSetApi.as_view(), name="economy-targets"),
    path("targets/remove/", TargetRemoveApi.as_view(), name="economy-targets-remove"),
    path("targets/copy/", TargetCopyApi.as_view(), name="economy-targets-copy"),
]
