"""Proxy handling (代办): the signed delegation, custody of originals, payments on the
enterprise's behalf. Only desk staff of the request's community act; each write is audited and
noted on the request's history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.accounts.models import Role
from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record
from louyu.core.uploads import file_clean
from louyu.servicedesk.access import capabilities
from louyu.servicedesk.models import (
    OPEN_STATUSES,
    ProxyDelegation,
    ProxyDocument,
    ProxyPayment,
    RequestEvent,
    ServiceRequest,
)

# Issue 13: what each proxy upload may be, sniffed by content (louyu.core.uploads.file_clean).
DELEGATION_KINDS = ("image", "pdf")
RECEIPT_KINDS = ("image", "pdf", "ofd")
PROXY_MAX_BYTES = 10 * 1024 * 1024


def _desk_only(actor: Any, request: ServiceRequest) -> None:
    if "desk" not in capabilities(actor, request):
        raise ApplicationError(
            _("You may not do this to this request."), code="forbidden", status=403
        )


def _event(
    request: ServiceRequest, actor: Any, action: str, note: str, data: dict[str, Any]
) -> None:
    RequestEvent.objects.create(
        request=request,
        actor=actor,
        action=action,
        from_status=request.status,
        to_status=request.status,
        note=note,
        data=data,
    )


def proxy_delegate(
    *,
    actor: Any,
    request: ServiceRequest,
    signed_by: Any,
    scope: str,
    file: UploadedFile,
    signed_on: date | None = None,
    valid_until: date | None = None,
) -> ProxyDelegation:
    """Record the enterprise's signed delegation (授权委托书) to the acting staff member. It must
    be signed by the enterprise's contact, for a service that offers proxy handling; the file is
    a scan (image) or PDF of at most 10 MB, checked by content and stored under our own name."""
    _desk_only(actor, request)
    if request.service_item is not None and not request.service_item.proxy_offered:
        raise ApplicationError(_("This service is not handled by proxy."), code="invalid")
    if (
        request.enterprise_id is None
        or not signed_by.memberships.filter(
            role=Role.ENTERPRISE_CONTACT,
            scope_id=request.enterprise_id,
            scope_type__model="enterprise",
        ).exists()
    ):
        raise ApplicationError(
            _("The delegation must be signed by the enterprise's contact."), code="invalid"
        )
    if not (scope or "").strip():
        raise ApplicationError(_("Say what is delegated."), code="invalid")
    if hasattr(request, "delegation"):
        raise ApplicationError(_("This request already has a delegation."), code="duplicate")
    cleaned = file_clean(file, kinds=DELEGATION_KINDS, max_bytes=PROXY_MAX_BYTES, stem="delegation")
    with transaction.atomic():
        delegation = ProxyDelegation.objects.create(
            request=request,
            signed_by=signed_by,
            agent=actor,
            scope=scope.strip(),
            signed_on=signed_on or timezone.localdate(),
            valid_until=valid_until,
            file=cleaned,
        )
        _event(request, actor, "proxy_delegate", scope.strip(), {"signed_by": signed_by.pk})
        audit_record(
            actor=actor,
            action="proxy.delegate",
            target=delegation,
            after={"request": request.pk, "signed_by": signed_by.pk},
        )
    return delegation


def proxy_document_receive(
    *, actor: Any, request: ServiceRequest, name: str, is_original: bool = False, copies: int = 1
) -> ProxyDocument:
    """收件: take a document into custody, with a receipt line on the history."""
    _desk_only(actor, request)
    if request.status not in OPEN_STATUSES:
        raise ApplicationError(
            _("The request is no longer open."), code="invalid_transition", status=409
        )
    if not (name or "").strip():
        raise ApplicationError(_("Name the document."), code="invalid")
    with transaction.atomic():
        document = ProxyDocument.objects.create(
            request=request,
            name=name.strip(),
            is_original=is_original,
            copies=max(1, copies),
            received_by=actor,
        )
        _event(request, actor, "proxy_receive", document.name, {"original": is_original})
        audit_record(
            actor=actor,
            action="proxy.receive",
            target=document,
            after={"request": request.pk, "name": document.name, "original": is_original},
        )
    return document


def proxy_document_return(
    *, actor: Any, document: ProxyDocument, returned_to: str
) -> ProxyDocument:
    """Give a document back, signed for by `returned_to`; once only."""
    request = document.request
    _desk_only(actor, request)
    if not (returned_to or "").strip():
        raise ApplicationError(_("Who signed for the document?"), code="invalid")
    now = timezone.now()
    with transaction.atomic():
        updated = ProxyDocument.objects.filter(pk=document.pk, returned_at__isnull=True).update(
            returned_at=now, returned_by=actor, returned_to=returned_to.strip()
        )
        if not updated:
            raise ApplicationError(
                _("This document has already been returned."), code="conflict", status=409
            )
        document.returned_at, document.returned_by, document.returned_to = (
            now,
            actor,
            returned_to.strip(),
        )
        _event(request, actor, "proxy_return", document.name, {"returned_to": document.returned_to})
        audit_record(
            actor=actor,
            action="proxy.return",
            target=document,
            after={"returned_to": document.returned_to},
        )
    return document


def proxy_payment_record(
    *,
    actor: Any,
    request: ServiceRequest,
    purpose: str,
    amount: Decimal,
    payee: str,
    receipt_number: str,
    receipt: UploadedFile | None = None,
) -> ProxyPayment:
    """Money paid on the enterprise's behalf (a traffic fine, say), with its receipt. Only under
    a signed delegation. The receipt file, if any, is an image, PDF or OFD e-invoice of at most
    10 MB, checked by content and stored under our own name."""
    _desk_only(actor, request)
    if not hasattr(request, "delegation"):
        raise ApplicationError(_("Record the signed delegation first."), code="invalid")
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except ArithmeticError:
        raise ApplicationError(_("Enter a valid amount."), code="invalid") from None
    if amount <= 0:
        raise ApplicationError(_("Enter a valid amount."), code="invalid")
    if not (purpose or "").strip() or not (receipt_number or "").strip():
        raise ApplicationError(_("Give the purpose and the receipt number."), code="invalid")
    cleaned = (
        file_clean(receipt, kinds=RECEIPT_KINDS, max_bytes=PROXY_MAX_BYTES, stem="receipt")
        if receipt
        else None
    )
    with transaction.atomic():
        payment = ProxyPayment.objects.create(
            request=request,
            purpose=purpose.strip(),
            amount=amount,
            paid_by=actor,
            payee=payee.strip(),
            receipt_number=receipt_number.strip(),
            receipt=cleaned or "",
        )
        _event(request, actor, "proxy_payment", payment.purpose, {"amount": str(amount)})
        audit_record(
            actor=actor,
            action="proxy.payment",
            target=payment,
            after={"request": request.pk, "amount": str(amount), "receipt": payment.receipt_number},
        )
    return payment


def proxy_payment_settle(*, actor: Any, payment: ProxyPayment) -> ProxyPayment:
    """The enterprise has repaid (对账): mark the payment settled, once."""
    _desk_only(actor, payment.request)
    with transaction.atomic():
        if not ProxyPayment.objects.filter(pk=payment.pk, settled=False).update(settled=True):
            raise ApplicationError(
                _("This payment is already settled."), code="conflict", status=409
            )
        payment.settled = True
        audit_record(actor=actor, action="proxy.settle", target=payment, after={"settled": True})
    return payment
