"""The schema tells the truth (issue 13): schemathesis runs over every operation of the API's
own schema, in-process through the WSGI app, as the clerk, the enterprise contact and the district
office, with schema-valid and schema-violating data. Every answer must be documented (status,
content type, body shape), never a server error; a schema-valid request is never refused with 400
and a schema-violating one is never accepted.

Deterministic for CI: hypothesis is derandomized (the examples follow from the operation), its
example database is off, there is no shrinking, and each operation gets a bounded number of
examples per mode and persona.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from louyu.api.services import token_issue

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
    negative_data_rejection,
]
EXAMPLES = {"clerk": 8, "enterprise": 4, "district": 4}


def _schema_dict() -> dict[str, Any]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


@pytest.fixture
def wsgi_app():
    """Django's WSGI app with the test database kept open across requests (as the test client
    does: a request's end would otherwise close the connection of the test's transaction)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _fuzz(operation: Any, mode: GenerationMode, user: Any, examples: int, calls: list[int]) -> str:
    """The first failure of `examples` cases of one operation in one mode ('' if none)."""
    found: list[str] = []
    # A token per operation: `DELETE /auth/token/` revokes the one it is called with.
    _, key = token_issue(actor=user, name="schemathesis")
    headers = {"Authorization": f"Token {key}"}

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        if found:
            return
        calls.append(1)
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (AssertionError, FailureGroup) as error:  # the checks' failures
            found.append(f"{operation.label} [{mode.value}]: {error}"[:3000])

    try:
        run()
    except Unsatisfiable:
        # Nothing of the operation can be made schema-violating (no parameters, no body).
        assert mode == GenerationMode.NEGATIVE, operation.label
    return found[0] if found else ""


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(EXAMPLES))
def test_every_operation_answers_as_its_schema_says(world, wsgi_app, persona, settings):
    settings.LOUYU_REQUIRE_2FA = False
    schema = schemathesis.openapi.from_dict(_schema_dict())
    schema.app = wsgi_app
    user = world.users[persona]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 60
    calls: list[int] = []
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (failure := _fuzz(operation, mode, user, EXAMPLES[persona], calls))
    ]
    assert failures == [], "\n\n".join(failures)
    # Every operation was called in both modes (some have nothing to make invalid).
    assert len(calls) > len(operations) * EXAMPLES[persona]
