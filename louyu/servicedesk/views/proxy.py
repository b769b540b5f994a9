"""The proxy-handling (代办) panel of a request page: the signed delegation, custody of the
enterprise's documents (received / returned) and payments made on its behalf with receipts.
Desk staff only; every write through `services.proxy`, and the uploaded files are served only
here, to the same desk staff (issue 13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from louyu.accounts.models import Membership, Role, User
from louyu.core.exceptions import ApplicationError
from louyu.core.uploads import file_response
from louyu.servicedesk import forms
from louyu.servicedesk.access import (
    capabilities,
    get_delegation_for_user,
    get_proxy_payment_for_user,
    get_request_for_user,
)
from louyu.servicedesk.models import ProxyDelegation, ProxyDocument, ProxyPayment, ServiceRequest
from louyu.servicedesk.services import proxy


def _contacts(req: ServiceRequest) -> list[tuple[int, str]]:
    if req.enterprise_id is None:
        return []
    ids = Membership.objects.filter(
        role=Role.ENTERPRISE_CONTACT,
        scope_type__app_label="economy",
        scope_type__model="enterprise",
        scope_id=req.enterprise_id,
    ).values_list("user_id", flat=True)
    return [(u.pk, u.display_name) for u in User.objects.filter(pk__in=list(ids)).order_by("pk")]


def proxy_context(req: ServiceRequest) -> dict[str, Any]:
    """What the panel shows; only for items that offer proxy handling (or no item)."""
    offered = req.service_item is None or req.service_item.proxy_offered
    if not offered or req.enterprise_id is None:
        return {"proxy": None}
    return {
        "proxy": {
            "delegation": ProxyDelegation.objects.filter(request=req)
            .select_related("signed_by", "agent")
            .first(),
            "documents": list(
                ProxyDocument.objects.filter(request=req).select_related("received_by")
            ),
            "payments": list(ProxyPayment.objects.filter(request=req)),
            "delegation_form": forms.DelegationForm(contacts=_contacts(req), prefix="delegation"),
            "document_form": forms.ProxyDocumentForm(prefix="document"),
            "return_form": forms.ProxyReturnForm(prefix="return"),
            "payment_form": forms.ProxyPaymentForm(prefix="payment"),
        }
    }


def _desk_request(user: Any, pk: int) -> ServiceRequest:
    req = get_request_for_user(user, pk, write=True)
    if "desk" not in capabilities(user, req):
        raise Http404
    return req


def _run(
    request: HttpRequest,
    req: ServiceRequest,
    form: Any,
    call: Callable[[dict[str, Any]], Any],
    done: Any,
) -> HttpResponse:
    from louyu.servicedesk.views.requests import request_context

    try:
        if not form.is_valid():
            errors = "；".join(
                f"{form.fields[f].label if f in form.fields else ''}{' '.join(e)}"
                for f, e in form.errors.items()
            )
            raise ApplicationError(errors or _("Check the form."), code="invalid")
        call(form.cleaned_data)
    except ApplicationError as error:
        current = get_request_for_user(request.user, req.pk)
        context = request_context(request, current, error=error)
        return render(request, "servicedesk/request_detail.html", context, status=error.status)
    messages.success(request, str(done))
    return redirect("servicedesk:request_detail", pk=req.pk)


@login_required
@require_POST
def delegation_add(request: HttpRequest, pk: int) -> HttpResponse:
    req = _desk_request(request.user, pk)
    form = forms.DelegationForm(
        request.POST, request.FILES, contacts=_contacts(req), prefix="delegation"
    )

    def call(data: dict[str, Any]) -> Any:
        return proxy.proxy_delegate(
            actor=request.user,
            request=req,
            signed_by=User.objects.get(pk=data["signed_by"]),
            scope=data["scope"],
            file=data["file"],
            signed_on=data.get("signed_on"),
        )

    return _run(request, req, form, call, _("Delegation recorded."))


@login_required
@require_POST
def document_receive(request: HttpRequest, pk: int) -> HttpResponse:
    req = _desk_request(request.user, pk)
    form = forms.ProxyDocumentForm(request.POST, prefix="document")
    return _run(
        request,
        req,
        form,
        lambda d: proxy.proxy_document_receive(
            actor=request.user,
            request=req,
            name=d["name"],
            is_original=d["is_original"],
            copies=d["copies"],
        ),
        _("Document received into custody."),
    )


@login_required
@require_POST
def document_return(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    req = _desk_request(request.user, pk)
    document = ProxyDocument.objects.filter(pk=document_pk, request=req).first()
    if document is None:
        raise Http404
    document.request = req
    form = forms.ProxyReturnForm(request.POST, prefix="return")
    return _run(
        request,
        req,
        form,
        lambda d: proxy.proxy_document_return(
            actor=request.user, document=document, returned_to=d["returned_to"]
        ),
        _("Document returned."),
    )


@login_required
@require_POST
def payment_record(request: HttpRequest, pk: int) -> HttpResponse:
    req = _desk_request(request.user, pk)
    form = forms.ProxyPaymentForm(request.POST, request.FILES, prefix="payment")
    return _run(
        request,
        req,
        form,
        lambda d: proxy.proxy_payment_record(
            actor=request.user,
            request=req,
            purpose=d["purpose"],
            amount=d["amount"],
            payee=d["payee"],
            receipt_number=d["receipt_number"],
            receipt=d.get("receipt"),
        ),
        _("Payment recorded."),
    )


@login_required
@require_POST
def payment_settle(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    req = _desk_request(request.user, pk)
    payment = ProxyPayment.objects.filter(pk=payment_pk, request=req).first()
    if payment is None:
        raise Http404
    payment.request = req
    return _run(
        request,
        req,
        django_forms.Form({}),
        lambda d: proxy.proxy_payment_settle(actor=request.user, payment=payment),
        _("Payment settled."),
    )


@login_required
@require_GET
def delegation_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The signed delegation's file, named after the request (never the uploaded name)."""
    delegation = get_delegation_for_user(request.user, pk)
    name = _("%(number)s signed delegation") % {"number": delegation.request.number}
    return file_response(delegation.file, filename=name)


@login_required
@require_GET
def payment_receipt(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponseBase:
    """A payment's receipt file, named after the request and the receipt number."""
    payment = get_proxy_payment_for_user(request.user, pk, payment_pk)
    name = _("%(number)s receipt %(receipt)s") % {
        "number": payment.request.number,
        "receipt": payment.receipt_number,
    }
    return file_response(payment.receipt, filename=name)
