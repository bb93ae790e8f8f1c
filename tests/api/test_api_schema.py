"""The OpenAPI document: derived from the routers' types, valid OpenAPI 3.1, served publicly,
one operation per route and method, covering every area of the product."""

import re

import pytest
from django.urls import get_resolver
from openapi_spec_validator import validate

from csplan.accounts.access import PUBLIC, access_of

pytestmark = pytest.mark.django_db

AREAS = {"plans", "lines", "cases", "monitoring", "investment", "demand", "benchmark", "packs"}


def test_the_schema_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    assert set(spec["components"]["securitySchemes"]) == {"BearerToken", "SessionCookie"}


def test_the_schema_is_served_without_a_sign_in(spec, api_as):
    response = api_as().call("GET", "/api/openapi.json")
    assert response.status_code == 200 and response.json() == spec


def _api_routes():
    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/")
    for pattern in api.url_patterns:
        yield "/api/" + re.sub(r"<\w+:(\w+)>|<(\w+)>", r"{\1\2}", str(pattern.pattern)), pattern


def test_every_api_route_is_described_with_the_access_it_declares(spec):
    routes = dict(_api_routes())
    assert set(routes) == set(spec["paths"])
    for route, pattern in routes.items():
        declared = access_of(pattern.callback)
        assert declared is not None and declared.api, route
        described = set(spec["paths"][route])
        if declared.read == PUBLIC:
            assert described == {"get"}
            assert "security" not in spec["paths"][route]["get"]
            continue
        methods = {"get"} if declared.read else set()
        methods |= {m.lower() for m in declared.write_methods} if declared.write else set()
        assert described == methods, route
        for operation in spec["paths"][route].values():
            assert operation["security"] == [{"BearerToken": []}, {"SessionCookie": []}]


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_schema_covers_every_area_of_the_product(spec):
    operations = [op["operationId"] for _, _, op in _operations(spec)]
    assert len(operations) == len(set(operations))
    tags = {tag for _, _, op in _operations(spec) for tag in op["tags"]}
    assert tags == AREAS | {"schema"}
    assert set(operations) == {
        "getSchema", "listPlans", "getPlan", "getPlanTable", "createPlan", "updatePlan",
        "listLines", "createLine", "getLine", "updateLine", "getPhasing", "replacePhasing",
        "getBusinessCase", "saveBusinessCase", "getEquality", "setEquality", "getEqualitySummary",
        "changeLifecycle", "listDecisions", "recordDecision", "listConsultations",
        "recordConsultation", "recordConsultationOutcome",
        "getMonitoring", "getLineMonitoring", "recordMonitoring", "listMovements",
        "recordMovement",
        "listInvestmentCases", "getInvestmentCase", "recordActualSaving",
            "createInvestmentCase", "replaceInvestmentCase",
        "listDatasets", "uploadDataset", "getDataset", "getForecast", "listScenarios",
        "saveScenario", "getScenario", "attachDemandEvidence",
        "getBenchmarkIndex", "getBenchmark", "getBenchmarkGap", "attachGapEvidence",
        "getPack", "listPacks", "publishPack", "getPublishedPack",
    }  # fmt: skip
    plan_scoped = {path for path in spec["paths"] if path.startswith("/api/plans/{plan}")}
    assert len(plan_scoped) == 20


def test_every_operation_documents_its_errors(spec):
    for path, method, operation in _operations(spec):
        codes = set(operation["responses"])
        if operation["operationId"] == "getSchema":
            assert codes == {"200", "400"}
            continue
        assert {"400", "401", "403", "404"} <= codes, (path, method)
        for code in ("400", "401", "403", "404"):
            schema = operation["responses"][code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Errors"}
    conflicts = {op["operationId"] for _, _, op in _operations(spec) if "409" in op["responses"]}
    assert conflicts == {
        "updateLine", "replacePhasing", "saveBusinessCase", "changeLifecycle", "updatePlan",
    }  # fmt: skip
    for operation_id in conflicts:
        operation = next(op for _, _, op in _operations(spec) if op["operationId"] == operation_id)
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert "version" in spec["components"]["schemas"][body.rsplit("/", 1)[-1]]["properties"]


def _numbers(schema, where=""):
    """Every place a schema allows a JSON number (a binary float)."""
    if isinstance(schema, dict):
        if schema.get("type") == "number":
            yield where
        for key, value in schema.items():
            yield from _numbers(value, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            yield from _numbers(value, f"{where}/{index}")


def test_no_amount_of_money_is_a_number(spec):
    """Money is a decimal string in pounds; the only numbers are the model's children counts."""
    numbers = set(_numbers(spec))
    assert numbers == {
        "/components/schemas/Actual/properties/children",
        "/components/schemas/FanPointOut/properties/p10",
        "/components/schemas/FanPointOut/properties/p50",
        "/components/schemas/FanPointOut/properties/p90",
    }
    money = spec["components"]["schemas"]["LineOut"]["properties"]["full_year_effect"]
    assert money["type"] == "string" and "£" in money["description"]
    year = spec["components"]["schemas"]["Period"]["properties"]["year"]
    assert year["pattern"] == "^[0-9]{4}/[0-9]{2}$"
