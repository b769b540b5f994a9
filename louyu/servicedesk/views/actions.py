"""The workflow actions a request page offers: which form, who may (capabilities), from which
states, and the service each one calls. The services decide; this table only chooses which
forms to show and how to call them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from louyu.servicedesk import forms
from louyu.servicedesk.models import ServiceRequest, Status
from louyu.servicedesk.services import ratings, requests

S = Status


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    form: type[forms.ActionForm]
    caps: frozenset[str]
    sources: frozenset[str]
    call: Callable[[Any, ServiceRequest, dict[str, Any], int], Any]
    style: str = "btn-primary"
    done: str | Promise = ""
    # The next step of the usual flow, shown open on the request page; the others (补正,
    # transfer, refuse, reopen, close) wait behind "More actions" (issue 12).
    primary: bool = True

    def allowed(self, caps: set[str], request: ServiceRequest) -> bool:
        if request.status not in self.sources:
            return False
        if self.name == "complete" and request.status == S.ACCEPTED:
            return "desk" in caps
        if self.name == "rate" and hasattr(request, "rating"):
            return False
        return bool(caps & self.caps)


def _docs(actor: Any, request: ServiceRequest, data: dict[str, Any], version: int) -> Any:
    return requests.request_request_documents(
        actor=actor,
        request=request,
        documents=data["documents_list"],
        note=data.get("note", ""),
        expected_version=version,
    )


DESK = frozenset({"desk"})
DEPARTMENT = frozenset({"department"})
STAFF = frozenset({"desk", "department"})

ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(
            "accept",
            _("Accept"),
            forms.NoteActionForm,
            DESK,
            frozenset({S.SUBMITTED}),
            lambda a, r, d, v: requests.request_accept(
                actor=a, request=r, note=d.get("note", ""), expected_version=v
            ),
            done=_("Request accepted."),
        ),
        Action(
            "dispatch",
            _("Dispatch to a department"),
            forms.DispatchForm,
            DESK,
            frozenset({S.ACCEPTED}),
            lambda a, r, d, v: requests.request_dispatch(
                actor=a,
                request=r,
                department=d.get("department"),
                note=d.get("note", ""),
                expected_version=v,
            ),
            done=_("Request dispatched."),
        ),
        Action(
            "sign",
            _("Sign for"),
            forms.ActionForm,
            DEPARTMENT,
            frozenset({S.DISPATCHED}),
            lambda a, r, d, v: requests.request_sign(actor=a, request=r, expected_version=v),
            done=_("Signed for."),
        ),
        Action(
            "start",
            _("Start handling"),
            forms.NoteActionForm,
            DEPARTMENT,
            frozenset({S.SIGNED}),
            lambda a, r, d, v: requests.request_start(
                actor=a, request=r, note=d.get("note", ""), expected_version=v
            ),
            done=_("Handling started."),
        ),
        Action(
            "complete",
            _("Complete"),
            forms.CompleteForm,
            STAFF,
            frozenset({S.ACCEPTED, S.SIGNED, S.IN_PROGRESS}),
            lambda a, r, d, v: requests.request_complete(
                actor=a, request=r, resolution=d["resolution"], expected_version=v
            ),
            style="btn-success",
            done=_("Request completed."),
        ),
        Action(
            "request_documents",
            _("Ask for documents (补正)"),
            forms.DocumentsForm,
            STAFF,
            frozenset({S.SUBMITTED, S.ACCEPTED, S.SIGNED, S.IN_PROGRESS}),
            _docs,
            style="btn-outline-primary",
            done=_("The requester has been told what is missing; the clock is stopped."),
            primary=False,
        ),
        Action(
            "documents_received",
            _("Documents received"),
            forms.ReceivedForm,
            STAFF,
            frozenset({S.AWAITING_DOCUMENTS}),
            lambda a, r, d, v: requests.request_documents_received(
                actor=a,
                request=r,
                received_on=d.get("received_on"),
                note=d.get("note", ""),
                expected_version=v,
            ),
            done=_("Documents received; the clock restarts."),
        ),
        Action(
            "transfer",
            _("Transfer to another department"),
            forms.TransferForm,
            STAFF,
            frozenset({S.DISPATCHED, S.SIGNED, S.IN_PROGRESS}),
            lambda a, r, d, v: requests.request_transfer(
                actor=a,
                request=r,
                department=d["department"],
                reason=d["reason"],
                expected_version=v,
            ),
            style="btn-outline-primary",
            done=_("Request transferred."),
            primary=False,
        ),
        Action(
            "refuse",
            _("Refuse"),
            forms.ReasonActionForm,
            DESK,
            frozenset({S.SUBMITTED, S.ACCEPTED}),
            lambda a, r, d, v: requests.request_refuse(
                actor=a, request=r, reason=d["reason"], expected_version=v
            ),
            style="btn-outline-danger",
            done=_("Request refused."),
            primary=False,
        ),
        Action(
            "reopen",
            _("Reopen"),
            forms.ReasonActionForm,
            DESK,
            frozenset({S.DONE, S.RATED, S.CLOSED}),
            lambda a, r, d, v: requests.request_reopen(
                actor=a, request=r, reason=d["reason"], expected_version=v
            ),
            style="btn-outline-primary",
            done=_("Request reopened."),
            primary=False,
        ),
        Action(
            "close",
            _("Close"),
            forms.NoteActionForm,
            DESK,
            frozenset({S.DONE, S.RATED, S.REFUSED}),
            lambda a, r, d, v: requests.request_close(
                actor=a, request=r, note=d.get("note", ""), expected_version=v
            ),
            style="btn-outline-secondary",
            done=_("Request closed."),
            primary=False,
        ),
        Action(
            "rate",
            _("Submit rating"),
            forms.RateForm,
            frozenset({"requester"}),
            frozenset({S.DONE}),
            lambda a, r, d, v: ratings.request_rate(
                actor=a,
                request=r,
                level=d["level"],
                comment=d.get("comment", ""),
                real_name=d.get("real_name", False),
                expected_version=v,
            ),
            done=_("Thank you for your rating."),
        ),
    ]
}


def build_form(action: Action, request: ServiceRequest, data: Any = None) -> django_forms.Form:
    """The action's form, bound to `data` or showing the request's current version."""
    kwargs: dict[str, Any] = {"prefix": action.name}
    if action.form is forms.DocumentsForm:
        item = request.service_item
        kwargs["checklist"] = [
            (d.get("name") if isinstance(d, dict) else str(d))
            for d in (item.documents if item else [])
        ]
    if action.form in (forms.DispatchForm, forms.TransferForm):
        kwargs["service_request"] = request
    if data is None:
        return action.form(initial={"version": request.version}, **kwargs)
    return action.form(data, **kwargs)


def cleaned(action: Action, form: django_forms.Form) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    if isinstance(form, forms.DocumentsForm):
        data["documents_list"] = form.document_list()
    return data
