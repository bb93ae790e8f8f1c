"""Who may call an API operation: a bearer token or a session (with its CSRF token for
writes), then the same permission rules as the pages (``csplan.accounts.access.RULES``).

Each operation names its rule with ``auth=allow(RULE)`` (``allow(LINE, line="line")`` checks
the rule against the savings line in the path). The check runs before the body is read, so a
role that may not write gets 403 whatever it sends. The rule also classifies the operation for
the role matrix (``csplan.api.urls`` puts it on the route as ``csplan_access``).

A path under ``/api/plans/{plan}/`` is scoped to that plan: the plan (404 when unknown) and
the line (404 when it is not the plan's) are found here, once, and the operation reads them
with ``scope(request)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from ninja.security import APIKeyCookie, HttpBearer

from csplan.accounts.access import MESSAGES, RULES, SAFE_METHODS
from csplan.accounts.tokens import user_for_token
from csplan.api.errors import ApiError, not_found
from csplan.programme.models import Plan, SavingsLine


@dataclass
class Scope:
    """The plan and savings line an operation's path names (None when it names none)."""

    plan: Plan | None = None
    line: SavingsLine | None = None


def scope(request: HttpRequest) -> Scope:
    return getattr(request, "csplan_scope", None) or Scope()


def plan_of(request: HttpRequest) -> Plan:
    plan = scope(request).plan
    if plan is None:  # pragma: no cover - every plan-scoped operation's auth sets it
        raise ApiError(404, {"plan": "This operation names no plan"})
    return plan


def line_of(request: HttpRequest) -> SavingsLine:
    line = scope(request).line
    if line is None:  # pragma: no cover - every line operation's auth sets it
        raise ApiError(404, {"line": "This operation names no savings line"})
    return line


def find_plan(slug: str) -> Plan:
    plan = Plan.objects.select_related("council").filter(slug=slug).first()
    if plan is None:
        raise not_found("plan", f"There is no plan {slug!r}: GET /api/plans lists them")
    return plan


def find_line(plan: Plan, pk: int) -> SavingsLine:
    line = (
        SavingsLine.objects.select_related("plan__council", "workstream")
        .filter(pk=pk, plan=plan)
        .first()
    )
    if line is None:
        raise not_found("line", f"There is no savings line {pk} in the plan {plan.slug}")
    return line


def _scope_of(request: HttpRequest, line_arg: str | None) -> Scope:
    arguments = request.resolver_match.kwargs if request.resolver_match else {}
    found = Scope()
    if "plan" in arguments:
        found.plan = find_plan(arguments["plan"])
    if line_arg is not None and found.plan is not None:
        found.line = find_line(found.plan, arguments[line_arg])
    return found


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:  # type: ignore[override]
        return reason


def _csrf_problem(request: HttpRequest) -> str | None:
    return _CsrfCheck(lambda r: HttpResponse()).process_view(request, None, (), {})


_SIGN_IN = "Sign in, or send the header Authorization: Bearer TOKEN"
_INVALID_TOKEN = "The bearer token is not valid (or was revoked)"


def token_user(request: HttpRequest) -> Any | None:
    """The user of the request's bearer token; None without one; 401 for a bad one."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(401, {"authorization": _INVALID_TOKEN})
    return user


def caller(request: HttpRequest) -> Any:
    """Who sends the request: the bearer token's user, else the session's; 401 for no one."""
    user = token_user(request)
    if user is not None:
        return user
    if not request.user.is_authenticated:
        raise ApiError(401, {"authorization": _SIGN_IN})
    return request.user


class _Rule:
    """The permission rule of an operation, checked once the caller is known."""

    rule: str
    line_arg: str | None

    def permit(self, request: HttpRequest, user: Any) -> Any:
        request.user = user
        found = _scope_of(request, self.line_arg)
        if not RULES[self.rule](user, found.line):
            raise ApiError(403, {"permission": MESSAGES[self.rule]})
        request.csplan_scope = found
        return user


class BearerToken(_Rule, HttpBearer):
    """``Authorization: Bearer TOKEN`` (``csplan user token NAME`` issues one)."""

    def __init__(self, rule: str, line_arg: str | None = None) -> None:
        self.rule, self.line_arg = rule, line_arg
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        user = token_user(request)
        return None if user is None else self.permit(request, user)

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        return user_for_token(token)


class SessionCookie(_Rule, APIKeyCookie):
    """The web app's sign-in; a write also needs the CSRF token (header ``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, rule: str, line_arg: str | None = None) -> None:
        self.rule, self.line_arg = rule, line_arg
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            raise ApiError(401, {"authorization": _SIGN_IN})
        if request.method not in SAFE_METHODS:
            problem = _csrf_problem(request)
            if problem:
                raise ApiError(403, {"csrf": f"CSRF check failed ({problem}); send X-CSRFToken"})
        return self.permit(request, request.user)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return request.user if request.user.is_authenticated else None


def allow(rule: str, *, line: str | None = None) -> list[Any]:
    """The ``auth`` of an operation guarded by ``rule`` (against the path's line ``line``)."""
    if rule not in RULES:
        raise ValueError(f"unknown permission rule {rule!r}")
    return [BearerToken(rule, line), SessionCookie(rule, line)]


def rule_of(auth_callbacks: Any) -> tuple[str | None, str | None]:
    """The rule and line argument an operation declares (``(None, None)``: public)."""
    for callback in auth_callbacks or ():
        if isinstance(callback, _Rule):
            return callback.rule, callback.line_arg
    return None, None
