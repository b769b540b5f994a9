from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from louyu.core.views import healthz
from louyu.dashboard.views import workbench

urlpatterns = [
    path("", workbench, name="workbench"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("louyu.accounts.urls")),
    path("core/", include("louyu.core.urls")),
    path("economy/", include("louyu.economy.urls")),
    path("service/", include("louyu.servicedesk.urls")),
    path("site/", include("louyu.website.urls")),
    path("messaging/", include("louyu.messaging.urls")),
    path("venues/", include("louyu.venues.urls")),
    path("notifications/", include("louyu.notifications.urls")),
    path("api/v1/", include("louyu.api.urls")),
    path("open311/v2/", include("louyu.api.open311.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "louyu.api.exceptions.handler400"
handler403 = "louyu.api.exceptions.handler403"
handler404 = "louyu.api.exceptions.handler404"
handler500 = "louyu.api.exceptions.handler500"
