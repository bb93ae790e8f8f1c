"""API endpoints for business cases, equality impact ratings and decisions (csplan.cases).

Thin: the rules live in ``csplan.cases.store``; these views parse JSON and answer JSON.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from csplan.accounts.access import LINE, PROGRAMME
from csplan.accounts.permissions import can_set_lifecycle, can_sign_off
from csplan.api import parsing
from csplan.api.http import ApiError, endpoint, json_body, request_plan
from csplan.api.serializers import by_year, line_json
from csplan.cases.models import CASE_TEXT_FIELDS, BusinessCase, Decision
from csplan.cases.store import (
    CaseFigures,
    CaseValidationError,
    DecisionFigures,
    DependencyFigures,
    RiskFigures,
    StaleCaseError,
    business_case_figures,
    change_lifecycle,
    create_business_case,
    decision_amounts,
    equality_ratings,
    record_decision,
    set_equality_rating,
    update_business_case,
)
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.store import StaleLineError


def _text(body: dict[str, Any], name: str, default: str = "") -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise ApiError(400, {name: "Send text"})
    return value


def _objects(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ApiError(400, {name: "Send a list of objects"})
    return value


# --- business cases ----------------------------------------------------------------------------


def case_json(case: BusinessCase) -> dict[str, Any]:
    figures = business_case_figures(case)
    return {
        "line": case.line_id,
        "reference": case.line.reference,
        "version": case.version,
        "title": figures.title,
        "summary": figures.summary,
        "sro_role": figures.sro_role,
        "texts": {name: figures.text(name) for name in CASE_TEXT_FIELDS},
        "risks": [
            {
                "title": r.title,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "score": r.score,
                "owner_role": r.owner_role,
                "mitigation": r.mitigation,
            }
            for r in figures.risks
        ],  # fmt: skip
        "dependencies": [
            {"title": d.title, "line_reference": d.line_reference} for d in figures.dependencies
        ],
    }


def _case_figures(body: dict[str, Any]) -> CaseFigures:
    texts = body.get("texts", {})
    if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
        raise ApiError(400, {"texts": "Send an object of field name to text"})
    risks = tuple(
        RiskFigures(
            _text(r, "title"), r.get("likelihood"), r.get("impact"),  # type: ignore[arg-type]
            _text(r, "owner_role"), _text(r, "mitigation"),
        )
        for r in _objects(body, "risks")
    )  # fmt: skip
    dependencies = tuple(
        DependencyFigures(_text(d, "title"), _text(d, "line_reference"))
        for d in _objects(body, "dependencies")
    )
    return CaseFigures(
        title=_text(body, "title"),
        summary=_text(body, "summary"),
        sro_role=_text(body, "sro_role"),
        texts=texts,
        risks=risks,
        dependencies=dependencies,
    )


@endpoint(write=LINE, write_methods=("PUT",), line_arg="pk")
def business_case(request: HttpRequest, line: SavingsLine) -> HttpResponse:
    case = BusinessCase.objects.filter(line=line).select_related("line").first()
    if request.method != "PUT":
        if case is None:
            raise ApiError(404, {"case": f"{line.reference} has no business case yet"})
        return JsonResponse(case_json(case))
    body = json_body(request)
    figures = _case_figures(body)
    try:
        if case is None:
            saved = create_business_case(line, figures, user=request.user, reason="API")
            return JsonResponse(case_json(saved), status=201)
        saved = update_business_case(
            case, figures, user=request.user, expected_version=parsing.version(body), reason="API"
        )
    except StaleCaseError as error:
        raise ApiError(409, {"version": str(error)}, current_version=error.case.version) from None
    except CaseValidationError as error:
        raise ApiError(400, error.errors) from None
    return JsonResponse(case_json(saved))


# --- equality impact ---------------------------------------------------------------------------


def equality_json(line: SavingsLine) -> dict[str, Any]:
    ratings = {
        code: None
        if assessment is None
        else {
            "rating": assessment.rating,
            "note": assessment.note,
            "mitigation": assessment.mitigation,
        }
        for code, assessment in equality_ratings(line).items()
    }
    return {"line": line.pk, "reference": line.reference, "ratings": ratings}


@endpoint(write=LINE, write_methods=("PUT",), line_arg="pk")
def equality(request: HttpRequest, line: SavingsLine) -> HttpResponse:
    if request.method == "PUT":
        ratings = json_body(request).get("ratings")
        if not isinstance(ratings, dict) or not all(isinstance(v, dict) for v in ratings.values()):
            raise ApiError(400, {"ratings": "Send an object of characteristic to its rating"})
        _set_ratings(request, line, ratings)
    return JsonResponse(equality_json(line))


@transaction.atomic
def _set_ratings(request: HttpRequest, line: SavingsLine, ratings: dict[str, Any]) -> None:
    for code, given in ratings.items():
        try:
            set_equality_rating(
                line, code, _text(given, "rating"), note=_text(given, "note"),
                mitigation=_text(given, "mitigation"), user=request.user, reason="API",
            )  # fmt: skip
        except CaseValidationError as error:
            raise ApiError(
                400, {f"ratings.{code}.{name}": text for name, text in error.errors.items()}
            ) from None


# --- lifecycle ---------------------------------------------------------------------------------


@endpoint(read=None, write=LINE, line_arg="pk")
def status(request: HttpRequest, line: SavingsLine) -> HttpResponse:
    """Move the line through its lifecycle by the rules of ``csplan.cases`` (with sign-off)."""
    body = json_body(request)
    expected = parsing.version(body)
    lifecycle = _text(body, "lifecycle")
    signed = body.get("signed_off_by_finance", False)
    if not isinstance(signed, bool):
        raise ApiError(400, {"signed_off_by_finance": "Send true or false"})
    if not can_set_lifecycle(request.user, line, lifecycle) or (
        signed and not can_sign_off(request.user)
    ):
        raise ApiError(403, {"lifecycle": "Only finance officers can give the finance sign-off"})
    try:
        moved = change_lifecycle(
            line,
            lifecycle,
            user=request.user,
            expected_version=expected,
            signed_off_by_finance=signed,
            sign_off_note=_text(body, "sign_off_note"),
            reason=_text(body, "reason"),
        )
    except StaleLineError as error:
        raise ApiError(409, {"version": str(error)}, current_version=error.line.version) from None
    except CaseValidationError as error:
        raise ApiError(400, error.errors) from None
    return JsonResponse(line_json(moved))


# --- decisions ---------------------------------------------------------------------------------


def decision_json(decision: Decision) -> dict[str, Any]:
    covered = decision.covered.select_related("line").prefetch_related("amounts")
    return {
        "id": decision.pk,
        "body": decision.body,
        "body_name": decision.body_name,
        "kind": decision.kind,
        "date": decision.date.isoformat(),
        "reference": decision.reference,
        "summary": decision.summary,
        "lines": [
            {
                "line": c.line_id,
                "reference": c.line.reference,
                "amounts": by_year(decision_amounts(c)),
            }
            for c in covered
        ],  # fmt: skip
    }


def _plan(request: HttpRequest) -> Plan:
    return request_plan(request)


def _date(value: Any) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        raise ApiError(400, {"date": f"{value!r} is not a date written YYYY-MM-DD"}) from None


def _decision_figures(body: dict[str, Any]) -> DecisionFigures:
    amounts = {}
    for number, item in enumerate(_objects(body, "lines"), start=1):
        line_id = item.get("line")
        if not isinstance(line_id, int) or isinstance(line_id, bool):
            raise ApiError(400, {f"lines.{number}.line": "Send the savings line's id"})
        amounts[line_id] = parsing.phasing(item.get("amounts", {}), f"lines.{number}.amounts")
    return DecisionFigures(
        body=_text(body, "body"),
        date=_date(body.get("date")),
        reference=_text(body, "reference"),
        amounts=amounts,
        kind=_text(body, "kind", Decision.Kind.APPROVAL),
        body_name=_text(body, "body_name"),
        summary=_text(body, "summary"),
    )


@endpoint(write=PROGRAMME)
def decisions(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    if request.method == "POST":
        try:
            decision = record_decision(
                plan, _decision_figures(json_body(request)), user=request.user, reason="API"
            )
        except CaseValidationError as error:
            raise ApiError(400, error.errors) from None
        return JsonResponse(decision_json(decision), status=201)
    chosen = Decision.objects.filter(plan=plan).order_by("date", "id")
    return JsonResponse({"decisions": [decision_json(d) for d in chosen]})
