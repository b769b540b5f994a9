"""The API's schema and its Swagger UI, served from local static files under the site's CSP."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class SchemaApi(SpectacularAPIView):
    """OpenAPI 3 schema: public (Open311 clients read it), throttled like any anonymous call."""

    permission_classes = [AllowAny]


class SwaggerUiView(APIView):
    """Swagger UI from drf-spectacular-sidecar's static files and one static init script:
    no CDN and no inline script, so it runs under `script-src 'self'`."""

    permission_classes = [AllowAny]
    renderer_classes = [TemplateHTMLRenderer]

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        context = {
            "title": settings.SPECTACULAR_SETTINGS.get("TITLE", "API"),
            "schema_url": reverse("api:schema"),
        }
        return Response(context, template_name="api/swagger_ui.html")
