import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation
from rest_framework import exceptions, serializers
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from louyu.api.exceptions import Conflict, exception_handler, handler500
from louyu.core.exceptions import ApplicationError


def handle(exc):
    with translation.override("en"):
        response = exception_handler(exc, {})
        return response, (response.data if response is not None else None)


class ExceptionHandlerTests:
    def test_it_renders_an_application_error_with_its_code_status_and_extra(self):
        response, body = handle(
            ApplicationError("Already closed.", code="conflict", status=409, extra={"state": "x"})
        )
        assert response.status_code == 409
        assert body == {
            "error": {"code": "conflict", "message": "Already closed.", "extra": {"state": "x"}}
        }

    def test_it_defaults_an_application_error_to_400(self):
        response, body = handle(ApplicationError("No."))
        assert response.status_code == 400
        assert body == {"error": {"code": "application_error", "message": "No."}}

    def test_it_puts_validation_errors_under_fields(self):
        exc = serializers.ValidationError({"name": ["This field is required."]})
        response, body = handle(exc)
        assert response.status_code == 400
        assert body["error"]["code"] == "validation_error"
        assert body["error"]["message"] == "The submitted data is not valid."
        assert body["error"]["fields"] == {"name": ["This field is required."]}

    def test_it_uses_the_non_field_error_as_the_message(self):
        response, body = handle(serializers.ValidationError({"non_field_errors": ["Too late."]}))
        assert body["error"]["message"] == "Too late."

    def test_it_renders_a_bare_validation_error_message(self):
        response, body = handle(serializers.ValidationError("Wrong."))
        assert body == {"error": {"code": "validation_error", "message": "Wrong.", "fields": {}}}

    def test_it_converts_django_validation_errors(self):
        response, body = handle(DjangoValidationError({"phone": ["Enter a valid phone number."]}))
        assert response.status_code == 400
        assert body["error"]["fields"] == {"phone": ["Enter a valid phone number."]}

    def test_it_converts_django_404_and_permission_denied(self):
        response, body = handle(Http404("secret detail"))
        assert response.status_code == 404
        assert body == {"error": {"code": "not_found", "message": "Not found."}}
        response, body = handle(DjangoPermissionDenied())
        assert response.status_code == 403
        assert body["error"]["code"] == "permission_denied"

    def test_it_keeps_the_retry_after_header_when_throttled(self):
        response, body = handle(exceptions.Throttled(wait=30))
        assert response.status_code == 429
        assert response["Retry-After"] == "30"
        assert body["error"]["code"] == "throttled"

    def test_it_renders_a_conflict(self):
        response, body = handle(Conflict())
        assert response.status_code == 409
        assert body["error"]["code"] == "conflict"

    def test_it_leaves_unexpected_errors_to_the_500_handler(self):
        response, _ = handle(RuntimeError("boom"))
        assert response is None


class ApplicationErrorView(APIView):
    permission_classes = []

    def post(self, request):
        raise ApplicationError("Not in this state.", code="invalid_state", status=409)


@pytest.mark.django_db
class ErrorShapeTests:
    def test_it_renders_an_application_error_raised_in_a_view(self):
        request = APIRequestFactory().post("/api/v1/test/", HTTP_ACCEPT_LANGUAGE="en")
        response = ApplicationErrorView.as_view()(request)
        response.render()
        assert response.status_code == 409
        assert response.data == {
            "error": {"code": "invalid_state", "message": "Not in this state."}
        }

    def test_it_answers_unknown_api_urls_with_json(self, client):
        response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}

    def test_it_translates_messages(self, client):
        response = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.json()["error"]["message"] == "未找到。"

    def test_it_keeps_html_404_pages_outside_the_api(self, client):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert not response["Content-Type"].startswith("application/json")

    def test_it_answers_anonymous_api_calls_with_401(self, client):
        response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["error"] == {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
        }

    def test_it_refuses_an_unsupported_method(self, world):
        client = APIClient()
        client.force_authenticate(world.users["clerk"])
        response = client.post("/api/v1/nodes/", {})
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"

    def test_it_answers_server_errors_under_the_api_with_json(self):
        request = RequestFactory().get("/api/v1/nodes/")
        response = handler500(request)
        assert response.status_code == 500
        assert b'"code": "server_error"' in response.content

    def test_it_keeps_html_server_errors_outside_the_api(self):
        response = handler500(RequestFactory().get("/"))
        assert response.status_code == 500
        assert response["Content-Type"].startswith("text/html")
