"""Uploaded images shared by every app (floor plans, building photos, visit photos): the check
before storing and the response that serves them after the caller's access is checked."""

from __future__ import annotations

import io
import mimetypes
from typing import Any

from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from louyu.core.exceptions import ApplicationError

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000


def image_clean(upload: Any, *, stem: str = "image") -> ContentFile:
    """A checked, re-encoded copy of an uploaded image: JPEG, PNG or WebP that Pillow can decode,
    at most 5 MB and 40 megapixels; metadata (EXIF, GPS) dropped; named `stem` plus the format's
    extension (storage adds its own random path — the uploader's name never reaches the disk)."""
    size = getattr(upload, "size", None)
    if size is not None and size > IMAGE_MAX_BYTES:
        raise ApplicationError(_("The image is larger than 5 MB."), code="image_too_large")
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format or ""
            width, height = probe.size
            if width * height > IMAGE_MAX_PIXELS:
                raise ApplicationError(_("The image has too many pixels."), code="image_too_large")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            if image_format not in IMAGE_FORMATS:
                raise ApplicationError(
                    _("Upload the image as JPEG, PNG or WebP."), code="image_format"
                )
            clean: Image.Image = image
            if image_format == "JPEG" and image.mode not in ("RGB", "L"):
                clean = image.convert("RGB")
            out = io.BytesIO()
            clean.save(out, format=image_format)
    except ApplicationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ApplicationError(
            _("The file is not an image that can be read."), code="image_invalid"
        ) from exc
    return ContentFile(out.getvalue(), name=f"{stem}.{IMAGE_FORMATS[image_format]}")


def image_response(field_file: Any) -> HttpResponseBase:
    """Serve a stored image to a caller whose access the view has checked; 404 when absent."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(field_file.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
