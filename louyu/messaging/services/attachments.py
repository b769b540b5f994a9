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
from louyu.messaging.models import Attachment, Conversation
from louyu.messaging.services.messages import _participant_for_write

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}


FILE_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".ofd": "application/ofd",
}


def attachment_upload(
    *, actor: Any, conversation: Conversation, upload: UploadedFile
) -> Attachment:
    """Check and store an upload: images must open in Pillow as JPEG/PNG/GIF/WebP, other files
    must have an allowed extension; the stored name is ours, never the uploaded one."""
    from PIL import Image, UnidentifiedImageError

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
    name = PurePosixPath((upload.name or "file").replace("\\", "/")).name[:200] or "file"
    suffix = PurePosixPath(name).suffix.lower()
    width = height = None
    try:
        with Image.open(upload) as image:
            image.verify()
            image_format = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        image_format = ""
    upload.seek(0)
    if image_format in IMAGE_TYPES:
        kind, content_type = Attachment.Kind.IMAGE, IMAGE_TYPES[image_format]
        expected = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}[image_format]
        if suffix not in {expected, ".jpeg" if image_format == "JPEG" else expected}:
            name = PurePosixPath(name).stem + expected
    elif suffix in FILE_TYPES and suffix not in {".jpg", ".jpeg", ".png", ".gif", ".webp"}:
        kind, content_type = Attachment.Kind.FILE, FILE_TYPES[suffix]
    else:
        raise ApplicationError(
            _("This kind of file cannot be sent. Allowed: images, PDF, Office documents, text."),
            code="file_type",
        )
    upload.name = name
    with transaction.atomic():
        attachment = Attachment.objects.create(
            conversation=conversation,
            uploader=actor,
            kind=kind,
            file=upload,
            original_name=name,
            content_type=content_type,
            size=size,
            width=width,
            height=height,
        )
        audit_record(
            actor=actor,
            action="attachment.upload",
            target=attachment,
            after={"conversation": conversation.pk, "name": name, "size": size, "kind": kind},
        )
    return attachment
