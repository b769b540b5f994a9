"""Uploaded files shared by every app: the check before storing and the response that serves them
after the caller's access is checked.

Issue 13: every upload point names one allow-list of kinds, and the kind is sniffed from the
bytes — never taken from the file name or the client's Content-Type. Images are decoded and
re-encoded (so anything hidden in or after them is dropped), PDFs and Office files are
inspected, HTML, SVG and scripts are refused whatever they are called, and the stored name is
ours (`<stem>-<uuid4 hex>.<sniffed extension>`): the uploader's name never reaches the disk.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from louyu.core.exceptions import ApplicationError

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
GIF_MAX_FRAMES = 300

# Office (OOXML) and OFD are zip files: bounds on what unpacking them may cost.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNPACKED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Compressed PDF object streams are inflated to look for active content, up to this much.
PDF_MAX_INFLATED = 64 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    """One type a sniffed upload can be: its kind (the allow-list unit), stored extension,
    Content-Type, and whether a browser may show it inline."""

    kind: str
    extension: str
    content_type: str
    inline: bool = False


FILE_TYPES = {
    t.extension: t
    for t in (
        FileType("image", "jpg", "image/jpeg", inline=True),
        FileType("image", "png", "image/png", inline=True),
        FileType("image", "webp", "image/webp", inline=True),
        FileType("gif", "gif", "image/gif", inline=True),
        FileType("pdf", "pdf", "application/pdf"),
        FileType(
            "office",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        FileType(
            "office", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        FileType(
            "office",
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        FileType("office_legacy", "doc", "application/msword"),
        FileType("office_legacy", "xls", "application/vnd.ms-excel"),
        FileType("office_legacy", "ppt", "application/vnd.ms-powerpoint"),
        FileType("ofd", "ofd", "application/ofd"),
        FileType("text", "txt", "text/plain"),
        FileType("text", "csv", "text/csv"),
    )
}
# Names stored before issue 13 (messaging kept the uploaded extension).
_STORED_ALIASES = {"jpeg": "jpg"}

KIND_LABELS = {
    "image": _("images (JPEG, PNG, WebP)"),
    "gif": _("GIF images"),
    "pdf": _("PDF"),
    "office": _("Word, Excel or PowerPoint files (.docx, .xlsx, .pptx)"),
    "office_legacy": _("older Office files (.doc, .xls, .ppt)"),
    "ofd": _("OFD e-invoices"),
    "text": _("plain text or CSV"),
}


class CleanedFile(ContentFile):
    """A checked upload, ready for a FileField: the bytes to store, under our own name, with
    what the sniffing found (kind, Content-Type, image size)."""

    def __init__(
        self,
        content: bytes,
        *,
        stem: str,
        file_type: FileType,
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        super().__init__(content, name=f"{stem}-{uuid.uuid4().hex}.{file_type.extension}")
        self.file_type = file_type
        self.kind = file_type.kind
        self.extension = file_type.extension
        self.content_type = file_type.content_type
        self.width = width
        self.height = height


def _mb(value: int) -> str:
    return f"{value / (1024 * 1024):g}"


def image_clean(
    upload: Any,
    *,
    stem: str = "image",
    max_bytes: int | None = None,
    formats: Collection[str] = tuple(IMAGE_FORMATS),
) -> CleanedFile:
    """A checked, re-encoded copy of an uploaded image: one of `formats` (JPEG, PNG, WebP by
    default; "GIF" where a caller allows it) that Pillow can decode, at most `max_bytes` (5 MB)
    and 40 megapixels; metadata (EXIF, GPS) dropped after applying its rotation; named
    `<stem>-<random>.<ext>`, never the uploader's name."""
    limit = IMAGE_MAX_BYTES if max_bytes is None else max_bytes
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ApplicationError(
            _("The image is larger than %(mb)s MB.") % {"mb": _mb(limit)},
            code="image_too_large",
        )
    extensions = {**IMAGE_FORMATS, "GIF": "gif"}
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            image_format = probe.format or ""
            width, height = probe.size
            frames = getattr(probe, "n_frames", 1) if image_format == "GIF" else 1
            if width * height > IMAGE_MAX_PIXELS or (
                frames > GIF_MAX_FRAMES or width * height * frames > IMAGE_MAX_PIXELS
            ):
                raise ApplicationError(_("The image has too many pixels."), code="image_too_large")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            if image_format not in formats or image_format not in extensions:
                raise ApplicationError(
                    _("Upload the image as JPEG, PNG or WebP."), code="image_format"
                )
            out = io.BytesIO()
            if image_format == "GIF":
                # Every frame is decoded and written again: bytes after the image (a script
                # in a GIF/JS polyglot) or in comment blocks do not survive.
                image.save(out, format="GIF", save_all=frames > 1)
            else:
                clean: Image.Image = ImageOps.exif_transpose(image) or image
                if image_format == "JPEG" and clean.mode not in ("RGB", "L"):
                    clean = clean.convert("RGB")
                clean.save(out, format=image_format)
                width, height = clean.size
    except ApplicationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise ApplicationError(
            _("The file is not an image that can be read."), code="image_invalid"
        ) from exc
    return CleanedFile(
        out.getvalue(),
        stem=stem,
        file_type=FILE_TYPES[extensions[image_format]],
        width=width,
        height=height,
    )


# --- Sniffing ----------------------------------------------------------------------------------

_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)\b")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Names of PDF active content: scripts, launching programs, files carried inside.
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![0-9A-Za-z])")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OOXML_MAIN = {
    b"wordprocessingml.document.main+xml": "docx",
    b"spreadsheetml.sheet.main+xml": "xlsx",
    b"presentationml.presentation.main+xml": "pptx",
}
_OLE_STREAMS = {
    "WordDocument".encode("utf-16-le"): "doc",
    "Workbook".encode("utf-16-le"): "xls",
    "Book".encode("utf-16-le"): "xls",
    "PowerPoint Document".encode("utf-16-le"): "ppt",
}
_OLE_MACROS = ("_VBA_PROJECT".encode("utf-16-le"), "Macros".encode("utf-16-le"))


def _is_image(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _refuse_type(kinds: Collection[str]) -> ApplicationError:
    allowed = " / ".join(str(KIND_LABELS[k]) for k in KIND_LABELS if k in kinds)
    return ApplicationError(
        _("This kind of file cannot be uploaded here. Allowed: %(kinds)s.") % {"kinds": allowed},
        code="file_type",
    )


def _unreadable() -> ApplicationError:
    return ApplicationError(_("The file is damaged and cannot be read."), code="file_invalid")


def _unescape(data: bytes) -> bytes:
    """PDF names may spell letters as #xx (/J#61vaScript is /JavaScript)."""
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), data)


def _pdf_active(data: bytes) -> bool:
    return bool(_PDF_ACTIVE.search(_unescape(data)))


def _pdf_check(data: bytes) -> FileType:
    """A PDF with no active content. A scan of the raw bytes (names unescaped from `#xx`) and of
    every compressed object stream (where PDF 1.5+ hides dictionaries) for /JavaScript, /JS,
    /Launch, /EmbeddedFile(s), /RichMedia and /XFA; an /OpenAction that runs script carries /JS
    and so is caught. Object streams we cannot inflate (another filter, encryption) refuse the
    file: what cannot be checked is not stored."""
    found = _pdf_active(data)
    budget = PDF_MAX_INFLATED
    for match in _PDF_STREAM.finditer(data):
        if found:
            break
        header = data[max(0, data.rfind(b"obj", 0, match.start())) : match.start()]
        if b"/ObjStm" not in _unescape(header):
            continue
        try:
            inflated = zlib.decompressobj().decompress(data[match.end() :], budget + 1)
        except zlib.error:
            raise ApplicationError(
                _("The PDF cannot be checked (it is encrypted or uses an unusual compression)."),
                code="pdf_unchecked",
            ) from None
        budget -= len(inflated)
        if budget < 0:
            raise ApplicationError(
                _("The PDF cannot be checked (it is encrypted or uses an unusual compression)."),
                code="pdf_unchecked",
            )
        found = _pdf_active(inflated)
    if found:
        raise ApplicationError(
            _(
                "The PDF contains scripts, launch actions or embedded files. Print it to a new "
                "PDF and upload that."
            ),
            code="pdf_active",
        )
    return FILE_TYPES["pdf"]


def _zip_check(data: bytes) -> FileType | None:
    """An OOXML document (docx/xlsx/pptx: [Content_Types].xml naming its main part, no VBA
    project) or an OFD e-invoice (OFD.xml at the root); the unpacked size, entry count and
    compression ratio are bounded and every entry's checksum verified. None: another zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES or (
                sum(e.file_size for e in entries) > ZIP_MAX_UNPACKED
            ):
                raise _too_complex()
            for entry in entries:
                if entry.file_size > 1024 * 1024 and (
                    entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1)
                ):
                    raise _too_complex()
            names = {e.filename for e in entries}
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml")
                if b"macroenabled" in types.lower() or any(
                    n.lower().endswith("vbaproject.bin") for n in names
                ):
                    raise ApplicationError(
                        _(
                            "The document contains macros. Save it without macros "
                            "(.docx, .xlsx or .pptx) and upload that."
                        ),
                        code="office_macros",
                    )
                found = next((ext for mark, ext in _OOXML_MAIN.items() if mark in types), None)
            elif "OFD.xml" in names:
                found = "ofd"
            else:
                return None
            # Reads every entry (bounded above by the declared sizes) and checks its CRC.
            if archive.testzip() is not None:
                raise _unreadable()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise _unreadable() from exc
    return FILE_TYPES[found] if found else None


def _too_complex() -> ApplicationError:
    return ApplicationError(
        _("The file unpacks to too much data to be accepted."), code="too_large"
    )


def _ole_check(data: bytes) -> FileType | None:
    """An old binary Office file (.doc/.xls/.ppt), told apart by its stream names; one with a
    VBA project or a Macros storage is refused. A byte search, not a parse of the container."""
    found = next((ext for name, ext in _OLE_STREAMS.items() if name in data), None)
    if found and any(name in data for name in _OLE_MACROS):
        raise ApplicationError(
            _(
                "The document contains macros. Save it without macros "
                "(.docx, .xlsx or .pptx) and upload that."
            ),
            code="office_macros",
        )
    return FILE_TYPES[found] if found else None


def _text_check(data: bytes, original_name: str) -> FileType | None:
    """Plain text (UTF-8 or GB18030) with no control characters, no markup (HTML, SVG, XML)
    and no `#!` script line; .csv when the uploader called it that, else .txt."""
    if _MARKUP.search(data.lower()) or data.lstrip().startswith((b"#!", b"<")):
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            return None
        return FILE_TYPES["csv" if original_name.lower().endswith(".csv") else "txt"]
    return None


def file_clean(upload: Any, *, kinds: Collection[str], max_bytes: int, stem: str) -> CleanedFile:
    """A checked copy of an upload, sniffed by content: one of `kinds` (keys of KIND_LABELS),
    at most `max_bytes`; images re-encoded by image_clean; stored as `<stem>-<random>.<ext>` of
    the sniffed type. Anything else — HTML, SVG, scripts, executables, archives, a type outside
    `kinds`, whatever its name — raises ApplicationError with a translated message."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _too_large(max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data:
        raise ApplicationError(_("The file is empty."), code="empty_file")
    if _is_image(data):
        if not {"image", "gif"} & set(kinds):
            raise _refuse_type(kinds)
        formats = [
            f
            for f, ext in (*IMAGE_FORMATS.items(), ("GIF", "gif"))
            if FILE_TYPES[ext].kind in kinds
        ]
        return image_clean(io.BytesIO(data), stem=stem, max_bytes=max_bytes, formats=formats)
    name = PurePosixPath(str(getattr(upload, "name", "") or "").replace("\\", "/")).name
    found: FileType | None
    if data.startswith(b"%PDF-"):
        found = FILE_TYPES["pdf"] if "pdf" in kinds else None
    elif data.startswith(b"PK\x03\x04"):
        found = _zip_check(data) if {"office", "ofd"} & set(kinds) else None
    elif data.startswith(_OLE_MAGIC):
        found = _ole_check(data) if "office_legacy" in kinds else None
    else:
        found = _text_check(data, name) if "text" in kinds else None
    if found is None or found.kind not in kinds:
        raise _refuse_type(kinds)
    if found.kind == "pdf":
        _pdf_check(data)
    return CleanedFile(data, stem=stem, file_type=found)


def _too_large(max_bytes: int) -> ApplicationError:
    return ApplicationError(
        _("The file is larger than %(mb)s MB.") % {"mb": _mb(max_bytes)}, code="too_large"
    )


# --- Serving -----------------------------------------------------------------------------------


def stored_type(name: str) -> FileType | None:
    """The type of a stored file, from the extension we gave it when it was checked."""
    extension = PurePosixPath(name or "").suffix.lower().lstrip(".")
    return FILE_TYPES.get(_STORED_ALIASES.get(extension, extension))


def content_disposition(disposition: str, filename: str) -> str:
    """`attachment` or `inline` with an ASCII fallback name and the RFC 5987 UTF-8 one, so
    Chinese names survive every browser."""
    filename = re.sub(r'[\x00-\x1f\x7f/\\"]', "_", filename).strip() or "download"
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _serve(field_file: Any, *, filename: str | None) -> HttpResponseBase:
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    found = stored_type(field_file.name)
    inline = found is not None and found.inline
    response = FileResponse(
        handle, content_type=found.content_type if found else "application/octet-stream"
    )
    if filename is not None:
        # The display name ends in the stored (sniffed) extension, whatever it was uploaded as.
        display = PurePosixPath(filename.replace("\\", "/")).name or "download"
        if found is not None and not display.lower().endswith(f".{found.extension}"):
            display = f"{display}.{found.extension}"
        response["Content-Disposition"] = content_disposition(
            "inline" if inline else "attachment", display
        )
    response["X-Content-Type-Options"] = "nosniff"
    # Private: behind a login; images (page furniture) may be reused for an hour.
    response["Cache-Control"] = "private, max-age=3600" if inline else "private"
    return response


def image_response(field_file: Any) -> HttpResponseBase:
    """Serve a stored image to a caller whose access the view has checked; 404 when absent."""
    return _serve(field_file, filename=None)


def file_response(field_file: Any, *, filename: str) -> HttpResponseBase:
    """Serve a stored, checked file to a caller whose access the view has checked; 404 when
    absent. Images (re-encoded, so safe to render) come inline; everything else, PDFs included,
    as an attachment: our PDF check is a scan, not a parse, so no browser PDF viewer renders it
    under our origin. `filename` is the display name (its extension is replaced by the stored
    one)."""
    return _serve(field_file, filename=filename)
