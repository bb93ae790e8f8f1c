"""The API's endpoints. Thin: parse the JSON, call csplan.programme, answer JSON."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from csplan.accounts.access import LINE, PROGRAMME, public
from csplan.accounts.permissions import can_set_lifecycle
from csplan.api import parsing
from csplan.api.http import ApiError, endpoint, json_body, request_plan
from csplan.api.schema import openapi
from csplan.api.serializers import line_json, phasing_json, programme_json
from csplan.programme.figures import LineFigures
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.store import (
    LineValidationError,
    StaleLineError,
    create_line,
    line_figures,
    update_line,
)

_LINE_FILTERS = ("workstream", "lifecycle", "rag")


def _plan(request: HttpRequest) -> Plan:
    return request_plan(request)


@public
@require_safe
def schema(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi())


@endpoint()
def programme(request: HttpRequest) -> HttpResponse:
    return JsonResponse(programme_json(_plan(request)))


@endpoint(write=PROGRAMME)
def lines(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    if request.method == "POST":
        return _create(request, plan)
    chosen = plan.lines.select_related("workstream").prefetch_related("phasing")
    filters = {name: request.GET[name] for name in _LINE_FILTERS if request.GET.get(name)}
    if "workstream" in filters:
        filters["workstream__name"] = filters.pop("workstream")
    return JsonResponse({"lines": [line_json(line) for line in chosen.filter(**filters)]})


def _create(request: HttpRequest, plan: Plan) -> HttpResponse:
    changes = parsing.line_changes(json_body(request), creating=True)
    figures = replace(LineFigures(reference="", title="", workstream="", phasing={}), **changes)
    _check_lifecycle(request, None, figures)
    try:
        line = create_line(plan, figures, user=request.user, reason="Created through the API")
    except LineValidationError as error:
        raise ApiError(400, parsing.store_errors(error.errors)) from None
    body = line_json(line)
    response = JsonResponse(body, status=201)
    response["Location"] = body["url"]
    return response


@endpoint(write=LINE, write_methods=("PATCH",), line_arg="pk")
def line_detail(request: HttpRequest, line: SavingsLine) -> HttpResponse:
    if request.method == "PATCH":
        body = json_body(request)
        changes = parsing.line_changes(body, creating=False)
        if changes.get("lifecycle", line.lifecycle) != line.lifecycle:
            raise ApiError(
                400,
                {
                    "lifecycle": "Change the lifecycle with POST "
                    + reverse("api:status", args=[line.pk])
                    + ": the rules check decisions, consultations and evidence"
                },
            )
        figures = replace(line_figures(line), **changes)
        saved = _update(request, line, figures, parsing.version(body))
        return JsonResponse(line_json(saved))
    return JsonResponse(line_json(line))


@endpoint(write=LINE, write_methods=("PUT",), line_arg="pk")
def line_phasing(request: HttpRequest, line: SavingsLine) -> HttpResponse:
    if request.method == "PUT":
        body = json_body(request)
        unknown = set(body) - {"version", "phasing", "form", "line", "reference", "total"}
        if unknown:
            raise ApiError(400, dict.fromkeys(sorted(unknown), "Unknown field"))
        if body.get("form", "incremental") != "incremental":
            raise ApiError(400, {"form": "Send incremental phasing (the change in each year)"})
        if "phasing" not in body:
            raise ApiError(400, {"phasing": "This field is required"})
        figures = replace(line_figures(line), phasing=parsing.phasing(body["phasing"]))
        saved = _update(request, line, figures, parsing.version(body))
        return JsonResponse(phasing_json(saved))
    return JsonResponse(phasing_json(line))


def _check_lifecycle(request: HttpRequest, line: SavingsLine | None, figures: Any) -> None:
    if not can_set_lifecycle(request.user, line, figures.lifecycle):
        raise ApiError(403, {"lifecycle": "Only finance officers can sign a line off as delivered"})


def _update(
    request: HttpRequest, line: SavingsLine, figures: LineFigures, expected: int
) -> SavingsLine:
    try:
        return update_line(
            line, figures, user=request.user, expected_version=expected,
            reason="Changed through the API",
        )  # fmt: skip
    except StaleLineError as error:
        raise ApiError(409, {"version": str(error)}, current_version=error.line.version) from None
    except LineValidationError as error:
        raise ApiError(400, parsing.store_errors(error.errors)) from None
