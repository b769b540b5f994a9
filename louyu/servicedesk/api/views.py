"""/api/v1/servicedesk/: the catalog (public), requests (scoped to the caller: theirs, their
enterprise's, their community's, their department's), transitions and the rating."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.api.serializers import ErrorSerializer
from louyu.core.exceptions import ApplicationError
from louyu.economy.selectors import get_enterprise_for_user
from louyu.servicedesk.access import capabilities, get_request_for_user, requests_visible_to
from louyu.servicedesk.api.serializers import (
    DepartmentSerializer,
    RatingCreateSerializer,
    RatingSerializer,
    RequestCreateSerializer,
    ServiceItemSerializer,
    ServiceRequestDetailSerializer,
    ServiceRequestSerializer,
    transition_serializer,
)
from louyu.servicedesk.filtersets import ServiceRequestFilterSet
from louyu.servicedesk.models import Department, ServiceItem, ServiceRequest
from louyu.servicedesk.services import ratings, requests

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class CatalogApi(generics.ListAPIView):
    """The service catalog (五进楼宇): public, with each item's one-time document checklist."""

    permission_classes = [AllowAny]
    serializer_class = ServiceItemSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[ServiceItem]:
        queryset = (
            ServiceItem.objects.filter(is_active=True)
            .select_related("lead_department")
            .prefetch_related("co_departments")
        )
        category = self.request.query_params.get("category")
        return queryset.filter(category=category) if category else queryset


class DepartmentListApi(generics.ListAPIView):
    """The departments and their duty contacts (public)."""

    permission_classes = [AllowAny]
    serializer_class = DepartmentSerializer
    pagination_class = None
    queryset = Department.objects.filter(is_active=True)


# What ServiceRequestSerializer reads: its own columns and the related rows' names.
LIST_COLUMNS = (
    *(
        f
        for f in ServiceRequestSerializer.Meta.fields
        if f not in ServiceRequestSerializer.COMPUTED
    ),
    "community__name",
    "department__code",
    "department__name",
    "service_item__name",
    "enterprise__name",
)


class RequestListApi(generics.ListCreateAPIView):
    """Requests the caller may see, newest first, filtered by one FilterSet; POST submits one."""

    serializer_class = ServiceRequestSerializer
    filterset_class = ServiceRequestFilterSet

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        # Only the columns a list row shows: no description, form data or JSON lists to fetch
        # and decode, and only the names of the related rows.
        return (
            requests_visible_to(self.request.user)
            .select_related("community", "department", "service_item", "enterprise")
            .only(*LIST_COLUMNS)
        )

    @extend_schema(
        request=RequestCreateSerializer, responses={201: ServiceRequestDetailSerializer, **ERRORS}
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = RequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # The building and its community come along: request_create needs both.
        # Issue 13: a foreign enterprise answered 403, a missing one 404; both are 404 now.
        enterprise = get_enterprise_for_user(request.user, values["enterprise"])
        item = None
        if values.get("service_item"):
            item = ServiceItem.objects.filter(pk=values["service_item"], is_active=True).first()
            if item is None:
                raise Http404
        created = requests.request_create(
            actor=request.user,
            requester=request.user,
            enterprise=enterprise,
            title=values["title"],
            description=values["description"],
            channel=values["channel"],
            service_item=item,
            urgent=values["urgent"],
            form_data=values["form_data"],
        )
        events = list(created.events.select_related("actor"))
        body = ServiceRequestDetailSerializer(created, context={"events": events})
        return Response(body.data, status=status.HTTP_201_CREATED)


class RequestDetailApi(APIView):
    """One request with its whole public history (staff see internal notes too)."""

    @extend_schema(responses={200: ServiceRequestDetailSerializer, 404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        obj = get_request_for_user(request.user, pk)
        events = obj.events.select_related("actor")
        if not capabilities(request.user, obj) & {"desk", "department"}:
            events = events.filter(public=True)
        return Response(ServiceRequestDetailSerializer(obj, context={"events": list(events)}).data)


def _department(pk: int | None) -> Department | None:
    if pk is None:
        return None
    department = Department.objects.filter(pk=pk, is_active=True).first()
    if department is None:
        raise Http404
    return department


# action in the URL → the service that makes it (its body: serializers.TRANSITION_FIELDS)
TRANSITIONS: dict[str, Any] = {
    "accept": requests.request_accept,
    "refuse": requests.request_refuse,
    "request-documents": requests.request_request_documents,
    "documents-received": requests.request_documents_received,
    "dispatch": requests.request_dispatch,
    "sign": requests.request_sign,
    "start": requests.request_start,
    "complete": requests.request_complete,
    "transfer": requests.request_transfer,
    "reopen": requests.request_reopen,
    "close": requests.request_close,
}


class RequestTransitionApi(APIView):
    """Move a request on (one subclass per action, see `transition_views`). Send the `version`
    you saw: if someone acted in between, the answer is 409 with the current status and
    version."""

    # JSON only: a form body cannot tell a list of documents from one document named "[]".
    parser_classes = [JSONParser]
    action_name = ""
    body_serializer: type = transition_serializer("accept")

    def post(self, request: Request, pk: int) -> Response:
        obj = get_request_for_user(request.user, pk, write=True)
        body = self.body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        version = values.pop("version", None)
        if "department" in values:
            department = _department(values.pop("department"))
            if department is not None:
                values["department"] = department
        try:
            TRANSITIONS[self.action_name](
                actor=request.user, request=obj, expected_version=version, **values
            )
        except ApplicationError as error:
            # The body is valid by now: what the service still refuses is the state of the
            # request or the department (already with it, takes no requests): a conflict.
            if error.status != status.HTTP_400_BAD_REQUEST:
                raise
            raise ApplicationError(
                error.message, code=error.code, status=status.HTTP_409_CONFLICT, extra=error.extra
            ) from error
        return Response(ServiceRequestSerializer(obj).data)


def transition_views() -> dict[str, Any]:
    """One view per action, each with its own body schema: `accept` → RequestAcceptApi."""
    views = {}
    for action in TRANSITIONS:
        serializer = transition_serializer(action)
        name = serializer.__name__.removesuffix("Serializer") + "Api"
        view = type(
            name, (RequestTransitionApi,), {"action_name": action, "body_serializer": serializer}
        )
        views[action] = extend_schema_view(
            post=extend_schema(
                operation_id="servicedesk_requests_" + action.replace("-", "_"),
                summary=action,
                request=serializer,
                responses={200: ServiceRequestSerializer, **ERRORS},
            )
        )(view)
    return views


class RequestRatingApi(APIView):
    """The requester's one rating (好差评) of a done request."""

    @extend_schema(request=RatingCreateSerializer, responses={201: RatingSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        obj = get_request_for_user(request.user, pk)
        body = RatingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        try:
            rating = ratings.request_rate(
                actor=request.user,
                request=obj,
                level=int(values["level"]),
                indicators=values["indicators"],
                comment=values["comment"],
                real_name=values["real_name"],
                expected_version=values.get("version"),
            )
        except ApplicationError as error:
            # The body is valid: an indicator of the other channel's set (or a request not yet
            # done) clashes with the request's state.
            if error.status != status.HTTP_400_BAD_REQUEST:
                raise
            raise ApplicationError(
                error.message, code=error.code, status=status.HTTP_409_CONFLICT, extra=error.extra
            ) from error
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


__all__ = [
    "CatalogApi",
    "DepartmentListApi",
    "RequestDetailApi",
    "RequestListApi",
    "RequestRatingApi",
    "RequestTransitionApi",
    "transition_views",
]
