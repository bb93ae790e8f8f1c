"""The OpenAPI document itself: valid OpenAPI 3.1, served publicly, one operation per route."""

import re

import pytest
from django.urls import get_resolver
from openapi_spec_validator import validate

from csplan.accounts.access import PUBLIC, access_of

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"] == "3.1.0"


def test_the_schema_is_served_without_a_sign_in(client, spec, api_as):
    response = api_as().call("GET", "/api/openapi.json")
    assert response.status_code == 200 and response.json() == spec


def test_every_api_route_is_described(spec):
    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if str(p.pattern) == "api/")
    routes = {
        "/api/" + re.sub(r"<\w+:(\w+)>", r"{\1}", str(p.pattern)).replace("{pk}", "{id}")
        for p in api.url_patterns
    }
    assert routes == set(spec["paths"])
    for pattern in api.url_patterns:
        declared = access_of(pattern.callback)
        route = "/api/" + re.sub(r"<\w+:(\w+)>", r"{\1}", str(pattern.pattern))
        described = set(spec["paths"][route.replace("{pk}", "{id}")]) - {"parameters"}
        if declared.read == PUBLIC:
            assert described == {"get"}
            continue
        methods = {"get"} if declared.read else set()
        methods |= {m.lower() for m in declared.write_methods} if declared.write else set()
        assert described == methods, route
    operations = [
        op["operationId"] for path in spec["paths"].values() for key, op in path.items()
        if key != "parameters"
    ]  # fmt: skip
    assert len(operations) == len(set(operations))
    assert set(operations) == {
        "getSchema", "getProgramme", "listLines", "createLine", "getLine", "updateLine",
        "getPhasing", "replacePhasing", "getBusinessCase", "saveBusinessCase", "getEquality",
        "setEquality", "changeLifecycle", "listDecisions", "recordDecision",
    }  # fmt: skip
