"""/api/v1/venues/ and /api/v1/bookings/: venues the caller may see, bookings on their
calendars (filtered by the shared FilterSet), booking, and the approve / reject / cancel /
check-in actions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from louyu.api.serializers import ErrorSerializer
from louyu.venues import services
from louyu.venues.api.serializers import (
    BookingActionSerializer,
    BookingCreateSerializer,
    BookingSerializer,
    VenueSerializer,
)
from louyu.venues.filtersets import BookingFilterSet, VenueFilterSet
from louyu.venues.models import Booking, Venue
from louyu.venues.selectors import (
    bookings_visible_to,
    get_booking_for_user,
    get_venue_for_user,
    venues_visible_to,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class VenueListApi(generics.ListAPIView):
    """Venues of the building communities the caller's scope reaches."""

    serializer_class = VenueSerializer
    filterset_class = VenueFilterSet

    def get_queryset(self) -> QuerySet[Venue]:
        return venues_visible_to(self.request.user).select_related("community").order_by("pk")


class VenueDetailApi(generics.RetrieveAPIView):
    serializer_class = VenueSerializer

    def get_object(self) -> Venue:
        return get_venue_for_user(self.request.user, self.kwargs["pk"])


class BookingListApi(generics.ListCreateAPIView):
    """Bookings on the caller's calendars and their own; POST books a venue."""

    serializer_class = BookingSerializer
    filterset_class = BookingFilterSet

    def get_queryset(self) -> QuerySet[Booking]:
        return (
            bookings_visible_to(self.request.user)
            .select_related("venue", "booker")
            .order_by("starts_at", "pk")
        )

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer, **ERRORS})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = BookingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        venue = get_venue_for_user(request.user, values.pop("venue"))
        booking = services.booking_request(actor=request.user, venue=venue, **values)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class BookingDetailApi(generics.RetrieveAPIView):
    serializer_class = BookingSerializer

    def get_object(self) -> Booking:
        return get_booking_for_user(self.request.user, self.kwargs["pk"])


ACTIONS: dict[str, tuple[Any, bool]] = {
    "approve": (services.booking_approve, True),
    "reject": (services.booking_reject, True),
    "cancel": (services.booking_cancel, True),
    "check-in": (services.booking_check_in, False),
}


class BookingActionApi(APIView):
    """approve or reject (the venue's managers), cancel or check-in (the booker or a manager)."""

    @extend_schema(
        operation_id="bookings_action",
        request=BookingActionSerializer,
        responses={200: BookingSerializer, **ERRORS},
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(ACTIONS))],
    )
    def post(self, request: Request, pk: int, action: str) -> Response:
        if action not in ACTIONS:
            raise Http404
        booking = get_booking_for_user(request.user, pk, write=True)
        body = BookingActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service, takes_note = ACTIONS[action]
        kwargs = {"note": body.validated_data["note"]} if takes_note else {}
        service(actor=request.user, booking=booking, **kwargs)
        return Response(BookingSerializer(booking).data)
