from louyu.core.models import AuditLog
from louyu.notifications.models import Notification, NotificationPreference, NotificationProfile
from louyu.notifications.services import notification_send

BASE = "/api/v1/notifications"


def _seed(world, kind):
    notification_send(kind=kind, recipients=[world.users["enterprise"]], title="一", text="")
    notification_send(
        kind="servicedesk.request.accepted",
        recipients=[world.users["enterprise"]],
        title="二",
        text="",
    )
    notification_send(kind=kind, recipients=[world.users["clerk"]], title="三", text="")


class NotificationApiTests:
    def test_it_lists_ones_own_with_the_filters(self, world, kind):
        _seed(world, kind)
        client = world.client_for("enterprise")
        body = client.get(f"{BASE}/").json()
        assert body["count"] == 2
        assert [r["title"] for r in body["results"]] == ["二", "一"]
        assert [
            r["title"] for r in client.get(f"{BASE}/", {"pillar": "service"}).json()["results"]
        ] == ["二"]
        assert client.get(f"{BASE}/", {"kind": kind}).json()["count"] == 1
        assert client.get(f"{BASE}/", {"unread": "false"}).json()["count"] == 0

    def test_it_lists_in_a_fixed_number_of_queries(self, world, kind, django_assert_num_queries):
        _seed(world, kind)
        client = world.client_for("enterprise")
        client.get(f"{BASE}/")
        with django_assert_num_queries(4):  # session, user, count, page
            client.get(f"{BASE}/")
        for _ in range(5):
            notification_send(kind=kind, recipients=[world.users["enterprise"]], title="x", text="")
        with django_assert_num_queries(4):
            assert client.get(f"{BASE}/").json()["count"] == 7

    def test_mark_read_count_and_read_all(self, world, kind):
        _seed(world, kind)
        client = world.client_for("enterprise")
        assert client.get(f"{BASE}/unread-count/").json() == {"unread": 2}
        row = Notification.objects.get(title="一")
        answer = client.post(f"{BASE}/{row.pk}/read/").json()
        assert answer["is_read"] and answer["read_at"]
        assert client.get(f"{BASE}/unread-count/").json() == {"unread": 1}
        assert client.post(f"{BASE}/read-all/", {}, content_type="application/json").json() == {
            "marked": 1,
            "unread": 0,
        }
        assert Notification.objects.filter(title="三", read_at=None).exists()

    def test_the_outsider_gets_404_for_anothers(self, world, kind):
        _seed(world, kind)
        row = Notification.objects.get(title="一")
        client = world.client_for("outsider")
        assert client.get(f"{BASE}/{row.pk}/").status_code == 404
        assert client.post(f"{BASE}/{row.pk}/read/").status_code == 404
        assert client.get(f"{BASE}/").json()["count"] == 0
        row.refresh_from_db()
        assert row.read_at is None

    def test_anonymous_is_refused(self, world):
        assert world.client_for(None).get(f"{BASE}/").status_code == 401

    def test_preferences_read_and_write(self, world, kind):
        client = world.client_for("enterprise")
        body = client.get(f"{BASE}/preferences/").json()
        assert body["digest"] == "immediate"
        row = next(p for p in body["preferences"] if p["kind"] == kind and p["channel"] == "inapp")
        assert row["enabled"] and row["locked"]
        answer = client.post(
            f"{BASE}/preferences/",
            {
                "digest": "daily",
                "preferences": [{"kind": kind, "channel": "email", "enabled": False}],
            },
            content_type="application/json",
        )
        assert answer.status_code == 200 and answer.json()["digest"] == "daily"
        assert NotificationPreference.objects.get(kind=kind).enabled is False
        refused = client.post(
            f"{BASE}/preferences/",
            {"preferences": [{"kind": kind, "channel": "inapp", "enabled": False}]},
            content_type="application/json",
        )
        assert refused.status_code == 400
        assert "始终开启" in str(refused.json()["error"]["fields"])

    def test_an_unknown_kind_is_refused_in_chinese_and_changes_nothing(self, world, kind):
        # Found by the schema fuzz: an unregistered kind was a LookupError and a 500; now the
        # schema lists the kinds and a request with any other is refused whole.
        answer = world.client_for("enterprise").post(
            f"{BASE}/preferences/",
            {
                "digest": "daily",
                "preferences": [
                    {"kind": kind, "channel": "email", "enabled": False},
                    {"kind": "no.such.kind", "channel": "email", "enabled": False},
                ],
            },
            content_type="application/json",
        )
        assert answer.status_code == 400
        assert "no.such.kind" in str(answer.json()["error"]["fields"])
        assert not NotificationPreference.objects.exists()
        assert not NotificationProfile.objects.exists()

    def test_the_export_is_ones_own_and_audited(self, world, kind):
        _seed(world, kind)
        body = world.client_for("enterprise").get(f"{BASE}/export/").json()
        assert body["user"] == "enterprise"
        assert sorted(n["title"] for n in body["notifications"]) == ["一", "二"]
        assert AuditLog.objects.filter(action="notifications.export").count() == 1

    def test_the_schema_documents_the_endpoints(self, world):
        schema = world.client_for("enterprise").get("/api/v1/schema/?format=json").json()
        for path in ("/", "/{id}/read/", "/read-all/", "/unread-count/", "/preferences/"):
            assert f"{BASE}{path}" in schema["paths"]
