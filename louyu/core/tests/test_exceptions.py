import json

import pytest
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.urls import path

from louyu.core.exceptions import ApplicationError


def refuse(request: HttpRequest) -> HttpResponse:
    raise ApplicationError("The request is already closed.", code="invalid_state", status=409)


urlpatterns = [path("refuse/", refuse)]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
class ApplicationErrorMiddlewareTests:
    def test_it_answers_json_callers_in_the_error_shape(self, client):
        response = client.post("/refuse/", HTTP_ACCEPT="application/json")
        assert response.status_code == 409
        assert response.json() == {
            "error": {"code": "invalid_state", "message": "The request is already closed."}
        }

    def test_it_answers_htmx_with_json_and_an_event(self, client):
        response = client.post("/refuse/", HTTP_HX_REQUEST="true")
        assert response.status_code == 409
        event = json.loads(response["HX-Trigger"])
        assert event == {
            "louyu:error": {"code": "invalid_state", "message": "The request is already closed."}
        }

    def test_it_sends_html_users_back_with_a_message(self, client):
        response = client.post("/refuse/", HTTP_REFERER="http://testserver/requests/7/")
        assert response.status_code == 302
        assert response["Location"] == "http://testserver/requests/7/"
        messages = [str(m) for m in get_messages(response.wsgi_request)]
        assert messages == ["The request is already closed."]

    def test_it_never_redirects_to_another_site(self, client):
        response = client.post("/refuse/", HTTP_REFERER="https://evil.example/")
        assert response.status_code == 409
        assert "The request is already closed." in response.content.decode()

    def test_it_answers_without_a_referer_with_the_message(self, client):
        response = client.post("/refuse/")
        assert response.status_code == 409
        assert "The request is already closed." in response.content.decode()


class ApplicationErrorTests:
    def test_it_defaults_to_a_400_application_error(self):
        error = ApplicationError("No.")
        assert (error.code, error.status, error.extra, str(error)) == (
            "application_error",
            400,
            {},
            "No.",
        )
