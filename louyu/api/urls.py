"""/api/v1/: every app's API endpoints, the token endpoints, the schema and its docs."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from louyu.accounts.api.views import MeApi
from louyu.api.auth import TokenApi, TokenListApi, TokenRevokeApi
from louyu.api.views import SchemaApi, SwaggerUiView
from louyu.core.api.views import NodeViewSet

app_name = "api"

router = SimpleRouter()
router.register("nodes", NodeViewSet, basename="node")

urlpatterns = [
    path("auth/token/", TokenApi.as_view(), name="token"),
    path("auth/tokens/", TokenListApi.as_view(), name="token-list"),
    path("auth/tokens/<int:pk>/", TokenRevokeApi.as_view(), name="token-revoke"),
    path("me/", MeApi.as_view(), name="me"),
    path("schema/", SchemaApi.as_view(), name="schema"),
    path("docs/", SwaggerUiView.as_view(), name="docs"),
    path("economy/", include("louyu.economy.api.urls")),
    path("servicedesk/", include("louyu.servicedesk.api.urls")),
    path("messaging/", include("louyu.messaging.api.urls")),
    path("notifications/", include("louyu.notifications.api.urls")),
    path("", include("louyu.venues.api.urls")),
    path("todo/", include("louyu.dashboard.api.urls")),
    *router.urls,
]
