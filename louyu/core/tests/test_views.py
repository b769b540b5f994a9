from datetime import timedelta

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from louyu.core import views
from louyu.core.models import WorkerHeartbeat

ALL_OK = {"database": "ok", "cache": "ok", "worker": "ok"}


class BrokenCache(LocMemCache):
    """A cache whose server is unreachable."""

    def set(self, *args, **kwargs):
        raise ConnectionError("redis: connection refused at 10.0.0.5:6379")


@pytest.fixture
def fresh_worker(db):
    return WorkerHeartbeat.objects.create(worker="host:1")


@pytest.mark.django_db
class HealthzTests:
    def test_it_answers_ok_when_everything_works(self, client, fresh_worker):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": ALL_OK}
        assert "no-cache" in response["Cache-Control"]

    def test_it_fails_the_worker_check_when_the_last_heartbeat_is_stale(self, client, settings):
        settings.LOUYU_WORKER_STALE_SECONDS = 60
        WorkerHeartbeat.objects.create(
            worker="host:1", last_seen=timezone.now() - timedelta(seconds=61)
        )
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "error",
            "failing": ["worker"],
            "checks": {**ALL_OK, "worker": "error"},
        }

    def test_it_fails_the_worker_check_when_no_worker_ever_ran(self, client):
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["failing"] == ["worker"]

    def test_one_fresh_worker_among_stale_ones_is_enough(self, client, fresh_worker):
        WorkerHeartbeat.objects.create(
            worker="gone:2", last_seen=timezone.now() - timedelta(days=1)
        )
        assert client.get("/healthz").status_code == 200

    def test_it_fails_the_cache_check_without_saying_why(self, client, settings, fresh_worker):
        settings.CACHES = {"default": {"BACKEND": "louyu.core.tests.test_views.BrokenCache"}}
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json() == {
            "status": "error",
            "failing": ["cache"],
            "checks": {**ALL_OK, "cache": "error"},
        }
        assert b"10.0.0.5" not in response.content

    def test_it_fails_the_cache_check_when_values_do_not_come_back(
        self, client, settings, fresh_worker
    ):
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["failing"] == ["cache"]

    def test_it_fails_the_database_check_when_the_database_is_down(
        self, client, monkeypatch, fresh_worker
    ):
        class DownConnection:
            def cursor(self):
                raise OperationalError("could not connect to server: 10.0.0.6")

        monkeypatch.setattr(views, "connection", DownConnection())
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["failing"] == ["database"]
        assert b"10.0.0.6" not in response.content

    def test_it_answers_anonymous_and_outsider_alike(self, world, fresh_worker):
        for username in (None, "outsider"):
            assert world.client_for(username).get("/healthz").status_code == 200

    def test_it_only_answers_get(self, client, fresh_worker):
        assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
class ErrorPageTests:
    """Issue 12: every error status renders the platform's page in the user's language."""

    def test_it_renders_a_get_on_a_post_only_address_as_a_page_in_chinese(self, world):
        response = world.client_for("clerk").get("/service/requests/1/proxy/delegation/")
        assert response.status_code == 405
        assert response["Allow"] == "POST"
        html = response.content.decode()
        assert "此地址不能这样打开" in html and 'class="error-page"' in html

    def test_it_speaks_english_when_asked(self, world):
        response = world.client_for("clerk").get(
            "/service/requests/1/proxy/delegation/", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "This address cannot be opened this way" in response.content.decode()

    def test_it_renders_missing_pages_and_bad_hosts(self):
        client = Client(raise_request_exception=False)
        missing = client.get("/no/such/page/")
        assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
        bad_host = client.get("/site/", HTTP_HOST="evil.example")
        assert bad_host.status_code == 400 and "请求无法处理" in bad_host.content.decode()

    def test_it_leaves_the_api_its_json_errors(self, world):
        client = world.client_for("clerk")
        response = client.get("/api/v1/auth/token/")
        assert response.status_code == 405
        assert response.json()["error"]["code"] == "method_not_allowed"
        assert client.get("/api/v1/nothing/").json()["error"]["code"] == "not_found"

    def test_every_page_names_the_platforms_icon(self, client):
        from django.contrib.staticfiles import finders

        html = client.get("/no/such/page/").content.decode()
        assert 'rel="icon"' in html and "favicon.svg" in html
        assert finders.find("favicon.svg")
