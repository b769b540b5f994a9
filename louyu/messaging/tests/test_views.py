import pytest

from louyu.messaging import services
from louyu.messaging.tests.conftest import channel
from louyu.testing import PERSONAS, assert_access_matrix

pytestmark = pytest.mark.django_db


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
