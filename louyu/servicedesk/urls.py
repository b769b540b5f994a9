"""Pages of the service center (服务中心): staff queue, request pages, the enterprise's side."""

from django.urls import path

from louyu.servicedesk.views import intake, performance, portal, proxy, queue, requests, visits

app_name = "servicedesk"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("due/", queue.due_today, name="due_today"),
    path("performance/", performance.performance, name="performance"),
    path("bulk/", queue.queue_bulk, name="queue_bulk"),
    path("mine/", portal.mine, name="mine"),
    path("new/", portal.submit, name="submit"),
    path("requests/<int:pk>/", requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/do/<slug:name>/", requests.request_action, name="request_action"),
    path("requests/<int:pk>/case/<slug:step>/", requests.case_step, name="case_step"),
    path("requests/<int:pk>/appeal/", requests.case_appeal, name="case_appeal"),
    path("requests/<int:pk>/appeal/decide/", requests.case_decide, name="case_decide"),
    path("requests/<int:pk>/callback/", requests.callback_record, name="callback_record"),
    path("requests/<int:pk>/proxy/delegation/", proxy.delegation_add, name="proxy_delegation"),
    path(
        "requests/<int:pk>/proxy/delegation/file/",
        proxy.delegation_file,
        name="proxy_delegation_file",
    ),
    path(
        "requests/<int:pk>/proxy/documents/", proxy.document_receive, name="proxy_document_receive"
    ),
    path(
        "requests/<int:pk>/proxy/documents/<int:document_pk>/return/",
        proxy.document_return,
        name="proxy_document_return",
    ),
    path("requests/<int:pk>/proxy/payments/", proxy.payment_record, name="proxy_payment"),
    path(
        "requests/<int:pk>/proxy/payments/<int:payment_pk>/settle/",
        proxy.payment_settle,
        name="proxy_payment_settle",
    ),
    path(
        "requests/<int:pk>/proxy/payments/<int:payment_pk>/receipt/",
        proxy.payment_receipt,
        name="proxy_payment_receipt",
    ),
    path("intake/", intake.intake, name="intake"),
    path("intake/<int:pk>/place/", intake.intake_place, name="intake_place"),
    path("visits/", visits.visits, name="visits"),
    path("visits/<int:pk>/check-in/", visits.visit_checkin, name="visit_checkin"),
    path("visits/<int:pk>/findings/", visits.visit_findings, name="visit_findings"),
    path("visits/<int:pk>/request/", visits.visit_to_request, name="visit_to_request"),
]
