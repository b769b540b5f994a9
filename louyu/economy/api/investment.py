"""/api/v1/economy/ early warning and investment endpoints: warnings (list, counts by colour,
request a visit), published vacancies (public) and the lead funnel. Same row scope as the pages:
government roles over the rows, 404 for everyone else; published vacancies for anyone."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.api.fields import query_data
from louyu.api.pagination import Pagination
from louyu.api.serializers import ErrorSerializer
from louyu.economy import services_investment as services
from louyu.economy.models import GRADE_COLOURS, EnterpriseWarning, VacancyListing
from louyu.economy.selectors_investment import (
    TRIGGERS,
    get_warning_for_user,
    investment_paths,
    lead_funnel,
    leads_visible_to,
    reason_text,
    vacancies_public,
    warning_counts,
    warning_list,
)

COLOURS = {colour: grade for grade, colour in GRADE_COLOURS.items()}


class WarningQuerySerializer(serializers.Serializer):
    colour = serializers.ChoiceField(choices=["blue", "yellow", "orange", "red"], required=False)
    trigger = serializers.ChoiceField(choices=list(TRIGGERS), required=False)


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    trigger = serializers.CharField()
    text = serializers.CharField()


class WarningSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    enterprise = RefSerializer()
    building = RefSerializer(allow_null=True)
    colour = serializers.CharField()
    grade = serializers.CharField(help_text="稳定 / 关注 / 预警 / 高危 / 极危")
    score = serializers.IntegerField()
    reasons = ReasonSerializer(many=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    visit_requested_at = serializers.DateTimeField(allow_null=True)


def warning_data(warning: EnterpriseWarning) -> dict[str, Any]:
    building = warning.enterprise.building
    return {
        "id": warning.pk,
        "enterprise": {"id": warning.enterprise_id, "name": warning.enterprise.name},
        "building": {"id": building.pk, "name": building.name} if building else None,
        "colour": GRADE_COLOURS[warning.grade],
        "grade": str(warning.get_grade_display()),
        "score": warning.score,
        "reasons": [{"trigger": r["trigger"], "text": reason_text(r)} for r in warning.reasons],
        "computed_at": warning.computed_at,
        "visit_requested_at": warning.visit_requested_at,
    }


class WarningListApi(APIView):
    """Enterprises with a warning under the caller's node, worst first."""

    pagination_class = Pagination

    @extend_schema(
        parameters=[WarningQuerySerializer],
        responses={200: WarningSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        if not investment_paths(request.user):
            raise Http404
        query = WarningQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        colour = query.validated_data.get("colour")
        rows = warning_list(
            request.user,
            grade=COLOURS[colour] if colour else None,
            trigger=query.validated_data.get("trigger"),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self) or []
        data = WarningSerializer([warning_data(w) for w in page], many=True).data
        return paginator.get_paginated_response(data)


class WarningCountsSerializer(serializers.Serializer):
    green = serializers.IntegerField()
    blue = serializers.IntegerField()
    yellow = serializers.IntegerField()
    orange = serializers.IntegerField()
    red = serializers.IntegerField()


class WarningCountsApi(APIView):
    """Operating enterprises under the caller's node per colour (for dashboards)."""

    @extend_schema(responses={200: WarningCountsSerializer, 404: ErrorSerializer})
    def get(self, request: Request) -> Response:
        if not investment_paths(request.user):
            raise Http404
        return Response(WarningCountsSerializer(warning_counts(request.user)).data)


class WarningVisitApi(APIView):
    """Turn a warning into a proactive visit (安排走访)."""

    @extend_schema(request=None, responses={200: WarningSerializer, 404: ErrorSerializer})
    def post(self, request: Request, pk: int) -> Response:
        warning = get_warning_for_user(request.user, pk, write=True)
        services.enterprise_warning_visit(actor=request.user, warning=warning)
        return Response(WarningSerializer(warning_data(warning)).data)


class PublicVacancySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    building = RefSerializer()
    address = serializers.CharField()
    area = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True)
    price_unit = serializers.ChoiceField(
        choices=["day", "month"], help_text="yuan per m² per day or per month"
    )
    price_per_month = serializers.DecimalField(
        max_digits=10, decimal_places=2, coerce_to_string=True
    )
    available_from = serializers.DateField(allow_null=True)
    description = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()


def vacancy_data(listing: VacancyListing) -> dict[str, Any]:
    profile = getattr(listing.building, "profile", None)
    return {
        "id": listing.pk,
        "title": listing.title,
        "building": {"id": listing.building_id, "name": listing.building.name},
        "address": profile.address if profile else "",
        "area": listing.area,
        "price": listing.price,
        "price_unit": listing.price_unit,
        "price_per_month": listing.price_per_month,
        "available_from": listing.available_from,
        "description": listing.description,
        "contact_name": listing.contact_name,
        "contact_phone": listing.contact_phone,
    }


class PublicVacancyListApi(APIView):
    """Published, available vacancy listings: public."""

    permission_classes = [AllowAny]
    pagination_class = Pagination

    @extend_schema(responses={200: PublicVacancySerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(vacancies_public(), request, view=self) or []
        data = PublicVacancySerializer([vacancy_data(v) for v in page], many=True).data
        return paginator.get_paginated_response(data)


class FunnelRowSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    current = serializers.IntegerField()
    reached = serializers.IntegerField()
    conversion = serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, coerce_to_string=True
    )


class LeadFunnelApi(APIView):
    """The investment funnel of the leads under the caller's node."""

    @extend_schema(responses={200: FunnelRowSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: Request) -> Response:
        if not investment_paths(request.user):
            raise Http404
        rows = lead_funnel(leads_visible_to(request.user))
        return Response(FunnelRowSerializer(rows, many=True).data)


urlpatterns = [
    path("warnings/", WarningListApi.as_view(), name="economy-warnings"),
    path("warnings/counts/", WarningCountsApi.as_view(), name="economy-warning-counts"),
    path("warnings/<int:pk>/visit/", WarningVisitApi.as_view(), name="economy-warning-visit"),
    path("vacancies/", PublicVacancyListApi.as_view(), name="economy-vacancies"),
    path("leads/funnel/", LeadFunnelApi.as_view(), name="economy-lead-funnel"),
]
