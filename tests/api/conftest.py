"""The API under test: demo users of every role, and a caller that checks every response
against the operation's schema in /api/openapi.json."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from csplan.accounts.demo import load_role_users
from csplan.api.schema import openapi
from csplan.cases.demo import load_hampshire_demo
from csplan.demo import demo_user

PASSWORD = "a-demo-password-for-tests"
SPEC_URI = "urn:csplan-api"


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def plan():
    return load_hampshire_demo()


@pytest.fixture
def people(plan, monkeypatch):
    monkeypatch.setenv("CSPLAN_DEMO_PASSWORD", PASSWORD)
    users = load_role_users(plan, PASSWORD)
    users["admin"] = demo_user()
    return users


@pytest.fixture
def lines(plan):
    return {line.reference: line for line in plan.lines.all()}


@pytest.fixture
def slug(plan):
    return plan.slug


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


class Api:
    """Calls the API as one user (session or token) and validates each answer's body."""

    def __init__(self, spec: dict, client: Client, token: str | None = None) -> None:
        self.spec = spec
        self.client = client
        self.token = token
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(SPEC_URI, resource)
        self.checked: list[tuple[str, str, int]] = []

    def call(self, method: str, template: str, body=None, raw: str | None = None, **params):
        query = params.pop("query", "")
        path = template.format(**params)
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        send = getattr(self.client, method.lower())
        if method in ("GET", "HEAD"):
            response = send(path + query, **extra)
        else:
            data = raw if raw is not None else json.dumps(body if body is not None else {})
            response = send(path, data=data, content_type="application/json", **extra)
        self.check(method, template, response)
        return response

    def check(self, method: str, template: str, response) -> None:
        operation = self.spec["paths"][template][method.lower()]
        code = str(response.status_code)
        assert code in operation["responses"], f"{method} {template}: {code} is not in the schema"
        assert response["Content-Type"].split(";")[0] == "application/json"
        pointer = _pointer("paths", template, method.lower(), "responses", code, "content")
        schema = {"$ref": f"{SPEC_URI}#{pointer}/application~1json/schema"}
        Draft202012Validator(schema, registry=self.registry).validate(response.json())
        self.checked.append((method, template, response.status_code))


@pytest.fixture(scope="session")
def spec():
    return openapi()


@pytest.fixture
def api_as(spec):
    """``api_as(user)`` signs in with a session; ``api_as(token=...)`` sends a bearer token."""

    def make(user=None, *, token: str | None = None, csrf: bool = False) -> Api:
        client = Client(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_login(user)
        return Api(spec, client, token)

    return make
