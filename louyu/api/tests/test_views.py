import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.throttling import AnonRateThrottle

from louyu.api.views import SchemaApi, SwaggerUiView

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL | re.IGNORECASE)


@pytest.mark.django_db
class SchemaApiTests:
    def test_it_serves_a_valid_openapi_schema_to_anyone(self, client):
        response = client.get(reverse("api:schema"), {"format": "json"})
        assert response.status_code == 200
        schema = response.json()
        validate_schema(schema)
        assert schema["openapi"].startswith("3.")
        assert {
            "/api/v1/auth/token/",
            "/api/v1/me/",
            "/api/v1/nodes/",
            "/api/v1/nodes/{id}/",
        } <= set(schema["paths"])
        assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])

    def test_it_documents_the_error_shape(self, client):
        schema = client.get(reverse("api:schema"), {"format": "json"}).json()
        post = schema["paths"]["/api/v1/auth/token/"]["post"]
        assert post["responses"]["429"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }

    def test_it_throttles_anonymous_callers(self):
        for view in (SchemaApi(), SwaggerUiView()):
            assert any(isinstance(t, AnonRateThrottle) for t in view.get_throttles())


@pytest.mark.django_db
class SwaggerUiViewTests:
    def test_it_serves_swagger_ui_under_the_csp_without_inline_script(self, client):
        response = client.get(reverse("api:docs"))
        assert response.status_code == 200
        assert response["Content-Security-Policy"] == settings.LOUYU_CSP
        assert "script-src 'self'" in response["Content-Security-Policy"]
        html = response.content.decode()
        scripts = SCRIPT_TAG.findall(html)
        assert len(scripts) == 2
        for attributes, body in scripts:
            assert body.strip() == ""
            src = re.search(r'src="([^"]+)"', attributes).group(1)
            assert src.startswith("/static/")
        assert "<style" not in html
        assert " style=" not in html
        assert 'data-schema-url="/api/v1/schema/"' in html

    def test_it_references_only_local_assets_that_exist(self, client):
        html = client.get(reverse("api:docs")).content.decode()
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets
        for url in assets:
            assert url.startswith(settings.STATIC_URL), url
            assert finders.find(url.removeprefix(settings.STATIC_URL)), url

    def test_it_serves_the_init_script_as_a_static_file(self, client):
        response = client.get("/static/api/swagger-ui-init.js")
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        assert "SwaggerUIBundle(" in body
        assert "X-CSRFToken" in body
