"""The proxy-handling panel: delegation, custody of documents (received, returned) and
payments with receipts, all through the proxy services; desk staff only."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from louyu.servicedesk.models import ProxyDelegation, ProxyDocument, ProxyPayment
from louyu.servicedesk.services.requests import request_create
from louyu.testing import assert_access_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def req(desk):
    return request_create(
        actor=desk.enterprise,
        requester=desk.enterprise,
        enterprise=desk.scopes["enterprise"],
        title="代办发票",
        description="",
        channel="web",
        service_item=desk.item,
        form_data={"invoice_kind": "plain"},
    )


def post(client, name, req, data=None, files=None, **kwargs):
    return client.post(
        reverse(f"servicedesk:{name}", args=[req.pk, *kwargs.values()]),
        {**(data or {}), **(files or {})},
    )


class ProxyPanelTests:
    def test_it_shows_the_panel_to_desk_staff_only(self, desk, req):
        url = reverse("servicedesk:request_detail", args=[req.pk])
        assert 'id="proxy-title"' in desk.world.client_for("clerk").get(url).content.decode()
        assert (
            'id="proxy-title"' not in desk.world.client_for("enterprise").get(url).content.decode()
        )

    def test_it_records_delegation_custody_and_payments(self, desk, req):
        clerk = desk.world.client_for("clerk")
        pdf = SimpleUploadedFile("委托书.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        response = post(
            clerk,
            "proxy_delegation",
            req,
            {
                "delegation-signed_by": desk.enterprise.pk,
                "delegation-scope": "代领发票",
            },
            {"delegation-file": pdf},
        )
        assert response.status_code == 302, response.content.decode()[:500]
        assert ProxyDelegation.objects.get(request=req).signed_by == desk.enterprise
        response = post(
            clerk,
            "proxy_document_receive",
            req,
            {
                "document-name": "营业执照副本",
                "document-is_original": "on",
                "document-copies": "1",
            },
        )
        assert response.status_code == 302
        document = ProxyDocument.objects.get(request=req)
        response = clerk.post(
            reverse("servicedesk:proxy_document_return", args=[req.pk, document.pk]),
            {"return-returned_to": "孙浩然"},
        )
        assert response.status_code == 302
        document.refresh_from_db()
        assert document.returned_to == "孙浩然"
        response = post(
            clerk,
            "proxy_payment",
            req,
            {
                "payment-purpose": "交通罚款",
                "payment-amount": "200.00",
                "payment-payee": "交警支队",
                "payment-receipt_number": "NO.0001",
            },
        )
        assert response.status_code == 302
        payment = ProxyPayment.objects.get(request=req)
        assert payment.amount == Decimal("200.00")
        response = clerk.post(
            reverse("servicedesk:proxy_payment_settle", args=[req.pk, payment.pk])
        )
        assert response.status_code == 302
        payment.refresh_from_db()
        assert payment.settled

    def test_it_says_why_a_payment_without_delegation_is_refused(self, desk, req):
        response = post(
            desk.world.client_for("clerk"),
            "proxy_payment",
            req,
            {
                "payment-purpose": "交通罚款",
                "payment-amount": "200",
                "payment-payee": "交警",
                "payment-receipt_number": "1",
            },
        )
        assert response.status_code == 400
        assert response.context["error"] is not None
        assert not ProxyPayment.objects.exists()

    def test_it_refuses_the_outsider_the_requester_and_the_handler(self, desk, req):
        for username in ("outsider", "enterprise", "handler_tax"):
            response = post(
                desk.world.client_for(username),
                "proxy_document_receive",
                req,
                {
                    "document-name": "x",
                    "document-copies": "1",
                },
            )
            assert response.status_code == 404, username
        assert not ProxyDocument.objects.exists()


# --- Issue 13: the delegation and receipt uploads, checked by content and served only here ---

# Desk staff over the request's community: who sees the proxy panel and its files.
DESK = {"district", "street", "clerk"}


def png(name="委托书.png"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def pdf(name="委托书.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def delegate(client, req, upload):
    return post(
        client,
        "proxy_delegation",
        req,
        {"delegation-signed_by": req.requester_id, "delegation-scope": "代领发票"},
        {"delegation-file": upload},
    )


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()]


class ProxyUploadTests:
    @pytest.mark.parametrize(
        ("upload", "says"),
        [
            (
                SimpleUploadedFile(
                    "委托书.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"
                ),
                "此处不能上传这种文件",
            ),
            (
                SimpleUploadedFile(
                    "委托书.svg",
                    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                    "image/svg+xml",
                ),
                "此处不能上传这种文件",
            ),
            (
                SimpleUploadedFile("委托书.jpg", b"GIF89a/*\x00\x00*/=alert(1)//;", "image/jpeg"),
                "该文件不是可识别的图片",
            ),
            (
                SimpleUploadedFile(
                    "委托书.pdf", b"%PDF-1.4\n<< /OpenAction << /JS (app.alert(1)) >> >>\n"
                ),
                "该 PDF 含有脚本",
            ),
            (
                SimpleUploadedFile("委托书.pdf", b"%PDF-1.4\n%" + b"0" * (25 * 1024 * 1024)),
                "文件超过 10 MB",
            ),
        ],
        ids=["html-as-pdf", "svg", "gif-js-polyglot", "pdf-with-js", "25-mb"],
    )
    def test_it_refuses_a_bad_delegation_file_in_chinese_and_stores_nothing(
        self, desk, req, media, upload, says
    ):
        response = delegate(desk.world.client_for("clerk"), req, upload)
        assert response.status_code == 400
        assert says in response.content.decode()
        assert not ProxyDelegation.objects.exists()
        assert not stored_files(media)

    def test_it_stores_the_delegation_under_a_random_name_and_serves_it_as_a_download(
        self, desk, req, media
    ):
        response = delegate(desk.world.client_for("clerk"), req, pdf("../../委托书.html"))
        assert response.status_code == 302
        delegation = ProxyDelegation.objects.get(request=req)
        assert re.fullmatch(
            r"servicedesk/delegations/\d{4}/\d{2}/delegation-[0-9a-f]{32}\.pdf",
            delegation.file.name,
        )
        assert [p.name for p in stored_files(media)] == [delegation.file.name.rsplit("/")[-1]]
        page = desk.world.client_for("clerk").get(
            reverse("servicedesk:request_detail", args=[req.pk])
        )
        url = reverse("servicedesk:proxy_delegation_file", args=[req.pk])
        assert url in page.content.decode()
        download = desk.world.client_for("clerk").get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Type"] == "application/pdf"
        filename = quote(f"{req.number} 授权委托书.pdf", safe="")
        assert download["Content-Disposition"].startswith("attachment; filename=")
        assert download["Content-Disposition"].endswith(f"filename*=UTF-8''{filename}")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert download["Cache-Control"] == "private"

    def test_it_reencodes_a_scanned_delegation(self, desk, req):
        assert delegate(desk.world.client_for("clerk"), req, png()).status_code == 302
        delegation = ProxyDelegation.objects.get(request=req)
        assert delegation.file.name.endswith(".png") and "委托书" not in delegation.file.name
        with Image.open(delegation.file.path) as image:
            assert image.size == (40, 30)
        download = desk.world.client_for("clerk").get(
            reverse("servicedesk:proxy_delegation_file", args=[req.pk])
        )
        assert download["Content-Type"] == "image/png"
        assert download["Content-Disposition"].startswith("inline; ")

    def test_it_serves_the_delegation_to_desk_staff_only(self, desk, req):
        assert delegate(desk.world.client_for("clerk"), req, pdf()).status_code == 302
        url = reverse("servicedesk:proxy_delegation_file", args=[req.pk])
        assert_access_matrix(desk.world, "get", url, allowed=DESK)
        outsider = desk.world.client_for("outsider")
        missing = reverse("servicedesk:proxy_delegation_file", args=[999_999])
        assert outsider.get(url).status_code == outsider.get(missing).status_code == 404

    def test_it_answers_404_for_a_request_without_a_delegation(self, desk, req):
        url = reverse("servicedesk:proxy_delegation_file", args=[req.pk])
        assert desk.world.client_for("clerk").get(url).status_code == 404

    def test_it_stores_and_serves_a_receipt_to_desk_staff_only(self, desk, req, media):
        clerk = desk.world.client_for("clerk")
        assert delegate(clerk, req, pdf()).status_code == 302
        response = post(
            clerk,
            "proxy_payment",
            req,
            {
                "payment-purpose": "交通罚款",
                "payment-amount": "200.00",
                "payment-payee": "交警支队",
                "payment-receipt_number": "NO.0001",
            },
            {"payment-receipt": pdf("收据.exe")},
        )
        assert response.status_code == 302
        payment = ProxyPayment.objects.get(request=req)
        assert re.fullmatch(
            r"servicedesk/receipts/\d{4}/\d{2}/receipt-[0-9a-f]{32}\.pdf", payment.receipt.name
        )
        url = reverse("servicedesk:proxy_payment_receipt", args=[req.pk, payment.pk])
        assert (
            url in clerk.get(reverse("servicedesk:request_detail", args=[req.pk])).content.decode()
        )
        download = clerk.get(url)
        filename = quote(f"{req.number} 收据 NO.0001.pdf", safe="")
        assert download["Content-Disposition"].endswith(f"filename*=UTF-8''{filename}")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert_access_matrix(desk.world, "get", url, allowed=DESK)

    def test_it_refuses_an_office_file_as_a_receipt(self, desk, req, media):
        clerk = desk.world.client_for("clerk")
        assert delegate(clerk, req, pdf()).status_code == 302
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as docx:
            docx.writestr("[Content_Types].xml", "wordprocessingml.document.main+xml")
        response = post(
            clerk,
            "proxy_payment",
            req,
            {
                "payment-purpose": "交通罚款",
                "payment-amount": "200.00",
                "payment-payee": "交警支队",
                "payment-receipt_number": "NO.0002",
            },
            {"payment-receipt": SimpleUploadedFile("收据.pdf", archive.getvalue())},
        )
        assert response.status_code == 400
        assert "OFD 电子发票" in response.content.decode()
        assert not ProxyPayment.objects.exists()
        assert len(stored_files(media)) == 1  # the delegation only
