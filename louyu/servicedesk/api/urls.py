"""/api/v1/servicedesk/."""

from django.urls import path

from louyu.servicedesk.api.views import (
    CatalogApi,
    DepartmentListApi,
    RequestDetailApi,
    RequestListApi,
    RequestRatingApi,
    transition_views,
)

urlpatterns = [
    path("catalog/", CatalogApi.as_view(), name="servicedesk-catalog"),
    path("departments/", DepartmentListApi.as_view(), name="servicedesk-departments"),
    path("requests/", RequestListApi.as_view(), name="servicedesk-requests"),
    path("requests/<int:pk>/", RequestDetailApi.as_view(), name="servicedesk-request"),
    path("requests/<int:pk>/rating/", RequestRatingApi.as_view(), name="servicedesk-rating"),
    *(
        path(f"requests/<int:pk>/{action}/", view.as_view(), name=f"servicedesk-request-{action}")
        for action, view in transition_views().items()
    ),
]
