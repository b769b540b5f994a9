"""Every write of the messaging platform: keyword-only, explicit `actor`, one transaction,
audited where a record matters (edits, deletions, moderation, exports, escalations), pushed
after commit.

Plain sends, reactions and read pointers are not audit rows: the message row itself records who
said what when, and a read pointer is the user's own state.

One module per part: conversations (and their membership), messages, attachments,
moderation, consultation, all importable from here.
"""

from louyu.messaging.services.attachments import attachment_upload
from louyu.messaging.services.consultation import message_to_request, service_questions_escalate
from louyu.messaging.services.conversations import (
    building_members_sync,
    conversation_members_sync,
    department_group_sync,
    direct_open,
    group_create,
)
from louyu.messaging.services.messages import (
    conversation_read,
    message_delete,
    message_edit,
    message_remove,
    message_send,
    notifications_mute,
    presence_touch,
    reaction_toggle,
)
from louyu.messaging.services.moderation import (
    conversation_export,
    message_report,
    messages_purge,
    participant_mute,
    retention_days,
)

__all__ = [
    "attachment_upload",
    "building_members_sync",
    "conversation_export",
    "conversation_members_sync",
    "conversation_read",
    "department_group_sync",
    "direct_open",
    "group_create",
    "message_delete",
    "message_edit",
    "message_remove",
    "message_report",
    "message_send",
    "message_to_request",
    "messages_purge",
    "notifications_mute",
    "participant_mute",
    "presence_touch",
    "reaction_toggle",
    "retention_days",
    "service_questions_escalate",
]
