from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.notifications import services
from louyu.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    NotificationProfile,
)
from louyu.notifications.services import (
    notification_mark_read,
    notification_send,
    notifications_mark_all_read,
    preference_set,
)


def _mail(user, address="p@example.com"):
    user.email = address
    user.save(update_fields=["email"])


class NotificationSendTests:
    def test_it_stores_one_row_per_recipient_and_pushes_the_unread_count(
        self, world, kind, events, django_capture_on_commit_callbacks
    ):
        enterprise, clerk = world.users["enterprise"], world.users["clerk"]
        with django_capture_on_commit_callbacks(execute=True):
            rows = notification_send(
                kind=kind,
                recipients=[enterprise, clerk.pk, enterprise, None],
                title="标题",
                text="正文",
                url="/service/",
                target=world.nodes["community"],
                actor=clerk,
            )
        assert sorted(r.recipient_id for r in rows) == sorted([enterprise.pk, clerk.pk])
        stored = Notification.objects.order_by("recipient_id")
        assert [
            (n.recipient_id, n.kind, n.pillar, n.title, n.url, n.actor_name) for n in stored
        ] == [
            (pk, kind, "system", "标题", "/service/", "clerk")
            for pk in sorted([enterprise.pk, clerk.pk])
        ]
        assert stored[0].target == world.nodes["community"]
        assert sorted((e["type"], e["unread"], u) for e, u in events) == sorted(
            [("notification.new", 1, [enterprise.pk]), ("notification.new", 1, [clerk.pk])]
        )
        event = events[0][0]
        assert event["title"] == "标题" and event["url"] == "/service/" and event["kind"] == kind

    def test_the_outsider_and_inactive_accounts_get_nothing(self, world, kind):
        world.users["employee"].is_active = False
        world.users["employee"].save(update_fields=["is_active"])
        notification_send(
            kind=kind,
            recipients=[world.users["employee"], world.users["clerk"]],
            title="t",
            text="",
        )
        assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["clerk"]
        assert not Notification.objects.filter(recipient=world.users["outsider"]).exists()

    def test_nothing_is_kept_when_the_callers_transaction_rolls_back(self, world, kind, events):
        from django.db import transaction

        with pytest.raises(RuntimeError), transaction.atomic():
            notification_send(kind=kind, recipients=[world.users["clerk"]], title="t", text="")
            raise RuntimeError
        assert not Notification.objects.exists()
        assert not Delivery.objects.exists()

    def test_it_refuses_an_unknown_kind_and_a_foreign_link(self, world, kind):
        with pytest.raises(LookupError):
            notification_send(kind="nope", recipients=[world.users["clerk"]], title="t", text="")
        for url in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
            with pytest.raises(ValueError):
                notification_send(
                    kind=kind, recipients=[world.users["clerk"]], title="t", text="", url=url
                )
        assert not Notification.objects.exists()

    def test_it_schedules_the_channels_of_the_kind_for_people_with_an_address(self, world, kind):
        _mail(world.users["enterprise"])
        notification_send(
            kind=kind,
            recipients=[world.users["enterprise"], world.users["clerk"]],
            title="t",
            text="",
        )
        deliveries = Delivery.objects.select_related("notification__recipient")
        assert [(d.notification.recipient.username, d.channel, d.state) for d in deliveries] == [
            ("enterprise", "email", "pending")
        ]


class PreferenceTests:
    def test_a_channel_turned_off_is_not_sent_and_one_turned_on_is(self, world, kind):
        user = world.users["enterprise"]
        _mail(user)
        user.phone = "13812345678"
        user.save(update_fields=["phone"])
        preference_set(actor=user, kind=kind, channel="email", enabled=False)
        preference_set(actor=user, kind=kind, channel="sms", enabled=True)
        notification_send(kind=kind, recipients=[user], title="t", text="")
        assert list(Delivery.objects.values_list("channel", flat=True)) == ["sms"]
        assert Notification.objects.filter(recipient=user).count() == 1  # in-app regardless
        assert AuditLog.objects.filter(action="notifications.preference_set").count() == 2

    def test_in_app_cannot_be_turned_off(self, world, kind):
        with pytest.raises(ApplicationError):
            preference_set(actor=world.users["clerk"], kind=kind, channel="inapp", enabled=False)
        assert not NotificationPreference.objects.exists()

    def test_preferences_save_writes_only_what_changed(self, world, kind):
        user = world.users["clerk"]
        changed = services.preferences_save(
            actor=user,
            choices={(kind, "inapp"): False, (kind, "email"): True, (kind, "sms"): True},
        )
        assert changed == 1  # e-mail was on by default; in-app cannot change
        assert list(NotificationPreference.objects.values_list("channel", "enabled")) == [
            ("sms", True)
        ]


class ReadTests:
    def test_mark_read_and_mark_all_read_update_the_bell(self, world, kind, events):
        user = world.users["clerk"]
        first, *_ = notification_send(kind=kind, recipients=[user], title="1", text="")
        notification_send(kind=kind, recipients=[user], title="2", text="")
        notification_send(kind="servicedesk.request.created", recipients=[user], title="3", text="")
        events.clear()
        notification_mark_read(actor=user, notification=first)
        assert events == [({"type": "notification.read", "unread": 2}, [user.pk])]
        notification_mark_read(actor=user, notification=first)  # again: nothing
        assert len(events) == 1
        assert notifications_mark_all_read(actor=user, kind=kind) == 1
        assert services.unread_count(user) == 1
        assert notifications_mark_all_read(actor=user) == 1
        assert services.unread_count(user) == 0

    def test_nobody_marks_anothers_notification(self, world, kind):
        (row,) = notification_send(kind=kind, recipients=[world.users["clerk"]], title="t", text="")
        with pytest.raises(ApplicationError):
            notification_mark_read(actor=world.users["outsider"], notification=row)
        row.refresh_from_db()
        assert row.read_at is None

    def test_the_cached_bell_is_cleared_on_commit(
        self, world, kind, django_capture_on_commit_callbacks
    ):
        user = world.users["clerk"]
        cache.clear()
        assert services.unread_count_cached(user) == 0
        with django_capture_on_commit_callbacks(execute=True):
            (row,) = notification_send(kind=kind, recipients=[user], title="t", text="")
        assert services.unread_count_cached(user) == 1
        with django_capture_on_commit_callbacks(execute=True):
            notification_mark_read(actor=user, notification=row)
        assert services.unread_count_cached(user) == 0


class DeliveryTests:
    def test_a_sent_email_is_recorded(
        self, world, kind, immediate_tasks, django_capture_on_commit_callbacks
    ):
        user = world.users["enterprise"]
        _mail(user, "sun@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            notification_send(kind=kind, recipients=[user], title="已受理", text="LY1", url="/x/")
        assert [(m.to, m.subject) for m in mail.outbox] == [(["sun@example.com"], "已受理")]
        assert "http://127.0.0.1:8000/x/" in mail.outbox[0].body
        delivery = Delivery.objects.get()
        assert (delivery.state, delivery.attempts, delivery.last_error) == ("sent", 1, "")

    def test_a_failure_is_retried_with_backoff_then_given_up(
        self, world, kind, settings, monkeypatch
    ):
        settings.LOUYU_NOTIFICATIONS_MAX_ATTEMPTS = 3
        settings.LOUYU_NOTIFICATIONS_RETRY_SECONDS = 60
        user = world.users["enterprise"]
        _mail(user)
        notification_send(kind=kind, recipients=[user], title="t", text="")
        delivery = Delivery.objects.get()

        def refuse(*args, **kwargs):
            raise OSError("SMTP 451 try later")

        monkeypatch.setattr("louyu.notifications.channels.send_mail", refuse)
        start = timezone.now()
        assert services.deliveries_send(delivery_ids=[delivery.pk]) == 0
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("failed", 1)
        assert "SMTP 451" in delivery.last_error
        assert timedelta(seconds=59) < delivery.next_attempt_at - start < timedelta(seconds=70)
        assert services.deliveries_retry() == 0  # not due yet: nothing attempted
        delivery.refresh_from_db()
        assert delivery.attempts == 1
        Delivery.objects.update(next_attempt_at=timezone.now())
        services.deliveries_retry()
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("failed", 2)
        assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=230)  # 4 × 60
        Delivery.objects.update(next_attempt_at=timezone.now())
        services.deliveries_retry()
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("gave_up", 3, None)
        Delivery.objects.update(next_attempt_at=timezone.now())
        assert services.deliveries_retry() == 0
        delivery.refresh_from_db()
        assert delivery.attempts == 3  # given up stays given up

    def test_a_recovered_channel_sends_on_the_retry(self, world, kind, monkeypatch):
        user = world.users["enterprise"]
        _mail(user)
        notification_send(kind=kind, recipients=[user], title="t", text="")
        delivery = Delivery.objects.get()
        with monkeypatch.context() as patch:
            patch.setattr(
                "louyu.notifications.channels.send_mail",
                lambda *a, **k: (_ for _ in ()).throw(OSError("down")),
            )
            services.deliveries_send(delivery_ids=[delivery.pk])
        Delivery.objects.update(next_attempt_at=timezone.now())
        assert services.deliveries_retry() == 1
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("sent", 2)
        assert len(mail.outbox) == 1

    def test_the_admin_sends_a_given_up_delivery_again(self, world, kind):
        user = world.users["enterprise"]
        _mail(user)
        notification_send(kind=kind, recipients=[user], title="t", text="")
        delivery = Delivery.objects.get()
        with pytest.raises(ApplicationError):
            services.delivery_retry_now(actor=world.users["sysadmin"], delivery=delivery)
        Delivery.objects.update(state="gave_up", attempts=5, next_attempt_at=None)
        delivery.refresh_from_db()
        services.delivery_retry_now(actor=world.users["sysadmin"], delivery=delivery)
        assert (delivery.state, delivery.attempts) == ("pending", 0)
        assert services.deliveries_retry() == 1
        assert AuditLog.objects.filter(action="notifications.delivery_retry").exists()

    def test_sms_and_work_messages_go_through_the_configured_backends(
        self, world, kind, settings, monkeypatch
    ):
        sent = []

        class Gateway:
            def send_sms(self, *, phone, text):
                sent.append(("sms", phone, text))

            def send_work_message(self, *, account, title, text, url):
                sent.append(("work", account, title))

        monkeypatch.setattr(
            "louyu.notifications.tests.test_services.Gateway", Gateway, raising=False
        )
        settings.LOUYU_SMS_BACKEND = "louyu.notifications.tests.test_services.Gateway"
        settings.LOUYU_WORK_MESSAGE_BACKEND = "louyu.notifications.tests.test_services.Gateway"
        user = world.users["enterprise"]
        user.phone = "13812345678"
        user.save(update_fields=["phone"])
        services.profile_set(actor=user, digest="immediate", work_account="sunhaoran")
        preference_set(actor=user, kind=kind, channel="sms", enabled=True)
        preference_set(actor=user, kind=kind, channel="work", enabled=True)
        notification_send(kind=kind, recipients=[user], title="已受理", text="LY1")
        assert services.deliveries_retry() == 2
        assert sorted(sent) == [
            ("sms", "13812345678", "已受理 LY1"),
            ("work", "sunhaoran", "已受理"),
        ]


class DigestTests:
    def test_daily_digest_users_get_one_mail_a_day(self, world, kind):
        user = world.users["enterprise"]
        _mail(user)
        services.profile_set(actor=user, digest=NotificationProfile.Digest.DAILY, work_account="")
        for title in ("一", "二", "三"):
            notification_send(kind=kind, recipients=[user], title=title, text="")
        assert services.deliveries_retry() == 0  # digest deliveries wait for the digest
        assert not mail.outbox
        assert services.notifications_digest_send() == 3
        assert len(mail.outbox) == 1
        body = mail.outbox[0].body
        assert all(title in body for title in ("一", "二", "三"))
        assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
        assert services.notifications_digest_send() == 0

    def test_a_failed_digest_is_retried_as_one_mail(self, world, kind, monkeypatch):
        user = world.users["enterprise"]
        _mail(user)
        services.profile_set(actor=user, digest="daily", work_account="")
        notification_send(kind=kind, recipients=[user], title="一", text="")
        notification_send(kind=kind, recipients=[user], title="二", text="")
        with monkeypatch.context() as patch:
            patch.setattr(
                "louyu.notifications.channels.send_mail",
                lambda *a, **k: (_ for _ in ()).throw(OSError("down")),
            )
            assert services.notifications_digest_send() == 0
        assert set(Delivery.objects.values_list("state", "attempts")) == {("failed", 1)}
        Delivery.objects.update(next_attempt_at=timezone.now())
        assert services.deliveries_retry() == 2
        assert len(mail.outbox) == 1


class RetentionTests:
    def test_each_kind_is_kept_for_its_own_days(self, world, kind):
        user = world.users["clerk"]
        (old,) = notification_send(kind=kind, recipients=[user], title="old", text="")
        (recent,) = notification_send(kind=kind, recipients=[user], title="recent", text="")
        (other,) = notification_send(
            kind="servicedesk.request.created", recipients=[user], title="365", text=""
        )
        now = timezone.now()
        Notification.objects.filter(pk__in=[old.pk, other.pk]).update(
            created_at=now - timedelta(days=31)
        )
        Notification.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=29))
        assert services.notifications_purge() == 1
        assert set(Notification.objects.values_list("title", flat=True)) == {"recent", "365"}
        assert AuditLog.objects.get(action="notifications.purge").after == {"deleted": 1}
        assert services.notifications_purge() == 0


class ExportTests:
    def test_it_exports_ones_own_data_and_audits_it(self, world, kind):
        user = world.users["enterprise"]
        notification_send(kind=kind, recipients=[user, world.users["clerk"]], title="t", text="x")
        preference_set(actor=user, kind=kind, channel="sms", enabled=True)
        data = services.notifications_export(actor=user, user=user)
        assert data["user"] == "enterprise"
        assert [n["title"] for n in data["notifications"]] == ["t"]
        assert data["preferences"] == [{"kind": kind, "channel": "sms", "enabled": True}]
        assert AuditLog.objects.filter(action="notifications.export", actor=user).count() == 1

    def test_only_the_person_or_the_system_admin_may_export(self, world, kind):
        user = world.users["enterprise"]
        with pytest.raises(ApplicationError):
            services.notifications_export(actor=world.users["outsider"], user=user)
        services.notifications_export(actor=world.users["sysadmin"], user=user)
