"""Issuing, revoking and checking Open311 api_keys; filing through the service desk."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from louyu.api.models import Open311Key, Open311Submission
from louyu.api.open311.services import (
    Submission,
    open311_key_authenticate,
    open311_key_create,
    open311_key_revoke,
    open311_request_submit,
)
from louyu.core.models import AuditLog
from louyu.servicedesk.models import Channel


@pytest.mark.django_db
class Open311KeyCreateTests:
    def test_it_stores_only_the_hash_and_audits(self, world):
        key, raw = open311_key_create(
            actor=world.secadmin,
            user=world.enterprise,
            name="企业App",
            jurisdiction=world.community,
        )
        assert raw.startswith("ly311_") and len(raw) > 40
        assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
        assert raw.startswith(key.prefix) and len(key.prefix) == 12
        assert raw not in {str(value) for value in Open311Key.objects.values().get().values()}
        audit = AuditLog.objects.get(action="open311key.create")
        assert audit.actor == world.secadmin
        assert raw not in str(audit.after)
        assert key.created_by == world.secadmin

    def test_it_issues_different_keys_each_time(self, world):
        first = open311_key_create(actor=None, user=world.enterprise)[1]
        second = open311_key_create(actor=None, user=world.enterprise)[1]
        assert first != second


@pytest.mark.django_db
class Open311KeyAuthenticateTests:
    def test_it_finds_the_active_key_and_marks_it_used(self, world):
        key, raw = open311_key_create(actor=None, user=world.enterprise)
        found = open311_key_authenticate(raw)
        assert found == key
        key.refresh_from_db()
        assert key.last_used_at is not None

    def test_it_writes_the_last_use_at_most_once_a_minute(self, world, django_assert_num_queries):
        key, raw = open311_key_create(actor=None, user=world.enterprise)
        open311_key_authenticate(raw)
        with django_assert_num_queries(1):
            open311_key_authenticate(raw)
        Open311Key.objects.filter(pk=key.pk).update(
            last_used_at=timezone.now() - timedelta(minutes=5)
        )
        with django_assert_num_queries(2):
            open311_key_authenticate(raw)

    @pytest.mark.parametrize("raw", [None, "", "abc", "ly311_" + "x" * 200, "ly311_unknown"])
    def test_it_refuses_what_is_not_a_key(self, world, raw):
        open311_key_create(actor=None, user=world.enterprise)
        assert open311_key_authenticate(raw) is None

    def test_it_refuses_revoked_keys_and_disabled_accounts(self, world):
        key, raw = open311_key_create(actor=None, user=world.enterprise)
        open311_key_revoke(actor=world.secadmin, key=key)
        assert key.revoked_at is not None and not key.is_active
        assert open311_key_authenticate(raw) is None
        assert (
            AuditLog.objects.filter(action="open311key.revoke", actor=world.secadmin).count() == 1
        )
        open311_key_revoke(actor=world.secadmin, key=key)  # twice: audited once
        assert AuditLog.objects.filter(action="open311key.revoke").count() == 1
        other, other_raw = open311_key_create(actor=None, user=world.employee)
        world.employee.is_active = False
        world.employee.save(update_fields=["is_active"])
        assert open311_key_authenticate(other_raw) is None


@pytest.mark.django_db
class Open311RequestSubmitTests:
    def test_it_files_as_the_requester_for_their_enterprise(self, catalog):
        key, _raw = open311_key_create(actor=None, user=catalog.employee)
        request, record = open311_request_submit(
            key=key,
            submission=Submission(
                item=catalog.light,
                building=catalog.building,
                form_data={"pole": "HZ-1"},
                description="路灯坏了",
                lat=Decimal("30.278836"),
                long=Decimal("120.159117"),
                extra={"email": "a@example.org", "device_id": "ios-1"},
            ),
            batch=False,
        )
        assert request.channel == Channel.OPEN311
        assert request.requester == catalog.employee
        assert request.enterprise == catalog.scopes["enterprise"]
        assert request.title == "路灯报修：路灯坏了"
        assert record.token is None
        assert (record.email, record.device_id) == ("a@example.org", "ios-1")
        assert record.lat == Decimal("30.278836")

    def test_it_files_without_an_enterprise_elsewhere(self, catalog):
        key, _raw = open311_key_create(actor=None, user=catalog.enterprise)
        request, record = open311_request_submit(
            key=key,
            submission=Submission(
                item=catalog.hazard, building=catalog.other_building, form_data={}
            ),
            batch=True,
        )
        assert request.enterprise is None
        assert request.title == "消防隐患报告"
        assert record.token and len(record.token) >= 24

    def test_it_rolls_back_when_the_service_desk_refuses(self, catalog, monkeypatch):
        from louyu.core.exceptions import ApplicationError

        def refuse(**kwargs):
            raise ApplicationError("no")

        monkeypatch.setattr("louyu.api.open311.services.request_create", refuse)
        key, _raw = open311_key_create(actor=None, user=catalog.enterprise)
        with pytest.raises(ApplicationError):
            open311_request_submit(
                key=key,
                submission=Submission(item=catalog.hazard, building=catalog.building, form_data={}),
                batch=False,
            )
        assert not Open311Submission.objects.exists()
