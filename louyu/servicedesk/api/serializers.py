from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField

from louyu.api.fields import IdField
from louyu.servicedesk.models import (
    INDICATORS,
    Channel,
    Department,
    Level,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
    Status,
)


class DepartmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "duty_contact", "duty_phone", "address", "description"]


class ServiceItemSerializer(serializers.ModelSerializer):
    lead_department = DepartmentRefSerializer()
    co_departments = DepartmentRefSerializer(many=True)
    category_display = serializers.CharField(source="get_category_display")
    kind_display = serializers.CharField(source="get_kind_display")
    fee = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "code",
            "name",
            "category",
            "category_display",
            "description",
            "kind",
            "kind_display",
            "lead_department",
            "co_departments",
            "statutory_days",
            "promised_days",
            "response_days",
            "documents",
            "proxy_offered",
            "fee",
            "fee_note",
            "form_fields",
            "urgent",
        ]


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ServiceRequestSerializer(serializers.ModelSerializer):
    """A request as a list shows it, with its SLA light and the deadline it works against.

    The fields below declare the shape (and the OpenAPI schema); `to_representation` builds the
    row by hand, because DRF's generic path costs a lot per row on a 50-row page: an attribute
    walk with a callable check per field, and `get_FOO_display`, which rebuilds and hashes the
    whole choice list on every call. Here the status and channel labels are translated once per
    serializer and language, and today's date (for the light) is read once."""

    status_display = serializers.CharField(source="get_status_display")
    channel_display = serializers.CharField(source="get_channel_display")
    light = serializers.CharField(source="sla_light")
    current_due_on = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField(
        help_text="The deadline runs into a year whose holiday arrangement is not known yet "
        "(counted Monday–Friday); it may still move."
    )
    department = DepartmentRefSerializer(allow_null=True)
    service_item = serializers.SerializerMethodField()
    enterprise = serializers.SerializerMethodField()
    community = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "number",
            "title",
            "status",
            "status_display",
            "channel",
            "channel_display",
            "category",
            "urgent",
            "light",
            "current_due_on",
            "due_provisional",
            "response_due_on",
            "sign_due_on",
            "due_on",
            "escalation",
            "version",
            "submitted_at",
            "updated_at",
            "department",
            "service_item",
            "enterprise",
            "community",
        ]

    # Filled in by hand in `_row`; the fields a subclass adds go through DRF's generic path.
    ROW_FIELDS = frozenset(Meta.fields)
    # Not columns: derived from the status and the deadlines.
    COMPUTED = frozenset(
        {"status_display", "channel_display", "light", "current_due_on", "due_provisional"}
    )

    def _ref(self, obj: Any) -> dict[str, Any] | None:
        return {"id": obj.pk, "name": str(obj)} if obj is not None else None

    def get_service_item(self, request: ServiceRequest) -> dict[str, Any] | None:
        return self._ref(request.service_item)

    def get_enterprise(self, request: ServiceRequest) -> dict[str, Any] | None:
        return self._ref(request.enterprise)

    def get_community(self, request: ServiceRequest) -> dict[str, Any] | None:
        return self._ref(request.community)

    def _row_context(self) -> tuple[dict[str, str], dict[str, str], date, Any]:
        """Labels in the active language, today, and the datetime field; once per language."""
        language = translation.get_language()
        cached = self.__dict__.get("_row_cache")
        if cached is None or cached[0] != language:
            cached = (
                language,
                {value: str(label) for value, label in Status.choices},
                {value: str(label) for value, label in Channel.choices},
                timezone.localdate(),
                self.fields["submitted_at"],
            )
            self.__dict__["_row_cache"] = cached
        return cached[1], cached[2], cached[3], cached[4]

    def _row(self, obj: ServiceRequest) -> dict[str, Any]:
        statuses, channels, today, stamp = self._row_context()
        department = obj.department
        return {
            "id": obj.pk,
            "number": obj.number,
            "title": obj.title,
            "status": obj.status,
            "status_display": statuses.get(obj.status, obj.status),
            "channel": obj.channel,
            "channel_display": channels.get(obj.channel, obj.channel),
            "category": obj.category,
            "urgent": bool(obj.urgent),
            "light": str(obj.light(today)),
            "current_due_on": _iso(obj.current_due_on),
            "due_provisional": obj.due_provisional,
            "response_due_on": _iso(obj.response_due_on),
            "sign_due_on": _iso(obj.sign_due_on),
            "due_on": _iso(obj.due_on),
            "escalation": obj.escalation,
            "version": obj.version,
            "submitted_at": stamp.to_representation(obj.submitted_at),
            "updated_at": stamp.to_representation(obj.updated_at),
            "department": (
                {"id": department.pk, "code": department.code, "name": department.name}
                if department is not None
                else None
            ),
            "service_item": self._ref(obj.service_item),
            "enterprise": self._ref(obj.enterprise),
            "community": self._ref(obj.community),
        }

    def to_representation(self, instance: ServiceRequest) -> dict[str, Any]:
        row = self._row(instance)
        for field in self._readable_fields:
            name = str(field.field_name)
            if name in self.ROW_FIELDS:
                continue
            try:
                value = field.get_attribute(instance)
            except SkipField:
                continue
            row[name] = None if value is None else field.to_representation(value)
        return row


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


class RequestEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = RequestEvent
        fields = ["at", "action", "from_status", "to_status", "note", "data", "actor"]

    def get_actor(self, event: RequestEvent) -> str:
        return event.actor.display_name if event.actor else ""


class ServiceRequestDetailSerializer(ServiceRequestSerializer):
    events = serializers.SerializerMethodField()
    requester_phone = serializers.SerializerMethodField()

    class Meta(ServiceRequestSerializer.Meta):
        fields = [
            *ServiceRequestSerializer.Meta.fields,
            "description",
            "form_data",
            "requester_name",
            "requester_phone",
            "missing_documents",
            "refuse_reason",
            "resolution",
            "events",
        ]

    def get_requester_phone(self, request: ServiceRequest) -> str:
        phone = request.requester_phone
        return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else ""

    def get_events(self, request: ServiceRequest) -> list[dict[str, Any]]:
        events = self.context.get("events")
        if events is None:
            events = request.events.select_related("actor")
        return list(RequestEventSerializer(events, many=True).data)


# Channels a request may arrive through this API (chat, visits and Open311 have their own).
API_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE, Channel.COUNTER, Channel.PHONE})
API_CHANNEL_CHOICES = [(value, label) for value, label in Channel.choices if value in API_CHANNELS]


class RequestCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=4000, allow_blank=True, required=False, default=""
    )
    enterprise = IdField()
    service_item = IdField(required=False, allow_null=True)
    # Only the channels this API takes, so the schema's enum says so.
    channel = serializers.ChoiceField(
        choices=API_CHANNEL_CHOICES,
        default=Channel.WEB,
        help_text=_("web, mobile, or (staff) counter and phone."),
    )
    urgent = serializers.BooleanField(default=False)
    form_data = serializers.DictField(required=False, default=dict)


# Each transition's body fields: (name, required). The body of a transition is the version the
# caller saw (409 if someone acted since) and these; the required ones are required in its schema.
TRANSITION_FIELDS: dict[str, tuple[tuple[str, bool], ...]] = {
    "accept": (("note", False),),
    "refuse": (("reason", True),),
    "request-documents": (("documents", True), ("note", False)),
    "documents-received": (("note", False),),
    "dispatch": (("department", False), ("note", False)),  # default: the item's lead department
    "sign": (),
    "start": (("note", False),),
    "complete": (("resolution", True),),
    "transfer": (("department", True), ("reason", True)),
    "reopen": (("reason", True),),
    "close": (("note", False),),
}


def _transition_field(name: str, required: bool) -> serializers.Field:
    if name == "department":
        return IdField() if required else IdField(required=False, allow_null=True)
    if name == "documents":
        return serializers.ListField(
            child=serializers.CharField(max_length=100), min_length=1, max_length=50
        )
    max_length = 4000 if name == "resolution" else 2000
    if required:
        return serializers.CharField(max_length=max_length)
    return serializers.CharField(
        max_length=max_length, allow_blank=True, required=False, default=""
    )


def transition_serializer(action: str) -> type[serializers.Serializer]:
    """The body serializer of one transition (`RequestDispatchSerializer`, …)."""
    attrs: dict[str, Any] = {
        "version": serializers.IntegerField(
            min_value=1, required=False, help_text=_("Version seen.")
        ),
        **{name: _transition_field(name, required) for name, required in TRANSITION_FIELDS[action]},
    }
    name = "Request" + "".join(part.title() for part in action.split("-")) + "Serializer"
    return type(name, (serializers.Serializer,), attrs)


RATING_INDICATORS = sorted({name for names in INDICATORS.values() for name in names})


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            name: {"type": "integer", "minimum": 1, "maximum": 5} for name in RATING_INDICATORS
        },
        "additionalProperties": False,
        "description": "Online requests: efficiency, guide_accuracy, convenience, usability; "
        "counter and visit requests: efficiency, service_level, attitude (409 otherwise).",
    }
)
class IndicatorsField(serializers.DictField):
    """Indicator → level (1–5); the indicators of the request's channel only."""

    child = serializers.IntegerField(min_value=1, max_value=5)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        unknown = set(value) - set(RATING_INDICATORS)
        if unknown:
            raise serializers.ValidationError(
                _("Unknown indicators: %(names)s.") % {"names": ", ".join(sorted(unknown))}
            )
        return value


class RatingCreateSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)
    indicators = IndicatorsField(required=False, default=dict)
    comment = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")
    real_name = serializers.BooleanField(default=True)
    version = serializers.IntegerField(min_value=1, required=False)


class RatingSerializer(serializers.Serializer):
    level = serializers.IntegerField()
    level_display = serializers.CharField(source="get_level_display")
    indicators = serializers.DictField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
