"""Every error the API gives is JSON ``{"errors": {field: message}}`` (409 adds
``current_version``), with the status documented on each operation: 400 (the request is not
valid: each field's problem), 401 (no sign-in or token), 403 (the role does not allow it), 404
(no such thing) and 409 (someone else changed the record since it was read).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from csplan.api.types import Conflict, Errors


class ApiError(Exception):
    """Stop and answer ``status`` with ``{"errors": errors}`` (plus any ``extra`` keys)."""

    def __init__(self, status: int, errors: dict[str, str], **extra: Any) -> None:
        self.status = status
        self.errors = errors
        self.extra = extra
        super().__init__(f"{status}: {errors}")


def not_found(field: str, message: str) -> ApiError:
    return ApiError(404, {field: message})


def invalid(errors: dict[str, str]) -> ApiError:
    return ApiError(400, errors)


def conflict(message: str, current_version: int) -> ApiError:
    return ApiError(409, {"version": message}, current_version=current_version)


def store_errors(errors: dict[str, str]) -> dict[str, str]:
    """A store's field names in the API's terms: ``phasing_2016`` is ``phasing.2016/17``."""
    from csplan.core.periods import FinancialYear

    result = {}
    for name, message in errors.items():
        field, _, start = name.rpartition("_")
        if field and start.isdigit() and len(start) == 4:
            name = f"{field}.{FinancialYear(int(start)).label}"
        result[name] = message
    return result


def invalid_in_store(errors: dict[str, str]) -> ApiError:
    return ApiError(400, store_errors(errors))


_DESCRIPTIONS = {
    400: "The request is not valid: each field's problem",
    401: "Not signed in and no valid bearer token",
    403: "The user's role does not allow this",
    404: "No such thing",
    409: "Someone else changed it since it was read: read it again and send its version",
}


def answers(ok: Any, *, status: int = 200, conflicts: bool = False) -> dict[int, Any]:
    """An operation's responses: ``ok`` at ``status``, and the errors it can give."""
    responses: dict[int, Any] = {status: ok, 400: Errors, 401: Errors, 403: Errors, 404: Errors}
    if conflicts:
        responses[409] = Conflict
    return responses


def public_answers(ok: Any) -> dict[int, Any]:
    """A public operation: no sign-in, so no 401 or 403 (400: a request with a NUL is refused)."""
    return {200: ok, 400: Errors}


def describe_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Give each error response of the OpenAPI document its meaning (and each parameter's
    examples the form OpenAPI gives them: one ``example``)."""
    for path in schema["paths"].values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                if int(code) in _DESCRIPTIONS:
                    response["description"] = _DESCRIPTIONS[int(code)]
            for parameter in operation.get("parameters", []):
                if isinstance(parameter.get("examples"), list):
                    parameter["example"] = parameter.pop("examples")[0]
    return schema


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, errors: dict[str, str], **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"errors": errors, **extra}, status=status)


# --- pydantic's errors as field errors -----------------------------------------------------------

_MESSAGES = {
    "missing": "This field is required",
    "extra_forbidden": "Unknown field",
    "string_type": "Send text",
    "bool_type": "Send true or false",
    "bool_parsing": "Send true or false",
    "int_type": "Send a whole number",
    "int_parsing": "Send a whole number",
    "int_from_float": "Send a whole number",
    "dict_type": "Send an object",
    "model_type": "Send an object",
    "model_attributes_type": "Send an object",
    "list_type": "Send a list",
    "date_type": "Send a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "Send a date written YYYY-MM-DD",
    "date_parsing": "Send a date written YYYY-MM-DD",
    "string_too_long": "The text is too long",
    "too_long": "Send fewer items",
    "greater_than_equal": "The number is too small",
    "less_than_equal": "The number is too large",
    "literal_error": "Choose one of the values the schema lists",
    "enum": "Choose one of the values the schema lists",
}
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}


def field_name(location: tuple[Any, ...], body_names: frozenset[str] = frozenset()) -> str:
    """``("body", "payload", "phasing", "2016/17")`` is ``phasing.2016/17``."""
    parts = list(location)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source in {"body", "form", "file"} and parts and parts[0] in body_names:
            parts.pop(0)
    shown = [str(part) for part in parts if part != "[key]"]
    return ".".join(shown) or "body"


def message_of(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    expected = (error.get("ctx") or {}).get("expected")
    limits = error.get("ctx") or {}
    if kind in ("literal_error", "enum") and expected:
        return f"Choose {expected}"
    if kind == "greater_than_equal" and "ge" in limits:
        return f"Give a number no less than {limits['ge']}"
    if kind == "less_than_equal" and "le" in limits:
        return f"Give a number no more than {limits['le']}"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    return str(error.get("msg", "Not valid")).removeprefix("Value error, ")


def field_errors(
    errors: list[dict[str, Any]], body_names: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The first problem of each field, named as the client sent it."""
    result: dict[str, str] = {}
    for error in errors:
        name = field_name(tuple(error.get("loc", ())), body_names)
        result.setdefault(name, message_of(error))
    return result


BODY_NAMES = frozenset({"payload", "upload"})


def install_handlers(api: NinjaAPI) -> None:
    """Answer every error as ``{"errors": ...}``; anything else is left to Django (a 500)."""

    def api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
        return error_response(api, request, error.status, error.errors, **error.extra)

    def validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
        return error_response(api, request, 400, field_errors(error.errors, BODY_NAMES))

    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        if isinstance(error.__cause__, ApiError):  # the body could not be read (csplan.api.app)
            return api_error(request, error.__cause__)
        if isinstance(error, AuthenticationError):
            message = "Sign in, or send the header Authorization: Bearer TOKEN"
            return error_response(api, request, 401, {"authorization": message})
        field = "body" if error.status_code == 400 else "request"
        return error_response(api, request, error.status_code, {field: str(error)})

    def missing(request: HttpRequest, error: Http404) -> HttpResponse:
        return error_response(api, request, 404, {"path": str(error) or "No such thing"})

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, missing)
