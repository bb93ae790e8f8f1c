"""Fuzzing the JSON API with schemathesis against csplan's own OpenAPI schema, on loopback.

Every operation of /api/openapi.json is called with generated data (valid and not) by an
admin with a bearer token, on a live server at 127.0.0.1: no answer may be a server error,
and every answer (status, content type, body) must match the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from csplan.accounts.tokens import issue_token
from csplan.api.schema import openapi
from csplan.demo import demo_user
from csplan.programme.demo import load_hampshire_demo

pytestmark = pytest.mark.django_db(transaction=True)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def admin(db, monkeypatch):
    """An admin's token and a real line (so generated bodies reach the handlers)."""
    monkeypatch.setenv("CSPLAN_DEMO_PASSWORD", "a-demo-password-for-fuzzing")
    plan = load_hampshire_demo()
    return issue_token(demo_user()), plan.lines.get(reference="C6").pk


schema = schemathesis.openapi.from_dict(openapi())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_errors_and_every_answer_matches_the_schema(case, admin, live_server):
    assert live_server.url.startswith(("http://localhost", "http://127.0.0.1"))
    token, line_id = admin
    if case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = line_id
    case.call_and_validate(
        base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )
