"""Pages of the venues (/venues/)."""

from django.urls import path

from louyu.venues import views

app_name = "venues"

urlpatterns = [
    path("", views.venue_list, name="venue_list"),
    path("<int:pk>/", views.venue_detail, name="venue_detail"),
    path("<int:pk>/edit/", views.venue_edit, name="venue_edit"),
    path("<int:pk>/book/", views.booking_create, name="booking_create"),
    path("<int:pk>/photos/", views.venue_photo_add, name="venue_photo_add"),
    path("<int:pk>/photos/<int:photo_pk>/", views.venue_photo, name="venue_photo"),
    path("communities/<int:pk>/", views.community_calendar, name="community_calendar"),
    path("communities/<int:pk>/new/", views.venue_new, name="venue_new"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/booking.ics", views.booking_ics, name="booking_ics"),
    path("bookings/<int:pk>/series/cancel/", views.series_cancel, name="series_cancel"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="booking_action"),
    path("approvals/", views.approvals, name="approvals"),
    path("feed/", views.feed_manage, name="feed_manage"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
