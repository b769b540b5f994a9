"""/api/v1/servicedesk/."""

from django.urls import path

from louyu.servicedesk.api.views import (
    CatalogApi,
    DepartmentListApi,
    RequestDetailApi,
    RequestListApi,
    RequestRatingApi,
    RequestTransitionApi,
)

urlpatterns = [
    path("catalog/", CatalogApi.as_view(), name="servicedesk-catalog"),
    path("departments/", DepartmentListApi.as_view(), name="servicedesk-departments"),
    path("requests/", RequestListApi.as_view(), name="servicedesk-requests"),
    path("requests/<int:pk>/", RequestDetailApi.as_view(), name="servicedesk-request"),
    path("requests/<int:pk>/rating/", RequestRatingApi.as_view(), name="servicedesk-rating"),
    path(
        "requests/<int:pk>/<slug:action>/",
        RequestTransitionApi.as_view(),
        name="servicedesk-request-transition",
    ),
]
