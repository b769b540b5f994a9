"""The GeoReport v2 methods. DRF views for throttling and format-suffix rendering only: no
session or token authentication (POST carries an `api_key`), errors in the spec's shape — a
list of {code, description} (`<errors><error>…`) with the HTTP status as the code."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from louyu.api.models import Open311Submission
from louyu.api.open311 import selectors
from louyu.api.open311.renderers import Open311JSONRenderer, Open311XMLRenderer
from louyu.api.open311.serializers import (
    DATATYPES,
    SPECIFICATION,
    definition_repr,
    iso,
    local_zone,
    request_repr,
    service_repr,
    service_type,
)
from louyu.api.open311.services import (
    Submission,
    open311_intake_submit,
    open311_key_authenticate,
    open311_request_submit,
)
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.servicedesk.models import OPEN_STATUSES, ServiceItem

MAX_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
CLIENT_FIELDS = ("email", "device_id", "account_id", "first_name", "last_name", "phone")


class Open311Error(Exception):
    """One or more GeoReport errors answered with one HTTP status."""

    def __init__(self, status_code: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status_code = status_code
        self.descriptions = list(descriptions)


def errors_response(status_code: int, descriptions: list[str]) -> Response:
    body = [{"code": status_code, "description": str(text)} for text in descriptions]
    response = Response(body, status=status_code)
    response.xml_root = "errors"  # type: ignore[attr-defined]
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every failure in the GeoReport error shape (the rest of the API has its own)."""
    set_rollback()
    if isinstance(exc, Open311Error):
        return errors_response(exc.status_code, exc.descriptions)
    if isinstance(exc, ApplicationError):
        return errors_response(exc.status, [str(exc.message)])
    if isinstance(exc, Http404):
        return errors_response(404, [_("No such resource under this endpoint.")])
    if isinstance(exc, exceptions.APIException):
        response = errors_response(exc.status_code, [str(exc.detail)])
        wait = getattr(exc, "wait", None)
        if wait:
            response["Retry-After"] = str(int(wait))
        return response
    return None


class Open311View(APIView):
    """Base of the GeoReport views: `format` (json|xml) comes from the path suffix."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    renderer_classes = [Open311XMLRenderer, Open311JSONRenderer]
    parser_classes = [FormParser, MultiPartParser]
    xml_root = "response"
    # Not in the OpenAPI schema: the GeoReport v2 spec and discovery document these methods.
    schema = None

    def get_exception_handler(self) -> Any:
        return exception_handler

    def reply(self, data: Any, status_code: int = 200, root: str | None = None) -> Response:
        response = Response(data, status=status_code)
        response.xml_root = root or self.xml_root  # type: ignore[attr-defined]
        return response

    def param(self, name: str) -> str:
        """A parameter from the form body (POST) or query string; empty counts as absent."""
        form: Any = self.request.data  # a QueryDict: the POST is form-encoded
        value = form.get(name) if self.request.method == "POST" else None
        if value in (None, ""):
            value = self.request.query_params.get(name)
        return (value or "").strip()

    def jurisdiction(self) -> Node | None:
        code = self.param("jurisdiction_id")
        if not code:
            return None
        node = selectors.open311_jurisdiction(code)
        if node is None:
            raise Open311Error(
                404, _("jurisdiction_id %(code)s is not served here.") % {"code": code}
            )
        return node


class DiscoveryApi(Open311View):
    """GET discovery.{xml,json}: the endpoint, its formats and how to obtain a key."""

    xml_root = "discovery"

    def get(self, request: Request, format: str | None = None) -> Response:
        changed = selectors.open311_catalog_changeset()
        changeset = iso(changed) or settings.LOUYU_OPEN311_SINCE
        base = reverse("open311:services", kwargs={"format": "xml"}).removesuffix("services.xml")
        return self.reply(
            {
                "changeset": changeset,
                "contact": settings.LOUYU_OPEN311_CONTACT
                or _("The building-community service center."),
                "key_service": _(
                    "API keys are issued by the service center's security administrator "
                    "(admin, or manage.py open311_key USERNAME)."
                ),
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": request.build_absolute_uri(base),
                        "changeset": changeset,
                        "type": settings.LOUYU_OPEN311_ENDPOINT_TYPE,
                        "formats": ["text/xml", "application/json"],
                    }
                ],
            }
        )


class ServiceListApi(Open311View):
    """GET services.{xml,json}: the catalog (五进楼宇 items), grouped by the five services."""

    xml_root = "services"

    def get(self, request: Request, format: str | None = None) -> Response:
        self.jurisdiction()
        return self.reply([service_repr(item) for item in selectors.open311_services()])


class ServiceDefinitionApi(Open311View):
    """GET services/{code}.{xml,json}: the item's extra form fields as attributes."""

    xml_root = "service_definition"

    def get(self, request: Request, service_code: str, format: str | None = None) -> Response:
        self.jurisdiction()
        item = selectors.open311_service(service_code)
        if item is None:
            raise Open311Error(404, _("Unknown service_code %(code)s.") % {"code": service_code})
        return self.reply(definition_repr(item))


def _when(value: str, name: str, *, end: bool = False) -> datetime:
    """A W3C datetime (`2026-01-01T00:00:00Z`, `…+08:00`) or a date (its start, or its end
    for end_date); naive times are Beijing time."""
    parsed: datetime | None = None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is not None:
                parsed = datetime.combine(day, time.max if end else time.min)
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s is not a W3C datetime (e.g. 2026-05-01T00:00:00+08:00).") % {"name": name},
        )
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=local_zone())
    return parsed


def _positive(value: str, name: str, *, default: int, maximum: int) -> int:
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise Open311Error(400, _("%(name)s must be a positive whole number.") % {"name": name})
    return min(int(value), maximum)


def _attributes(data: Any) -> dict[str, Any]:
    """attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2 from the form."""
    values: dict[str, Any] = {}
    for key in data:
        match = ATTRIBUTE.match(key)
        if not match:
            continue
        code, many = match.groups()
        items = [v for v in data.getlist(key) if v != ""] if hasattr(data, "getlist") else []
        values[code] = items if many else (items[-1] if items else "")
    return values


def attribute_errors(item: ServiceItem, given: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Check attribute values against the service definition: every problem, not the first.
    Returns (form data for the service desk, error descriptions)."""
    fields = {field["code"]: field for field in item.form_fields or []}
    errors = [
        _("attribute[%(code)s] is not an attribute of service %(service)s.")
        % {"code": code, "service": item.code}
        for code in sorted(set(given) - set(fields) - {"checklist"})
    ]
    cleaned: dict[str, Any] = {}
    for code, field in fields.items():
        value = given.get(code)
        datatype = DATATYPES.get(field.get("datatype", ""), "string")
        if value in (None, "", []):
            if field.get("required"):
                errors.append(
                    _("attribute[%(code)s] (%(label)s) is required.")
                    % {"code": code, "label": field.get("label", code)}
                )
            continue
        allowed = {
            str(v["key"]) if isinstance(v, dict) else str(v) for v in field.get("values") or []
        }
        problem = False
        if datatype == "multivaluelist":
            value = value if isinstance(value, list) else [value]
            problem = any(str(v) not in allowed for v in value)
        elif isinstance(value, list):
            problem = True
        elif datatype == "singlevaluelist":
            problem = str(value) not in allowed
        elif datatype == "number":
            try:
                problem = not Decimal(str(value)).is_finite()
            except InvalidOperation:
                problem = True
        elif datatype == "datetime":
            try:
                value = _when(str(value), f"attribute[{code}]").astimezone(local_zone()).date()
                value = value.isoformat()
            except Open311Error:
                problem = True
        if problem:
            errors.append(
                _("attribute[%(code)s] (%(label)s) is not valid: %(hint)s")
                % {
                    "code": code,
                    "label": field.get("label", code),
                    "hint": _("see the service definition."),
                }
            )
        else:
            cleaned[code] = value
    return cleaned, errors


class RequestsApi(Open311View):
    """GET requests.{xml,json}: public requests, filtered; POST: file one with an api_key."""

    xml_root = "service_requests"

    def get(self, request: Request, format: str | None = None) -> Response:
        queryset = selectors.open311_requests(self.jurisdiction())
        limit = _positive(
            self.param("page_size") or self.param("limit"),
            "page_size",
            default=MAX_REQUESTS,
            maximum=MAX_REQUESTS,
        )
        page = _positive(self.param("page"), "page", default=1, maximum=10_000)
        ids = [part.strip() for part in self.param("service_request_id").split(",") if part.strip()]
        if ids:
            # The spec: service_request_id overrides every other filter.
            queryset = queryset.filter(number__in=ids[:MAX_REQUESTS])
        else:
            queryset = self._filtered(queryset)
        rows = queryset.order_by("-submitted_at", "-id")[(page - 1) * limit : page * limit]
        cache: dict[Any, Any] = {}
        return self.reply([request_repr(row, cache) for row in rows])

    def _filtered(self, queryset: Any) -> Any:
        codes = [part.strip() for part in self.param("service_code").split(",") if part.strip()]
        if codes:
            queryset = queryset.filter(service_item__code__in=codes)
        statuses = {part.strip() for part in self.param("status").split(",") if part.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status must be open, closed or both (comma-separated)."))
        if statuses == {"open"}:
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            queryset = queryset.exclude(status__in=OPEN_STATUSES)
        start_text, end_text = self.param("start_date"), self.param("end_date")
        start = _when(start_text, "start_date") if start_text else None
        end = _when(end_text, "end_date", end=True) if end_text else None
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            assert end is not None
            start = end - MAX_WINDOW
        if end is None:
            end = start + MAX_WINDOW
        if end < start:
            raise Open311Error(400, _("end_date is before start_date."))
        if end - start > MAX_WINDOW:
            raise Open311Error(400, _("start_date and end_date may span 90 days at most."))
        return selectors.requests_in_window(queryset, start, end)

    def post(self, request: Request, format: str | None = None) -> Response:
        # From the form body only, as the spec says: a key in a URL ends up in access logs.
        form: Any = request.data
        key = open311_key_authenticate((form.get("api_key") or "").strip())
        if key is None:
            raise Open311Error(403, _("api_key is missing or not valid."))
        jurisdiction = self.jurisdiction()
        code = self.param("service_code")
        if not code:
            raise Open311Error(400, _("service_code is required."))
        item = selectors.open311_service(code)
        if item is None:
            raise Open311Error(404, _("Unknown service_code %(code)s.") % {"code": code})
        submission = self._submission(item, jurisdiction)
        allowed = key.jurisdiction.path if key.jurisdiction is not None else ""
        if submission.building is None:
            # No building matched: the jurisdiction's intake queue, for a clerk to place.
            intake = jurisdiction or key.jurisdiction or selectors.open311_root()
            if intake is None:
                raise Open311Error(400, _("jurisdiction_id is required."))
            if not intake.path.startswith(allowed):
                raise Open311Error(403, _("This api_key may not file requests for that location."))
            record = open311_intake_submit(key=key, submission=submission, jurisdiction=intake)
            notice = _(
                "Received. No building matched the location; the service center will place it."
            )
            body = [{"token": record.token, "service_notice": str(notice), "account_id": None}]
            return self.reply(body, status.HTTP_201_CREATED)
        if not submission.building.path.startswith(allowed):
            raise Open311Error(403, _("This api_key may not file requests for that location."))
        filed, record = open311_request_submit(
            key=key, submission=submission, batch=service_type(item) == "batch"
        )
        notice = request_repr(filed)["service_notice"]
        if record.token:
            body = [{"token": record.token, "service_notice": notice, "account_id": None}]
        else:
            body = [
                {"service_request_id": filed.number, "service_notice": notice, "account_id": None}
            ]
        return self.reply(body, status.HTTP_201_CREATED)

    def _submission(self, item: ServiceItem, jurisdiction: Node | None) -> Submission:
        errors: list[str] = []
        lat_text, long_text = self.param("lat"), self.param("long")
        address_id, address_string = self.param("address_id"), self.param("address_string")
        lat = lng = None
        building = None
        if bool(lat_text) != bool(long_text):
            errors.append(_("lat and long must be given together."))
        elif lat_text:
            try:
                lat, lng = Decimal(lat_text), Decimal(long_text)
                if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(_("lat and long must be WGS84 degrees."))
                lat = lng = None
        if not (address_id or address_string or lat_text or long_text):
            errors.append(_("A location is required: lat and long, address_string or address_id."))
        elif address_id:
            building = selectors.building_by_id(address_id, within=jurisdiction)
            if building is None:
                errors.append(
                    _("address_id %(id)s is not a building served here.") % {"id": address_id}
                )
        elif lat is not None and lng is not None:
            building = selectors.building_near(float(lat), float(lng), within=jurisdiction)
            if building is None and address_string:
                building = selectors.building_by_address(address_string, within=jurisdiction)
        elif address_string:
            building = selectors.building_by_address(address_string, within=jurisdiction)
        # A location that matches no building is accepted (issue 12): building stays None.
        form: Any = self.request.data
        description = form.get("description", "") or ""
        if len(description) > 4000:
            errors.append(_("description is longer than 4000 characters."))
        media_url = self.param("media_url")
        if media_url:
            try:
                URLValidator(schemes=["http", "https"])(media_url)
            except ValidationError:
                errors.append(_("media_url is not a valid URL."))
        extra = {name: self.param(name) for name in CLIENT_FIELDS if self.param(name)}
        if "email" in extra:
            try:
                EmailValidator()(extra["email"])
            except ValidationError:
                errors.append(_("email is not a valid address."))
        form_data, attribute_problems = attribute_errors(item, _attributes(self.request.data))
        errors.extend(attribute_problems)
        if errors:
            raise Open311Error(400, *errors)
        return Submission(
            item=item,
            building=building,
            form_data=form_data,
            description=description,
            lat=lat,
            long=lng,
            address_string=address_string,
            media_url=media_url,
            extra=extra,
        )


class RequestApi(Open311View):
    """GET requests/{service_request_id}.{xml,json}: one request, as a one-element list."""

    xml_root = "service_requests"

    def get(self, request: Request, service_request_id: str, format: str | None = None) -> Response:
        row = (
            selectors.open311_requests(self.jurisdiction())
            .filter(number=service_request_id)
            .first()
        )
        if row is None:
            raise Open311Error(
                404, _("Unknown service_request_id %(id)s.") % {"id": service_request_id}
            )
        return self.reply([request_repr(row)])


class TokenApi(Open311View):
    """GET tokens/{token}.{xml,json}: the service_request_id a batch POST's token stands for."""

    xml_root = "service_requests"

    def get(self, request: Request, token: str, format: str | None = None) -> Response:
        self.jurisdiction()
        record = Open311Submission.objects.filter(token=token).select_related("request").first()
        if record is None:
            raise Open311Error(404, _("Unknown token."))
        # Until a clerk places an intake submission there is no request number yet.
        number = record.request.number if record.request is not None else None
        return self.reply([{"service_request_id": number, "token": token}])


class NotFoundApi(Open311View):
    """Anything else under /open311/v2/: a GeoReport 404 (XML unless the path ends in .json)."""

    xml_root = "errors"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise Open311Error(404, _("No such resource under this endpoint."))

    def get(self, request: Request, **kwargs: Any) -> Response:  # pragma: no cover - initial
        raise Open311Error(404, _("No such resource under this endpoint."))

    post = get
