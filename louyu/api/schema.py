"""The OpenAPI schema says what the server does (issue 13: schemathesis found paginated lists
declared as arrays, undocumented statuses and requests the schema allowed but the server refused).

- `AutoSchema` (DEFAULT_SCHEMA_CLASS) declares request strings and decimals as DRF validates them:
  no NUL character, not only spaces where blanks are refused (DRF trims first), and a decimal
  has at least one digit (and no sign when it cannot be negative). A view with
  `patch_partial = False` validates its PATCH body whole, and its schema says so.
- `error_responses` (a POSTPROCESSING_HOOK) gives every operation the error statuses any call
  can get, in the one error shape (`ErrorSerializer`): 400 (invalid input), 401 (no or a refused
  credential), 403, 404 (missing, or not yours), 429 (throttled or locked out), plus 415 where a
  body is read. Operations keep the statuses they declare themselves (409, …). Free-text query
  parameters say they take no NUL character, as the forms that read them refuse it.
"""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular import openapi
from rest_framework import serializers

from louyu.api.serializers import ErrorSerializer

ERROR_STATUSES = {
    "400": "The request is not valid (`validation_error` lists the fields).",
    "401": "No credential, or a refused one.",
    "403": "The caller may not do this.",
    "404": "Not found, or not the caller's to see.",
    "429": "Too many requests (throttled, or locked out after failed sign-ins).",
}
BODY_STATUSES = {"415": "The request body's content type is not taken here."}
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^(?!\s*$)[^\x00]*$"


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(
        self, field: Any, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or not isinstance(schema, dict):
            return schema
        if isinstance(field, serializers.DecimalField) and schema.get("format") == "decimal":
            # drf-spectacular's pattern takes "", "-" and "-." (DRF refuses them).
            whole, places = field.max_whole_digits, field.decimal_places
            if field.min_value == 0 and field.max_value == 1:
                # A share: 0 to 1 ("0.8", ".75", "1", "1.0").
                share = rf"^(?:0?\.\d{{1,{places}}}|0\.?|1(?:\.0{{0,{places}}})?)$"
                return {**schema, "pattern": share}
            sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
            digits = r"\d+" if whole is None else rf"\d{{1,{max(whole, 1)}}}"
            fraction = rf"\.\d{{1,{places}}}"
            number = rf"{digits}(?:\.\d{{0,{places}}})?"
            return {**schema, "pattern": rf"^{sign}(?:{number}|{fraction})$"}
        if isinstance(field, serializers.FileField) and not field.allow_empty_file:
            return {**schema, "minLength": 1}
        if (
            isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"enum", "format", "pattern"} & set(schema)
        ):
            blank_refused = not field.allow_blank and field.trim_whitespace
            return {**schema, "pattern": NOT_BLANK if blank_refused else NO_NUL}
        return schema

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        # A FilterSet reads an empty value (`?submitted_before=`) as "not filtered": say so.
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter.get("required") or schema.get("type") == "array":
                continue
            if schema.get("type") == "string" and "enum" in schema:
                schema["enum"] = (
                    [*schema["enum"], ""] if "" not in schema["enum"] else schema["enum"]
                )
            else:
                parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
        return parameters

    def _get_request_for_media_type(self, serializer: Any, direction: str = "request") -> Any:
        if self.method == "PATCH" and getattr(self.view, "patch_partial", True) is False:
            # Validated whole (not partial): the schema's body is the serializer as it is.
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)


def _error_component(result: dict[str, Any], generator: Any) -> dict[str, str]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    if "Error" not in schemas:  # pragma: no cover - every schema has views answering errors
        auto = AutoSchema()
        auto.registry = generator.registry
        component = auto.resolve_serializer(ErrorSerializer, "response")
        schemas.update({component.name: component.schema})
    return {"$ref": "#/components/schemas/Error"}


def _serializer_extras(result: dict[str, Any], generator: Any) -> set[str]:
    """A serializer's `openapi_extra` (e.g. an `anyOf` of what must be there together) joins
    its request component: rules across fields that no single field states."""
    schemas = result.get("components", {}).get("schemas", {})
    extended = set()
    for component in generator.registry._components.values():
        extra = getattr(component.object, "openapi_extra", None)
        name = component.name
        if extra and component.type == "schemas" and name in schemas and name.endswith("Request"):
            schemas[name].update(copy.deepcopy(extra))
            extended.add(f"#/components/schemas/{name}")
    return extended


def error_responses(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """POSTPROCESSING_HOOK: the shared error responses, the NUL-free query strings and the
    serializers' cross-field rules."""
    ref = _error_component(result, generator)
    extended = _serializer_extras(result, generator)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            body = operation.get("requestBody", {})
            refs = {
                media.get("schema", {}).get("$ref") for media in body.get("content", {}).values()
            }
            if refs & extended:
                # Its rule needs some field there, so a body is.
                body["required"] = True
            statuses = dict(ERROR_STATUSES)
            if "requestBody" in operation:
                statuses.update(BODY_STATUSES)
            for code, description in statuses.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": copy.deepcopy(ref)}},
                    },
                )
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if (
                    parameter.get("in") == "query"
                    and schema.get("type") == "string"
                    and not {"enum", "format", "pattern"} & set(schema)
                ):
                    schema["pattern"] = NO_NUL
    return result
