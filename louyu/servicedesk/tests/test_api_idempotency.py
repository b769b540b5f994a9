"""Idempotency-Key on API creates (issue 13), through the service request create."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from louyu.api.models import IdempotencyRecord
from louyu.servicedesk.models import ServiceRequest

BASE = "/api/v1/servicedesk"


def payload(desk, title="领用发票"):
    return {
        "title": title,
        "enterprise": desk.scopes["enterprise"].pk,
        "service_item": desk.item.pk,
        "form_data": {"invoice_kind": "plain", "count": 5},
    }


def post(client, body, key=None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(f"{BASE}/requests/", body, content_type="application/json", headers=headers)


@pytest.mark.django_db
class IdempotencyKeyTests:
    def test_the_same_key_returns_the_first_answer_and_creates_nothing(self, desk):
        client = desk.world.client_for("enterprise")
        first = post(client, payload(desk), "8b1f-key")
        again = post(client, payload(desk), "8b1f-key")
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
        assert ServiceRequest.objects.count() == 1

    def test_without_a_key_each_post_creates(self, desk):
        client = desk.world.client_for("enterprise")
        post(client, payload(desk))
        post(client, payload(desk))
        assert ServiceRequest.objects.count() == 2

    def test_the_same_key_with_another_body_is_refused_in_chinese(self, desk):
        client = desk.world.client_for("enterprise")
        post(client, payload(desk), "k1")
        refused = post(client, payload(desk, "另一件事"), "k1")
        assert refused.status_code == 422
        assert "不同的请求" in refused.json()["detail"]
        assert ServiceRequest.objects.count() == 1

    def test_keys_are_per_user(self, desk):
        post(desk.world.client_for("enterprise"), payload(desk), "shared")
        post(desk.world.client_for("clerk"), payload(desk), "shared")
        assert ServiceRequest.objects.count() == 2

    def test_a_refused_create_is_replayed_and_a_bad_key_is_a_400(self, desk):
        client = desk.world.client_for("enterprise")
        body = {**payload(desk), "form_data": {"invoice_kind": "none"}}
        first = post(client, body, "bad-body")
        assert first.status_code == 400
        assert post(client, body, "bad-body").json() == first.json()
        assert post(client, payload(desk), "x" * 256).status_code == 400
        assert post(client, payload(desk), "中文键").status_code == 400
        assert ServiceRequest.objects.count() == 0

    def test_an_expired_key_starts_afresh(self, desk, settings):
        client = desk.world.client_for("enterprise")
        post(client, payload(desk), "old")
        IdempotencyRecord.objects.update(
            created_at=IdempotencyRecord.objects.get().created_at - timedelta(hours=25)
        )
        assert post(client, payload(desk), "old").status_code == 201
        assert ServiceRequest.objects.count() == 2

    def test_the_purge_job_removes_expired_records(self, desk):
        from louyu.api.tasks import idempotency_purge

        client = desk.world.client_for("enterprise")
        post(client, payload(desk), "a")
        post(client, payload(desk), "b")
        IdempotencyRecord.objects.filter(key="a").update(
            created_at=IdempotencyRecord.objects.get(key="a").created_at - timedelta(days=2)
        )
        assert idempotency_purge() == "purged 1"
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]


@pytest.mark.django_db(transaction=True)
class ConcurrentDuplicateTests:
    def test_two_concurrent_posts_with_one_key_create_one_request(self, desk):
        user = desk.world.users["enterprise"]
        body = payload(desk)
        start = threading.Barrier(4)
        answers = []

        def send():
            client = Client()
            client.force_login(user)
            start.wait()
            try:
                answers.append(post(client, body, "race"))
            finally:
                connection.close()

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert [a.status_code for a in answers] == [201] * 4
        assert len({a.json()["number"] for a in answers}) == 1
        assert ServiceRequest.objects.count() == 1
