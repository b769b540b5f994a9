"""Departments and the service catalog: writes, and the validation of a request's extra form
fields against its service item."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record, audit_values, audited_update, validate
from louyu.servicedesk.models import Department, ServiceItem

DEPARTMENT_FIELDS = frozenset(
    {"name", "duty_phone", "duty_contact", "address", "description", "is_active"}
)
ITEM_FIELDS = frozenset(
    {
        "name",
        "category",
        "description",
        "kind",
        "lead_department",
        "default_role",
        "statutory_days",
        "promised_days",
        "response_days",
        "documents",
        "proxy_offered",
        "fee",
        "fee_note",
        "form_fields",
        "urgent",
        "is_active",
    }
)


def form_fields_check(fields: Any) -> None:
    """A form definition: a list of {code, label, datatype, required?, values?} with unique
    codes and known datatypes; list types need values."""
    if not isinstance(fields, list):
        raise ApplicationError(_("Form fields must be a list."), code="invalid")
    codes = set()
    for field in fields:
        if not isinstance(field, dict) or not field.get("code") or not field.get("label"):
            raise ApplicationError(_("Every form field needs a code and a label."), code="invalid")
        if field.get("datatype") not in ServiceItem.FIELD_TYPES:
            raise ApplicationError(
                _("Unknown field type: %(type)s") % {"type": field.get("datatype")},
                code="invalid",
            )
        if field["datatype"].endswith("valuelist") and not field.get("values"):
            raise ApplicationError(
                _("The list field %(label)s needs values.") % {"label": field["label"]},
                code="invalid",
            )
        if field["code"] in codes:
            raise ApplicationError(_("Form field codes must be unique."), code="invalid")
        codes.add(field["code"])


def form_data_validate(item: ServiceItem | None, data: dict[str, Any]) -> dict[str, Any]:
    """Check submitted extra fields against the item's form: required present, types right,
    list values allowed, unknown fields refused. Returns the cleaned values (JSON-safe)."""
    if not isinstance(data, dict):
        raise ApplicationError(_("Form data must be an object."), code="invalid")
    fields = item.form_fields if item else []
    known = {f["code"]: f for f in fields}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ApplicationError(
            _("Unknown form fields: %(codes)s") % {"codes": ", ".join(unknown)},
            code="invalid",
            extra={"fields": unknown},
        )
    cleaned: dict[str, Any] = {}
    for code, field in known.items():
        value = data.get(code)
        label = field["label"]
        if value in (None, "", []):
            if field.get("required"):
                raise ApplicationError(
                    _("Fill in “%(label)s”.") % {"label": label},
                    code="invalid",
                    extra={"field": code},
                )
            continue
        cleaned[code] = _clean_value(field, value, label, code)
    return cleaned


def _clean_value(field: dict[str, Any], value: Any, label: str, code: str) -> Any:
    kind = field["datatype"]
    allowed = {str(v["key"]) if isinstance(v, dict) else str(v) for v in field.get("values", [])}

    def bad() -> ApplicationError:
        return ApplicationError(
            _("“%(label)s” is not valid.") % {"label": label}, code="invalid", extra={"field": code}
        )

    if kind in ("string", "text"):
        text = str(value).strip()
        if len(text) > (200 if kind == "string" else 4000):
            raise bad()
        return text
    if kind == "number":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise bad() from None
        if not number.is_finite():
            raise bad()
        return str(number)
    if kind == "date":
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise bad() from None
    if kind == "singlevaluelist":
        if str(value) not in allowed:
            raise bad()
        return str(value)
    values = value if isinstance(value, list) else [value]
    if not values or any(str(v) not in allowed for v in values):
        raise bad()
    return [str(v) for v in values]


def department_create(*, actor: Any, code: str, name: str, **values: Any) -> Department:
    unknown = set(values) - DEPARTMENT_FIELDS
    if unknown:
        raise ValueError(f"department_create cannot set {sorted(unknown)}")
    department = Department(code=code, name=name, **values)
    validate(department)
    with transaction.atomic():
        department.save()
        audit_record(
            actor=actor,
            action="department.create",
            target=department,
            after={"code": code, "name": name, **audit_values(values)},
        )
    return department


def department_update(*, actor: Any, department: Department, **changes: Any) -> Department:
    unknown = set(changes) - DEPARTMENT_FIELDS
    if unknown:
        raise ValueError(f"department_update cannot change {sorted(unknown)}")
    audited_update(actor=actor, instance=department, changes=changes, action="department.update")
    return department


def service_item_save(
    *,
    actor: Any,
    item: ServiceItem | None = None,
    code: str = "",
    co_departments: list[Department] | None = None,
    **values: Any,
) -> ServiceItem:
    """Create a catalog item (item=None, with `code`) or change one; the form definition and
    the limits are checked (promised ≤ statutory)."""
    unknown = set(values) - ITEM_FIELDS
    if unknown:
        raise ValueError(f"service_item_save cannot set {sorted(unknown)}")
    if "form_fields" in values:
        form_fields_check(values["form_fields"])
    with transaction.atomic():
        if item is None:
            item = ServiceItem(code=code, **values)
            validate(item)
            if item.promised_days > item.statutory_days:
                raise ApplicationError(
                    _("The promised limit cannot exceed the statutory limit."), code="invalid"
                )
            item.save()
            audit_record(
                actor=actor,
                action="serviceitem.create",
                target=item,
                after={"code": code, **audit_values(values)},
            )
        else:
            promised = values.get("promised_days", item.promised_days)
            if promised > values.get("statutory_days", item.statutory_days):
                raise ApplicationError(
                    _("The promised limit cannot exceed the statutory limit."), code="invalid"
                )
            audited_update(actor=actor, instance=item, changes=values, action="serviceitem.update")
        if co_departments is not None:
            item.co_departments.set(co_departments)
            audit_record(
                actor=actor,
                action="serviceitem.co_departments",
                target=item,
                after={"co_departments": sorted(d.pk for d in co_departments)},
            )
    return item
