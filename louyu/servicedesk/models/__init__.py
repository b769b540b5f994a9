"""Service center (服务中心): staffing, departments, catalog, requests and their workflow, proxy
handling, proactive visits, 好差评 and notification targets."""

from louyu.servicedesk.models.catalog import Category, ServiceItem
from louyu.servicedesk.models.notifications import WebhookTarget
from louyu.servicedesk.models.proxy import ProxyDelegation, ProxyDocument, ProxyPayment
from louyu.servicedesk.models.ratings import (
    BAD_LEVELS,
    INDICATORS,
    CallbackTask,
    Level,
    Rating,
    RectificationCase,
)
from louyu.servicedesk.models.requests import (
    OPEN_STATUSES,
    Channel,
    Escalation,
    Light,
    RequestEvent,
    ServiceRequest,
    Status,
)
from louyu.servicedesk.models.staffing import (
    SIX_ROLES,
    Department,
    PersonnelKind,
    StaffAssignment,
)
from louyu.servicedesk.models.visits import Visit, VisitPhoto, VisitPlan

__all__ = [
    "BAD_LEVELS",
    "INDICATORS",
    "OPEN_STATUSES",
    "SIX_ROLES",
    "CallbackTask",
    "Category",
    "Channel",
    "Department",
    "Escalation",
    "Level",
    "Light",
    "PersonnelKind",
    "ProxyDelegation",
    "ProxyDocument",
    "ProxyPayment",
    "Rating",
    "RectificationCase",
    "RequestEvent",
    "ServiceItem",
    "ServiceRequest",
    "StaffAssignment",
    "Status",
    "Visit",
    "VisitPhoto",
    "VisitPlan",
    "WebhookTarget",
]
