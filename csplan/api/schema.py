"""The API's OpenAPI 3.1 description, built as data (served at /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from csplan import __version__
from csplan.cases.models import CASE_TEXT_FIELDS, Characteristic, Decision, Rating
from csplan.programme.figures import LIFECYCLE_STATES, RECURRENCES

YEAR_PATTERN = r"^[0-9]{4}/[0-9]{2}$"
_REF = "#/components/schemas/"


def ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [schema, {"type": "null"}]}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": json_content(schema or ref("Errors"))}


ERRORS = {
    "400": response("The request is not valid: each field's problem"),
    "401": response("Not signed in and no valid bearer token"),
    "403": response("The user's role does not allow this"),
    "404": response("No such thing"),
}


def operation(
    operation_id: str,
    summary: str,
    ok: dict[str, dict[str, Any]],
    *,
    body: dict[str, Any] | None = None,
    errors: tuple[str, ...] = ("400", "401", "403", "404"),
    tags: tuple[str, ...] = ("programme",),
) -> dict[str, Any]:
    """One operation: its successful responses ``ok`` plus the standard error responses."""
    result: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": list(tags),
        # 400 on every operation: a request with a NUL character is refused before routing.
        "responses": {**ok, **{code: ERRORS[code] for code in ("400", *errors)}},
    }
    if body is not None:
        result["requestBody"] = {"required": True, "content": json_content(body)}
    return result


def _money() -> dict[str, Any]:
    return {
        "type": "string",
        "pattern": r"^-?[0-9]+\.[0-9]{2}$",
        "description": "Pounds sterling as a decimal string (exact, never a binary float)",
        "examples": ["1500000.00"],
    }


def _by_year(value: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "propertyNames": {"pattern": YEAR_PATTERN},
        "additionalProperties": value,
    }


_LINE_FIELDS: dict[str, Any] = {
    "reference": {"type": "string", "examples": ["C3"]},
    "title": {"type": "string"},
    "workstream": {"type": "string", "description": "The workstream's name"},
    "service_activity": {"type": "string"},
    "description": {"type": "string"},
    "impact": {"type": "string"},
    "sro_role": {"type": "string", "description": "A role, never a person's name"},
    "lifecycle": {"type": "string", "enum": list(LIFECYCLE_STATES)},
    "rag": {"type": "string", "description": "A code of the council's RAG key, or empty"},
    "key_decision": {"type": ["boolean", "null"]},
    "public_consultation": {"type": ["boolean", "null"]},
    "staff_consultation": {"type": ["boolean", "null"]},
    "recurrence": {"type": "string", "enum": list(RECURRENCES)},
    "fte": nullable({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}),
    "fte_note": {"type": "string"},
    "baseline_budget": nullable(ref("Money")),
    "phasing": ref("Phasing"),
}


def _schemas() -> dict[str, Any]:
    line_input = {"type": "object", "properties": _LINE_FIELDS, "additionalProperties": False}
    return {
        "Money": _money(),
        "Year": {"type": "string", "pattern": YEAR_PATTERN, "examples": ["2016/17"]},
        "Phasing": {
            **_by_year(ref("Money")),
            "description": "Incremental saving per financial year (the change in that year)",
        },
        "Errors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {"type": "object", "additionalProperties": {"type": "string"}},
                "current_version": {"type": "integer"},
            },
        },
        "Workstream": {
            "type": "object",
            "required": ["id", "name", "budget", "is_workstream"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "budget": ref("Money"),
                "is_workstream": {"type": "boolean"},
            },
            "additionalProperties": False,
        },
        "Programme": {
            "type": "object",
            "required": ["council", "plan", "targets", "workstreams"],
            "properties": {
                "council": {
                    "type": "object",
                    "required": ["name", "la_code", "sign_convention", "rag_key"],
                    "properties": {
                        "name": {"type": "string"},
                        "la_code": {"type": "string"},
                        "sign_convention": {"type": "string", "enum": ["positive", "negative"]},
                        "rag_key": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "plan": {
                    "type": "object",
                    "required": ["id", "name", "department", "years"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "department": {"type": "string"},
                        "years": {"type": "array", "items": ref("Year")},
                    },
                },
                "targets": {**_by_year(ref("Money")), "description": "Incremental target"},
                "workstreams": {"type": "array", "items": ref("Workstream")},
            },
            "additionalProperties": False,
        },
        "Line": {
            "type": "object",
            "required": [
                "id",
                "uid",
                "url",
                *_LINE_FIELDS,
                "version",
                "full_year_effect",
                "owners",
            ],
            "properties": {
                "id": {"type": "integer"},
                "uid": {"type": "string", "format": "uuid"},
                "url": {"type": "string"},
                **_LINE_FIELDS,
                "version": {"type": "integer", "minimum": 1},
                "full_year_effect": ref("Money"),
                "owners": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": False,
        },
        "LineList": {
            "type": "object",
            "required": ["lines"],
            "properties": {"lines": {"type": "array", "items": ref("Line")}},
            "additionalProperties": False,
        },
        "NewLine": {**line_input, "required": ["reference", "title", "workstream"]},
        "LineChange": {
            **line_input,
            "properties": {**_LINE_FIELDS, "version": {"type": "integer", "minimum": 1}},
            "required": ["version"],
        },
        "LinePhasing": {
            "type": "object",
            "required": ["line", "reference", "version", "form", "phasing", "total"],
            "properties": {
                "line": {"type": "integer"},
                "reference": {"type": "string"},
                "version": {"type": "integer"},
                "form": {"const": "incremental"},
                "phasing": ref("Phasing"),
                "total": ref("Money"),
            },
            "additionalProperties": False,
        },
        "PhasingChange": {
            "type": "object",
            "required": ["version", "phasing"],
            "properties": {
                "version": {"type": "integer", "minimum": 1},
                "form": {"const": "incremental"},
                "phasing": ref("Phasing"),
            },
        },
        **_case_schemas(),
    }


_LINE_ID = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
    "description": "The savings line's id",
}
_FILTERS = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
    for name in ("workstream", "lifecycle", "rag")
]
_CONFLICT = {"409": response("The line changed since its version was read: reload it")}


def _paths() -> dict[str, Any]:
    return {
        "/api/openapi.json": {
            "get": {
                "operationId": "getSchema",
                "summary": "This OpenAPI document",
                "tags": ["meta"],
                "security": [],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": json_content({"type": "object"}),
                    }
                },
            }
        },
        "/api/programme": {
            "get": operation(
                "getProgramme",
                "The programme: council, plan years, targets and workstreams",
                {"200": response("The programme", ref("Programme"))},
            )
        },
        "/api/lines": {
            "get": {
                **operation(
                    "listLines", "Savings lines", {"200": response("Lines", ref("LineList"))}
                ),
                "parameters": _FILTERS,
            },
            "post": operation(
                "createLine",
                "Add a savings line (finance, admin)",
                {"201": response("The new line", ref("Line"))},
                body=ref("NewLine"),
                errors=("400", "401", "403", "404"),
            ),
        },
        "/api/lines/{id}": {
            "parameters": [_LINE_ID],
            "get": operation(
                "getLine", "One savings line", {"200": response("The line", ref("Line"))}
            ),
            "patch": operation(
                "updateLine",
                "Change some fields of a line (its owner, finance, admin); send its version",
                {"200": response("The line as saved", ref("Line")), **_CONFLICT},
                body=ref("LineChange"),
                errors=("400", "401", "403", "404"),
            ),
        },
        "/api/lines/{id}/phasing": {
            "parameters": [_LINE_ID],
            "get": operation(
                "getPhasing",
                "The line's incremental phasing by financial year",
                {"200": response("Phasing", ref("LinePhasing"))},
            ),
            "put": operation(
                "replacePhasing",
                "Replace the line's phasing (its owner, finance, admin); send its version",
                {"200": response("Phasing as saved", ref("LinePhasing")), **_CONFLICT},
                body=ref("PhasingChange"),
                errors=("400", "401", "403", "404"),
            ),
        },
        **_case_paths(),
    }


def openapi() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "csplan API",
            "version": __version__,
            "description": "Children's services savings programme: lines, phasing, cases. "
            "Money is a decimal string in pounds; years are written 2016/17. Errors are "
            '{"errors": {field: message}}.',
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from `csplan user token NAME`",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "sessionid",
                    "description": "The web app's session; writes also need the X-CSRFToken header",
                },
            },
            "schemas": _schemas(),
        },
        "paths": _paths(),
    }


def _object(required: list[str], properties: dict[str, Any], closed: bool = True) -> dict[str, Any]:
    result = {"type": "object", "required": required, "properties": properties}
    return {**result, "additionalProperties": False} if closed else result


def _case_schemas() -> dict[str, Any]:
    text = {"type": "string"}
    texts = {"type": "object", "properties": dict.fromkeys(CASE_TEXT_FIELDS, text),
             "additionalProperties": text}  # fmt: skip
    risk = {
        "title": text, "likelihood": {"type": "integer", "minimum": 1, "maximum": 5},
        "impact": {"type": "integer", "minimum": 1, "maximum": 5}, "owner_role": text,
        "mitigation": text,
    }  # fmt: skip
    dependency = {"title": text, "line_reference": text}
    case_fields = {
        "title": text, "summary": text, "sro_role": text, "texts": texts,
        "risks": {"type": "array", "items": _object(["title", "likelihood", "impact"], risk)},
        "dependencies": {"type": "array", "items": _object(["title"], dependency)},
    }  # fmt: skip
    rated = {"rating": {"enum": list(Rating.values)}, "note": text, "mitigation": text}
    amounts = {"line": {"type": "integer"}, "amounts": ref("Phasing")}
    decision_fields = {
        "body": {"enum": list(Decision.Body.values)},
        "body_name": text,
        "kind": {"enum": list(Decision.Kind.values)},
        "date": {"type": "string", "format": "date"},
        "reference": text,
        "summary": text,
    }
    return {
        "BusinessCase": _object(
            ["line", "reference", "version", *case_fields],
            {
                "line": {"type": "integer"},
                "reference": text,
                "version": {"type": "integer"},
                **case_fields,
                "risks": {
                    "type": "array",
                    "items": _object(
                        ["title", "likelihood", "impact", "score", "owner_role", "mitigation"],
                        {**risk, "score": {"type": "integer"}},
                    ),
                },
            },
        ),  # fmt: skip
        "BusinessCaseChange": _object(
            ["title"], {**case_fields, "version": {"type": "integer", "minimum": 1}}
        ),
        "Equality": _object(
            ["line", "reference", "ratings"],
            {
                "line": {"type": "integer"},
                "reference": text,
                "ratings": _object(
                    list(Characteristic.values),
                    dict.fromkeys(Characteristic.values, nullable(_object(list(rated), rated))),
                ),
            },
        ),
        "EqualityChange": _object(
            ["ratings"],
            {
                "ratings": {
                    "type": "object",
                    "propertyNames": {"enum": list(Characteristic.values)},
                    "additionalProperties": _object(["rating"], rated),
                }
            },
        ),  # fmt: skip
        "Decision": _object(
            ["id", *decision_fields, "lines"],
            {
                "id": {"type": "integer"},
                **decision_fields,
                "lines": {
                    "type": "array",
                    "items": _object(
                        ["line", "reference", "amounts"], {**amounts, "reference": text}
                    ),
                },
            },
        ),  # fmt: skip
        "LifecycleChange": _object(
            ["version", "lifecycle"],
            {
                "version": {"type": "integer", "minimum": 1},
                "lifecycle": {"enum": list(LIFECYCLE_STATES)},
                "signed_off_by_finance": {"type": "boolean"},
                "sign_off_note": text,
                "reason": text,
            },
        ),
        "DecisionList": _object(
            ["decisions"], {"decisions": {"type": "array", "items": ref("Decision")}}
        ),
        "NewDecision": _object(
            ["body", "date", "reference", "lines"],
            {**decision_fields, "lines": {"type": "array", "items": _object(["line"], amounts)}},
        ),
    }


def _case_paths() -> dict[str, Any]:
    write_errors = ("400", "401", "403", "404")
    tags = ("cases",)
    return {
        "/api/lines/{id}/case": {
            "parameters": [_LINE_ID],
            "get": operation(
                "getBusinessCase", "The line's business case",
                {"200": response("The case", ref("BusinessCase"))}, tags=tags,
            ),
            "put": operation(
                "saveBusinessCase",
                "Write the line's business case (its owner, finance, admin); an edit sends the "
                "case's version",
                {"200": response("The case as saved", ref("BusinessCase")),
                 "201": response("The new case", ref("BusinessCase")), **_CONFLICT},
                body=ref("BusinessCaseChange"), errors=write_errors, tags=tags,
            ),
        },
        "/api/lines/{id}/equality": {
            "parameters": [_LINE_ID],
            "get": operation(
                "getEquality", "Equality impact of the line on each protected characteristic",
                {"200": response("Ratings", ref("Equality"))}, tags=tags,
            ),
            "put": operation(
                "setEquality", "Rate some characteristics (its owner, finance, admin)",
                {"200": response("All ratings as saved", ref("Equality"))},
                body=ref("EqualityChange"), errors=write_errors, tags=tags,
            ),
        },
        "/api/lines/{id}/status": {
            "parameters": [_LINE_ID],
            "post": operation(
                "changeLifecycle",
                "Move the line to a new lifecycle status by the rules (decisions, consultations, "
                "evidence); delivered needs the finance sign-off",
                {"200": response("The line as saved", ref("Line")), **_CONFLICT},
                body=ref("LifecycleChange"), errors=write_errors, tags=tags,
            ),
        },
        "/api/decisions": {
            "get": operation(
                "listDecisions", "Decisions on the programme's savings",
                {"200": response("Decisions", ref("DecisionList"))}, tags=tags,
            ),
            "post": operation(
                "recordDecision", "Record a decision (finance, admin)",
                {"201": response("The decision", ref("Decision"))},
                body=ref("NewDecision"), errors=write_errors, tags=tags,
            ),
        },
    }  # fmt: skip
