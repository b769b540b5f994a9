import pytest
from django.utils import translation

from louyu.notifications.models import Delivery, Notification, NotificationPreference
from louyu.notifications.services import notification_send

INBOX = "/notifications/"


def html(response):
    return response.content.decode()


@pytest.fixture
def inbox(world, kind):
    """Three notifications of the enterprise contact (one about a request), one of the clerk."""
    enterprise = world.users["enterprise"]
    notification_send(kind=kind, recipients=[enterprise], title="第一条", text="")
    notification_send(
        kind="servicedesk.request.accepted",
        recipients=[enterprise],
        title="事项已受理",
        text="",
        url="/service/mine/",
    )
    notification_send(kind=kind, recipients=[enterprise], title="第三条", text="")
    notification_send(kind=kind, recipients=[world.users["clerk"]], title="办事员的", text="")
    return Notification.objects.filter(recipient=enterprise)


class InboxTests:
    def test_it_lists_ones_own_in_chinese_with_the_bell(self, world, inbox):
        page = html(world.client_for("enterprise").get(INBOX))
        assert "站内信" in page and "全部标为已读" in page
        assert "第一条" in page and "第三条" in page and "办事员的" not in page
        assert "data-bell-count>3</span>" in page

    def test_it_speaks_english_too(self, world, inbox):
        client = world.client_for("enterprise")
        client.cookies["louyu_language"] = "en"
        page = html(client.get(INBOX))
        assert "Notifications" in page and "Mark all read" in page
        translation.activate("zh-hans")

    def test_it_filters_unread_kind_and_pillar(self, world, inbox, kind):
        client = world.client_for("enterprise")
        first = inbox.get(title="第一条")
        first.read_at = first.created_at
        first.save(update_fields=["read_at"])

        def titles(**query):
            return [n.title for n in client.get(INBOX, query).context["page"]]

        assert titles() == ["第三条", "事项已受理", "第一条"]
        assert titles(unread="true") == ["第三条", "事项已受理"]
        assert titles(unread="false") == ["第一条"]
        assert titles(kind="servicedesk.request.accepted") == ["事项已受理"]
        assert titles(pillar="service") == ["事项已受理"]
        assert titles(pillar="system", unread="true") == ["第三条"]

    def test_it_paginates(self, world, kind):
        for i in range(25):
            notification_send(kind=kind, recipients=[world.users["clerk"]], title=f"n{i}", text="")
        client = world.client_for("clerk")
        assert len(client.get(INBOX).context["page"]) == 20
        assert len(client.get(INBOX, {"page": 2}).context["page"]) == 5

    def test_anonymous_is_sent_to_sign_in(self, world):
        response = world.client_for(None).get(INBOX)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_no_bell_for_anonymous_pages(self, world):
        assert "louyu-bell" not in html(world.client_for(None).get("/accounts/login/"))


class OpenAndReadTests:
    def test_opening_marks_read_and_follows_the_same_site_link(self, world, inbox):
        client = world.client_for("enterprise")
        accepted = inbox.get(title="事项已受理")
        response = client.get(f"/notifications/{accepted.pk}/open/")
        assert response.status_code == 302 and response["Location"] == "/service/mine/"
        accepted.refresh_from_db()
        assert accepted.read_at is not None

    def test_a_foreign_link_is_never_followed(self, world, inbox):
        row = inbox.get(title="第一条")
        Notification.objects.filter(pk=row.pk).update(url="//evil.example/")
        response = world.client_for("enterprise").get(f"/notifications/{row.pk}/open/")
        assert response["Location"] == INBOX

    def test_the_outsider_gets_404_for_anothers_notification(self, world, inbox):
        row = inbox.first()
        client = world.client_for("outsider")
        assert client.get(f"/notifications/{row.pk}/open/").status_code == 404
        assert client.post(f"/notifications/{row.pk}/read/").status_code == 404
        assert client.get(f"/notifications/{999999}/open/").status_code == 404
        row.refresh_from_db()
        assert row.read_at is None
        assert "第一条" not in html(client.get(INBOX))

    def test_mark_read_and_mark_all_read_are_posts_with_csrf(self, world, inbox):
        from django.test import Client

        strict = Client(enforce_csrf_checks=True)
        strict.force_login(world.users["enterprise"])
        assert strict.post("/notifications/read-all/").status_code == 403
        client = world.client_for("enterprise")
        assert client.get("/notifications/read-all/").status_code == 405
        row = inbox.get(title="第一条")
        assert client.post(f"/notifications/{row.pk}/read/").status_code == 302
        assert inbox.filter(read_at__isnull=True).count() == 2
        response = client.post("/notifications/read-all/", {"next": "https://evil.example/"})
        assert response["Location"] == INBOX
        assert not inbox.filter(read_at__isnull=True).exists()
        assert (
            Notification.objects.filter(recipient=world.users["clerk"], read_at=None).count() == 1
        )


class PreferencesPageTests:
    def test_it_shows_kind_by_channel_and_saves(self, world, kind):
        client = world.client_for("enterprise")
        page = html(client.get("/notifications/preferences/"))
        assert "通知设置" in page and "站内通知始终开启" in page
        assert "我的事项已受理" in page  # the service desk's kinds, in Chinese
        response = client.post(
            "/notifications/preferences/",
            {"digest": "daily", "work_account": "sun", f"pref-{kind}-sms": "on"},
        )
        assert response.status_code == 302
        prefs = set(
            NotificationPreference.objects.filter(
                user=world.users["enterprise"], kind=kind
            ).values_list("channel", "enabled")
        )
        assert prefs == {("email", False), ("sms", True)}
        profile = world.users["enterprise"].notification_profile
        assert (profile.digest, profile.work_account) == ("daily", "sun")

    def test_anonymous_is_sent_to_sign_in(self, world):
        assert world.client_for(None).get("/notifications/preferences/").status_code == 302


class DeliveriesPageTests:
    def test_the_system_admin_sees_what_was_given_up_and_sends_it_again(self, world, kind):
        user = world.users["enterprise"]
        user.email = "p@example.com"
        user.save(update_fields=["email"])
        notification_send(kind=kind, recipients=[user], title="没送到", text="")
        Delivery.objects.update(state="gave_up", attempts=5, last_error="SMTPServerDisconnected")
        client = world.client_for("sysadmin")
        page = html(client.get("/notifications/deliveries/"))
        assert "没送到" in page and "SMTPServerDisconnected" in page and "已放弃" in page
        delivery = Delivery.objects.get()
        assert client.post(f"/notifications/deliveries/{delivery.pk}/retry/").status_code == 302
        delivery.refresh_from_db()
        assert delivery.state in {"pending", "sent"}

    def test_nobody_else_sees_deliveries(self, world):
        for username in ("outsider", "clerk", "auditor"):
            client = world.client_for(username)
            assert client.get("/notifications/deliveries/").status_code == 404
            assert client.post("/notifications/deliveries/1/retry/").status_code == 404
