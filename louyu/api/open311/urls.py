"""/open311/v2/: the GeoReport v2 methods; the format is the path suffix (.xml or .json)."""

from django.urls import re_path

from louyu.api.open311 import views

app_name = "open311"

FMT = r"\.(?P<format>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.DiscoveryApi.as_view(), name="discovery"),
    re_path(r"^services" + FMT, views.ServiceListApi.as_view(), name="services"),
    re_path(
        r"^services/(?P<service_code>[-\w]+)" + FMT,
        views.ServiceDefinitionApi.as_view(),
        name="service",
    ),
    re_path(r"^requests" + FMT, views.RequestsApi.as_view(), name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[-\w]+)" + FMT,
        views.RequestApi.as_view(),
        name="request",
    ),
    re_path(r"^tokens/(?P<token>[-\w]+)" + FMT, views.TokenApi.as_view(), name="token"),
    re_path(r"^.*?(?:\.(?P<format>json|xml))?$", views.NotFoundApi.as_view(), name="not_found"),
]
