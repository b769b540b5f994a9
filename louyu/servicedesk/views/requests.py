"""One request's page: its whole history, the SLA clock, and the actions the user may take now
(each a small form calling one service). A stale version (someone else acted first) shows the
service's 409 message above the request as it is now."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from louyu.core.exceptions import ApplicationError
from louyu.servicedesk import forms
from louyu.servicedesk.access import capabilities, get_request_for_user
from louyu.servicedesk.models import (
    CallbackTask,
    Category,
    Light,
    Rating,
    RectificationCase,
    RequestEvent,
    ServiceRequest,
    Status,
)
from louyu.servicedesk.services import ratings
from louyu.servicedesk.views.actions import ACTIONS, build_form, cleaned

EVENT_LABELS = {
    "create": pgettext_lazy("request history", "Submitted"),
    "accept": pgettext_lazy("request history", "Accepted"),
    "refuse": pgettext_lazy("request history", "Refused"),
    "request_documents": _("Documents requested (clock stopped)"),
    "documents_received": _("Documents received (clock restarted)"),
    "dispatch": pgettext_lazy("request history", "Dispatched"),
    "transfer": pgettext_lazy("request history", "Transferred"),
    "sign": pgettext_lazy("request history", "Signed for"),
    "start": _("Handling started"),
    "complete": pgettext_lazy("request history", "Completed"),
    "reopen": pgettext_lazy("request history", "Reopened"),
    "close": pgettext_lazy("request history", "Closed"),
    "rate": pgettext_lazy("request history", "Rated"),
    "note": _("Note"),
    "deadline_change": _("Deadline moved with the holiday calendar"),
    "escalate": pgettext_lazy("request history", "Escalated"),
    "case_verify": _("Bad rating verified"),
    "case_rectify": _("Rectified"),
    "case_feedback": _("Feedback given"),
    "case_revisit": _("Revisited"),
    "case_appeal": _("Appeal lodged"),
    "case_appeal_decide": _("Appeal decided"),
    "proxy_delegate": _("Delegation signed"),
    "proxy_receive": _("Document received into custody"),
    "proxy_return": _("Document returned"),
    "proxy_payment": _("Payment made on the enterprise's behalf"),
}
# The SLA light in words (colour only repeats them).
LIGHT_TEXT: dict[str, Any] = {
    Light.GREEN: pgettext_lazy("sla", "On time"),
    Light.YELLOW: pgettext_lazy("sla", "Due soon"),
    Light.RED: pgettext_lazy("sla", "Overdue"),
    Light.PAUSED: pgettext_lazy("sla", "Clock stopped (awaiting documents)"),
    Light.NONE: pgettext_lazy("sla", "No deadline"),
}
CASE_STEPS = {
    RectificationCase.Stage.VERIFY: ("verify", _("Record the verification")),
    RectificationCase.Stage.RECTIFY: ("rectify", _("Record the rectification")),
    RectificationCase.Stage.FEEDBACK: ("feedback", _("Record the feedback")),
    RectificationCase.Stage.REVISIT: ("revisit", _("Record the revisit")),
}


def _load(user: Any, pk: int) -> ServiceRequest:
    return get_request_for_user(user, pk)


def request_context(
    request: HttpRequest,
    req: ServiceRequest,
    *,
    bound: dict[str, Any] | None = None,
    error: ApplicationError | None = None,
) -> dict[str, Any]:
    """Everything the request page shows; `bound` replaces an action's blank form by the one
    the user just submitted (with its errors)."""
    user = request.user
    caps = capabilities(user, req)
    staff = bool(caps & {"desk", "department"})
    today = timezone.localdate()
    events = RequestEvent.objects.filter(request=req).select_related("actor").order_by("at", "id")
    if not staff:
        events = events.filter(public=True)
    rating = Rating.objects.filter(request=req).first()
    case = RectificationCase.objects.filter(rating=rating).first() if rating else None
    actions: list[dict[str, Any]] = []
    for action in ACTIONS.values():
        if action.allowed(caps, req):
            form = (bound or {}).get(action.name) or build_form(action, req)
            actions.append({"action": action, "form": form})
    # One or two next steps open; the rest behind a menu, unless one of them was just
    # submitted with errors (then it stays open to show them).
    main = [entry for entry in actions if entry["action"].primary][:2]
    more = [entry for entry in actions if entry not in main]
    if bound:
        main += [entry for entry in more if entry["action"].name in bound]
        more = [entry for entry in more if entry["action"].name not in bound]
    light = req.light(today)
    context: dict[str, Any] = {
        "req": req,
        "caps": caps,
        "staff": staff,
        "desk": "desk" in caps,
        "events": [{"event": e, "label": EVENT_LABELS.get(e.action, e.action)} for e in events],
        "status_label": Status(req.status).label,
        "category_label": Category(req.category).label if req.category else "",
        "light": light,
        "light_text": LIGHT_TEXT.get(light, ""),
        "workdays_left": req.workdays_left(today),
        "current_due": req.current_due_on,
        "clock": req.current_clock,
        "actions": actions,
        "main_actions": main,
        "more_actions": more,
        "rating": rating,
        "case": case,
        "error": error,
        "checklist": [
            d if isinstance(d, dict) else {"name": str(d)}
            for d in (req.service_item.documents if req.service_item else [])
        ],
        "form_values": _form_values(req),
    }
    if case is not None and staff:
        context.update(_case_context(user, case))
    if "desk" in caps:
        from louyu.servicedesk.views.proxy import proxy_context

        context.update(proxy_context(req))
    return context


def _form_values(req: ServiceRequest) -> list[tuple[str, str]]:
    """The extra fields as label and shown value (list values by their names)."""
    specs = {f["code"]: f for f in (req.service_item.form_fields if req.service_item else [])}
    rows = []
    for code, value in (req.form_data or {}).items():
        spec = specs.get(code, {})
        names = {
            str(v["key"]): str(v.get("name", v["key"])) if isinstance(v, dict) else str(v)
            for v in spec.get("values", [])
            if isinstance(v, dict)
        }
        values = value if isinstance(value, list) else [value]
        rows.append((spec.get("label", code), "、".join(names.get(str(v), str(v)) for v in values)))
    return rows


def _case_context(user: Any, case: RectificationCase) -> dict[str, Any]:
    step = CASE_STEPS.get(case.stage)  # type: ignore[call-overload]
    callback = CallbackTask.objects.filter(rating_id=case.rating_id).first()
    return {
        "case_step": step[0] if step else None,
        "case_step_label": step[1] if step else None,
        "case_form": forms.CaseStepForm(),
        "can_appeal": case.stage == RectificationCase.Stage.VERIFY,
        "can_decide": case.stage == RectificationCase.Stage.APPEALED
        and user.has_role("district_officer"),
        "decide_form": forms.AppealDecideForm(),
        "callback": callback,
    }


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = _load(request.user, pk)
    return render(request, "servicedesk/request_detail.html", request_context(request, req))


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Run one action through its service. Invalid input: the page with the form's errors.
    A refused action (stale version, wrong state, not allowed): the page as it is now, with
    the service's message and its status (409 for a conflict)."""
    req = _load(request.user, pk)
    action = ACTIONS.get(name)
    if action is None or not (capabilities(request.user, req) & action.caps):
        raise Http404
    form = build_form(action, req, request.POST)
    if not form.is_valid():
        context = request_context(request, req, bound={name: form})
        return render(request, "servicedesk/request_detail.html", context, status=400)
    data = cleaned(action, form)
    try:
        action.call(request.user, req, data, data["version"])
    except ApplicationError as error:
        current = _load(request.user, pk)
        context = request_context(request, current, error=error)
        return render(request, "servicedesk/request_detail.html", context, status=error.status)
    messages.success(request, str(action.done))
    return redirect("servicedesk:request_detail", pk=req.pk)


# --- 好差评 rectification (staff) --------------------------------------------------------------


def _case_for(user: Any, pk: int) -> RectificationCase:
    req = get_request_for_user(user, pk, write=True)
    case = RectificationCase.objects.filter(request=req).select_related("request").first()
    if case is None:
        raise Http404
    case.request = req
    return case


def _case_error(request: HttpRequest, pk: int, error: ApplicationError) -> HttpResponse:
    current = _load(request.user, pk)
    context = request_context(request, current, error=error)
    return render(request, "servicedesk/request_detail.html", context, status=error.status)


@login_required
@require_POST
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    case = _case_for(request.user, pk)
    if step not in ratings.STEPS:
        raise Http404
    form = forms.CaseStepForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Write what was done first."), code="invalid")
        ratings.rectification_step(
            actor=request.user, case=case, step=step, text=form.cleaned_data["text"]
        )
    except ApplicationError as error:
        return _case_error(request, pk, error)
    messages.success(request, str(_("Rectification case updated.")))
    return redirect("servicedesk:request_detail", pk=pk)


@login_required
@require_POST
def case_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request.user, pk)
    form = forms.CaseStepForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Write the grounds of the appeal."), code="invalid")
        ratings.rectification_appeal(
            actor=request.user, case=case, reason=form.cleaned_data["text"]
        )
    except ApplicationError as error:
        return _case_error(request, pk, error)
    messages.success(request, str(_("Appeal lodged; the district office decides.")))
    return redirect("servicedesk:request_detail", pk=pk)


@login_required
@require_POST
def case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request.user, pk)
    form = forms.AppealDecideForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Write the reasons for the decision."), code="invalid")
        ratings.rectification_appeal_decide(
            actor=request.user,
            case=case,
            upheld=form.cleaned_data["upheld"],
            decision=form.cleaned_data["decision"],
        )
    except ApplicationError as error:
        return _case_error(request, pk, error)
    messages.success(request, str(_("Appeal decided.")))
    return redirect("servicedesk:request_detail", pk=pk)


@login_required
@require_POST
def callback_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request.user, pk)
    task = CallbackTask.objects.filter(rating_id=case.rating_id).select_related("rating").first()
    if task is None:
        raise Http404
    task.rating.request = case.request
    form = forms.CaseStepForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError(_("Write what the caller said first."), code="invalid")
        ratings.callback_done(actor=request.user, task=task, note=form.cleaned_data["text"])
    except ApplicationError as error:
        return _case_error(request, pk, error)
    messages.success(request, str(_("Callback recorded.")))
    return redirect("servicedesk:request_detail", pk=pk)
