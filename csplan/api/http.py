"""The API's plumbing: authentication (session or bearer token), CSRF, permissions, JSON errors.

Every endpoint is wrapped by ``endpoint(...)``, which declares the same ``Access`` as the
pages (``csplan.accounts.access``), so the role matrix covers the API too. Errors are JSON
``{"errors": {field: message}}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from csplan.accounts.access import MESSAGES, RULES, SAFE_METHODS, VIEW, Access
from csplan.accounts.tokens import user_for_token
from csplan.programme.models import SavingsLine

View = Callable[..., HttpResponse]


class ApiError(Exception):
    """Stop and answer ``status`` with ``{"errors": errors}`` (plus any ``extra`` keys)."""

    def __init__(self, status: int, errors: dict[str, str], **extra: Any) -> None:
        self.status = status
        self.errors = errors
        self.extra = extra
        super().__init__(f"{status}: {errors}")


def error_response(status: int, errors: dict[str, str], **extra: Any) -> JsonResponse:
    return JsonResponse({"errors": errors, **extra}, status=status)


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object, or a 400."""
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, {"body": "The body is not valid JSON"}) from None
    if not isinstance(body, dict):
        raise ApiError(400, {"body": "Send a JSON object"})
    return body


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


def _csrf_problem(request: HttpRequest) -> str | None:
    return _CsrfCheck(lambda r: HttpResponse()).process_view(request, None, (), {})


def _authenticate(request: HttpRequest) -> bool:
    """Set ``request.user`` from the session or a bearer token (True when by token).

    No credentials, or a token that is not valid, is a 401.
    """
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        if not request.user.is_authenticated:
            raise ApiError(
                401, {"authorization": "Sign in, or send the header Authorization: Bearer TOKEN"}
            )
        return False
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(401, {"authorization": "The bearer token is not valid (or was revoked)"})
    request.user = user
    return True


def _check_csrf(request: HttpRequest) -> None:
    problem = _csrf_problem(request)
    if problem:
        raise ApiError(403, {"csrf": f"CSRF check failed ({problem}); send X-CSRFToken"})


def endpoint(
    read: str | None = VIEW,
    write: str | None = None,
    write_methods: tuple[str, ...] = ("POST",),
    line_arg: str | None = None,
) -> Callable[[View], View]:
    """Guard an API view: ``read`` for GET, ``write`` for ``write_methods``."""
    access = Access(read, write, line_arg, api=True, write_methods=write_methods)
    allowed = [*(["GET"] if read else []), *(write_methods if write else [])]

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            try:
                return _run(view, request, kwargs)
            except ApiError as error:
                return error_response(error.status, error.errors, **error.extra)

        def _run(view: View, request: HttpRequest, kwargs: dict[str, Any]) -> HttpResponse:
            method = request.method or "GET"
            by_token = _authenticate(request)
            if method not in allowed and not (method == "HEAD" and read):
                response = error_response(405, {"method": f"Use {' or '.join(allowed)}"})
                response["Allow"] = ", ".join(allowed)
                return response
            if not by_token and method not in SAFE_METHODS:
                _check_csrf(request)
            rule = access.rule_for(method)
            line = _line(kwargs[line_arg]) if line_arg else None
            if not RULES[rule](request.user, line):
                raise ApiError(403, {"permission": MESSAGES[rule]})
            if line is not None:  # the view gets the savings line, not its id
                del kwargs[line_arg]
                kwargs["line"] = line
            return view(request, **kwargs)

        exempt = csrf_exempt(guarded)
        exempt.csplan_access = access  # type: ignore[attr-defined]
        return exempt

    return decorate


def _line(pk: int) -> SavingsLine:
    line = SavingsLine.objects.select_related("plan__council", "workstream").filter(pk=pk).first()
    if line is None:
        raise ApiError(404, {"id": f"There is no savings line {pk}"})
    return line


def request_plan(request: HttpRequest) -> Any:
    """The plan named by ``?plan=`` (slug or name), or the only plan in use."""
    from csplan.programme.plans import PlanChoiceError, active_plans, chosen_plan

    named = request.GET.get("plan")
    try:
        return chosen_plan(named)
    except PlanChoiceError as error:
        missing = named or not active_plans().exists()
        raise ApiError(404 if missing else 400, {"plan": str(error)}) from None
