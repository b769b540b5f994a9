"""Attachments: images and office files, checked by content, stored beside the message."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record
from louyu.core.uploads import file_clean
from louyu.messaging.models import Attachment, Conversation
from louyu.messaging.services.messages import _participant_for_write

# Issue 13: the allow-list, sniffed from the bytes by louyu.core.uploads.file_clean (images,
# GIFs included, are re-encoded; PDFs, Office and OFD files inspected; HTML/SVG/scripts refused).
ATTACHMENT_KINDS = ("image", "gif", "pdf", "office", "office_legacy", "ofd", "text")


def attachment_upload(
    *, actor: Any, conversation: Conversation, upload: UploadedFile
) -> Attachment:
    """Check and store an upload: its kind is sniffed from its content (see ATTACHMENT_KINDS),
    images are re-encoded; the stored name is ours, never the uploaded one, and the shown name
    is the uploaded stem with the sniffed type's extension."""
    _participant_for_write(actor, conversation)
    size = upload.size or 0
    if size <= 0:
        raise ApplicationError(_("The file is empty."), code="empty_file")
    if size > settings.LOUYU_MESSAGING_MAX_UPLOAD:
        raise ApplicationError(
            _("Files may be at most %(mb)s MB.")
            % {"mb": settings.LOUYU_MESSAGING_MAX_UPLOAD // (1024 * 1024)},
            code="too_large",
        )
    cleaned = file_clean(
        upload,
        kinds=ATTACHMENT_KINDS,
        max_bytes=settings.LOUYU_MESSAGING_MAX_UPLOAD,
        stem="attachment",
    )
    uploaded = PurePosixPath((upload.name or "file").replace("\\", "/")).name
    name = f"{(PurePosixPath(uploaded).stem or 'file')[:190]}.{cleaned.extension}"
    kind = Attachment.Kind.IMAGE if cleaned.kind in ("image", "gif") else Attachment.Kind.FILE
    with transaction.atomic():
        attachment = Attachment.objects.create(
            conversation=conversation,
            uploader=actor,
            kind=kind,
            file=cleaned,
            original_name=name,
            content_type=cleaned.content_type,
            size=cleaned.size,
            width=cleaned.width,
            height=cleaned.height,
        )
        audit_record(
            actor=actor,
            action="attachment.upload",
            target=attachment,
            after={
                "conversation": conversation.pk,
                "name": name,
                "size": cleaned.size,
                "kind": kind,
            },
        )
    return attachment
