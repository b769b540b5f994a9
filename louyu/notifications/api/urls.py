"""/api/v1/notifications/."""

from django.urls import path

from louyu.notifications.api import views

urlpatterns = [
    path("", views.NotificationListApi.as_view(), name="notifications"),
    path("unread-count/", views.UnreadCountApi.as_view(), name="notifications-unread-count"),
    path("read-all/", views.NotificationReadAllApi.as_view(), name="notifications-read-all"),
    path("preferences/", views.PreferencesApi.as_view(), name="notifications-preferences"),
    path("export/", views.ExportApi.as_view(), name="notifications-export"),
    path("<int:pk>/", views.NotificationDetailApi.as_view(), name="notification"),
    path("<int:pk>/read/", views.NotificationReadApi.as_view(), name="notification-read"),
]
