import pytest

from louyu.messaging import services
from louyu.messaging.tests.conftest import channel
from louyu.testing import PERSONAS, assert_access_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nobody_online(chat):
    """Presence lives in the cache, which outlives each test's database rows."""
    from django.core.cache import cache

    for user in chat.users.values():
        cache.delete_many([f"messaging:presence:{user.pk}", f"messaging:seen:{user.pk}"])


class ChatPageTests:
    def test_it_opens_for_every_signed_in_persona(self, chat):
        assert_access_matrix(chat, "get", "/messaging/", allowed={"nobody", *PERSONAS})

    def test_it_lists_the_members_conversations_with_unread_badges(self, chat):
        conversation = channel(chat, "building")
        services.message_send(actor=chat.enterprise, conversation=conversation, body="一")
        services.message_send(actor=chat.enterprise, conversation=conversation, body="二")
        html = chat.client_for("employee").get("/messaging/").content.decode()
        assert "坤和中心 · 楼宇频道" in html
        assert f'data-conversation="{conversation.pk}"' in html
        assert 'data-unread="2"' in html
        assert '<html lang="zh-hans">' in html

    def test_it_clears_the_unread_badge_once_read(self, chat):
        # Issue 12: the count compared message ids with conversation ids and never cleared.
        conversation = channel(chat, "building")
        services.message_send(actor=chat.enterprise, conversation=conversation, body="一")
        last, _ = services.message_send(actor=chat.enterprise, conversation=conversation, body="二")
        client = chat.client_for("employee")

        def badge() -> str:
            html = client.get("/messaging/").content.decode()
            item = html.split(f'data-conversation="{conversation.pk}"', 1)[1].split("</a>", 1)[0]
            return item.split("data-unread=", 1)[1].split(">", 1)[0]

        assert badge() == '"2"'
        response = client.post(
            f"/api/v1/messaging/conversations/{conversation.pk}/read/",
            {"last_read_id": last.pk},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert badge() == '"0"'
        services.message_send(actor=chat.enterprise, conversation=conversation, body="三")
        assert badge() == '"1"'

    def test_it_shows_the_outsider_none_of_them(self, chat):
        html = chat.client_for("outsider").get("/messaging/").content.decode()
        assert "坤和中心" not in html and "环西" not in html
        assert "浙江省外经贸广场 · 楼宇频道" in html

    def test_it_has_no_inline_script(self, chat):
        html = chat.client_for("employee").get("/messaging/").content.decode()
        assert "<script>" not in html and " onclick=" not in html


class SearchFragmentTests:
    def test_it_finds_what_the_user_may_read(self, chat):
        services.message_send(
            actor=chat.enterprise, conversation=channel(chat, "building"), body="消防演练"
        )
        html = chat.client_for("employee").get("/messaging/search/", {"q": "消防"}).content.decode()
        assert "消防演练" in html
        html = chat.client_for("outsider").get("/messaging/search/", {"q": "消防"}).content.decode()
        assert "消防演练" not in html


class AttachmentDownloadTests:
    def test_it_answers_404_for_an_unknown_attachment(self, chat):
        assert chat.client_for("employee").get("/messaging/attachments/999999/").status_code == 404


def members_of(world, conversation) -> set[str]:
    ids = set(conversation.participants.values_list("user_id", flat=True))
    return {name for name, user in world.users.items() if user.pk in ids and name in PERSONAS}


class ChatPageMentionTests:
    def test_it_counts_unread_mentions_of_me_in_the_list(self, chat):
        conversation = channel(chat, "building")
        services.message_send(
            actor=chat.enterprise,
            conversation=conversation,
            body="@周婷婷 请看一下",
            mentions=[chat.employee.pk],
        )
        services.message_send(actor=chat.enterprise, conversation=conversation, body="没提到谁")
        html = chat.client_for("employee").get("/messaging/").content.decode()
        assert 'data-mentions="1"' in html
        assert 'data-unread="2"' in html
        html = chat.client_for("clerk").get("/messaging/").content.decode()
        assert 'data-mentions="1"' not in html

    def test_it_forgets_mentions_once_read(self, chat):
        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise,
            conversation=conversation,
            body="@周婷婷",
            mentions=[chat.employee.pk],
        )
        services.conversation_read(
            actor=chat.employee, conversation=conversation, last_read_id=message.pk
        )
        html = chat.client_for("employee").get("/messaging/").content.decode()
        assert 'data-mentions="1"' not in html

    def test_it_marks_the_conversations_i_moderate(self, chat):
        conversation = channel(chat, "building")
        marker = f'data-conversation="{conversation.pk}" data-kind="building" data-role="'
        clerk = chat.client_for("clerk").get("/messaging/").content.decode()
        employee = chat.client_for("employee").get("/messaging/").content.decode()
        assert marker in clerk and marker in employee
        assert 'data-moderator="true"' in clerk
        assert 'data-moderator="true"' not in employee


class ChatPageDirectTests:
    def test_it_titles_a_direct_conversation_with_the_others_and_their_presence(self, chat):
        from louyu.messaging.services import presence_touch

        direct = services.direct_open(actor=chat.employee, users=[chat.enterprise])
        presence_touch(user_id=chat.enterprise.pk)
        html = chat.client_for("employee").get("/messaging/").content.decode()
        assert f'data-conversation="{direct.pk}" data-kind="direct"' in html
        assert 'data-title="孙浩然"' in html
        assert f'data-user="{chat.enterprise.pk}" data-state="online"' in html
        assert "在线" in html


class PeopleFragmentTests:
    def test_it_answers_members_only(self, chat):
        conversation = channel(chat, "building")
        allowed = members_of(chat, conversation)
        assert "employee" in allowed and "outsider" not in allowed
        assert_access_matrix(chat, "get", f"/messaging/{conversation.pk}/people/", allowed=allowed)

    def test_it_shows_presence_as_a_dot_with_text(self, chat):
        from django.core.cache import cache

        from louyu.messaging.services import presence_touch

        conversation = channel(chat, "building")
        presence_touch(user_id=chat.enterprise.pk)
        presence_touch(user_id=chat.clerk.pk)
        cache.delete(f"messaging:presence:{chat.clerk.pk}")  # seen lately, no open tab: away
        html = chat.client_for("employee").get(f"/messaging/{conversation.pk}/people/").content
        html = html.decode()
        assert f'data-user="{chat.enterprise.pk}" data-state="online"' in html
        assert f'data-user="{chat.clerk.pk}" data-state="away"' in html
        assert f'data-user="{chat.employee.pk}" data-state="offline"' in html
        assert "在线" in html and "离开" in html and "离线" in html

    def test_it_offers_mute_to_moderators_only(self, chat):
        conversation = channel(chat, "building")
        url = f"/messaging/{conversation.pk}/people/"
        assert "chat-mute-button" in chat.client_for("clerk").get(url).content.decode()
        employee = chat.client_for("employee").get(url).content.decode()
        assert "chat-mute-button" not in employee
        assert "chat-direct-button" in employee

    def test_it_filters_by_pinyin_initials(self, chat):
        conversation = channel(chat, "building")
        url = f"/messaging/{conversation.pk}/people/"
        html = chat.client_for("enterprise").get(url, {"q": "ztt"}).content.decode()
        assert "周婷婷" in html and "李晓燕" not in html


class MentionCandidatesTests:
    def test_it_answers_members_only(self, chat):
        conversation = channel(chat, "building")
        allowed = members_of(chat, conversation)
        assert_access_matrix(
            chat, "get", f"/messaging/{conversation.pk}/mention-candidates/", allowed=allowed
        )

    def test_it_gives_names_and_pinyin_without_me(self, chat):
        conversation = channel(chat, "building")
        data = (
            chat.client_for("enterprise")
            .get(f"/messaging/{conversation.pk}/mention-candidates/")
            .json()
        )
        employee = next(m for m in data if m["id"] == chat.employee.pk)
        assert employee == {
            "id": chat.employee.pk,
            "name": "周婷婷",
            "initials": "ztt",
            "spelling": "zhoutingting",
        }
        assert chat.enterprise.pk not in {m["id"] for m in data}


class PresenceTests:
    def test_it_tells_the_state_of_my_direct_contacts_only(self, chat):
        from louyu.messaging.services import presence_touch

        services.direct_open(actor=chat.employee, users=[chat.enterprise])
        presence_touch(user_id=chat.enterprise.pk)
        presence_touch(user_id=chat.clerk.pk)
        data = chat.client_for("employee").get("/messaging/presence/").json()
        assert data == {str(chat.enterprise.pk): "online"}
        assert chat.client_for("outsider").get("/messaging/presence/").json() == {}
        assert chat.client_for(None).get("/messaging/presence/").status_code == 302


class ExportListTests:
    def test_it_is_the_audit_administrators_only(self, chat):
        assert_access_matrix(chat, "get", "/messaging/export/", allowed={"auditor"})

    def test_it_links_each_conversation_to_the_audited_export(self, chat):
        from louyu.core.models import AuditLog

        conversation = channel(chat, "building")
        client = chat.client_for("auditor")
        html = client.get("/messaging/export/", {"q": "坤和"}).content.decode()
        link = f"/api/v1/messaging/conversations/{conversation.pk}/export/?filetype=xlsx"
        assert link in html
        assert "环西" not in html
        response = client.get(link)
        assert response.status_code == 200
        assert AuditLog.objects.filter(action="conversation.export").count() == 1

    def test_it_shows_the_export_link_on_the_chat_page_to_the_auditor_only(self, chat):
        assert (
            'id="chat-export-link"'
            in chat.client_for("auditor").get("/messaging/").content.decode()
        )
        for persona in ("clerk", "employee", "outsider"):
            html = chat.client_for(persona).get("/messaging/").content.decode()
            assert 'id="chat-export-link"' not in html


class ModerationApiFromThePageTests:
    """The page's report, remove and mute actions call these endpoints; who may do what."""

    def test_report_is_for_every_member_and_404_for_the_outsider(self, chat):
        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="广告"
        )
        url = f"/api/v1/messaging/messages/{message.pk}/report/"
        assert (
            chat.client_for("outsider")
            .post(url, {"reason": "x"}, content_type="application/json")
            .status_code
            == 404
        )
        assert (
            chat.client_for("employee")
            .post(url, {"reason": "广告"}, content_type="application/json")
            .status_code
            == 201
        )
        again = chat.client_for("employee").post(
            url, {"reason": "广告"}, content_type="application/json"
        )
        assert again.status_code == 409
        assert again.json()["error"]["message"] == "您已举报过这条消息。"

    def test_remove_is_for_moderators(self, chat):
        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="广告"
        )
        url = f"/api/v1/messaging/messages/{message.pk}/remove/"
        assert (
            chat.client_for("outsider").post(url, {}, content_type="application/json").status_code
            == 404
        )
        assert (
            chat.client_for("employee").post(url, {}, content_type="application/json").status_code
            == 403
        )
        message.refresh_from_db()
        assert message.deleted_at is None
        assert (
            chat.client_for("clerk")
            .post(url, {"reason": "广告"}, content_type="application/json")
            .status_code
            == 200
        )
        message.refresh_from_db()
        assert message.removed_by == chat.clerk

    def test_mute_is_for_moderators(self, chat):
        conversation = channel(chat, "building")
        url = f"/api/v1/messaging/conversations/{conversation.pk}/mute/"
        data = {"user": chat.employee.pk, "minutes": 60}
        assert (
            chat.client_for("outsider").post(url, data, content_type="application/json").status_code
            == 404
        )
        assert (
            chat.client_for("enterprise")
            .post(url, data, content_type="application/json")
            .status_code
            == 403
        )
        assert (
            chat.client_for("clerk").post(url, data, content_type="application/json").status_code
            == 204
        )
        assert conversation.participants.get(user=chat.employee).is_muted()
