"""Every write of the service center, by entity (see the submodules), all importable from here."""

from louyu.servicedesk.services.catalog import (
    department_create,
    department_update,
    form_data_validate,
    form_fields_check,
    service_item_save,
)
from louyu.servicedesk.services.deadlines import request_deadlines, request_deadlines_recompute
from louyu.servicedesk.services.escalation import escalation_due, request_escalate_overdue
from louyu.servicedesk.services.notifications import request_group_bots, request_notify
from louyu.servicedesk.services.proxy import (
    proxy_delegate,
    proxy_document_receive,
    proxy_document_return,
    proxy_payment_record,
    proxy_payment_settle,
)
from louyu.servicedesk.services.ratings import (
    callback_done,
    rectification_appeal,
    rectification_appeal_decide,
    rectification_step,
    request_rate,
    request_rating_remind,
)
from louyu.servicedesk.services.requests import (
    request_accept,
    request_close,
    request_complete,
    request_create,
    request_dispatch,
    request_documents_received,
    request_note,
    request_refuse,
    request_reopen,
    request_request_documents,
    request_sign,
    request_start,
    request_transfer,
)
from louyu.servicedesk.services.staffing import (
    department_handler_add,
    staff_assign,
    staff_unassign,
    staff_update,
)
from louyu.servicedesk.services.visits import (
    visit_check_in,
    visit_finding_to_request,
    visit_plan_run,
    visit_plan_save,
    visit_record,
    visit_schedule,
)

__all__ = [
    "request_deadlines",
    "request_deadlines_recompute",
    "callback_done",
    "department_create",
    "department_handler_add",
    "department_update",
    "escalation_due",
    "form_data_validate",
    "form_fields_check",
    "proxy_delegate",
    "proxy_document_receive",
    "proxy_document_return",
    "proxy_payment_record",
    "proxy_payment_settle",
    "rectification_appeal",
    "rectification_appeal_decide",
    "rectification_step",
    "request_accept",
    "request_close",
    "request_complete",
    "request_create",
    "request_dispatch",
    "request_documents_received",
    "request_escalate_overdue",
    "request_group_bots",
    "request_notify",
    "request_note",
    "request_rate",
    "request_rating_remind",
    "request_refuse",
    "request_reopen",
    "request_request_documents",
    "request_sign",
    "request_start",
    "request_transfer",
    "service_item_save",
    "staff_assign",
    "staff_unassign",
    "staff_update",
    "visit_check_in",
    "visit_finding_to_request",
    "visit_plan_run",
    "visit_plan_save",
    "visit_record",
    "visit_schedule",
]
