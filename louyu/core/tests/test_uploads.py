"""The one upload check (issue 13): the kind is sniffed from the bytes against each upload
point's allow-list, images are re-encoded, PDFs and Office files inspected, the size bounded,
the stored name ours; and the responses that serve checked files."""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.utils import translation
from PIL import Image

from louyu.core import uploads
from louyu.core.exceptions import ApplicationError
from louyu.core.uploads import file_clean, file_response, image_response

MB = 1024 * 1024
SCAN = ("image", "pdf")
EVERYTHING = tuple(uploads.KIND_LABELS)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30), **params) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, fmt, **params)
    return out.getvalue()


def pdf_bytes(body: bytes = b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n") -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="'
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx_bytes(extra: dict[str, bytes] | None = None, types: str = CONTENT_TYPES) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def clean(name: str, data: bytes, kinds=SCAN, max_bytes: int = 10 * MB, stem: str = "scan"):
    return file_clean(SimpleUploadedFile(name, data), kinds=kinds, max_bytes=max_bytes, stem=stem)


def refused(name: str, data: bytes, kinds=SCAN, max_bytes: int = 10 * MB) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        clean(name, data, kinds=kinds, max_bytes=max_bytes)
    return error.value


class FileCleanImageTests:
    def test_it_reencodes_a_real_png_under_a_random_name(self):
        cleaned = clean("../../委托书.png", image_bytes())
        assert re.fullmatch(r"scan-[0-9a-f]{32}\.png", cleaned.name)
        assert (cleaned.kind, cleaned.content_type) == ("image", "image/png")
        with Image.open(io.BytesIO(cleaned.read())) as image:
            assert (image.format, image.size) == ("PNG", (40, 30))

    def test_it_names_each_upload_differently(self):
        assert clean("a.png", image_bytes()).name != clean("a.png", image_bytes()).name

    def test_it_drops_jpeg_metadata_after_applying_its_rotation(self):
        exif = Image.Exif()
        exif[0x0112] = 6  # Orientation: rotate 90°
        exif[0x010F] = "Camera maker"
        cleaned = clean("photo.jpg", image_bytes("JPEG", exif=exif.tobytes()))
        with Image.open(io.BytesIO(cleaned.read())) as image:
            assert image.size == (30, 40)
            assert not dict(image.getexif())
        assert (cleaned.width, cleaned.height) == (30, 40)

    def test_it_takes_the_type_from_the_bytes_not_the_name(self):
        cleaned = clean("scan.pdf", image_bytes("JPEG"))
        assert cleaned.name.endswith(".jpg") and cleaned.content_type == "image/jpeg"

    def test_it_refuses_a_gif_js_polyglot_renamed_jpg(self):
        polyglot = b"GIF89a/*\x00\x00\x00\x00*/=alert(document.cookie)//;"
        for kinds in (SCAN, EVERYTHING):
            assert refused("cat.jpg", polyglot, kinds=kinds).code == "image_invalid"

    def test_it_refuses_a_gif_where_only_photos_are_allowed(self):
        assert refused("a.jpg", image_bytes("GIF")).code == "image_format"

    def test_it_reencodes_a_gif_with_a_script_appended_where_gifs_are_allowed(self):
        payload = image_bytes("GIF") + b"<script>alert(1)</script>"
        cleaned = clean("cat.jpg", payload, kinds=EVERYTHING)
        data = cleaned.read()
        assert cleaned.name.endswith(".gif") and b"script" not in data
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "GIF"


class FileCleanDocumentTests:
    def test_it_keeps_a_real_pdf_as_it_is(self):
        cleaned = clean("委托书.pdf", pdf_bytes())
        assert re.fullmatch(r"scan-[0-9a-f]{32}\.pdf", cleaned.name)
        assert cleaned.read() == pdf_bytes() and cleaned.content_type == "application/pdf"

    @pytest.mark.parametrize(
        "body",
        [
            b"1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n",
            b"1 0 obj << /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >> endobj\n",
            b"1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj\n",
            b"1 0 obj << /Names << /EmbeddedFiles 2 0 R >> >> endobj\n",
        ],
    )
    def test_it_refuses_a_pdf_with_active_content(self, body):
        assert refused("a.pdf", pdf_bytes(body)).code == "pdf_active"

    def test_it_finds_script_hidden_in_a_compressed_object_stream(self):
        hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
        body = (
            b"5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\n"
            b"stream\n%s\nendstream\nendobj\n" % (len(hidden), hidden)
        )
        assert refused("a.pdf", pdf_bytes(body)).code == "pdf_active"

    def test_it_accepts_a_harmless_compressed_object_stream(self):
        packed = zlib.compress(b"<< /Type /Page >>")
        body = (
            b"5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\n"
            b"stream\n%s\nendstream\nendobj\n" % (len(packed), packed)
        )
        assert clean("a.pdf", pdf_bytes(body)).kind == "pdf"

    def test_it_accepts_a_docx_where_office_files_are_allowed(self):
        cleaned = clean("报告.doc", docx_bytes(), kinds=("office",))
        assert cleaned.name.endswith(".docx") and cleaned.kind == "office"

    def test_it_refuses_a_docx_where_only_scans_are_allowed(self):
        assert refused("委托书.pdf", docx_bytes()).code == "file_type"

    def test_it_refuses_a_docx_carrying_a_vba_project(self):
        macro = docx_bytes({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
        assert refused("a.docx", macro, kinds=("office",)).code == "office_macros"

    def test_it_refuses_a_macro_enabled_content_type(self):
        types = CONTENT_TYPES.replace("document.main+xml", "document.macroEnabled.main+xml")
        assert refused("a.docx", docx_bytes(types=types), kinds=("office",)).code == "office_macros"

    def test_it_refuses_an_office_file_that_unpacks_far_beyond_its_size(self):
        bomb = docx_bytes({"word/media/zeros.bin": b"\x00" * (8 * MB)})
        assert len(bomb) < 100_000
        assert refused("a.docx", bomb, kinds=("office",)).code == "too_large"

    def test_it_bounds_the_total_unpacked_size(self, monkeypatch):
        monkeypatch.setattr(uploads, "ZIP_MAX_UNPACKED", 100)
        assert refused("a.docx", docx_bytes(), kinds=("office",)).code == "too_large"

    def test_it_refuses_a_zip_that_is_not_an_office_document(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("index.html", "<script>alert(1)</script>")
        assert refused("a.docx", out.getvalue(), kinds=EVERYTHING).code == "file_type"

    def test_it_refuses_a_damaged_zip(self):
        broken = docx_bytes()[:-40]
        assert refused("a.docx", broken, kinds=("office",)).code == "file_invalid"

    def test_it_accepts_an_ofd_e_invoice(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("OFD.xml", "<ofd:OFD/>")
        assert clean("发票.ofd", out.getvalue(), kinds=("ofd",)).content_type == "application/ofd"

    def test_it_tells_old_office_files_apart_and_refuses_their_macros(self):
        ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
        word = ole + "WordDocument".encode("utf-16-le")
        assert clean("a.doc", word, kinds=EVERYTHING).name.endswith(".doc")
        macro = word + "_VBA_PROJECT".encode("utf-16-le")
        assert refused("a.doc", macro, kinds=EVERYTHING).code == "office_macros"

    def test_it_accepts_plain_text_and_names_it_by_its_kind(self):
        assert clean("名单.csv", "姓名,电话\n张三,1\n".encode(), kinds=("text",)).name.endswith(
            ".csv"
        )
        assert clean("x.exe", "你好".encode("gb18030"), kinds=("text",)).name.endswith(".txt")


class FileCleanRefusalTests:
    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("委托书.pdf", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
            (
                "logo.svg",
                b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
                b"<script>alert(1)</script></svg>",
            ),
            ("image.png", b'<svg onload="alert(1)"/>'),
            ("notes.txt", b"hello <script>alert(1)</script>"),
            ("run.txt", b"#!/bin/sh\nrm -rf /\n"),
            ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
        ],
    )
    def test_it_refuses_markup_scripts_and_programs_whatever_their_name(self, name, data):
        assert refused(name, data, kinds=EVERYTHING).code == "file_type"

    def test_it_says_why_in_chinese(self):
        with translation.override("zh-hans"):
            error = refused("委托书.pdf", b"<html><script>alert(1)</script></html>")
            message = str(error)
        assert "不能上传" in message and "PDF" in message and "图片" in message

    def test_it_refuses_a_25_mb_file_over_a_10_mb_limit(self):
        big = pdf_bytes(b"%" + b"0" * (25 * MB) + b"\n")
        assert refused("big.pdf", big).code == "too_large"

    def test_it_bounds_what_it_reads_when_the_size_is_unknown(self):
        upload = io.BytesIO(pdf_bytes(b"%" + b"0" * 2048 + b"\n"))
        with pytest.raises(ApplicationError) as error:
            file_clean(upload, kinds=SCAN, max_bytes=1024, stem="x")
        assert error.value.code == "too_large"

    def test_it_refuses_an_empty_file(self):
        assert refused("a.pdf", b"").code == "empty_file"


def stored(name: str, data: bytes) -> FieldFile:
    saved = default_storage.save(name, ContentFile(data))
    field = FileField()
    field.storage = default_storage
    return FieldFile(None, field, saved)


class ResponseTests:
    def test_it_serves_a_document_as_an_attachment_with_a_chinese_name(self):
        response = file_response(stored("x/scan-1.pdf", pdf_bytes()), filename="委托书")
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E5%A7%94%E6%89%98%E4%B9%A6.pdf"
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private"
        assert b"".join(response.streaming_content) == pdf_bytes()

    def test_it_names_the_download_by_the_stored_type_not_the_given_name(self):
        response = file_response(stored("x/scan-2.pdf", pdf_bytes()), filename='a"b.html')
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="a_b.html.pdf"')
        assert disposition.endswith("filename*=UTF-8''a_b.html.pdf")

    def test_it_shows_images_inline(self):
        response = file_response(stored("x/scan-3.png", image_bytes()), filename="照片.png")
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"].startswith("inline; ")
        assert response["Cache-Control"] == "private, max-age=3600"

    def test_it_serves_an_unknown_stored_type_as_bytes(self):
        response = file_response(stored("x/old.bin", b"abc"), filename="old")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment; ")

    def test_it_shares_its_headers_with_image_response(self):
        response = image_response(stored("x/plan.webp", image_bytes("WEBP")))
        assert response["Content-Type"] == "image/webp"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")

    def test_it_answers_404_for_a_missing_file(self):
        field = FileField()
        with pytest.raises(Http404):
            file_response(FieldFile(None, field, ""), filename="x")
        with pytest.raises(Http404):
            file_response(FieldFile(None, field, "x/gone.pdf"), filename="x")

    @pytest.mark.django_db
    def test_stored_files_have_no_unchecked_url(self, client, world):
        """Every stored file is served by a view that checks the caller's access; MEDIA_URL
        itself serves nothing, in development too, even to staff."""
        name = default_storage.save("x/secret.pdf", ContentFile(pdf_bytes()))
        client.force_login(world.sysadmin)
        assert client.get(f"/media/{name}").status_code == 404
