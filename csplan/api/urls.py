"""The API's addresses: one route per path, each carrying the access its operations declare.

django-ninja makes one URL pattern per operation; a path's operations share one view that
picks the operation by method. Here each path keeps one pattern, whose view
- carries ``csplan_access`` (``csplan.accounts.access.Access``), so the role matrix classifies
  every API operation like every page;
- answers a method the path does not have with 405 and JSON (after signing the caller in, so
  an anonymous caller gets 401 first, as everywhere else), and HEAD like GET.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from ninja.utils import normalize_path, replace_path_param_notation

from csplan.accounts.access import PUBLIC, Access
from csplan.api.access import caller, rule_of
from csplan.api.app import ROUTERS, api
from csplan.api.errors import ApiError, error_response

app_name = "api"


def _route(path: str) -> str:
    return normalize_path(replace_path_param_notation(path)).lstrip("/")


def _access(operations: list[Any]) -> Access:
    """One path's access: the rule of its GET, the rule of its writes and their methods."""
    read: str | None = None
    write: str | None = None
    write_methods: list[str] = []
    line_arg = None
    for operation in operations:
        rule, line = rule_of(operation.auth_callbacks)
        rule = rule or PUBLIC
        line_arg = line_arg or line
        if operation.methods == ["GET"]:
            read = rule
            continue
        if write not in (None, rule):
            raise ValueError(f"{operation.path}: its writes declare different rules")
        write = rule
        write_methods += operation.methods
    if read == PUBLIC and write is None:
        return Access(read=PUBLIC, write=None, api=True, write_methods=())
    # A read-only path names POST as its write method, like a page: the role matrix then
    # checks that POST is refused (405) to everyone.
    return Access(read, write, line_arg, api=True, write_methods=tuple(write_methods or ["POST"]))


def _declared() -> dict[str, tuple[Access, list[str]]]:
    """Each route's access and methods, from the routers' operations."""
    declared = {}
    for router in ROUTERS:
        for path, path_view in router.path_operations.items():
            methods = [m for op in path_view.operations for m in op.methods]
            declared[_route(path)] = (_access(path_view.operations), methods)
    return declared


def _guarded(view: Callable[..., HttpResponse], access: Access, methods: list[str]) -> Any:
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "HEAD" and "GET" in methods:
            request.method = "GET"
            response = view(request, *args, **kwargs)
            response.content = b""
            return response
        if request.method not in methods:
            return _not_allowed(request, access, methods)
        return view(request, *args, **kwargs)

    answer.csrf_exempt = True  # type: ignore[attr-defined]
    answer.csplan_access = access  # type: ignore[attr-defined]
    return answer


def _not_allowed(request: HttpRequest, access: Access, methods: list[str]) -> HttpResponse:
    if access.read != PUBLIC:
        try:
            caller(request)
        except ApiError as error:
            return error_response(api, request, error.status, error.errors)
    response = error_response(api, request, 405, {"method": f"Use {' or '.join(methods)}"})
    response["Allow"] = ", ".join(methods)
    return response


def _patterns() -> list[URLPattern]:
    declared = _declared()
    kept: dict[str, URLPattern] = {}
    for pattern in api.urls[0]:
        route = str(pattern.pattern)
        if route in kept or route not in declared:  # ninja's own root page is not served
            continue
        access, methods = declared[route]
        pattern.callback = _guarded(pattern.callback, access, methods)
        kept[route] = pattern
    return list(kept.values())


urlpatterns = _patterns()
