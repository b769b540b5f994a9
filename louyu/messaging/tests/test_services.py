from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from louyu.accounts.models import Role
from louyu.accounts.services import membership_grant
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.economy.models import Occupancy
from louyu.messaging import services
from louyu.messaging.models import Attachment, Conversation, Message, Participant
from louyu.messaging.tests.conftest import channel
from louyu.notifications.models import Notification

pytestmark = pytest.mark.django_db


def members(conversation):
    return set(
        Participant.objects.filter(conversation=conversation).values_list(
            "user__username", flat=True
        )
    )


class MembersSyncTests:
    def test_it_derives_the_building_channel_from_the_jurisdiction(self, chat):
        assert members(channel(chat, "building")) == {"enterprise", "employee", "clerk"}
        assert members(channel(chat, "community")) == {
            "enterprise",
            "employee",
            "clerk",
            "association",
        }
        other = Conversation.objects.get(kind="building", node=chat.nodes["other_building"])
        assert members(other) == {"outsider"}
        clerk = Participant.objects.get(conversation=channel(chat, "building"), user=chat.clerk)
        assert clerk.role == Participant.Role.MODERATOR

    def test_it_removes_an_enterprise_that_moved_out(self, chat):
        enterprise = chat.scopes["enterprise"]
        today = timezone.localdate()
        Occupancy.objects.create(
            enterprise=enterprise,
            building=chat.nodes["building"],
            start=today - timedelta(days=400),
            end=today - timedelta(days=1),
            area=100,
        )
        result = services.building_members_sync(chat.nodes["building"])
        assert members(channel(chat, "building")) == {"clerk"}
        assert result["removed"] >= 2
        assert AuditLog.objects.filter(action="conversation.members_sync").exists()

    def test_it_adds_an_enterprise_that_moved_in(self, chat):
        other = chat.scopes["other_enterprise"]
        Occupancy.objects.create(
            enterprise=other,
            building=chat.nodes["building"],
            start=timezone.localdate() - timedelta(days=3),
            area=100,
        )
        services.building_members_sync(chat.nodes["building"])
        assert "outsider" in members(channel(chat, "building"))

    def test_it_keeps_hand_added_members(self, chat):
        conversation = channel(chat, "building")
        Participant.objects.create(conversation=conversation, user=chat.district)
        services.conversation_members_sync()
        assert "district" in members(conversation)


class MessageSendTests:
    def test_it_sends_once_per_client_id(self, chat):
        conversation = channel(chat, "building")
        first, created = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="你好", client_id="abc"
        )
        again, created_again = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="你好", client_id="abc"
        )
        assert (created, created_again) == (True, False)
        assert first.pk == again.pk
        assert Message.objects.filter(conversation=conversation).count() == 1

    def test_it_chains_each_message_to_the_previous_one(self, chat):
        conversation = channel(chat, "building")
        a, _ = services.message_send(actor=chat.enterprise, conversation=conversation, body="一")
        b, _ = services.message_send(actor=chat.employee, conversation=conversation, body="二")
        assert (a.prev_id, b.prev_id) == (0, a.pk)
        conversation.refresh_from_db()
        assert conversation.last_message_id == b.pk

    def test_it_pushes_after_commit_to_the_conversation_group(
        self, chat, django_capture_on_commit_callbacks, monkeypatch
    ):
        sent = []
        monkeypatch.setattr(
            "louyu.messaging.events.async_to_sync",
            lambda fn: lambda group, msg: sent.append((group, msg)),
        )
        conversation = channel(chat, "building")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            message, _ = services.message_send(
                actor=chat.enterprise, conversation=conversation, body="提交后推送"
            )
        assert sent == []
        for callback in callbacks:
            callback()
        assert [g for g, _ in sent] == [f"chat.conversation.{conversation.pk}"]
        assert sent[0][1]["event"]["message"]["id"] == message.pk

    def test_it_lets_only_service_staff_post_announcements(self, chat):
        conversation = channel(chat, "announcement")
        with pytest.raises(ApplicationError) as error:
            services.message_send(actor=chat.enterprise, conversation=conversation, body="我也发")
        assert error.value.code == "read_only"
        message, _ = services.message_send(actor=chat.clerk, conversation=conversation, body="通知")
        assert message.pk

    def test_it_refuses_a_muted_member(self, chat):
        conversation = channel(chat, "building")
        services.participant_mute(
            actor=chat.clerk, conversation=conversation, user=chat.employee, minutes=10
        )
        with pytest.raises(ApplicationError) as error:
            services.message_send(actor=chat.employee, conversation=conversation, body="hi")
        assert error.value.code == "muted"
        assert AuditLog.objects.filter(action="participant.mute").exists()

    def test_it_keeps_mentions_to_members(self, chat):
        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise,
            conversation=conversation,
            body="@周婷婷 请看",
            mentions=[chat.employee.pk, chat.outsider.pk],
        )
        assert message.mentions == [chat.employee.pk]


class EditDeleteTests:
    def test_it_edits_within_the_window_and_audits(self, chat):
        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="原文"
        )
        services.message_edit(actor=chat.enterprise, message=message, body="改过")
        row = AuditLog.objects.get(action="message.edit")
        assert (row.before, row.after) == ({"body": "原文"}, {"body": "改过"})

    def test_it_refuses_edits_after_the_window(self, chat, settings):
        settings.LOUYU_MESSAGING_EDIT_WINDOW = 60
        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="原文"
        )
        Message.objects.filter(pk=message.pk).update(
            created_at=timezone.now() - timedelta(minutes=2)
        )
        message.refresh_from_db()
        with pytest.raises(ApplicationError) as error:
            services.message_delete(actor=chat.enterprise, message=message)
        assert error.value.code == "edit_window"

    def test_it_refuses_someone_elses_message(self, chat):
        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="原文"
        )
        with pytest.raises(ApplicationError):
            services.message_edit(actor=chat.employee, message=message, body="x")

    def test_it_lets_a_moderator_remove_and_closes_reports(self, chat):
        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.employee, conversation=conversation, body="不当内容"
        )
        report = services.message_report(actor=chat.enterprise, message=message, reason="广告")
        services.message_remove(actor=chat.clerk, message=message, reason="违规")
        message.refresh_from_db()
        report.refresh_from_db()
        assert message.body == "" and message.removed_by == chat.clerk
        assert report.status == "removed"
        assert AuditLog.objects.get(action="message.remove").before["body"] == "不当内容"
        with pytest.raises(ApplicationError):
            services.message_remove(actor=chat.enterprise, message=message)


class SearchTests:
    @pytest.mark.parametrize(
        ("query", "found"),
        [
            ("党群", True),
            ("上海", True),
            ("海", True),
            ("服务中心", True),
            ("东边", True),
            ("北京", False),
            ("上海 党群", True),
            ("上海 北京", False),
        ],
    )
    def test_it_finds_chinese_of_any_length(self, chat, query, found):
        from louyu.messaging.selectors import message_search

        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise,
            conversation=conversation,
            body="我家在上海东边，常去党群服务中心",
        )
        results = list(message_search(chat.employee, query))
        assert (message in results) is found

    def test_it_searches_only_what_the_user_may_read(self, chat):
        from louyu.messaging.selectors import message_search

        services.message_send(
            actor=chat.enterprise, conversation=channel(chat, "building"), body="坤和停车问题"
        )
        assert len(list(message_search(chat.employee, "停车"))) == 1
        assert list(message_search(chat.outsider, "停车")) == []


class ServiceEscalationTests:
    def test_it_escalates_an_unanswered_question_to_the_managers(
        self, chat, django_capture_on_commit_callbacks, monkeypatch
    ):
        from louyu.accounts.services import user_create

        manager = user_create(actor=None, username="manager1", password=None, real_name="管理员甲")
        membership_grant(actor=None, user=manager, role=Role.MANAGER, scope=chat.nodes["community"])
        pushed = []
        monkeypatch.setattr(
            "louyu.messaging.services.conversations.send_event_on_commit",
            lambda event, recipients: pushed.append(event),
        )
        services.conversation_members_sync()
        conversation = channel(chat, "service")
        question, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="请问如何办理？"
        )
        assert services.service_questions_escalate() == 0
        later = timezone.now() + timedelta(seconds=31)
        assert services.service_questions_escalate(now=later) == 1
        assert services.service_questions_escalate(now=later) == 0
        question.refresh_from_db()
        assert question.escalated_at is not None
        # The managers are told through the notification service: a row each, found later.
        [told] = Notification.objects.filter(kind="messaging.question.escalated")
        assert told.recipient == manager and told.pillar == "messaging"
        assert told.title == "坤和中心有未答复的咨询"
        assert told.text == "孙浩然：请问如何办理？"
        assert told.url == f"/messaging/#c{conversation.pk}"
        assert pushed  # the member sync still pushes its joins live

    def test_it_does_not_escalate_an_answered_question(self, chat):
        conversation = channel(chat, "service")
        question, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="请问？"
        )
        services.message_send(actor=chat.clerk, conversation=conversation, body="您好，我来处理")
        later = timezone.now() + timedelta(seconds=60)
        assert services.service_questions_escalate(now=later) == 0


class AttachmentTests:
    def test_it_accepts_a_real_image_and_renames_it(self, chat):
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
        upload = SimpleUploadedFile("../../etc/照片.jpg", buffer.getvalue())
        attachment = services.attachment_upload(
            actor=chat.enterprise, conversation=channel(chat, "building"), upload=upload
        )
        assert attachment.kind == Attachment.Kind.IMAGE
        assert (attachment.width, attachment.height) == (4, 3)
        assert attachment.original_name == "照片.png"
        assert "照片" not in attachment.file.name and ".." not in attachment.file.name

    def test_it_refuses_a_file_type_outside_the_allow_list(self, chat):
        upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00")
        with pytest.raises(ApplicationError) as error:
            services.attachment_upload(
                actor=chat.enterprise, conversation=channel(chat, "building"), upload=upload
            )
        assert error.value.code == "file_type"

    def test_it_refuses_an_oversize_file(self, chat, settings):
        settings.LOUYU_MESSAGING_MAX_UPLOAD = 10
        upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4 0123456789")
        with pytest.raises(ApplicationError) as error:
            services.attachment_upload(
                actor=chat.enterprise, conversation=channel(chat, "building"), upload=upload
            )
        assert error.value.code == "too_large"


class RetentionExportTests:
    def test_it_purges_messages_past_retention(self, chat, settings):
        settings.LOUYU_MESSAGING_RETENTION = "building=30,announcement=0"
        conversation = channel(chat, "building")
        old, _ = services.message_send(actor=chat.enterprise, conversation=conversation, body="旧")
        new, _ = services.message_send(actor=chat.enterprise, conversation=conversation, body="新")
        Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
        assert services.messages_purge() == {"building": 1}
        assert list(Message.objects.values_list("pk", flat=True)) == [new.pk]

    def test_it_exports_for_the_auditor_with_erased_text_and_audits(self, chat):
        import json

        conversation = channel(chat, "building")
        message, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="被删的话"
        )
        services.message_delete(actor=chat.enterprise, message=message)
        content, _, _ = services.conversation_export(
            actor=chat.auditor, conversation=conversation, fmt="json"
        )
        assert json.loads(content)["messages"][0]["text"] == "被删的话"
        assert AuditLog.objects.filter(action="conversation.export", actor=chat.auditor).exists()
        with pytest.raises(ApplicationError):
            services.conversation_export(actor=chat.clerk, conversation=conversation)


class DirectTests:
    def test_it_opens_one_direct_conversation_per_pair(self, chat):
        a = services.direct_open(actor=chat.enterprise, users=[chat.clerk])
        b = services.direct_open(actor=chat.clerk, users=[chat.enterprise])
        assert a.pk == b.pk
        with pytest.raises(ApplicationError):
            services.direct_open(actor=chat.enterprise, users=[chat.outsider])


class ToRequestTests:
    def test_it_turns_a_message_into_a_linked_service_request(self, chat):
        conversation = channel(chat, "service")
        message, _ = services.message_send(
            actor=chat.enterprise, conversation=conversation, body="空调不制冷\n请派人"
        )
        request = services.message_to_request(actor=chat.clerk, message=message)
        message.refresh_from_db()
        assert message.service_request_id == request.pk
        assert request.source_message_id == message.pk
        with pytest.raises(ApplicationError):
            services.message_to_request(actor=chat.enterprise, message=message)
