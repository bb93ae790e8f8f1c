"""Plans: list them, then read one's programme (council, years, targets, workstreams) and its
committee tables. Every other plan's data lives under ``/api/plans/{plan}/``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from csplan.accounts.access import PROGRAMME, VIEW
from csplan.api.access import allow, plan_of
from csplan.api.errors import answers, conflict, invalid, invalid_in_store, not_found
from csplan.api.types import (
    ByYear,
    ByYearIn,
    Choice,
    Id,
    Input,
    Label,
    Money,
    MoneyIn,
    Output,
    TableOut,
    Version,
    Year,
    YearIn,
    by_year,
    one_of,
    table_out,
    year_of,
    years_in,
)
from csplan.core.money import from_pence
from csplan.core.periods import FinancialYear
from csplan.programme.asat import AsAtError
from csplan.programme.baseline import BaselineError, plan_baseline, programme_on
from csplan.programme.figures import WorkstreamFigures
from csplan.programme.models import Plan
from csplan.programme.phasing import PhasingForm
from csplan.programme.plans import (
    PlanValidationError,
    StalePlanError,
    active_plans,
    all_plans,
    create_plan,
    settings_version,
    update_plan,
)
from csplan.programme.reports import (
    REPORTS,
    baseline_report,
    build_report,
    reconciliation_report,
)

router = Router(tags=["plans"])

PlanSlug = str


class PlanSummary(Output):
    slug: str = Field(description="The plan's name in addresses: /api/plans/{slug}/...")
    name: str
    council: str
    department: str
    years: list[Year]
    archived: bool
    url: str


class PlanList(Output):
    plans: list[PlanSummary]


class Council(Output):
    name: str
    la_code: str
    sign_convention: str = Field(description="Whether the council writes savings as positive")
    rag_key: list[dict[str, str]] = Field(description="The council's delivery-confidence key")


class Workstream(Output):
    id: int
    name: str
    budget: Money = Field(description="The workstream's budget, £")
    is_workstream: bool


class Programme(Output):
    version: int = Field(description="The settings' version: send it back with a change (409 if "
                         "someone changed them since)")  # fmt: skip
    plan: PlanSummary
    council: Council
    targets: ByYear = Field(description="The savings target by financial year, £")
    workstreams: list[Workstream]


def plan_summary(plan: Plan) -> PlanSummary:
    return PlanSummary(
        slug=plan.slug,
        name=plan.name,
        council=plan.council.name,
        department=plan.department,
        years=[year.label for year in plan.years],
        archived=plan.archived,
        url=f"/api/plans/{plan.slug}",
    )


class PlanFilter(Choice):
    archived: bool = Field(False, description="Include archived plans")


@router.get(
    "/plans",
    response=answers(PlanList),
    auth=allow(VIEW),
    operation_id="listPlans",
    url_name="plans",
    summary="The plans: each one's slug names it in every other address",
)
def list_plans(request: HttpRequest, filters: Query[PlanFilter]) -> PlanList:
    chosen = all_plans() if filters.archived else active_plans()
    return PlanList(plans=[plan_summary(plan) for plan in chosen])


@router.get(
    "/plans/{plan}",
    response=answers(Programme),
    auth=allow(VIEW),
    operation_id="getPlan",
    url_name="plan",
    summary="A plan's programme: council, years, targets and workstreams",
)
def get_plan(request: HttpRequest, plan: PlanSlug) -> Programme:
    return programme_out(plan_of(request))


def programme_out(found: Plan) -> Programme:
    council = found.council
    return Programme(
        version=settings_version(found),
        plan=plan_summary(found),
        council=Council(
            name=council.name,
            la_code=council.la_code,
            sign_convention=council.sign_convention,
            rag_key=[dict(entry) for entry in council.rag_key or ()],
        ),
        targets=by_year(
            {FinancialYear(t.year): from_pence(t.amount_pence) for t in found.targets.all()}
        ),
        workstreams=[
            Workstream(
                id=w.pk,
                name=w.name,
                budget=from_pence(w.budget_pence),
                is_workstream=w.is_workstream,
            )
            for w in found.workstreams.all()
        ],
    )


TARGETS_MEANING = (
    "The savings target of each financial year, £ (incremental: the year's own requirement)"
)
YEARS_MEANING = 'The plan\'s financial years, consecutive, like ["2024/25", "2025/26"]'


class WorkstreamIn(Input):
    id: Id | None = Field(None, description="A stored workstream's id (to rename it); none: new")
    name: str = Field(max_length=300)
    budget: MoneyIn = Field(description="The workstream's budget, £")
    is_workstream: bool = Field(
        True, description="False for a budget outside the workstreams that still counts"
    )


def _workstreams(items: list[WorkstreamIn]) -> list[WorkstreamFigures]:
    return [WorkstreamFigures(w.name, w.budget, w.is_workstream) for w in items]


class PlanNew(Input):
    name: str = Field(max_length=200, examples=["Transformation to 2028"])
    council: str = Field(max_length=200, description="The council's name (created if new)")
    years: list[YearIn] = Field(min_length=1, max_length=50, description=YEARS_MEANING)
    targets: ByYearIn = Field(default_factory=dict, description=TARGETS_MEANING)
    workstreams: list[WorkstreamIn] = Field(default_factory=list, max_length=200)
    department: Label = "Children's Services"
    la_code: str = Field("", max_length=9, description="For a new council: its LA code")


class PlanChange(Input):
    """What to change; a field not sent stays. ``targets`` and ``workstreams`` replace all."""

    version: Version

    name: str = Field(None, max_length=200)  # type: ignore[assignment]
    department: Label = None  # type: ignore[assignment]
    years: list[YearIn] = Field(None, min_length=1, max_length=50, description=YEARS_MEANING)  # type: ignore[assignment]
    targets: ByYearIn = Field(None, description=TARGETS_MEANING + "; a year left out has none")  # type: ignore[assignment]
    workstreams: list[WorkstreamIn] = Field(  # type: ignore[assignment]
        None,
        max_length=200,
        description="Every workstream in order; one left out is removed (refused if it has "
        "savings lines)",
    )


def _plan_errors(error: PlanValidationError) -> Exception:
    return invalid_in_store(error.errors)


@router.post(
    "/plans",
    response=answers(Programme, status=201),
    auth=allow(PROGRAMME),
    operation_id="createPlan",
    url_name="plans",
    summary="Create a plan: council, years, targets and workstreams (finance, admin)",
)
def create(request: HttpRequest, payload: PlanNew) -> Status[Programme]:
    try:
        created = create_plan(
            payload.name,
            payload.council,
            [year_of(label) for label in payload.years],
            targets=years_in(payload.targets),
            workstreams=_workstreams(payload.workstreams),
            department=payload.department,
            la_code=payload.la_code,
            user=request.user,
        )
    except PlanValidationError as error:
        raise _plan_errors(error) from None
    return Status(201, programme_out(created))


@router.patch(
    "/plans/{plan}",
    response=answers(Programme, conflicts=True),
    auth=allow(PROGRAMME),
    operation_id="updatePlan",
    url_name="plan",
    summary="Change a plan's name, years, targets or workstreams (finance, admin)",
)
def update(request: HttpRequest, plan: PlanSlug, payload: PlanChange) -> Programme:
    sent = payload.model_fields_set
    try:
        changed = update_plan(
            plan_of(request),
            name=payload.name if "name" in sent else None,
            department=payload.department if "department" in sent else None,
            years=[year_of(label) for label in payload.years] if payload.years else None,
            targets=years_in(payload.targets) if payload.targets is not None else None,
            workstreams=_workstreams(payload.workstreams)
            if payload.workstreams is not None
            else None,
            workstream_ids=[w.id for w in payload.workstreams or ()],
            expected_version=payload.version,
            user=request.user,
            reason="Changed through the API",
        )
    except PlanValidationError as error:
        raise _plan_errors(error) from None
    except StalePlanError as error:
        raise conflict(str(error), error.current) from None
    return programme_out(changed)


Form = one_of(form.value for form in PhasingForm)
TableName = Literal["workstreams", "proposals", "targets", "baseline", "reconciliation"]
BASELINE_TABLES = ("baseline", "reconciliation")


class TableChoice(Choice):
    phasing: Form = Field(
        PhasingForm.CUMULATIVE.value,
        description="For the proposals, baseline and reconciliation tables: the form of years",
    )
    as_at: dt.date | None = Field(
        None,
        description="The programme as it stood that day (YYYY-MM-DD): its changes in effect by "
        "then (workstreams, proposals, targets)",
    )
    basis: Literal["current", "approved"] = Field(
        "current",
        description="The figures now, or as approved by the plan's approval decision "
        "(workstreams, proposals, targets)",
    )


@router.get(
    "/plans/{plan}/tables/{name}",
    response=answers(TableOut),
    auth=allow(VIEW),
    operation_id="getPlanTable",
    url_name="plan_table",
    summary=f"A committee table of the plan: {', '.join((*REPORTS, *BASELINE_TABLES))} (as the "
    "pages show them; as at a day or as approved)",
)
def get_plan_table(
    request: HttpRequest, plan: PlanSlug, name: TableName, choice: Query[TableChoice]
) -> TableOut:
    found, form = plan_of(request), PhasingForm(choice.phasing)
    dated = choice.as_at is not None or choice.basis != "current"
    try:
        if name in BASELINE_TABLES:
            if dated:
                raise invalid({"name": f"The {name} table is not dated: leave out as_at and basis"})
            baseline = plan_baseline(found)
            report = baseline_report if name == "baseline" else reconciliation_report
            return table_out(report(baseline, form))
        figures = programme_on(found, as_at=choice.as_at, basis=choice.basis)
    except AsAtError as error:
        raise not_found("as_at", str(error)) from None
    except BaselineError as error:
        raise not_found("basis", str(error)) from None
    except ValueError as error:
        raise invalid({"basis": str(error)}) from None
    return table_out(build_report(name, figures, form))
