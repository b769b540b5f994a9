import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from louyu.messaging import services
from louyu.messaging.models import Message
from louyu.messaging.tests.conftest import channel
from louyu.testing import PERSONAS, assert_access_matrix

pytestmark = pytest.mark.django_db

BUILDING_MEMBERS = {"enterprise", "employee", "clerk"}


def api(world, username):
    client = APIClient()
    client.force_authenticate(world.users[username])
    return client


class AccessTests:
    def test_it_answers_404_to_everyone_outside_the_conversation(self, chat):
        conversation = channel(chat, "building")
        base = f"/api/v1/messaging/conversations/{conversation.pk}/"
        for url in (base, base + "messages/", base + "members/"):
            assert_access_matrix(chat, "get", url, allowed=BUILDING_MEMBERS)

    def test_it_lets_only_members_send(self, chat):
        conversation = channel(chat, "building")
        url = f"/api/v1/messaging/conversations/{conversation.pk}/messages/"
        assert_access_matrix(
            chat,
            "post",
            url,
            allowed=BUILDING_MEMBERS,
            allowed_status=(201,),
            data={"body": "矩阵"},
        )
        assert Message.objects.filter(body="矩阵").count() == len(BUILDING_MEMBERS)

    def test_it_lets_only_service_staff_post_announcements(self, chat):
        conversation = channel(chat, "announcement")
        url = f"/api/v1/messaging/conversations/{conversation.pk}/messages/"
        for username, status in (
            ("clerk", 201),
            ("enterprise", 403),
            ("association", 403),
            ("outsider", 404),
        ):
            response = chat.client_for(username).post(
                url, {"body": "公告"}, content_type="application/json"
            )
            assert response.status_code == status, username

    def test_it_refuses_the_outsider_every_write_with_404(self, chat):
        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="你好"
        )
        outsider = api(chat, "outsider")
        base = f"/api/v1/messaging/conversations/{conversation.pk}/"
        calls = [
            ("post", base + "messages/", {"body": "入侵"}),
            ("post", base + "read/", {"last_read_id": message.pk}),
            ("post", f"/api/v1/messaging/messages/{message.pk}/reactions/", {"emoji": "👍"}),
            ("patch", f"/api/v1/messaging/messages/{message.pk}/", {"body": "x"}),
            ("delete", f"/api/v1/messaging/messages/{message.pk}/", None),
            ("post", f"/api/v1/messaging/messages/{message.pk}/report/", {"reason": "x"}),
            ("get", base + "export/", None),
        ]
        for method, url, data in calls:
            response = getattr(outsider, method)(url, data, format="json")
            assert response.status_code == 404, (url, response.status_code)
            assert response.json()["error"]["code"] == "not_found"
        assert Message.objects.count() == 1

    def test_it_lets_only_the_auditor_export(self, chat):
        conversation = channel(chat, "building")
        url = f"/api/v1/messaging/conversations/{conversation.pk}/export/?filetype=csv"
        assert_access_matrix(chat, "get", url, allowed={"auditor"})
        response = chat.client_for("auditor").get(url)
        assert response.content.startswith("\ufeff".encode())


class ConversationListTests:
    def test_it_lists_unread_counts(self, chat):
        conversation = channel(chat, "building")
        for text in ("一", "二", "三"):
            services.message_send(actor=chat.enterprise, conversation=conversation, body=text)
        rows = {
            r["id"]: r
            for r in api(chat, "employee").get("/api/v1/messaging/conversations/").json()["results"]
        }
        assert rows[conversation.pk]["unread"] == 3
        assert rows[conversation.pk]["title"] == "坤和中心 · 楼宇频道"
        mine = {
            r["id"]: r
            for r in api(chat, "enterprise")
            .get("/api/v1/messaging/conversations/")
            .json()["results"]
        }
        assert mine[conversation.pk]["unread"] == 0

    def test_it_pins_the_query_count(self, chat, django_assert_max_num_queries):
        conversation = channel(chat, "building")
        for i in range(5):
            services.message_send(actor=chat.enterprise, conversation=conversation, body=f"消息{i}")
        client = api(chat, "employee")
        with django_assert_max_num_queries(4):
            response = client.get("/api/v1/messaging/conversations/")
        assert response.status_code == 200

    def test_it_pins_the_query_count_of_a_message_page(self, chat, django_assert_max_num_queries):
        conversation = channel(chat, "building")
        for i in range(20):
            services.message_send(actor=chat.enterprise, conversation=conversation, body=f"消息{i}")
        client = api(chat, "employee")
        with django_assert_max_num_queries(6):
            response = client.get(f"/api/v1/messaging/conversations/{conversation.pk}/messages/")
        assert len(response.json()) == 20


class MessageApiTests:
    def test_it_sends_idempotently(self, chat):
        conversation = channel(chat, "building")
        client = api(chat, "employee")
        url = f"/api/v1/messaging/conversations/{conversation.pk}/messages/"
        first = client.post(url, {"body": "重发测试", "client_id": "k-1"}, format="json")
        again = client.post(url, {"body": "重发测试", "client_id": "k-1"}, format="json")
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json()["id"] == again.json()["id"]
        assert Message.objects.filter(conversation=conversation).count() == 1

    def test_it_pages_after_and_before(self, chat):
        conversation = channel(chat, "building")
        ids = [
            services.message_send(actor=chat.enterprise, conversation=conversation, body=str(i))[
                0
            ].pk
            for i in range(5)
        ]
        client = api(chat, "employee")
        url = f"/api/v1/messaging/conversations/{conversation.pk}/messages/"
        assert [m["id"] for m in client.get(url, {"after": ids[1]}).json()] == ids[2:]
        assert [m["id"] for m in client.get(url, {"before": ids[3], "limit": 2}).json()] == ids[1:3]

    def test_it_answers_errors_in_the_one_shape(self, chat):
        conversation = channel(chat, "announcement")
        response = api(chat, "enterprise").post(
            f"/api/v1/messaging/conversations/{conversation.pk}/messages/",
            {"body": "x"},
            format="json",
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "read_only"

    def test_it_reads_reacts_edits_and_counts_reads(self, chat):
        conversation = channel(chat, "announcement")
        message, _ = services.message_send(
            actor=chat.clerk, conversation=conversation, body="通知：周五消防演练"
        )
        employee = api(chat, "employee")
        assert employee.get(f"/api/v1/messaging/messages/{message.pk}/reads/").json() == {
            "read": 0,
            "total": 3,
        }
        employee.post(
            f"/api/v1/messaging/conversations/{conversation.pk}/read/",
            {"last_read_id": message.pk},
            format="json",
        )
        assert employee.get(f"/api/v1/messaging/messages/{message.pk}/reads/").json() == {
            "read": 1,
            "total": 3,
        }
        reacted = employee.post(
            f"/api/v1/messaging/messages/{message.pk}/reactions/", {"emoji": "👍"}, format="json"
        )
        assert reacted.json()["reactions"] == {"👍": [chat.employee.pk]}
        edited = api(chat, "clerk").patch(
            f"/api/v1/messaging/messages/{message.pk}/",
            {"body": "通知：周六消防演练"},
            format="json",
        )
        assert edited.json()["body"] == "通知：周六消防演练"

    def test_it_uploads_and_serves_attachments_to_members_only(self, chat):
        conversation = channel(chat, "building")
        upload = SimpleUploadedFile("报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        response = api(chat, "enterprise").post(
            f"/api/v1/messaging/conversations/{conversation.pk}/attachments/",
            {"file": upload},
            format="multipart",
        )
        assert response.status_code == 201
        attachment_id = response.json()["id"]
        sent = api(chat, "enterprise").post(
            f"/api/v1/messaging/conversations/{conversation.pk}/messages/",
            {"body": "", "attachments": [attachment_id]},
            format="json",
        )
        assert sent.status_code == 201
        url = f"/messaging/attachments/{attachment_id}/"
        assert_access_matrix(chat, "get", url, allowed=BUILDING_MEMBERS)
        response = chat.client_for("employee").get(url)
        assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
        assert "attachment" in response["Content-Disposition"]

    def test_it_serves_an_unsent_attachment_only_to_its_uploader(self, chat):
        # Issue 13: an uploaded but unsent attachment was readable by every member.
        conversation = channel(chat, "building")
        upload = SimpleUploadedFile("草稿.pdf", b"%PDF-1.4 draft", content_type="application/pdf")
        response = api(chat, "enterprise").post(
            f"/api/v1/messaging/conversations/{conversation.pk}/attachments/",
            {"file": upload},
            format="multipart",
        )
        attachment_id = response.json()["id"]
        url = f"/messaging/attachments/{attachment_id}/"
        assert_access_matrix(chat, "get", url, allowed={"enterprise"})
        missing = chat.client_for("employee").get("/messaging/attachments/999999/")
        foreign = chat.client_for("employee").get(url)
        assert foreign.status_code == missing.status_code == 404
        assert [t.name for t in foreign.templates] == [t.name for t in missing.templates]

    def test_it_refuses_to_send_another_members_attachment_like_a_missing_one(self, chat):
        conversation = channel(chat, "building")
        upload = SimpleUploadedFile("草稿.pdf", b"%PDF-1.4 draft", content_type="application/pdf")
        attachment_id = (
            api(chat, "enterprise")
            .post(
                f"/api/v1/messaging/conversations/{conversation.pk}/attachments/",
                {"file": upload},
                format="multipart",
            )
            .json()["id"]
        )
        url = f"/api/v1/messaging/conversations/{conversation.pk}/messages/"
        foreign = api(chat, "employee").post(
            url, {"body": "x", "attachments": [attachment_id]}, format="json"
        )
        missing = api(chat, "employee").post(
            url, {"body": "x", "attachments": [999999]}, format="json"
        )
        assert foreign.status_code == missing.status_code == 404
        assert foreign.json() == missing.json()
        assert (
            chat.client_for("employee").get(f"/messaging/attachments/{attachment_id}/").status_code
            == 404
        )


class SearchApiTests:
    def test_it_searches_in_chinese_over_readable_conversations(self, chat):
        services.message_send(
            actor=chat.enterprise, conversation=channel(chat, "building"), body="电梯故障请维修"
        )
        for query, count in (("电梯", 1), ("梯", 1), ("故障维修", 0), ("故障 维修", 1)):
            response = api(chat, "employee").get("/api/v1/messaging/search/", {"q": query})
            assert response.json()["count"] == count, query
        assert (
            api(chat, "outsider").get("/api/v1/messaging/search/", {"q": "电梯"}).json()["count"]
            == 0
        )


def test_every_persona_is_covered():
    assert {"outsider", "auditor", "clerk"} <= set(PERSONAS)


class ToRequestApiTests:
    def test_it_lets_staff_turn_a_message_into_a_request(self, chat):
        conversation = channel(chat, "service")
        message, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="请协助办理营业执照变更"
        )
        url = f"/api/v1/messaging/messages/{message.pk}/to-request/"
        assert api(chat, "outsider").post(url).status_code == 404
        assert api(chat, "enterprise").post(url).status_code == 403
        response = api(chat, "clerk").post(url)
        assert response.status_code == 201
        body = response.json()
        assert body["message"]["service_request"] == body["request"]
        assert api(chat, "clerk").post(url).status_code == 409
