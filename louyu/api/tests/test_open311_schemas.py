"""Our own JSON Schemas for the GeoReport v2 responses (modelled on the field rules of the
open311/schema-validation project, written here) and the SeeClickFix validator's discovery and
service rules, checked against every JSON response of the endpoint."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from louyu.api.models import Open311Submission

BASE = "/open311/v2/"
W3C = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$"
NULLABLE_TEXT = {"type": ["string", "null"]}

SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": {"type": "string", "minLength": 1},
        "service_name": {"type": "string", "minLength": 1},
        "description": NULLABLE_TEXT,
        "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]},
        "keywords": NULLABLE_TEXT,
        "group": NULLABLE_TEXT,
    },
    "additionalProperties": False,
}
SERVICES = {"type": "array", "minItems": 1, "items": SERVICE}
ATTRIBUTE = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "order", "description"],
    "properties": {
        "variable": {"type": "boolean"},
        "code": {"type": "string", "minLength": 1},
        "datatype": {
            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
        },
        "required": {"type": "boolean"},
        "datatype_description": NULLABLE_TEXT,
        "order": {"type": "integer", "minimum": 1},
        "description": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
        },
    },
    "additionalProperties": False,
}
DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": {"type": "string"},
        "attributes": {"type": "array", "items": ATTRIBUTE},
    },
    "additionalProperties": False,
}
REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string", "minLength": 1},
        "status": {"enum": ["open", "closed"]},
        "status_notes": NULLABLE_TEXT,
        "service_name": NULLABLE_TEXT,
        "service_code": {"type": "string"},
        "description": {"type": ["string", "null"], "maxLength": 4000},
        "agency_responsible": NULLABLE_TEXT,
        "service_notice": NULLABLE_TEXT,
        "requested_datetime": {"type": "string", "pattern": W3C},
        "updated_datetime": {"type": ["string", "null"], "pattern": W3C},
        "expected_datetime": {"type": ["string", "null"], "pattern": W3C},
        "address": NULLABLE_TEXT,
        "address_id": NULLABLE_TEXT,
        "zipcode": NULLABLE_TEXT,
        "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        "media_url": {"type": ["string", "null"], "format": "uri"},
    },
    "additionalProperties": False,
}
REQUESTS = {"type": "array", "items": REQUEST}
CREATED = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "oneOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
        "properties": {
            "service_request_id": {"type": "string"},
            "token": {"type": "string"},
            "service_notice": NULLABLE_TEXT,
            "account_id": NULLABLE_TEXT,
        },
        "additionalProperties": False,
    },
}
TOKEN = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}},
    },
}
ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "additionalProperties": False,
    },
}


def check(schema: dict, response) -> list | dict:
    data = json.loads(response.content)
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(data)
    return data


@pytest.mark.django_db
class SchemaConformanceTests:
    def test_every_json_response_matches_its_schema(self, client, catalog):
        check(SERVICES, client.get(f"{BASE}services.json"))
        for code in ("tax-invoice", "fire-hazard", "street-light"):
            check(DEFINITION, client.get(f"{BASE}services/{code}.json"))
        created = [
            check(
                CREATED,
                client.post(
                    f"{BASE}requests.json",
                    {
                        "api_key": catalog.key("enterprise"),
                        "service_code": code,
                        "address_id": str(catalog.building.pk),
                        **attributes,
                        "media_url": "https://example.org/1.jpg",
                        "description": "测试",
                    },
                ),
            )[0]
            for code, attributes in (
                ("tax-invoice", {"attribute[invoice_kind]": "vat"}),
                ("street-light", {"attribute[pole]": "1"}),
            )
        ]
        token = created[0]["token"]
        check(TOKEN, client.get(f"{BASE}tokens/{token}.json"))
        rows = check(REQUESTS, client.get(f"{BASE}requests.json"))
        assert len(rows) == 2
        number = Open311Submission.objects.get(token=token).request.number
        assert len(check(REQUESTS, client.get(f"{BASE}requests/{number}.json"))) == 1
        for url in ("services/none.json", "requests/none.json", "tokens/none.json", "x.json"):
            check(ERRORS, client.get(BASE + url))
        check(ERRORS, client.post(f"{BASE}requests.json", {"service_code": "fire-hazard"}))

    def test_discovery_passes_the_seeclickfix_rules(self, client, catalog):
        data = json.loads(client.get(f"{BASE}discovery.json").content)
        assert client.get(f"{BASE}discovery.xml").content.strip()
        assert data["contact"] and data["key_service"]
        changeset = datetime.fromisoformat(data["changeset"])
        assert changeset <= timezone.now()
        assert data["endpoints"]
        for endpoint in data["endpoints"]:
            for field in ("specification", "url", "changeset", "type", "formats"):
                assert endpoint[field], field
            assert endpoint["type"] in {"production", "test"}
            if endpoint["specification"].endswith("GeoReport_v2"):
                assert "text/xml" in endpoint["formats"]
            # The advertised URL serves the methods.
            assert client.get(endpoint["url"] + "services.xml").status_code == 200
