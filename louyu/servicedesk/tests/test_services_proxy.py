import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.servicedesk.models import Channel, ProxyPayment
from louyu.servicedesk.services import proxy, requests


@pytest.fixture
def proxied(desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return requests.request_create(
        actor=desk.users["clerk"],
        requester=desk.users["enterprise"],
        enterprise=desk.scopes["enterprise"],
        title="代缴交通违法罚款",
        description="",
        channel=Channel.COUNTER,
        service_item=desk.item,
        form_data={"invoice_kind": "plain"},
    )


def pdf():
    return SimpleUploadedFile("委托书.pdf", b"%PDF-1.4 signed", content_type="application/pdf")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(out, "JPEG")
    return out.getvalue()


class ProxyDelegateTests:
    def test_it_needs_the_enterprise_contact_signature(self, desk, proxied):
        with pytest.raises(ApplicationError):
            proxy.proxy_delegate(
                actor=desk.users["clerk"],
                request=proxied,
                signed_by=desk.users["employee"],
                scope="代缴罚款",
                file=pdf(),
            )
        delegation = proxy.proxy_delegate(
            actor=desk.users["clerk"],
            request=proxied,
            signed_by=desk.users["enterprise"],
            scope="代缴罚款",
            file=pdf(),
        )
        assert delegation.agent == desk.users["clerk"] and delegation.file.name
        assert proxied.events.filter(action="proxy_delegate").exists()

    def test_the_outsider_cannot_act(self, desk, proxied):
        with pytest.raises(ApplicationError) as error:
            proxy.proxy_document_receive(actor=desk.users["outsider"], request=proxied, name="执照")
        assert error.value.status == 403


class CustodyTests:
    def test_originals_are_received_and_returned_once(self, desk, proxied):
        clerk = desk.users["clerk"]
        document = proxy.proxy_document_receive(
            actor=clerk, request=proxied, name="营业执照正本", is_original=True
        )
        assert document.in_custody and document.received_by == clerk
        proxy.proxy_document_return(actor=clerk, document=document, returned_to="孙浩然")
        assert not document.in_custody and document.returned_to == "孙浩然"
        with pytest.raises(ApplicationError) as error:
            proxy.proxy_document_return(actor=clerk, document=document, returned_to="孙浩然")
        assert error.value.status == 409
        actions = list(proxied.events.values_list("action", flat=True))
        assert actions[-2:] == ["proxy_receive", "proxy_return"]


class PaymentTests:
    def test_a_payment_needs_a_delegation_and_a_receipt(self, desk, proxied):
        clerk = desk.users["clerk"]
        with pytest.raises(ApplicationError):
            proxy.proxy_payment_record(
                actor=clerk,
                request=proxied,
                purpose="罚款",
                amount=Decimal("200"),
                payee="交警大队",
                receipt_number="R1",
            )
        proxy.proxy_delegate(
            actor=clerk,
            request=proxied,
            signed_by=desk.users["enterprise"],
            scope="代缴",
            file=pdf(),
        )
        with pytest.raises(ApplicationError):
            proxy.proxy_payment_record(
                actor=clerk,
                request=proxied,
                purpose="罚款",
                amount=Decimal("-1"),
                payee="交警大队",
                receipt_number="R1",
            )
        payment = proxy.proxy_payment_record(
            actor=clerk,
            request=proxied,
            purpose="交通违法罚款",
            amount=Decimal("200"),
            payee="公安交警下城大队",
            receipt_number="No.330100123",
            receipt=SimpleUploadedFile("r.jpg", jpeg()),
        )
        assert payment.amount == Decimal("200.00") and not payment.settled
        proxy.proxy_payment_settle(actor=clerk, payment=payment)
        assert ProxyPayment.objects.get(pk=payment.pk).settled
        with pytest.raises(ApplicationError):
            proxy.proxy_payment_settle(actor=clerk, payment=payment)
        assert AuditLog.objects.filter(action="proxy.payment", target_id=str(payment.pk)).exists()
