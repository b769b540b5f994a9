"""/api/v1/venues/ and /api/v1/bookings/."""

from django.urls import path

from louyu.venues.api.views import (
    BookingActionApi,
    BookingDetailApi,
    BookingListApi,
    VenueDetailApi,
    VenueListApi,
)

urlpatterns = [
    path("venues/", VenueListApi.as_view(), name="venues"),
    path("venues/<int:pk>/", VenueDetailApi.as_view(), name="venue"),
    path("bookings/", BookingListApi.as_view(), name="bookings"),
    path("bookings/<int:pk>/", BookingDetailApi.as_view(), name="booking"),
    path("bookings/<int:pk>/<slug:action>/", BookingActionApi.as_view(), name="booking-action"),
]
