"""The proxy-handling panel: delegation, custody of documents (received, returned) and
payments with receipts, all through the proxy services; desk staff only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from louyu.servicedesk.models import ProxyDelegation, ProxyDocument, ProxyPayment
from louyu.servicedesk.services.requests import request_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def req(desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
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
