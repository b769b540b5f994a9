"""GeoReport v2 shapes of the catalog and of requests (plain dicts: the renderers turn them into
XML or JSON). Datetimes are ISO 8601 in Asia/Shanghai, so always `+08:00`."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from louyu.api.models import Open311Submission
from louyu.api.open311.selectors import building_place
from louyu.servicedesk.models import OPEN_STATUSES, Category, ServiceItem, ServiceRequest, Status

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Our form-field datatypes → GeoReport attribute datatypes ("date" fields take a datetime).
DATATYPES = {
    "string": "string",
    "text": "text",
    "number": "number",
    "date": "datetime",
    "singlevaluelist": "singlevaluelist",
    "multivaluelist": "multivaluelist",
}
LIST_TYPES = frozenset({"singlevaluelist", "multivaluelist"})
CHECKLIST_CODE = "checklist"


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def iso(value: datetime | None) -> str | None:
    """`2026-11-27T09:30:00+08:00`: a W3C datetime with the offset, never naive."""
    if value is None:
        return None
    return value.astimezone(local_zone()).isoformat(timespec="seconds")


def end_of_day(day: date | None) -> str | None:
    """A deadline day as a datetime: a request is on time until the end of that day."""
    if day is None:
        return None
    return iso(datetime.combine(day, time(23, 59, 59), tzinfo=local_zone()))


def service_type(item: ServiceItem) -> str:
    """realtime: the id comes back at once; batch (代办, handled on the enterprise's behalf at
    outside departments): a token first, which GET tokens/{token} turns into the id."""
    return "batch" if item.proxy_offered else "realtime"


def service_keywords(item: ServiceItem) -> str:
    words = [str(Category(item.category).label), str(item.get_kind_display())]
    words.append(item.lead_department.name)
    if item.proxy_offered:
        words.append(_("handled on your behalf"))
    if item.urgent:
        words.append(_("urgent: answered at once"))
    return ",".join(words)


def service_notice(item: ServiceItem) -> str:
    """What to expect (承诺时限) and what to bring (一次性告知)."""
    if item.promised_days == 0:
        parts = [_("Done on the spot.")]
    else:
        parts = [
            _("Promised within %(days)d working days (statutory limit %(limit)d).")
            % {"days": item.promised_days, "limit": item.statutory_days}
        ]
    names = _document_names(item)
    if names:
        parts.append(_("Please bring: %(documents)s.") % {"documents": "、".join(names)})
    return " ".join(parts)


def _document_names(item: ServiceItem) -> list[str]:
    names = []
    for document in item.documents or []:
        name = document.get("name") if isinstance(document, dict) else document
        if name:
            names.append(str(name))
    return names


def service_repr(item: ServiceItem) -> dict[str, Any]:
    return {
        "service_code": item.code,
        "service_name": item.name,
        "description": item.description,
        "metadata": bool(item.form_fields) or bool(_document_names(item)),
        "type": service_type(item),
        "keywords": service_keywords(item),
        "group": str(Category(item.category).label),
    }


def _datatype_description(datatype: str) -> str:
    return {
        "string": _("Up to 200 characters."),
        "text": _("Up to 4000 characters; line breaks allowed."),
        "number": _("A number, e.g. 3 or 2.5."),
        "datetime": _(
            "A date: YYYY-MM-DD, or an ISO 8601 datetime such as 2026-05-01T09:30:00+08:00."
        ),
        "singlevaluelist": _("One of the keys listed in values."),
        "multivaluelist": _("One or more keys listed in values: repeat attribute[code][]."),
    }[datatype]


def _values(field: dict[str, Any]) -> list[dict[str, str]]:
    values = []
    for value in field.get("values") or []:
        if isinstance(value, dict):
            values.append({"key": str(value["key"]), "name": str(value.get("name", value["key"]))})
        else:
            values.append({"key": str(value), "name": str(value)})
    return values


def definition_repr(item: ServiceItem) -> dict[str, Any]:
    """The service definition: the document checklist as display-only text first, then one
    attribute per extra form field of the catalog item, in the form's order."""
    attributes: list[dict[str, Any]] = []
    codes = {field["code"] for field in item.form_fields or []}
    names = _document_names(item)
    if names and CHECKLIST_CODE not in codes:
        attributes.append(
            {
                "variable": False,
                "code": CHECKLIST_CODE,
                "datatype": "text",
                "required": False,
                "datatype_description": "",
                "order": 1,
                "description": service_notice(item),
            }
        )
    for field in item.form_fields or []:
        datatype = DATATYPES.get(field.get("datatype", ""), "string")
        attribute: dict[str, Any] = {
            "variable": True,
            "code": field["code"],
            "datatype": datatype,
            "required": bool(field.get("required")),
            "datatype_description": field.get("help") or _datatype_description(datatype),
            "order": len(attributes) + 1,
            "description": field.get("label") or field["code"],
        }
        if datatype in LIST_TYPES:
            attribute["values"] = _values(field)
        attributes.append(attribute)
    return {"service_code": item.code, "attributes": attributes}


def open_or_closed(status: str) -> str:
    """The workflow's states folded onto GeoReport's two: closed once done, refused or closed."""
    return "open" if status in OPEN_STATUSES else "closed"


def _cached(cache: dict[Any, Any], key: Any, compute: Any) -> Any:
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _coordinate(value: Any) -> float | None:
    return None if value is None else round(float(value), 6)


def request_repr(request: ServiceRequest, cache: dict[Any, Any] | None = None) -> dict[str, Any]:
    """One request as the public may see it: no requester, phone, email or enterprise.
    `cache` (one per response) keeps each building's place and each item's notice."""
    cache = {} if cache is None else cache
    item = request.service_item
    assert item is not None  # open311_requests() lists catalog requests only
    try:
        submission: Open311Submission | None = request.open311  # type: ignore[attr-defined]
    except Open311Submission.DoesNotExist:
        submission = None
    department = request.department or item.lead_department
    address = address_id = lat = lng = None
    if request.building is not None:
        building = request.building
        place = _cached(cache, ("place", building.pk), lambda: building_place(building))
        address, address_id = place.address, str(request.building.pk)
        lat, lng = place.lat, place.long
    if submission is not None and submission.lat is not None and submission.long is not None:
        lat, lng = float(submission.lat), float(submission.long)
    return {
        "service_request_id": request.number,
        "status": open_or_closed(request.status),
        # Status(…).label: one lookup, where get_status_display() translates every choice.
        "status_notes": str(Status(request.status).label),
        "service_name": item.name,
        "service_code": item.code,
        # Only text filed through Open311 itself is published (see the package docstring).
        "description": request.description if submission is not None else None,
        "agency_responsible": department.name,
        "service_notice": _cached(cache, ("notice", item.pk), lambda: service_notice(item)),
        "requested_datetime": iso(request.submitted_at),
        "updated_datetime": iso(request.updated_at),
        "expected_datetime": end_of_day(request.due_on),
        "address": address,
        "address_id": address_id,
        "zipcode": None,
        "lat": _coordinate(lat),
        "long": _coordinate(lng),
        "media_url": (submission.media_url or None) if submission is not None else None,
    }
