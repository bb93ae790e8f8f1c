"""The JSON API: one django-ninja router per noun, its OpenAPI schema derived from their types.

Money is an exact decimal string in pounds, years are ``2016/17``; every error is
``{"errors": {field: message}}`` (``csplan.api.errors``); every operation declares its
permission rule (``csplan.api.access``). Plan data lives under ``/api/plans/{plan}/``; the demand
model's data sets and scenarios, the benchmark figures and invest-to-save cases, which no plan
owns, under ``/api/demand/``, ``/api/benchmark/`` and ``/api/investment/``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Router
from ninja.parser import Parser

from csplan import __version__
from csplan.api import benchmark, cases, demand, investment, lines, monitoring, packs, plans
from csplan.api.errors import ApiError, describe_errors, install_handlers, public_answers

#: JSON nested deeper than this is refused (no csplan body needs more than a few levels).
MAX_JSON_DEPTH = 20


def json_depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class JsonBody(Parser):
    """A JSON body, refused (400, naming ``body``) when it is not JSON or nests too deeply."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body)
        except RecursionError:
            raise ApiError(400, {"body": _too_deep()}) from None
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, {"body": "The body is not valid JSON"}) from None
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ApiError(400, {"body": _too_deep()})
        return data


def _too_deep() -> str:
    return f"The JSON nests more than {MAX_JSON_DEPTH} levels deep"


api = NinjaAPI(
    title="csplan",
    version=__version__,
    description=(
        "Savings and transformation planning for English councils' children's services. "
        "Amounts are exact decimal strings in pounds (£), never numbers; financial years are "
        "written 2016/17. Sign in (session and X-CSRFToken for writes) or send "
        "Authorization: Bearer TOKEN (csplan user token NAME)."
    ),
    openapi_url=None,
    docs_url=None,
    urls_namespace="api",
    parser=JsonBody(),
)
install_handlers(api)

schema_router = Router(tags=["schema"])


@schema_router.get(
    "/openapi.json",
    response=public_answers(dict[str, Any]),
    auth=None,
    operation_id="getSchema",
    url_name="schema",
    summary="This OpenAPI document (no sign-in needed)",
)
def get_schema(request: HttpRequest) -> dict[str, Any]:
    return openapi()


ROUTERS: tuple[Router, ...] = (
    schema_router,
    plans.router,
    lines.router,
    cases.router,
    monitoring.router,
    investment.router,
    demand.router,
    benchmark.router,
    packs.router,
)
for _router in ROUTERS:
    api.add_router("", _router)


@cache
def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every operation, derived from the routers' types."""
    schema = describe_errors(api.get_openapi_schema(path_prefix="/api/"))
    return json.loads(json.dumps(schema))
